"""The bot's SQL tracker store (a real SQLite file) never keeps a card number or a CVC."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import MaskingSQLTrackerStore
from payhelp.core.card_data import CARD_MASK, CVC_MASK, REMASK_KEY
from tests.card_formats import TypedCard, digits_only, examples, typed_cards
from tests.unit.test_card_data import NAMED_FORMATS


class Store:
    """A MaskingSQLTrackerStore on an SQLite file, and the rows it wrote."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))

    def add(self, sender: str, *events: Event) -> None:
        """Append events to the conversation and save it, as Rasa does after a turn."""
        tracker = asyncio.run(self.store.retrieve(sender))
        tracker = tracker or DialogueStateTracker(sender, [])
        for event in events:
            tracker.update(event)
        asyncio.run(self.store.save(tracker))

    def rows(self, sender: str, kind: str = "user") -> list[dict]:
        with sqlite3.connect(self.path) as db:
            found = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = ? ORDER BY id",
                (sender, kind),
            )
            return [json.loads(data) for (data,) in found]

    def raw(self, sender: str) -> str:
        with sqlite3.connect(self.path) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
            return "\n".join(data for (data,) in rows)

    def texts(self, sender: str) -> list[str]:
        return [row["text"] for row in self.rows(sender)]


def user(text: str, entities: list[dict] | None = None, **metadata: object) -> UserUttered:
    parse_data = {"text": text, "intent": {"name": "inform"}, "entities": entities or []}
    return UserUttered(text, {"name": "inform"}, entities or [], parse_data, metadata=metadata)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    found = Store(tmp_path_factory.mktemp("tracker") / "tracker.db")
    yield found
    found.store.engine.dispose()


def new_sender() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.mark.parametrize("name,card", NAMED_FORMATS, ids=[n for n, _ in NAMED_FORMATS])
def test_each_named_format_is_stored_masked(store: Store, name: str, card: str) -> None:
    sender = new_sender()
    store.add(sender, user(f"my card {card} was declined"))
    assert store.texts(sender) == [f"my card {CARD_MASK} was declined"]
    assert digits_only(card) not in digits_only(store.raw(sender))


@pytest.mark.parametrize(
    "texts,expected",
    [
        (["4242 4242 4242 4242 / 05/29 / 318"], [f"{CARD_MASK} / 05/29 / {CVC_MASK}"]),
        (["the 3 digits on the back are 913"], [f"the 3 digits on the back are {CVC_MASK}"]),
        (["my cvv is nine one three"], [f"my cvv is {CVC_MASK}"]),
        (["卡背面三位数是913"], [f"卡背面三位数是{CVC_MASK}"]),
        (["6011 1111", "1111 1117"], [CARD_MASK, CARD_MASK]),
        (["4000\n0566", "5566\n5556"], [CARD_MASK, CARD_MASK]),
        (["４２４２ ４２４２", "４２４２ ４２４２"], [CARD_MASK, CARD_MASK]),
        (["4242 4242 4242 4242", "05/29 318"], [CARD_MASK, f"05/29 {CVC_MASK}"]),
    ],
)
def test_issue_8_formats_turn_by_turn(store: Store, texts: list[str], expected: list) -> None:
    sender = new_sender()
    for text in texts:
        store.add(sender, user(text), BotUttered("Sorry, I didn't get that."))
    assert store.texts(sender) == expected


def test_a_bare_code_after_the_bot_mentions_the_security_code_is_masked(store: Store) -> None:
    sender = new_sender()
    store.add(sender, user("where is the problem?"))
    store.add(sender, BotUttered("Please check the security code on the back of your card."))
    store.add(sender, user("318"))
    assert store.texts(sender)[-1] == CVC_MASK


def test_the_earlier_part_of_a_split_number_loses_its_entities_and_slots(store: Store) -> None:
    sender = new_sender()
    phone = {"entity": "phone", "value": "6011 1111", "start": 0, "end": 9}
    store.add(sender, user("6011 1111", [phone]), SlotSet("phone", "6011 1111"))
    store.add(sender, user("1111 1117"))
    first = store.rows(sender)[0]
    assert first["text"] == CARD_MASK and first["parse_data"]["text"] == CARD_MASK
    assert first["parse_data"]["entities"] == []
    assert [row["value"] for row in store.rows(sender, "slot")] == [CARD_MASK]
    assert "6011" not in store.raw(sender)


def test_a_slot_filled_from_masked_digits_is_masked(store: Store) -> None:
    sender = new_sender()
    phone = {"entity": "phone", "value": "1051  0510  5100", "start": 16, "end": 32}
    store.add(
        sender,
        user("my card is 5105  1051  0510  5100", [phone]),
        SlotSet("phone", "1051  0510  5100"),
        SlotSet("order_id", "ORD-10002"),
    )
    assert [r["value"] for r in store.rows(sender, "slot")] == [CARD_MASK, "ORD-10002"]
    assert store.rows(sender)[0]["parse_data"]["entities"] == []


def test_both_parts_in_one_save_are_masked(store: Store) -> None:
    sender = new_sender()
    store.add(sender, user("6011 1111"), BotUttered("?"), user("1111 1117"))
    assert store.texts(sender) == [CARD_MASK, CARD_MASK]


def test_an_earlier_message_named_by_the_rest_channel_is_stored_masked(store: Store) -> None:
    sender = new_sender()
    store.add(sender, user("hello"), user("my card: 6011 1111"))
    store.add(sender, user(CARD_MASK, **{REMASK_KEY: [f"my card: {CARD_MASK}"]}))
    assert store.texts(sender) == ["hello", f"my card: {CARD_MASK}", CARD_MASK]
    assert REMASK_KEY not in store.rows(sender)[-1].get("metadata", {})


def test_a_claim_that_is_not_a_masking_of_an_earlier_message_changes_nothing(
    store: Store,
) -> None:
    sender = new_sender()
    store.add(sender, user("hello there"), user("6011 1111"))
    store.add(sender, user("ok", **{REMASK_KEY: [CARD_MASK + " there", "goodbye"]}))
    assert store.texts(sender) == ["hello there", "6011 1111", "ok"]


@pytest.mark.property
@settings(max_examples=examples(100))
@given(card=typed_cards())
def test_no_card_number_is_stored_whatever_its_format(store: Store, card: TypedCard) -> None:
    sender = new_sender()
    store.add(sender, user(card.text))
    assert card.digits not in digits_only(store.raw(sender))


@pytest.mark.property
@settings(max_examples=examples(100))
@given(card=typed_cards().filter(lambda c: c.splittable), data=st.data())
def test_no_card_number_split_over_two_messages_is_stored(
    store: Store, card: TypedCard, data: st.DataObject
) -> None:
    first, second = card.split(data.draw(st.integers(1, len(card.groups) - 1)))
    sender = new_sender()
    store.add(sender, user(first), BotUttered("Sorry, I didn't get that."))
    store.add(sender, user(second))
    stored = store.texts(sender)
    assert card.digits not in digits_only("".join(stored)), (first, second, stored)
    assert card.first_message_is_clean(stored[0]), (first, second, stored)
