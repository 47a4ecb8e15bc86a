"""Card data typed into the widget: masked in what the desk stores and in what the bot gets.

Deterministic: each message's bot answer is awaited before the next is sent, so the
scripted bot has received every message by the time the assertions run.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from payhelp.settings import Settings
from payhelp.store.database import make_engine
from tests.desk.conftest import LiveDesk, next_event
from tests.unit.test_card_masking_formats import MESSAGES, card_numbers_in

WARNING_START = "For your security we removed card details"


def stored_rows(settings: Settings) -> list[tuple[str, str]]:
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT sender, text FROM messages ORDER BY id")).all()
    engine.dispose()
    return [(sender, text) for sender, text in rows]


def test_customer_messages_are_masked_for_storage_and_for_the_bot(
    run_desk, bot, desk_settings
) -> None:
    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        acks, answers = [], []
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            for n, (typed, _) in enumerate(MESSAGES):
                await ws.send(json.dumps({"type": "message", "text": typed, "client_id": f"c{n}"}))
                acks.append((await next_event(ws, "ack"))["message"]["text"])
                warning = await next_event(ws, "message")
                assert warning["message"]["text"].startswith(WARNING_START), warning
                answers.append((await next_event(ws, "message"))["message"])
        async with desk.http.get(
            f"{desk.base}/api/chat/history", headers={"Authorization": f"Bearer {token}"}
        ) as reply:
            history = (await reply.json())["messages"]
        return acks, answers, history

    acks, answers, history = run_desk(scenario)
    expected = [stored for _, stored in MESSAGES]
    # What the bot received: the masked text, in order, nothing else.
    assert [text for _, text in bot.received] == expected
    assert [a["sender"] for a in answers] == ["bot"] * len(MESSAGES)
    assert [a["text"] for a in answers] == [f"echo: {text}" for text in expected]
    # What the customer's own screen and history show.
    assert acks == expected
    assert [m["text"] for m in history if m["sender"] == "customer"] == expected
    # What the desk's table holds.
    rows = stored_rows(desk_settings)
    assert [text for sender, text in rows if sender == "customer"] == expected
    everything = json.dumps(rows)
    for typed, _ in MESSAGES:
        for number in card_numbers_in(typed):
            assert number not in everything


def test_staff_replies_and_notes_are_masked_too(run_desk, bot, desk_settings) -> None:
    bot.replies["a person please"] = [
        {"custom": {"handoff": {"escalation_id": None, "reason": "customer_request"}}}
    ]

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(
                json.dumps({"type": "message", "text": "a person please", "client_id": "c1"})
            )
            await next_event(ws, "state")
        [(conversation_id, _)] = bot.received
        csrf = await desk.login()
        path = f"conversations/{conversation_id}"
        await desk.staff_post(f"{path}/claim", csrf)
        reply = await desk.staff_post(f"{path}/reply", csrf, {"text": "is it 4242-4242-4242-4242?"})
        note = await desk.staff_post(f"{path}/note", csrf, {"text": "cvc 737 given"})
        return reply, note

    (reply_status, reply), (note_status, note) = run_desk(scenario)
    assert (reply_status, reply["text"]) == (200, "is it [card number removed]?")
    assert (note_status, note["text"]) == (200, "cvc [security code removed] given")
    stored = json.dumps(stored_rows(desk_settings))
    assert "4242" not in stored and "737" not in stored
