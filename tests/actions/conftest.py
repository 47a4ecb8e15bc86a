"""Run actions the way the action server does: rasa_sdk's Tracker and CollectingDispatcher,
against an SQLite database holding the demo data, with the clock fixed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import Services, use_services
from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.orders import OrderRepository
from payhelp.store.records import AssistantRecords
from tests.conftest import DEMO_NOW, load_demo

DOMAIN: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
SLOT_DEFAULTS = {name: spec.get("initial_value") for name, spec in DOMAIN["slots"].items()}


@pytest.fixture
def services(sqlite_sessions) -> Iterator[Services]:
    load_demo(sqlite_sessions)
    svc = Services(
        Settings(),
        OrderRepository(sqlite_sessions),
        AssistantRecords(sqlite_sessions),
        clock=lambda: DEMO_NOW,
    )
    use_services(svc)
    yield svc
    use_services(None)


def make_tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str | None = None,
    events: list[dict[str, Any]] | None = None,
    sender: str = "test-conversation",
    active_loop: str | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": list(entities or []),
    }
    history = list(events or []) + [{"event": "user", "text": text, "parse_data": message}]
    return Tracker(
        sender,
        {**SLOT_DEFAULTS, **(slots or {})},
        message,
        history,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


@dataclass
class Outcome:
    events: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    slots: dict[str, Any] = field(default_factory=dict)

    @property
    def responses(self) -> list[str | None]:
        return [m.get("response") for m in self.messages]


def run(action: Action, tracker: Tracker) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return Outcome(events, dispatcher.messages, slots)


VERIFIED = {"identity_status": "verified"}


def verified(order_id: str, **slots: Any) -> dict[str, Any]:
    return {**VERIFIED, "verified_order": order_id, "order_id": order_id, **slots}
