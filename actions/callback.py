"""Arrange for the shop to call or email the customer back.

Customers say it the way they would to a person ("can you call me back tomorrow
morning? My number is +1 555 0199"), so every message while the form runs is read
for all its details at once: the channel, the number or address, and the time. The
bot then reads them back in its own words ("tomorrow (Friday 27 November) between
9:00 and 12:00") and books on a yes. A correction at any question ("actually email
me", "this evening") replaces what it names; an answer that fits nothing is re-asked,
never read as something else and never a way back to the opening menu. Time words the
parser cannot place are kept verbatim, and the request is flagged for a person
(``callback_window`` stays empty).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, latest_intent, latest_text
from actions.order_check import verified_order_id
from actions.runtime import off_loop, services
from payhelp.contracts import REQUESTED_SLOT, CallbackChannel, Slot
from payhelp.core.identity import Contact, parse_contact
from payhelp.core.time_window import TimeWindow, names_a_time, parse_time_window
from payhelp.messages import callback_when
from payhelp.store.records import CallbackRequest

_PHONE_WORDS = re.compile(
    r"\b(call|phone|ring|mobile|cell|telephone)\b|电话|打给我|回电|致电", re.IGNORECASE
)
_EMAIL_WORDS = re.compile(r"\b(e-?mail|mail|write|message)\b|邮件|邮箱|电邮", re.IGNORECASE)
_MAX_TIME_LENGTH = 200
# Replies that are no time when the words say none ("yes", "hi", "thanks").
_NO_TIME_INTENTS = frozenset({"affirm", "greet", "thank"})
# Questions and requests the rules answer while the form waits (data/rules.yml).
NOT_FOR_THE_FORM = frozenset(
    {"clarify", "payment_methods", "payment_tips", "bot_challenge", "request_human"}
)
# Messages that change the subject when they carry no detail: the rules take them.
CHANGES_SUBJECT = NOT_FOR_THE_FORM | {
    "deny",
    "payment_failed",
    "charged_but_unpaid",
    "duplicate_charge",
    "payment_pending",
    "refund_status",
    "order_status",
}
CALLBACK_SLOTS = (
    Slot.CALLBACK_CHANNEL,
    Slot.CALLBACK_CONTACT,
    Slot.CALLBACK_TIME,
    Slot.CALLBACK_WINDOW,
    Slot.CALLBACK_CONFIRMED,
)


def _asked(tracker: Tracker, slot: Slot) -> bool:
    return tracker.get_slot(REQUESTED_SLOT) == slot


def _answers(tracker: Tracker, slot: Slot) -> bool:
    """Whether the latest message is an answer to the question for ``slot`` that names no
    detail the form knows: then it is checked (and re-asked) as that answer."""
    if not _asked(tracker, slot) or latest_intent(tracker) in CHANGES_SUBJECT:
        return False
    return not _names_a_detail(tracker)


def _names_a_detail(tracker: Tracker) -> bool:
    """Whether the latest message names a channel, a number or address, or a time."""
    text = latest_text(tracker)
    return bool(channel_named(tracker) or parse_contact(text) or names_a_time(text))


def _listens(tracker: Tracker) -> bool:
    """Whether the form reads details from the latest message at all."""
    return latest_intent(tracker) not in NOT_FOR_THE_FORM


def channel_named(tracker: Tracker) -> str | None:
    """The channel the latest message asks for, by a button or in words."""
    named = set(tracker.get_latest_entity_values("callback_channel"))
    if len(named) == 1 and named <= {c.value for c in CallbackChannel}:
        return str(named.pop())
    text = latest_text(tracker)
    phone, email = _PHONE_WORDS.search(text), _EMAIL_WORDS.search(text)
    if phone and not email:
        return CallbackChannel.PHONE.value
    if email and not phone:
        return CallbackChannel.EMAIL.value
    return None


def _window(words: str) -> TimeWindow | None:
    svc = services()
    return parse_time_window(words, svc.clock(), svc.settings.shop_zone)


def _stored_window(tracker: Tracker) -> TimeWindow | None:
    value = tracker.get_slot(Slot.CALLBACK_WINDOW)
    try:
        start, end = (datetime.fromisoformat(v) for v in value)
    except (TypeError, ValueError):
        return None
    return TimeWindow(start, end)


def _written(contact: Contact) -> str:
    return contact.written if contact.kind == CallbackChannel.PHONE else contact.value


def _when(tracker: Tracker) -> str:
    words = tracker.get_slot(Slot.CALLBACK_TIME) or ""
    return callback_when(_stored_window(tracker), words, services().clock(), language_of(tracker))


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def extract_callback_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _listens(tracker):
            return {}
        channel = channel_named(tracker)
        if channel is None and tracker.get_slot(Slot.CALLBACK_CHANNEL) is None:
            # No choice made yet: a number means a call, an address an email.
            contact = parse_contact(latest_text(tracker))
            channel = contact.kind if contact else None
        if channel:
            return {Slot.CALLBACK_CHANNEL.value: channel}
        if _answers(tracker, Slot.CALLBACK_CHANNEL):
            return {Slot.CALLBACK_CHANNEL.value: latest_text(tracker)}  # re-asked below
        return {}

    async def extract_callback_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _listens(tracker):
            return {}
        contact = parse_contact(latest_text(tracker))
        if contact:
            return {Slot.CALLBACK_CONTACT.value: _written(contact)}
        if _answers(tracker, Slot.CALLBACK_CONTACT):
            return {Slot.CALLBACK_CONTACT.value: latest_text(tracker)}
        return {}

    async def extract_callback_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _listens(tracker):
            return {}
        text = latest_text(tracker)
        if names_a_time(text) or _answers(tracker, Slot.CALLBACK_TIME):
            return {Slot.CALLBACK_TIME.value: text}
        return {}

    async def extract_callback_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not _asked(tracker, Slot.CALLBACK_CONFIRMED):
            return {}
        if _names_a_detail(tracker):
            return {}  # a change: the details are read back again
        if latest_intent(tracker) == "affirm":
            return {Slot.CALLBACK_CONFIRMED.value: True}
        return (
            {Slot.CALLBACK_CONFIRMED.value: latest_text(tracker)}
            if _answers(tracker, Slot.CALLBACK_CONFIRMED)
            else {}
        )

    def validate_callback_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value not in {c.value for c in CallbackChannel}:
            dispatcher.utter_message(response="utter_invalid_callback_channel")
            return {Slot.CALLBACK_CHANNEL.value: None}
        known = parse_contact(tracker.get_slot(Slot.CALLBACK_CONTACT))
        if known is not None and known.kind != value:
            # "Actually email me": the number no longer fits, so the address is asked for.
            return {Slot.CALLBACK_CHANNEL.value: value, Slot.CALLBACK_CONTACT.value: None}
        return {Slot.CALLBACK_CHANNEL.value: value}

    def validate_callback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        channel = tracker.get_slot(Slot.CALLBACK_CHANNEL)
        contact = parse_contact(value) if isinstance(value, str) else None
        if contact is None or contact.kind != channel:
            if channel in {c.value for c in CallbackChannel}:
                dispatcher.utter_message(response=f"utter_invalid_callback_{channel}")
            return {Slot.CALLBACK_CONTACT.value: None}
        return {Slot.CALLBACK_CONTACT.value: _written(contact)}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        words = " ".join(value.split())[:_MAX_TIME_LENGTH] if isinstance(value, str) else ""
        window = _window(words)
        if window is not None:
            span = [window.start.isoformat(), window.end.isoformat()]
            return {Slot.CALLBACK_TIME.value: words, Slot.CALLBACK_WINDOW.value: span}
        # Not placed (unknown words, or a time already past): kept as said for a person to
        # read, unless it is no answer at all ("yes", "hi").
        no_words = len(re.findall(r"\w", words)) < 2
        no_time = latest_intent(tracker) in _NO_TIME_INTENTS and not names_a_time(words)
        if no_words or no_time:
            dispatcher.utter_message(response="utter_invalid_callback_time")
            return {Slot.CALLBACK_TIME.value: None, Slot.CALLBACK_WINDOW.value: None}
        return {Slot.CALLBACK_TIME.value: words, Slot.CALLBACK_WINDOW.value: None}

    def validate_callback_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is True:
            return {Slot.CALLBACK_CONFIRMED.value: True}
        dispatcher.utter_message(response="utter_invalid_callback_confirmed")
        return {Slot.CALLBACK_CONFIRMED.value: None}


class ActionAskCallbackContact(PaymentHelpAction):
    def name(self) -> str:
        return "action_ask_callback_contact"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        channel = tracker.get_slot(Slot.CALLBACK_CHANNEL)
        dispatcher.utter_message(response=f"utter_ask_callback_{channel}")
        return []


class ActionAskCallbackConfirmed(PaymentHelpAction):
    """Reads the request back in the bot's own words before booking it."""

    def name(self) -> str:
        return "action_ask_callback_confirmed"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        dispatcher.utter_message(
            response=f"utter_callback_readback_{tracker.get_slot(Slot.CALLBACK_CHANNEL)}",
            contact=tracker.get_slot(Slot.CALLBACK_CONTACT),
            when=_when(tracker),
        )
        return []


def _forget_request() -> EventList:
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS] + [
        SlotSet(Slot.REMEDY_STATUS, None)  # the offer of help is answered
    ]


class ActionSubmitCallback(PaymentHelpAction):
    def name(self) -> str:
        return "action_submit_callback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        window = _stored_window(tracker)
        request = CallbackRequest(
            conversation_id=tracker.sender_id,
            channel=tracker.get_slot(Slot.CALLBACK_CHANNEL),
            contact=tracker.get_slot(Slot.CALLBACK_CONTACT),
            preferred_time=tracker.get_slot(Slot.CALLBACK_TIME),
            order_id=verified_order_id(tracker),
            window_start=window.start if window else None,
            window_end=window.end if window else None,
        )
        reference = await off_loop(services().records.add_callback_request, request)
        dispatcher.utter_message(
            response=f"utter_callback_confirmed_{request.channel}",
            contact=request.contact,
            when=_when(tracker),
            reference=reference,
        )
        return _forget_request()


class ActionCancelCallback(PaymentHelpAction):
    """The customer said no to the callback: nothing is booked and nothing kept."""

    def name(self) -> str:
        return "action_cancel_callback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        dispatcher.utter_message(response="utter_callback_cancelled")
        return _forget_request()
