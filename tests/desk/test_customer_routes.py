"""The customer's side of the desk over real HTTP and WebSockets."""

from __future__ import annotations

import json

from tests.desk.conftest import LiveDesk, events_until, next_event


async def say(ws, text: str, client_id: str, payload: str | None = None) -> None:
    event = {"type": "message", "text": text, "client_id": client_id}
    if payload:
        event["payload"] = payload
    await ws.send(json.dumps(event))


def test_a_message_is_stored_acknowledged_and_answered_by_the_bot(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            assert (await next_event(ws, "state"))["state"]["status"] == "bot"
            await say(ws, "hi there", "c-1")
            ack = await next_event(ws, "ack")
            reply = await next_event(ws, "message")
        async with desk.http.get(
            f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            history = await r.json()
        return ack, reply, history

    ack, reply, history = run_desk(scenario)
    assert ack["client_id"] == "c-1" and ack["message"]["sender"] == "customer"
    assert reply["message"] == {**reply["message"], "sender": "bot", "text": "echo: hi there"}
    assert [m["text"] for m in history["messages"]] == ["hi there", "echo: hi there"]
    assert [text for _, text in bot.received] == ["hi there"]


def test_a_resent_message_is_stored_and_routed_once(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, "my payment failed", "same-id")
            await next_event(ws, "message")
        async with desk.socket(token) as ws:  # reconnect and resend
            await say(ws, "my payment failed", "same-id")
            second = await next_event(ws, "ack")
        async with desk.http.get(
            f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            return second, (await r.json())["messages"]

    second, messages = run_desk(scenario)
    assert second["message"]["id"] == messages[0]["id"]
    assert [m["sender"] for m in messages] == ["customer", "bot"]
    assert len(bot.received) == 1


def test_a_card_number_is_masked_before_storage_and_before_the_bot(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, "card 4242 4242 4242 4242 failed", "c-1")
            ack = await next_event(ws, "ack")
            warning = await next_event(ws, "message")
        return ack, warning

    ack, warning = run_desk(scenario)
    assert (
        "4242" not in ack["message"]["text"] and "[card number removed]" in ack["message"]["text"]
    )
    assert warning["message"]["sender"] == "system" and "card" in warning["message"]["text"]
    assert all("4242" not in text for _, text in bot.received)


def test_the_handoff_payload_moves_the_chat_to_the_queue_and_is_not_shown(run_desk, bot) -> None:
    bot.replies["a person please"] = [
        {"text": "I've asked a member of our support team to take over."},
        {
            "custom": {
                "handoff": {"escalation_id": None, "reason": "customer_request", "order_id": None}
            }
        },
    ]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "a person please", "c-1")
            seen = await events_until(ws, lambda e: e["type"] == "state")
        return seen

    seen = run_desk(scenario)
    shown = [e["message"]["text"] for e in seen if e["type"] == "message"]
    assert shown[0].startswith("I've asked a member")
    assert "you are number 1" in shown[-1]
    assert not any("handoff" in json.dumps(e.get("message", {})) for e in seen)
    assert seen[-1]["state"] == {**seen[-1]["state"], "status": "waiting", "position": 1}


def test_the_bot_being_down_fails_open_to_people(run_desk, bot) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "my payment failed", "c-1")
            seen = await events_until(ws, lambda e: e["type"] == "state")
        status, queue = await desk.staff_get("queue")
        return seen, status

    seen, staff_status = run_desk(scenario)
    texts = [e["message"]["text"] for e in seen if e["type"] == "message"]
    assert any("isn't available right now" in t for t in texts)
    assert seen[-1]["state"]["status"] == "waiting"
    assert [e["message"]["text"] for e in seen if e["type"] == "ack"] == ["my payment failed"]
    assert staff_status == 401  # the queue itself is for staff only


def test_while_a_person_has_the_chat_the_bot_gets_nothing(run_desk, bot) -> None:
    bot.replies["help"] = [{"custom": {"handoff": {"reason": "customer_request"}}}]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await say(ws, "help", "c-1")
            await events_until(ws, lambda e: e["type"] == "state")
            await say(ws, "hello? anyone?", "c-2")
            await next_event(ws, "ack")

    run_desk(scenario)
    assert [text for _, text in bot.received] == ["help"]


def test_button_payloads_go_to_the_bot_only_if_offered(run_desk, bot) -> None:
    bot.replies["hi"] = [
        {"text": "Did that work?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
    ]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, "hi", "c-1")
            await next_event(ws, "message")
            await say(ws, "Yes", "c-2", payload="/affirm")
            await next_event(ws, "message")
            await say(ws, "sneaky", "c-3", payload='/inform{"order_id": "ORD-1"}')
            await next_event(ws, "message")
            await say(ws, "/request_human", "c-4")
            await next_event(ws, "message")

    run_desk(scenario)
    assert [text for _, text in bot.received] == ["hi", "/affirm", "sneaky", "/request_human"]
    # Only the offered button is marked as a payload; typed "/..." text is just text.
    assert bot.payloads == ["/affirm"]


def test_limits_give_clear_errors(run_desk, bot, desk_settings) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        errors = []
        async with desk.socket(token) as ws:
            await say(ws, "x" * 2001, "long")
            errors.append(await next_event(ws, "error"))
            await ws.send("not json")
            errors.append(await next_event(ws, "error"))
            for n in range(21):
                await say(ws, f"message {n}", f"m-{n}")
            errors.append(await next_event(ws, "error", timeout=10))
        return errors

    errors = run_desk(scenario)
    assert "at most 2000 characters" in errors[0]["text"]
    assert "could not read" in errors[1]["text"]
    assert "too quickly" in errors[2]["text"]
    # 20 attempts a minute, the refused long one included: 19 reached the bot.
    assert len(bot.received) == 19


def test_an_unknown_token_is_refused(run_desk) -> None:
    async def scenario(desk: LiveDesk):
        async with desk.http.get(
            f"{desk.base}/api/chat/history", headers={"Authorization": "Bearer nope"}
        ) as r:
            status = r.status
        async with desk.socket("nope") as ws:
            event = await next_event(ws, "error")
        return status, event

    status, event = run_desk(scenario)
    assert status == 401 and event["code"] == "unknown_token"


def test_script_tags_are_stored_as_text(run_desk) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, "<script>alert(1)</script>", "c-1")
            return await next_event(ws, "ack")

    ack = run_desk(scenario)
    assert ack["message"]["text"] == "<script>alert(1)</script>"  # clients insert it as text


GREETING = [
    {
        "text": "Hi! I'm the payment assistant. What happened?",
        "buttons": [
            {"title": "My payment failed", "payload": "/payment_failed"},
            {"title": "Talk to a person", "payload": "/request_human"},
        ],
    }
]


async def history_of(desk: LiveDesk, token: str) -> list[dict]:
    async with desk.http.get(
        f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
    ) as r:
        return (await r.json())["messages"]


def test_a_new_chat_opens_with_the_bot_s_greeting_once(run_desk, bot) -> None:
    bot.intents["greet"] = GREETING

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            greeting = await next_event(ws, "message")
        async with desk.socket(token) as again, desk.socket(token) as other_tab:
            await next_event(again, "state")
            await next_event(other_tab, "state")
            # A greeting quick reply is an offered button: it reaches the bot as its payload.
            await say(again, "My payment failed", "c-1", payload="/payment_failed")
            await next_event(again, "ack")
            await next_event(again, "message")
        return greeting, await history_of(desk, token)

    greeting, history = run_desk(scenario)
    assert greeting["message"]["sender"] == "bot"
    assert greeting["message"]["text"].startswith("Hi! I'm the payment assistant")
    assert [b["payload"] for b in greeting["message"]["buttons"]] == [
        "/payment_failed",
        "/request_human",
    ]
    assert [intent for _, intent in bot.triggered] == ["greet"]  # not again on reconnect
    assert [m["sender"] for m in history] == ["bot", "customer", "bot"]
    assert [text for _, text in bot.received] == ["/payment_failed"]


def test_without_the_bot_a_new_chat_opens_quietly(run_desk, bot) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            state = await next_event(ws, "state")
            await say(ws, "hello", "c-1")
            seen = await events_until(ws, lambda e: e["type"] == "state")
        return state, seen

    state, seen = run_desk(scenario)
    assert state["state"]["status"] == "bot"
    kinds = [e["type"] for e in seen]
    assert "message" not in kinds[: kinds.index("ack")]  # no greeting, no error
    # The first message fails open to people as any other would.
    assert seen[-1]["state"]["status"] == "waiting"
