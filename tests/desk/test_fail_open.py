"""Failing open to people when the bot gives no usable answer, and giving the
conversation back to the bot when it answers again (a scripted bot over real HTTP)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from desk import messages
from desk.conversations import ConversationStore
from desk.routing import ASSISTANT_UNAVAILABLE
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.desk.conftest import LiveDesk, ScriptedBot, events_until, next_event


async def say(ws: Any, text: str, client_id: str) -> None:
    await ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))


async def history(desk: LiveDesk, token: str) -> list[dict[str, Any]]:
    async with desk.http.get(
        f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
    ) as reply:
        return (await reply.json())["messages"]


def said(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"]["text"] for e in events if e["type"] == "message"]


def checking_every_second(settings: Settings) -> Settings:
    return replace(settings, desk_bot_check_s=1)


def never_checking(settings: Settings) -> Settings:
    return replace(settings, desk_bot_check_s=3600)


def store_of(settings: Settings) -> ConversationStore:
    return ConversationStore(make_session_factory(make_engine(settings.database_url)))


def test_the_bot_down_then_back_answers_every_message_once_in_order(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "my payment failed", "c-1")
            outage = await events_until(ws, lambda e: e["type"] == "state")
            await desk.login()
            _, queue = await desk.staff_get("queue")
            await say(ws, "ORD-10002", "c-2")  # written while waiting: kept for the bot too
            await next_event(ws, "ack")
            bot.down = False
            back = await events_until(
                ws, lambda e: e["type"] == "message" and e["message"]["text"] == "echo: ORD-10002"
            )
        return outage, queue, back, await history(desk, token)

    outage, queue, back, stored = run_desk(scenario, checking_every_second(desk_settings))
    assert messages.BOT_UNAVAILABLE in said(outage)
    assert outage[-1]["state"]["status"] == "waiting"
    [entry] = queue["conversations"]
    assert (entry["status"], entry["reason"]) == ("waiting", ASSISTANT_UNAVAILABLE)
    states = [e["state"]["status"] for e in back if e["type"] == "state"]
    assert states and states[0] == "bot"
    # (First the queue's "still waiting" line for the message written while waiting.)
    assert said(back)[-3:] == [messages.BOT_BACK, "echo: my payment failed", "echo: ORD-10002"]
    # The failed attempt, then each message exactly once after the bot came back.
    assert [text for _, text in bot.received] == [
        "my payment failed",
        "my payment failed",
        "ORD-10002",
    ]
    customer = [m for m in stored if m["sender"] == "customer"]
    assert [m["text"] for m in customer] == ["my payment failed", "ORD-10002"]
    assert [message_id for _, message_id in bot.retried] == [m["id"] for m in customer]
    conversation_id = bot.received[0][0]
    assert store_of(desk_settings).awaiting_bot(conversation_id) == []


def test_a_conversation_a_person_claimed_stays_with_them(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "my payment failed", "c-1")
            await events_until(ws, lambda e: e["type"] == "state")
        csrf = await desk.login()
        _, queue = await desk.staff_get("queue")
        conversation_id = queue["conversations"][0]["id"]
        status, _ = await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
        assert status == 200
        bot.down = False
        await asyncio.sleep(2.5)  # more than two checks
        _, after = await desk.staff_get("queue")
        return conversation_id, after

    conversation_id, after = run_desk(scenario, checking_every_second(desk_settings))
    [entry] = after["conversations"]
    assert entry["status"] == "with_agent"
    assert [text for _, text in bot.received] == ["my payment failed"]  # only the failed try
    assert store_of(desk_settings).awaiting_bot(conversation_id) == []


def test_a_resend_of_an_unanswered_message_is_processed_not_only_acknowledged(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    settings = never_checking(desk_settings)
    store = store_of(settings)

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        conversation = store.by_token(token)
        # As if the desk had stopped after storing the message, before the bot answered.
        store.add_message(
            conversation.id, "customer", "my card was declined", client_id="c-1",
            bot_input="my card was declined",
        )  # fmt: skip
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "my card was declined", "c-1")
            ack = await next_event(ws, "ack")
            reply = await next_event(ws, "message")
            await say(ws, "my card was declined", "c-1")  # answered now: only acknowledged
            await next_event(ws, "ack")
        return conversation.id, ack, reply, await history(desk, token)

    conversation_id, ack, reply, stored = run_desk(scenario, settings)
    assert reply["message"]["text"] == "echo: my card was declined"
    assert [text for _, text in bot.received] == ["my card was declined"]
    assert [m["id"] for m in stored if m["sender"] == "customer"] == [ack["message"]["id"]]
    assert bot.retried == [(conversation_id, ack["message"]["id"])]  # retried: rewind first
    assert store.awaiting_bot(conversation_id) == []


def test_a_resend_while_waiting_for_the_bot_brings_it_back_when_it_answers(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "refund please", "c-1")
            await events_until(ws, lambda e: e["type"] == "state")
        bot.down = False
        async with desk.socket(token) as ws:  # the widget reconnects and resends
            await next_event(ws, "state")
            await say(ws, "refund please", "c-1")
            seen = await events_until(
                ws, lambda e: e["type"] == "message" and e["message"]["sender"] == "bot"
            )
        return seen

    seen = run_desk(scenario, never_checking(desk_settings))
    assert said(seen)[-2:] == [messages.BOT_BACK, "echo: refund please"]
    assert [text for _, text in bot.received] == ["refund please", "refund please"]


def test_the_desk_answers_messages_left_unanswered_when_it_stopped(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    settings = checking_every_second(desk_settings)
    store = store_of(settings)

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        conversation = store.by_token(token)
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            store.add_message(
                conversation.id, "customer", "where is my refund", client_id="c-1",
                bot_input="where is my refund",
            )  # fmt: skip
            reply = await next_event(ws, "message", timeout=5)
        return conversation.id, reply

    conversation_id, reply = run_desk(scenario, settings)
    assert reply["message"]["text"] == "echo: where is my refund"
    assert [text for _, text in bot.received] == ["where is my refund"]
    assert store.awaiting_bot(conversation_id) == []


def test_a_bot_that_fails_again_after_coming_back_keeps_the_queue_place_quietly(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    settings = checking_every_second(desk_settings)
    store = store_of(settings)
    bot.down = True
    broken = {"ready": True}

    async def ready() -> bool:  # the servers answer, yet every message fails
        return broken["ready"]

    async def prepare_retry(conversation_id: str, message_id: int) -> bool:
        return False  # Rasa's tracker API works; its answers to messages are broken

    bot.ready = ready  # type: ignore[method-assign]
    bot.prepare_retry = prepare_retry  # type: ignore[method-assign]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        conversation = store.by_token(token)
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "payment failed", "c-1")
            await events_until(ws, lambda e: e["type"] == "state")
            first_wait = store.get(conversation.id).waiting_since
            await asyncio.sleep(3.5)  # several checks, each of which fails again
            broken["ready"] = False
        return conversation.id, first_wait, await history(desk, token)

    conversation_id, first_wait, stored = run_desk(scenario, settings)
    conversation = store.get(conversation_id)
    assert (conversation.status.value, conversation.reason) == ("waiting", ASSISTANT_UNAVAILABLE)
    assert conversation.waiting_since == first_wait
    assert len(bot.received) >= 2  # it did try again
    system = [m["text"] for m in stored if m["sender"] == "system"]
    assert system.count(messages.BOT_UNAVAILABLE) == 1
    assert len(store.awaiting_bot(conversation_id)) == 1


def test_a_pressed_button_is_still_a_button_when_the_bot_gets_it_after_an_outage(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    bot.replies["hi"] = [
        {"text": "Did that work?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    ]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "hi", "c-1")
            await next_event(ws, "message")
            bot.down = True
            await ws.send(
                json.dumps(
                    {"type": "message", "text": "Yes", "client_id": "c-2", "payload": "/affirm"}
                )
            )
            await say(ws, "/request_human", "c-3")  # typed: text, even after the outage
            await events_until(ws, lambda e: e["type"] == "state")
            bot.down = False
            await events_until(
                ws,
                lambda e: e["type"] == "message" and e["message"]["text"] == "echo: /request_human",
            )

    run_desk(scenario, checking_every_second(desk_settings))
    assert [text for _, text in bot.received] == ["hi", "/affirm", "/affirm", "/request_human"]
    assert bot.payloads == ["/affirm", "/affirm"]  # the failed try and the one after


def test_leaving_a_queue_the_bot_failed_into_starts_over_with_the_bot(
    run_desk, bot: ScriptedBot, desk_settings: Settings
) -> None:
    bot.down = True
    settings = checking_every_second(desk_settings)
    store = store_of(settings)

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        conversation = store.by_token(token)
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "my payment failed", "c-1")
            await events_until(ws, lambda e: e["type"] == "state")
            await say(ws, "hello?", "c-2")  # answered with the queue's quick replies
            await next_event(ws, "message")
            bot.down = False  # Rasa answers again; the customer is quicker than the check
            await ws.send(
                json.dumps(
                    {
                        "type": "message",
                        "text": "Back to the assistant",
                        "client_id": "c-3",
                        "payload": "/leave_queue",
                    }
                )
            )
            await events_until(ws, lambda e: e["type"] == "state" and e["state"]["status"] == "bot")
            await asyncio.sleep(2.5)  # two checks: nothing old may reach the bot now
        return conversation.id

    conversation_id = run_desk(scenario, settings)
    assert bot.handed_back == [conversation_id]
    assert [text for _, text in bot.received] == ["my payment failed"]  # only the failed try
    assert store.awaiting_bot(conversation_id) == []
