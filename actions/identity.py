"""The identity check: collect an order number and the email or phone on it, then verify.

Nothing about an order is said before this passes. A mismatch gets one message
whatever was wrong (unknown order, wrong email, both), attempts are limited per
conversation and per order, and a customer without the order number can have
their order numbers emailed to the address on file, which tells a stranger
who only knows that address nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, latest_intent, latest_text
from actions.metrics import NOTICES
from actions.runtime import off_loop, services
from payhelp.contracts import REQUESTED_SLOT, IdentityStatus, Language, Slot
from payhelp.core.identity import (
    Contact,
    contact_matches,
    normalise_order_id,
    parse_contact,
    says_order_id_unknown,
)
from payhelp.messages import reminder_email

# Intents of a message that answers the form's question (possibly badly).
ANSWER_INTENTS = frozenset({"inform", "nlu_fallback", "affirm", "greet", "thank"})


def already_checked(tracker: Tracker) -> bool:
    """Whether the latest message was already used for an identity check.

    When the form comes back after a mismatch, the message that failed must not
    be read again as the answer to the new question.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_verify_identity":
            return True
    return False


def _is_an_answer(tracker: Tracker) -> bool:
    """Whether the latest message answers the form's question rather than changing topic."""
    return latest_intent(tracker) in ANSWER_INTENTS


def _contact_from_slot(value: Any) -> Contact | None:
    return parse_contact(value) if isinstance(value, str) else None


class ValidateIdentityForm(FormValidationAction):
    """Extracts and checks the format of the order number and the contact."""

    def name(self) -> str:
        return "validate_identity_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if tracker.get_slot(Slot.IDENTITY_STATUS) == IdentityStatus.LOCKED:
            return []  # finish at once; action_verify_identity explains
        if tracker.get_slot(Slot.ORDER_ID_UNKNOWN):
            return ["order_id_unknown", "contact"]
        return domain_slots

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if already_checked(tracker):
            return {}
        asked = tracker.get_slot(REQUESTED_SLOT) == "order_id"
        text = latest_text(tracker)
        dont_know = latest_intent(tracker) == "deny" or says_order_id_unknown(text)
        if asked and dont_know and normalise_order_id(text) is None:
            return {"order_id_unknown": True}
        found = normalise_order_id(text, allow_bare=asked)
        if found:
            return {"order_id": found}
        # An answer that isn't an order number is validated (and explained) below.
        return {"order_id": text} if asked and _is_an_answer(tracker) else {}

    async def extract_order_id_unknown(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {}  # set by extract_order_id when the customer says they don't know it

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if already_checked(tracker):
            return {}
        asked = tracker.get_slot(REQUESTED_SLOT) == "contact"
        # Unasked, only an email counts: stray digits are too easily misread.
        contact = parse_contact(latest_text(tracker), emails_only=not asked)
        if contact:
            return {"contact": contact.value}
        return {"contact": latest_text(tracker)} if asked and _is_an_answer(tracker) else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"order_id": None}  # cleared after a mismatch: nothing to check
        order_id = normalise_order_id(value) if isinstance(value, str) else None
        if order_id is None:
            dispatcher.utter_message(response="utter_invalid_order_id")
        return {"order_id": order_id}

    def validate_order_id_unknown(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"order_id_unknown": bool(value)}

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None:
            return {"contact": None}
        contact = _contact_from_slot(value)
        if tracker.get_slot(Slot.ORDER_ID_UNKNOWN):
            if contact is None or contact.kind != "email":
                dispatcher.utter_message(response="utter_invalid_reminder_email")
                return {"contact": None}
        elif contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"contact": None}
        return {"contact": contact.value}


class ActionAskOrderId(PaymentHelpAction):
    """Asks for the order number; worded differently after a mismatch."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        again = tracker.get_slot(Slot.IDENTITY_STATUS) == IdentityStatus.RETRY
        dispatcher.utter_message(
            response="utter_ask_order_id_again" if again else "utter_ask_order_id"
        )
        return []


class ActionAskContact(PaymentHelpAction):
    """Asks for the contact; worded for a reminder when the order number is unknown."""

    def name(self) -> str:
        return "action_ask_contact"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        reminder = bool(tracker.get_slot(Slot.ORDER_ID_UNKNOWN))
        dispatcher.utter_message(
            response="utter_ask_contact_for_reminder" if reminder else "utter_ask_contact"
        )
        return []


class ActionVerifyIdentity(PaymentHelpAction):
    """Compares the contact with the order's customer and sets ``identity_status``."""

    def name(self) -> str:
        return "action_verify_identity"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        if tracker.get_slot(Slot.IDENTITY_STATUS) == IdentityStatus.LOCKED:
            dispatcher.utter_message(response="utter_identity_locked")
            return [SlotSet(Slot.IDENTITY_STATUS, IdentityStatus.LOCKED)]
        contact = _contact_from_slot(tracker.get_slot(Slot.CONTACT))
        if tracker.get_slot(Slot.ORDER_ID_UNKNOWN):
            return await self._send_reminder(dispatcher, contact, language_of(tracker))
        order_id = tracker.get_slot(Slot.ORDER_ID)
        already = tracker.get_slot(Slot.VERIFIED_ORDER)
        if (
            order_id
            and order_id == already
            and tracker.get_slot(Slot.IDENTITY_STATUS) == IdentityStatus.VERIFIED
        ):
            return [SlotSet(Slot.IDENTITY_STATUS, IdentityStatus.VERIFIED)]
        if order_id and contact and await self._matches(order_id, contact):
            return [
                SlotSet(Slot.VERIFIED_ORDER, order_id),
                SlotSet(Slot.IDENTITY_STATUS, IdentityStatus.VERIFIED),
            ]
        return await self._mismatch(dispatcher, tracker, order_id)

    async def _matches(self, order_id: str, contact: Contact) -> bool:
        svc = services()
        hour_ago = svc.clock() - timedelta(hours=1)
        recent_failures = await off_loop(svc.records.identity_failures_since, order_id, hour_ago)
        if recent_failures >= svc.settings.identity_order_failures_per_hour:
            return False  # someone is guessing at this order: stop checking for a while
        record = await off_loop(svc.orders.find, order_id)
        if record is None:
            return False
        return contact_matches(contact, record.customer.email, record.customer.phone)

    async def _mismatch(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, order_id: str | None
    ) -> EventList:
        svc = services()
        if order_id:
            await off_loop(svc.records.add_identity_failure, order_id, tracker.sender_id)
        failures = int(tracker.get_slot(Slot.IDENTITY_FAILURES) or 0) + 1
        locked = failures >= svc.settings.identity_max_attempts
        dispatcher.utter_message(
            response="utter_identity_locked" if locked else "utter_identity_mismatch"
        )
        return [
            SlotSet(Slot.IDENTITY_FAILURES, float(failures)),
            SlotSet(
                Slot.IDENTITY_STATUS, IdentityStatus.LOCKED if locked else IdentityStatus.RETRY
            ),
            SlotSet(Slot.ORDER_ID, None),
            SlotSet(Slot.CONTACT, None),
        ]

    async def _send_reminder(
        self, dispatcher: CollectingDispatcher, contact: Contact | None, language: Language
    ) -> EventList:
        svc = services()
        if contact is not None and contact.kind == "email":
            order_ids = await off_loop(svc.orders.recent_order_ids_for_email, contact.value)
            if order_ids:
                subject, body = reminder_email(svc.settings.shop_name, order_ids, language)
                try:
                    await off_loop(svc.records.queue_message, "email", contact.value, subject, body)
                except Exception:
                    NOTICES.labels("order_reminder", "failed").inc()
                    raise
                NOTICES.labels("order_reminder", "sent").inc()
        # The same reply whether or not the address is known: it must reveal nothing.
        dispatcher.utter_message(response="utter_order_reminder_sent")
        return [
            SlotSet(Slot.ORDER_ID_UNKNOWN, False),
            SlotSet(Slot.ORDER_ID, None),
            SlotSet(Slot.IDENTITY_STATUS, IdentityStatus.REMINDER_SENT),
        ]
