"""The one idea every action shares: a failure becomes a polite line, never a stack trace."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from enum import Enum
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.metrics import ACTION_MESSAGES, CHANNEL, REPLIES
from payhelp.contracts import Language, Slot

logger = logging.getLogger(__name__)

EventList = list[dict[str, Any]]


class PaymentHelpAction(Action, ABC):
    """Runs :meth:`act`; if it raises, logs the error and tells the customer plainly."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:
            logger.exception("action %s failed in conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem")
            return []
        finally:
            count_replies(dispatcher, tracker)

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        """The action's work."""


def count_replies(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Metrics: the reply by the intent it answered, its messages by language."""
    if not dispatcher.messages:
        return
    REPLIES.labels(latest_intent(tracker) or "none").inc()
    language = tracker.get_slot("language") or "unknown"
    ACTION_MESSAGES.labels(CHANNEL, str(language)).inc(len(dispatcher.messages))


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def language_of(tracker: Tracker) -> Language:
    """The conversation's language (slot ``language``): what action-built words are in."""
    return Language.parse(tracker.get_slot(Slot.LANGUAGE))


E = TypeVar("E", bound=Enum)


def slot_as(tracker: Tracker, slot: str, kind: type[E]) -> E | None:
    """A slot's value as a member of the enum ``kind``; None if unset or not a member."""
    value = tracker.get_slot(slot)
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None
