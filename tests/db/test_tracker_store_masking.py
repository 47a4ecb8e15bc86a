"""The tracker store Rasa runs with masks card data, whatever path a message came by.

The REST channel masks before Rasa sees a message, but Rasa's HTTP API (e.g. POST
/conversations/<id>/messages) does not, so the store is the last line. These tests
load the store exactly as the Rasa server does (endpoints.yml, TRACKER_STORE_URL),
save trackers holding card data on SQLite and PostgreSQL, and read the rows back raw.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore, create_tracker_store
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from addons.tracker_store import MaskingSQLTrackerStore
from payhelp.settings import PROJECT_ROOT
from tests.unit.test_card_masking_formats import MESSAGES, card_numbers_in

DOMAIN = Domain.from_dict({"intents": ["payment_failed"], "slots": {}})


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TrackerStore]:
    monkeypatch.setenv("TRACKER_STORE_URL", database_url)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "test-token")
    monkeypatch.setenv("REDIS_URL", "")
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    created = create_tracker_store(endpoints.tracker_store, DOMAIN)
    inner = getattr(created, "_tracker_store", created)
    assert isinstance(inner, MaskingSQLTrackerStore), "endpoints.yml must name the masking store"
    yield created
    inner.engine.dispose()


def user_says(text: str) -> UserUttered:
    intent = {"name": "payment_failed", "confidence": 0.9}
    return UserUttered(text, intent, [], {"text": text, "intent": intent, "entities": []})


def raw_user_rows(store: TrackerStore, sender: str) -> list[dict]:
    inner = getattr(store, "_tracker_store", store)
    with inner.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    assert rows, "nothing was stored"
    return [json.loads(data) for type_name, data in rows if type_name == "user"]


def save(store: TrackerStore, sender: str, events: list) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


@pytest.mark.parametrize("typed,stored", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_a_user_message_is_stored_masked(store, typed: str, stored: str) -> None:
    save(store, "conv-1", [ActionExecuted("action_listen"), user_says(typed)])
    [row] = raw_user_rows(store, "conv-1")
    assert row["text"] == stored
    assert row["parse_data"]["text"] == stored
    assert row["parse_data"]["intent"]["name"] == "payment_failed"  # the rest is kept
    raw = json.dumps(row)
    for number in card_numbers_in(typed):
        assert number not in raw
    retrieved = asyncio.run(store.retrieve("conv-1"))
    assert [e.text for e in retrieved.events if isinstance(e, UserUttered)] == [stored]


def test_every_message_of_a_conversation_is_masked_as_it_is_saved(store) -> None:
    # The store saves only the new events each time; each save must mask.
    first = [ActionExecuted("action_listen"), user_says("card 4242 4242 4242 4242 failed")]
    save(store, "conv-2", first)
    second = first + [
        BotUttered("Please don't share card details."),
        ActionExecuted("action_listen"),
        user_says("sorry, cvc 737 and 6212 3456 7890 1234 569"),
    ]
    save(store, "conv-2", second)
    texts = [row["text"] for row in raw_user_rows(store, "conv-2")]
    assert texts == [
        "card [card number removed] failed",
        "sorry, cvc [security code removed] and [card number removed]",
    ]


def test_other_events_and_plain_messages_are_stored_as_they_are(store) -> None:
    save(
        store,
        "conv-3",
        [
            ActionExecuted("action_listen"),
            user_says("order ORD-10002, call me on +1 555 0100"),
            SlotSet("order_id", "ORD-10002"),
        ],
    )
    [row] = raw_user_rows(store, "conv-3")
    assert row["text"] == "order ORD-10002, call me on +1 555 0100"


def test_a_dropped_database_connection_costs_a_reconnect_not_the_conversation(
    store, database_url: str
) -> None:
    save(store, "conv-9", [ActionExecuted("action_listen"), user_says("my payment failed")])
    assert asyncio.run(store.retrieve("conv-9")) is not None  # a pooled connection now
    if database_url.startswith("postgresql"):
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
    # Rasa's fail-safe wrapper turns a failed read into None: an empty conversation.
    retrieved = asyncio.run(store.retrieve("conv-9"))
    assert retrieved is not None
    assert [e.text for e in retrieved.events if isinstance(e, UserUttered)] == ["my payment failed"]
