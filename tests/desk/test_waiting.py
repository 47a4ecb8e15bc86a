"""Waiting for a person is never silent: acknowledgements, leaving the queue, a callback."""

from __future__ import annotations

import asyncio
import json

from desk.routing import Event, InvalidTransition, Status, next_status
from tests.desk.conftest import LiveDesk, events_until, next_event

HANDOFF = [
    {"text": "I've asked a member of our support team to take over."},
    {"custom": {"handoff": {"escalation_id": None, "reason": "customer_request"}}},
]
LEAVE = {"type": "message", "text": "Back to the assistant", "payload": "/leave_queue"}
CALLBACK = {
    "type": "message",
    "text": "Call or email me back instead",
    "payload": "/callback_instead",
}


async def say(ws, text: str, client_id: str) -> None:
    await ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))


async def join_queue(desk: LiveDesk, ws) -> list[dict]:
    await next_event(ws, "state")
    await say(ws, "a person please", "handoff")
    return await events_until(ws, lambda e: e["type"] == "state")


async def after_ack(ws) -> list[dict]:
    """Everything up to the next ack; then everything the desk sends within a moment."""
    seen = await events_until(ws, lambda e: e["type"] == "ack")
    try:
        while True:
            seen.append(await next_event(ws, "message", timeout=0.5))
    except asyncio.TimeoutError:
        return seen


def system_lines(events: list[dict]) -> list[str]:
    return [
        e["message"]["text"]
        for e in events
        if e["type"] == "message" and e["message"]["sender"] == "system"
    ]


def test_leaving_the_queue_is_a_transition_of_its_own() -> None:
    assert next_status(Status.WAITING, Event.LEAVE_QUEUE) is Status.BOT
    for status in (Status.BOT, Status.WITH_AGENT, Status.RESOLVED):
        try:
            next_status(status, Event.LEAVE_QUEUE)
        except InvalidTransition:
            continue
        raise AssertionError(f"left the queue from {status}")


def test_a_waiting_customer_is_answered_at_most_once_a_minute(run_desk, bot) -> None:
    bot.replies["a person please"] = HANDOFF

    async def scenario(desk: LiveDesk):
        first_token, second_token = await desk.start_chat(), await desk.start_chat()
        async with desk.socket(first_token) as first, desk.socket(second_token) as second:
            await join_queue(desk, first)
            joined = await join_queue(desk, second)
            await say(second, "hello? is anyone there?", "m1")
            answered = await after_ack(second)
            await say(second, "hello??", "m2")
            quiet = await after_ack(second)
            desk.app.ctx.desk.still_waiting_every_s = 0  # as if a minute had passed
            await say(second, "still here", "m3")
            again = await after_ack(second)
        return joined, answered, quiet, again

    joined, answered, quiet, again = run_desk(scenario)
    announcement = next(
        e for e in joined if e["type"] == "message" and "number 2" in e["message"]["text"]
    )
    assert [b["payload"] for b in announcement["message"]["buttons"]] == [
        "/leave_queue",
        "/callback_instead",
    ]
    assert system_lines(answered) == [
        "A member of our team will be with you shortly; you're number 2."
    ]
    acknowledgement = next(e for e in answered if e["type"] == "message")
    assert [b["title"] for b in acknowledgement["message"]["buttons"]] == [
        "Back to the assistant",
        "Call or email me back instead",
    ]
    assert system_lines(quiet) == []
    assert system_lines(again) == [
        "A member of our team will be with you shortly; you're number 2."
    ]
    assert [text for _, text in bot.received] == ["a person please", "a person please"]


def test_leaving_the_queue_goes_back_to_the_bot(run_desk, bot) -> None:
    bot.replies["a person please"] = HANDOFF

    async def scenario(desk: LiveDesk):
        first_token, second_token = await desk.start_chat(), await desk.start_chat()
        async with desk.socket(first_token) as first, desk.socket(second_token) as second:
            await join_queue(desk, first)
            await join_queue(desk, second)
            await first.send(json.dumps({**LEAVE, "client_id": "leave"}))
            left = await events_until(
                first, lambda e: e["type"] == "message" and e["message"]["sender"] == "bot"
            )
            moved_up = await next_event(second, "state")
            await say(first, "my payment failed", "after")
            answer = await next_event(first, "message")
        csrf = await desk.login()
        _, queue = await desk.staff_get("queue")
        _, history = await desk.staff_get("conversations?q=")
        await desk.staff_post("logout", csrf)
        return left, moved_up, answer, queue, history

    left, moved_up, answer, queue, history = run_desk(scenario)
    states = [e["state"]["status"] for e in left if e["type"] == "state"]
    assert states == ["bot"]
    assert system_lines(left) == ["You left the queue."]
    assert left[-1]["message"]["text"] == "You're back with the assistant."  # the bot greets back
    assert moved_up["state"]["position"] == 1
    assert answer["message"] == {
        **answer["message"],
        "sender": "bot",
        "text": "echo: my payment failed",
    }
    assert len(bot.handed_back) == 1
    assert len(queue["conversations"]) == 1  # only the other customer still waits
    # It stays findable, with how it ended.
    [found] = [c for c in history["conversations"] if c["status"] == "bot"]
    assert found["outcome"] == "left_queue"
    assert found["outcome_label"] == "The customer left the queue"


def test_a_callback_instead_leaves_the_queue_and_the_bot_takes_it(run_desk, bot) -> None:
    bot.replies["a person please"] = HANDOFF
    bot.intents["request_callback"] = [{"text": "Sure. Should we call you or email you?"}]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await join_queue(desk, ws)
            await ws.send(json.dumps({**CALLBACK, "client_id": "cb"}))
            return await events_until(
                ws, lambda e: e["type"] == "message" and e["message"]["sender"] == "bot"
            )

    seen = run_desk(scenario)
    assert [e["state"]["status"] for e in seen if e["type"] == "state"] == ["bot"]
    assert seen[-1]["message"]["text"] == "Sure. Should we call you or email you?"
    assert [intent for _, intent in bot.triggered] == ["greet", "request_callback"]
    assert len(bot.handed_back) == 1
    # The button's words were stored for staff, but the bot got the intent, not the text.
    assert [text for _, text in bot.received] == ["a person please"]


def test_leaving_the_queue_while_the_bot_is_down_keeps_the_place(run_desk, bot) -> None:
    bot.replies["a person please"] = HANDOFF

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await join_queue(desk, ws)
            bot.down = True
            await ws.send(json.dumps({**LEAVE, "client_id": "leave"}))
            error = await next_event(ws, "error")
        async with desk.socket(token) as ws:
            state = await next_event(ws, "state")
        return error, state

    error, state = run_desk(scenario)
    assert "still in the queue" in error["text"]
    assert state["state"]["status"] == "waiting" and state["state"]["position"] == 1
