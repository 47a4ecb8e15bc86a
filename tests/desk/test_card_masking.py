"""Card data on the desk-to-bot path: what the desk stores and what it sends to the bot."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from desk.conversations import ConversationStore
from desk.live import LiveHub
from desk.service import Desk
from desk.staff_accounts import StaffAccounts
from ops.schema import upgrade_database
from payhelp.core.card_data import CARD_MASK, CVC_MASK, REMASK_KEY
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.records import AssistantRecords
from tests.card_formats import TypedCard, digits_only, examples, typed_cards
from tests.desk.conftest import LiveDesk, ScriptedBot, events_until, next_event
from tests.desk.test_customer_routes import say
from tests.unit.test_card_data import NAMED_FORMATS


def stored_texts(settings: Settings, sender: str = "customer") -> list[str]:
    """The texts of one sender's messages in the desk's own table, read with plain SQL."""
    with sqlite3.connect(make_url(settings.database_url).database) as db:
        query = "SELECT text FROM messages WHERE sender = ? ORDER BY id"
        return [text for (text,) in db.execute(query, (sender,))]


def test_each_named_format_is_masked_in_storage_and_towards_the_bot(
    run_desk, bot, desk_settings
) -> None:
    async def scenario(desk: LiveDesk) -> None:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            for number, (_, card) in enumerate(NAMED_FORMATS):
                await say(ws, f"my card {card} was declined", f"c-{number}")
                await next_event(ws, "ack")
                await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")

    run_desk(scenario)
    customer = [t for t in stored_texts(desk_settings) if t.startswith("my card")]
    assert customer == [f"my card {CARD_MASK} was declined"] * len(NAMED_FORMATS)
    assert [text for _, text in bot.received] == customer
    everything = digits_only(" ".join(stored_texts(desk_settings)))
    for _, card in NAMED_FORMATS:
        assert digits_only(card) not in everything


@pytest.mark.parametrize(
    "said,expected",
    [
        ("4242 4242 4242 4242 / 05/29 / 318", f"{CARD_MASK} / 05/29 / {CVC_MASK}"),
        ("the 3 digits on the back are 913", f"the 3 digits on the back are {CVC_MASK}"),
        ("my cvv is nine one three", f"my cvv is {CVC_MASK}"),
        ("卡背面三位数是913", f"卡背面三位数是{CVC_MASK}"),
    ],
)
def test_security_codes_are_masked_in_storage_and_towards_the_bot(
    run_desk, bot, desk_settings, said: str, expected: str
) -> None:
    async def scenario(desk: LiveDesk) -> dict[str, Any]:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, said, "c-1")
            ack = await next_event(ws, "ack")
            await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")
            return ack

    ack = run_desk(scenario)
    assert ack["message"]["text"] == expected
    assert bot.received[-1][1] == expected
    assert expected in stored_texts(desk_settings)


def test_a_bare_code_after_the_bot_asked_about_the_security_code_is_masked(
    run_desk, bot, desk_settings
) -> None:
    bot.replies["it keeps failing"] = [{"text": "Please check the security code on the back."}]

    async def scenario(desk: LiveDesk) -> dict[str, Any]:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await say(ws, "it keeps failing", "c-1")
            await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")
            await say(ws, "913", "c-2")
            ack = await next_event(ws, "ack")
            await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")
            return ack

    ack = run_desk(scenario)
    assert ack["message"]["text"] == CVC_MASK
    assert bot.received[-1][1] == CVC_MASK
    assert "913" not in " ".join(stored_texts(desk_settings))


def test_a_number_split_over_two_messages_is_masked_in_both_live_and_stored(
    run_desk, bot, desk_settings
) -> None:
    async def scenario(desk: LiveDesk) -> tuple[list[dict], dict, list]:
        token = await desk.start_chat()
        csrf = await desk.login()
        async with desk.socket(token) as ws, desk.http.ws_connect(f"{desk.base}/staff/ws") as staff:
            await say(ws, "6011 1111", "c-1")
            first = (await next_event(ws, "ack"))["message"]
            await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")
            await say(ws, "1111 1117", "c-2")
            seen = await events_until(ws, lambda e: e["type"] == "message_update")
            staff_seen = []
            while not any(e["type"] == "message_update" for e in staff_seen):
                staff_seen.append(json.loads((await staff.receive(timeout=5)).data))
            await events_until(ws, lambda e: e.get("message", {}).get("sender") == "bot")
        assert csrf
        return seen, first, staff_seen

    seen, first, staff_seen = run_desk(scenario)
    update = seen[-1]["message"]
    assert update["id"] == first["id"] and update["text"] == CARD_MASK
    assert [e for e in seen if e["type"] == "ack"][0]["message"]["text"] == CARD_MASK
    assert staff_seen[-1]["message"] == update
    assert stored_texts(desk_settings) == [CARD_MASK, CARD_MASK]
    # The bot heard the first part before it was known to be one; it is told to re-mask it.
    assert [text for _, text in bot.received] == ["6011 1111", CARD_MASK]
    assert bot.remasked[-1][1] == [CARD_MASK]


# --- properties, on the desk's service with a real SQLite database -------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, ScriptedBot]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    bot = ScriptedBot()
    desk = Desk(
        settings=Settings(database_url=url),
        conversations=ConversationStore(sessions),
        staff=StaffAccounts(sessions),
        records=AssistantRecords(sessions),
        rasa=bot,
        live=LiveHub(),
    )
    yield desk, bot
    engine.dispose()


def conversation_after(desk: Desk, bot: ScriptedBot, *texts: str) -> tuple[list[str], list]:
    """Send ``texts`` as one customer; what the desk stored, and what the bot got."""

    async def play() -> tuple[list[str], list]:
        conversation, _ = await desk.start()
        for number, text in enumerate(texts):
            await desk.customer_writes(conversation, text, f"c-{number}", None)
        stored = await desk.history(conversation, 0)
        sent = [text for cid, text in bot.received if cid == conversation.id]
        return [m.text for m in stored if m.sender == "customer"], sent

    return asyncio.run(play())


@pytest.mark.property
@settings(max_examples=examples(60))
@given(card=typed_cards())
def test_no_card_number_is_stored_or_sent_to_the_bot(service, card: TypedCard) -> None:
    desk, bot = service
    stored, sent = conversation_after(desk, bot, card.text)
    assert card.digits not in digits_only(stored[0])
    assert card.digits not in digits_only(sent[0])


@pytest.mark.property
@settings(max_examples=examples(60))
@given(card=typed_cards().filter(lambda c: c.splittable), data=st.data())
def test_no_card_number_split_over_two_messages_is_stored_or_sent_whole(
    service, card: TypedCard, data: st.DataObject
) -> None:
    desk, bot = service
    first, second = card.split(data.draw(st.integers(1, len(card.groups) - 1)))
    stored, sent = conversation_after(desk, bot, first, second)
    assert card.digits not in digits_only("".join(stored)), (first, second, stored)
    assert card.first_message_is_clean(stored[0]), (first, second, stored)
    assert card.digits not in digits_only("".join(sent[1:]))


def test_the_rasa_client_sends_the_messages_to_remask_as_metadata() -> None:
    from desk.rasa_client import RasaClient

    bodies: list[dict[str, Any]] = []

    async def one_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))  # fmt: skip
        bodies.append(json.loads(await reader.readexactly(length)))
        answer = b'[{"text": "ok"}]'  # an empty answer would count as a failure
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                     % (len(answer), answer))  # fmt: skip
        await writer.drain()
        writer.close()

    async def send_twice() -> None:
        server = await asyncio.start_server(one_request, "127.0.0.1", 0)
        client = RasaClient(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", 5)
        try:
            await client.send("c1", CARD_MASK, remask=[f"my card {CARD_MASK}"])
            await client.send("c1", "hello")
        finally:
            await client.close()
            server.close()

    asyncio.run(send_twice())
    assert bodies[0]["metadata"] == {REMASK_KEY: [f"my card {CARD_MASK}"]}
    assert "metadata" not in bodies[1]
