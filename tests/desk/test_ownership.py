"""Who may act on a conversation: its agent only, and a customer only on their own chat."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.desk.conftest import PASSWORD, LiveDesk, events_until, next_event

HANDOFF = [
    {"text": "A person will take over."},
    {"custom": {"handoff": {"escalation_id": None, "reason": "needs_staff", "order_id": None}}},
]


class Agent:
    """One staff member's own browser session (cookie jar) against the live desk."""

    def __init__(self, desk: LiveDesk, http: aiohttp.ClientSession) -> None:
        self.desk, self.http, self.csrf = desk, http, ""

    async def login(self, username: str) -> Agent:
        async with self.http.post(
            f"{self.desk.base}/staff/api/login", json={"username": username, "password": PASSWORD}
        ) as reply:
            assert reply.status == 200
            self.csrf = (await reply.json())["csrf"]
        return self

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.desk.base}/staff/api/{path}",
            json=body or {},
            headers={"X-CSRF-Token": self.csrf},
        ) as reply:
            return reply.status, await reply.json()

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(f"{self.desk.base}/staff/api/{path}") as reply:
            return reply.status, await reply.json()


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def chat_in_the_queue(desk: LiveDesk, bot, text: str = "a person please") -> tuple[str, str]:
    """A customer's chat handed to people: (token, conversation id)."""
    bot.replies[text] = HANDOFF
    token = await desk.start_chat()
    async with desk.socket(token) as ws:
        await next_event(ws, "state")
        await ws.send(json.dumps({"type": "message", "text": text, "client_id": "c1"}))
        await events_until(ws, lambda e: e["type"] == "state" and e["state"]["status"] == "waiting")
    # The scripted bot saw the conversation's id with the message.
    return token, [c for c, said in bot.received if said == text][-1]


def test_an_agent_cannot_reply_resolve_or_hand_back_another_agent_s_chat(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await chat_in_the_queue(desk, bot)
        path = f"conversations/{conversation_id}"
        async with browser() as alex_http, browser() as sam_http:
            alex = await Agent(desk, alex_http).login("alex")
            sam = await Agent(desk, sam_http).login("sam")
            claimed = await alex.post(f"{path}/claim")
            _, before = await alex.get(path)
            attempts = {
                "reply": await sam.post(f"{path}/reply", {"text": "Sam here"}),
                "resolve": await sam.post(f"{path}/resolve", {"outcome": "paid"}),
                "handback": await sam.post(f"{path}/handback"),
                "claim": await sam.post(f"{path}/claim"),
            }
            _, after = await alex.get(path)
            # The owner still can: the refusals above were about ownership.
            owner_reply = await alex.post(f"{path}/reply", {"text": "Alex here"})
        return claimed, before, attempts, after, owner_reply

    claimed, before, attempts, after, owner_reply = run_desk(scenario)
    assert claimed[0] == 200 and claimed[1]["agent"] == "Alex"
    for action, (status, body) in attempts.items():
        assert status == 409, (action, status, body)
    for action in ("resolve", "handback", "claim"):
        assert "Alex" in attempts[action][1]["error"], attempts[action]
    assert after["conversation"] == {**before["conversation"], "status": "with_agent"}
    assert after["conversation"]["agent"] == "Alex" and after["conversation"]["outcome"] is None
    assert after["messages"] == before["messages"]  # nothing from Sam, no "closed" line
    assert bot.handed_back == []
    assert owner_reply[0] == 200 and owner_reply[1]["author"] == "Alex"


def test_only_the_owner_resolves_and_the_escalation_outcome_is_theirs(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        _, conversation_id = await chat_in_the_queue(desk, bot)
        path = f"conversations/{conversation_id}"
        async with browser() as alex_http, browser() as sam_http:
            alex = await Agent(desk, alex_http).login("alex")
            sam = await Agent(desk, sam_http).login("sam")
            await alex.post(f"{path}/claim")
            refused = await sam.post(f"{path}/resolve", {"outcome": "unresolved"})
            resolved = await alex.post(f"{path}/resolve", {"outcome": "paid"})
        return refused, resolved

    refused, resolved = run_desk(scenario)
    assert refused[0] == 409
    assert resolved[0] == 200
    assert (resolved[1]["status"], resolved[1]["outcome"]) == ("resolved", "paid")


def test_a_conversation_with_the_bot_cannot_be_resolved_claimed_or_handed_back(
    run_desk, bot
) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await ws.send(json.dumps({"type": "message", "text": "hi", "client_id": "c1"}))
            await next_event(ws, "message")
        async with browser() as http:
            alex = await Agent(desk, http).login("alex")
            [(conversation_id, _)] = bot.received  # not in the queue: the bot saw its id
            path = f"conversations/{conversation_id}"
            attempts = {
                "resolve": await alex.post(f"{path}/resolve", {"outcome": "paid"}),
                "claim": await alex.post(f"{path}/claim"),
                "handback": await alex.post(f"{path}/handback"),
            }
            _, after = await alex.get(path)
        return attempts, after

    attempts, after = run_desk(scenario)
    for action, (status, body) in attempts.items():
        assert status == 409, (action, status, body)
    assert after["conversation"]["status"] == "bot"
    assert after["conversation"]["outcome"] is None
    assert bot.handed_back == []


def test_a_customer_token_reaches_only_its_own_conversation(run_desk, bot) -> None:
    async def history(desk: LiveDesk, token: str) -> dict[str, Any]:
        async with desk.http.get(
            f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
        ) as reply:
            assert reply.status == 200
            return await reply.json()

    async def scenario(desk: LiveDesk):
        mine, theirs = await desk.start_chat(), await desk.start_chat()
        async with desk.socket(mine) as my_ws, desk.socket(theirs) as their_ws:
            await next_event(my_ws, "state")
            await next_event(their_ws, "state")
            await their_ws.send(
                json.dumps({"type": "message", "text": "their secret", "client_id": "t1"})
            )
            await next_event(their_ws, "message")  # their bot answer: all of it is sent
            await my_ws.send(json.dumps({"type": "message", "text": "my words", "client_id": "m1"}))
            # Everything my socket got until my own bot answer, in order.
            seen = await events_until(
                my_ws, lambda e: e["type"] == "message" and e["message"]["sender"] == "bot"
            )
        return await history(desk, mine), await history(desk, theirs), seen

    my_history, their_history, seen = run_desk(scenario)
    assert [m["text"] for m in my_history["messages"]] == ["my words", "echo: my words"]
    assert [m["text"] for m in their_history["messages"]] == ["their secret", "echo: their secret"]
    assert "their secret" not in json.dumps(seen)
    assert [(c, t) for c, t in bot.received if t == "their secret"] != []
    my_ids = {c for c, t in bot.received if t == "my words"}
    their_ids = {c for c, t in bot.received if t == "their secret"}
    assert len(my_ids) == len(their_ids) == 1 and my_ids != their_ids
