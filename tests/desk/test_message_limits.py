"""Message size and rate limits, exactly at the limit and one over, as configured."""

from __future__ import annotations

import json
from dataclasses import replace

from payhelp.settings import Settings
from tests.desk.conftest import LiveDesk, next_event
from tests.desk.test_desk_masking import stored_rows

HANDOFF = [{"custom": {"handoff": {"escalation_id": None, "reason": "customer_request"}}}]


def test_a_message_of_exactly_the_maximum_length_is_taken(run_desk, bot, desk_settings) -> None:
    settings = replace(desk_settings, desk_max_message_chars=50)
    longest, too_long = "x" * 50, "y" * 51

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(json.dumps({"type": "message", "text": too_long, "client_id": "c1"}))
            refused = await next_event(ws, "error")
            await ws.send(json.dumps({"type": "message", "text": longest, "client_id": "c2"}))
            await next_event(ws, "ack")
            answer = await next_event(ws, "message")
        return refused, answer

    refused, answer = run_desk(scenario, settings)
    assert refused["text"] == "messages can be at most 50 characters"
    assert answer["message"]["text"] == f"echo: {longest}"
    assert [text for _, text in bot.received] == [longest]
    assert [text for sender, text in stored_rows(settings) if sender == "customer"] == [longest]


def test_exactly_the_allowed_number_of_messages_gets_through(run_desk, bot, desk_settings) -> None:
    settings = replace(desk_settings, desk_messages_per_minute=5)

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            for n in range(5):
                await ws.send(json.dumps({"type": "message", "text": f"m{n}", "client_id": f"{n}"}))
                await next_event(ws, "ack")
                await next_event(ws, "message")
            await ws.send(json.dumps({"type": "message", "text": "m5", "client_id": "5"}))
            return await next_event(ws, "error")

    refused = run_desk(scenario, settings)
    assert "too quickly" in refused["text"]
    assert [text for _, text in bot.received] == ["m0", "m1", "m2", "m3", "m4"]
    customer = [text for sender, text in stored_rows(settings) if sender == "customer"]
    assert customer == ["m0", "m1", "m2", "m3", "m4"]


def test_staff_messages_have_the_same_length_limit(run_desk, bot, desk_settings) -> None:
    settings: Settings = replace(desk_settings, desk_max_message_chars=50)
    bot.replies["help"] = HANDOFF

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(json.dumps({"type": "message", "text": "help", "client_id": "c1"}))
            await next_event(ws, "state")
        [(conversation_id, _)] = bot.received
        csrf = await desk.login()
        path = f"conversations/{conversation_id}"
        await desk.staff_post(f"{path}/claim", csrf)
        return [
            await desk.staff_post(f"{path}/reply", csrf, {"text": "a" * 51}),
            await desk.staff_post(f"{path}/reply", csrf, {"text": "b" * 50}),
            await desk.staff_post(f"{path}/note", csrf, {"text": "c" * 51}),
            await desk.staff_post(f"{path}/note", csrf, {"text": "d" * 50}),
        ]

    statuses = [status for status, _ in run_desk(scenario, settings)]
    assert statuses == [400, 200, 400, 200]
    staff_texts = [t for s, t in stored_rows(settings) if s in ("agent", "note")]
    assert staff_texts == ["b" * 50, "d" * 50]
