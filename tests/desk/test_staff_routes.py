"""The staff console's API: sessions, CSRF, claiming, replying, resolving, handing back."""

from __future__ import annotations

import json

from tests.desk.conftest import LiveDesk, events_until, next_event

HANDOFF = [
    {"text": "A person will take over."},
    {
        "custom": {
            "handoff": {"escalation_id": None, "reason": "needs_staff", "order_id": "ORD-10010"}
        }
    },
]


async def waiting_chat(desk: LiveDesk, bot) -> tuple[str, str]:
    """A customer whose chat was handed to people; returns (token, conversation id)."""
    bot.replies["money taken but order unpaid"] = HANDOFF
    token = await desk.start_chat()
    async with desk.socket(token) as ws:
        await next_event(ws, "state")
        await ws.send(
            json.dumps(
                {"type": "message", "text": "money taken but order unpaid", "client_id": "c1"}
            )
        )
        await events_until(ws, lambda e: e["type"] == "state")
    csrf = await desk.login()
    status, queue = await desk.staff_get("queue")
    assert status == 200
    await desk.staff_post("logout", csrf)
    return token, queue["conversations"][0]["id"]


def test_console_sees_order_payments_and_diagnosis(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await waiting_chat(desk, bot)
        await desk.login()
        return await desk.staff_get(f"conversations/{conversation_id}")

    status, details = run_desk(scenario)
    assert status == 200
    assert (
        details["conversation"]["status"] == "waiting"
        and details["conversation"]["reason"] == "needs_staff"
    )
    assert details["order"]["id"] == "ORD-10010"
    assert details["payments"][0]["method"] == "alipay"
    assert details["diagnosis"]["cause"] == "charged_not_recorded"
    assert [m["sender"] for m in details["messages"]][:2] == ["customer", "bot"]
    assert any(r["title"] == "Payment found, order updated" for r in details["canned_replies"])


def test_a_claim_reply_resolve_and_rating_reach_the_customer(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        token, conversation_id = await waiting_chat(desk, bot)
        csrf = await desk.login()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            status, claimed = await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
            joined = await next_event(ws, "message")
            state = await next_event(ws, "state")
            await desk.staff_post(
                f"conversations/{conversation_id}/note", csrf, {"text": "check the gateway"}
            )
            await desk.staff_post(
                f"conversations/{conversation_id}/reply", csrf, {"text": "Found it, all sorted."}
            )
            reply = await next_event(ws, "message")
            await desk.staff_post(
                f"conversations/{conversation_id}/resolve", csrf, {"outcome": "paid"}
            )
            closed = await events_until(ws, lambda e: e["type"] == "state")
            await ws.send(json.dumps({"type": "rating", "score": 4}))
            thanks = await next_event(ws, "message")
        _, details = await desk.staff_get(f"conversations/{conversation_id}")
        return claimed, joined, state, reply, closed, thanks, details

    claimed, joined, state, reply, closed, thanks, details = run_desk(scenario)
    assert claimed["status"] == "with_agent" and claimed["agent"] == "Alex"
    assert joined["message"]["text"] == "Alex from support joined the chat."
    assert state["state"]["status"] == "with_agent" and state["state"]["agent"] == "Alex"
    assert reply["message"] == {
        **reply["message"],
        "sender": "agent",
        "author": "Alex",
        "text": "Found it, all sorted.",
    }
    assert closed[-1]["state"]["rating_requested"] is True
    assert thanks["message"]["text"] == "Thanks for your rating!"
    assert details["conversation"]["rating"] == 4 and details["conversation"]["outcome"] == "paid"
    senders = [m["sender"] for m in details["messages"]]
    assert "note" in senders  # staff see notes ...
    assert not any(
        e.get("message", {}).get("sender") == "note" for e in closed
    )  # ... customers never


def test_two_agents_cannot_claim_the_same_conversation(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await waiting_chat(desk, bot)
        alex = await desk.login("alex")
        first = await desk.staff_post(f"conversations/{conversation_id}/claim", alex)
        sam = await desk.login("sam")
        second = await desk.staff_post(f"conversations/{conversation_id}/claim", sam)
        reply = await desk.staff_post(f"conversations/{conversation_id}/reply", sam, {"text": "hi"})
        return first, second, reply

    first, second, reply = run_desk(scenario)
    assert first[0] == 200
    assert second[0] == 409 and "Alex" in second[1]["error"]
    assert reply[0] == 409


def test_hand_back_resumes_the_bot_and_it_answers_again(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        token, conversation_id = await waiting_chat(desk, bot)
        csrf = await desk.login()
        await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            status, summary = await desk.staff_post(
                f"conversations/{conversation_id}/handback", csrf
            )
            seen = await events_until(ws, lambda e: e["type"] == "state")
            await ws.send(json.dumps({"type": "message", "text": "thanks", "client_id": "c9"}))
            answer = await next_event(ws, "message")
        return conversation_id, summary, seen, answer

    conversation_id, summary, seen, answer = run_desk(scenario)
    assert summary["status"] == "bot"
    texts = [e["message"]["text"] for e in seen if e["type"] == "message"]
    assert texts == ["You're back with the assistant."]  # the bot's own greeting
    assert bot.handed_back == [conversation_id]
    assert answer["message"] == {**answer["message"], "sender": "bot", "text": "echo: thanks"}


def test_hand_back_fails_clearly_when_the_bot_is_down(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await waiting_chat(desk, bot)
        csrf = await desk.login()
        await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
        bot.down = True
        status, body = await desk.staff_post(f"conversations/{conversation_id}/handback", csrf)
        _, details = await desk.staff_get(f"conversations/{conversation_id}")
        return status, body, details

    status, body, details = run_desk(scenario)
    assert status == 502 and "assistant" in body["error"]
    assert details["conversation"]["status"] == "with_agent"  # nothing lost, still with Alex


def test_bad_staff_input_gets_clear_errors(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await waiting_chat(desk, bot)
        csrf = await desk.login()
        await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
        return [
            await desk.staff_post(
                f"conversations/{conversation_id}/resolve", csrf, {"outcome": "bogus"}
            ),
            await desk.staff_post(f"conversations/{conversation_id}/reply", csrf, {"text": ""}),
            await desk.staff_post("conversations/no-such-id/claim", csrf),
        ]

    results = run_desk(scenario)
    assert [status for status, _ in results] == [400, 400, 404]
    assert "outcome must be one of" in results[0][1]["error"]


def test_staff_see_live_events(run_desk, bot) -> None:
    import websockets

    async def scenario(desk: LiveDesk):
        await desk.login()
        cookie = "; ".join(f"{c.key}={c.value}" for c in desk.http.cookie_jar)
        url = desk.base.replace("http", "ws") + "/staff/ws"
        async with websockets.connect(url, extra_headers={"Cookie": cookie}) as staff_ws:
            bot.replies["help"] = HANDOFF
            token = await desk.start_chat()
            async with desk.socket(token) as ws:
                await ws.send(json.dumps({"type": "message", "text": "help", "client_id": "c1"}))
                return await events_until(staff_ws, lambda e: e["type"] == "queue")

    events = run_desk(scenario)
    assert events[0]["type"] == "message" and events[0]["message"]["text"] == "help"
    assert events[-1] == {"type": "queue"}


def test_staff_socket_refuses_strangers(run_desk) -> None:
    async def scenario(desk: LiveDesk):
        async with desk.http.ws_connect(desk.base + "/staff/ws") as ws:
            return json.loads((await ws.receive()).data)

    assert run_desk(scenario)["text"] == "please log in"
