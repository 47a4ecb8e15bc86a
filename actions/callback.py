"""Arrange for the shop to call or email the customer back."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, latest_text
from actions.order_check import verified_order_id
from actions.runtime import off_loop, services
from payhelp.contracts import REQUESTED_SLOT, Slot
from payhelp.core.identity import parse_contact
from payhelp.store.records import CallbackRequest

CHANNELS = ("phone", "email")
_PHONE_WORDS = re.compile(r"\b(call|phone|ring|mobile|cell|telephone)\b", re.IGNORECASE)
_EMAIL_WORDS = re.compile(r"\b(e-?mail|mail|write|message)\b", re.IGNORECASE)
_MAX_TIME_LENGTH = 200


def _asked(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot(REQUESTED_SLOT) == slot


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def extract_callback_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, "callback_channel") or tracker.get_slot(Slot.CALLBACK_CHANNEL):
            return {}
        text = latest_text(tracker)
        if _PHONE_WORDS.search(text) and not _EMAIL_WORDS.search(text):
            return {"callback_channel": "phone"}
        if _EMAIL_WORDS.search(text) and not _PHONE_WORDS.search(text):
            return {"callback_channel": "email"}
        return {}

    async def extract_callback_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, "callback_contact"):
            return {}
        contact = parse_contact(latest_text(tracker))
        return {"callback_contact": contact.written} if contact else {}

    async def extract_callback_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, "callback_time"):
            return {}
        return {"callback_time": " ".join(latest_text(tracker).split())}

    def validate_callback_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value not in CHANNELS:
            dispatcher.utter_message(response="utter_invalid_callback_channel")
            return {"callback_channel": None}
        return {"callback_channel": value}

    def validate_callback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        channel = tracker.get_slot(Slot.CALLBACK_CHANNEL)
        contact = parse_contact(value) if isinstance(value, str) else None
        if contact is None or contact.kind != channel:
            dispatcher.utter_message(response=f"utter_invalid_callback_{channel}")
            return {"callback_contact": None}
        return {"callback_contact": contact.written if channel == "phone" else contact.value}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not isinstance(value, str) or not 2 <= len(value) <= _MAX_TIME_LENGTH:
            dispatcher.utter_message(response="utter_invalid_callback_time")
            return {"callback_time": None}
        return {"callback_time": value}


class ActionAskCallbackContact(PaymentHelpAction):
    def name(self) -> str:
        return "action_ask_callback_contact"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        channel = tracker.get_slot(Slot.CALLBACK_CHANNEL)
        dispatcher.utter_message(response=f"utter_ask_callback_{channel}")
        return []


class ActionSubmitCallback(PaymentHelpAction):
    def name(self) -> str:
        return "action_submit_callback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        request = CallbackRequest(
            conversation_id=tracker.sender_id,
            channel=tracker.get_slot(Slot.CALLBACK_CHANNEL),
            contact=tracker.get_slot(Slot.CALLBACK_CONTACT),
            preferred_time=tracker.get_slot(Slot.CALLBACK_TIME),
            order_id=verified_order_id(tracker),
        )
        reference = await off_loop(services().records.add_callback_request, request)
        dispatcher.utter_message(
            response=f"utter_callback_confirmed_{request.channel}",
            contact=request.contact,
            when=request.preferred_time,
            reference=reference,
        )
        return [
            SlotSet(Slot.CALLBACK_CHANNEL, None),
            SlotSet(Slot.CALLBACK_CONTACT, None),
            SlotSet(Slot.CALLBACK_TIME, None),
            SlotSet(Slot.REMEDY_STATUS, None),  # the offer of help is answered
        ]
