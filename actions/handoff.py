"""Hand the conversation to a person, and take it back afterwards.

The handoff records an escalation (reason, order, diagnosis and evidence, what
was tried), tells the customer what happens next, pauses the bot and ends with a
``{"handoff": {...}}`` payload for the front end. The payload carries no
diagnosis: staff read that from the escalation, so a fraud flag never reaches
the customer's browser.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, ConversationResumed, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, latest_intent
from actions.lookup import find_order
from actions.metrics import HANDOFFS
from actions.order_check import verified_order_id
from actions.remedies import steps_given
from actions.runtime import off_loop, services
from payhelp.contracts import HandoffReason, IdentityStatus, RemedyStatus, Slot
from payhelp.core.causes import MONEY_MAY_BE_TAKEN
from payhelp.store.records import Escalation

logger = logging.getLogger(__name__)


def handoff_reason(tracker: Tracker) -> HandoffReason:
    """Why the conversation goes to a person, from where the dialogue stands."""
    if latest_intent(tracker) == "request_human":
        locked = tracker.get_slot(Slot.IDENTITY_STATUS) == IdentityStatus.LOCKED
        return HandoffReason.IDENTITY_NOT_CONFIRMED if locked else HandoffReason.CUSTOMER_REQUEST
    if tracker.get_slot(Slot.REMEDY_STATUS) == RemedyStatus.EXHAUSTED:
        return HandoffReason.REMEDIES_EXHAUSTED
    if tracker.get_slot(Slot.NEEDS_STAFF):
        return HandoffReason.NEEDS_STAFF
    return HandoffReason.CUSTOMER_REQUEST


async def open_handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason
) -> EventList:
    """Record the escalation, tell the customer, emit the payload and pause the bot."""
    svc = services()
    order_id = verified_order_id(tracker)
    escalation = Escalation(
        conversation_id=tracker.sender_id, reason=reason.value, order_id=order_id
    )
    cause = None
    tried = steps_given(tracker)
    failures = int(tracker.get_slot(Slot.IDENTITY_FAILURES) or 0)
    if failures:
        tried.append(f"identity check failed {failures} time(s)")
    escalation_id: int | None = None
    try:
        if order_id:
            findings = await find_order(svc, order_id)
            if findings is not None:
                cause = findings.diagnosis.cause
                escalation = Escalation(
                    conversation_id=tracker.sender_id,
                    reason=reason.value,
                    order_id=order_id,
                    payment_cause=cause.value,
                    detail=findings.diagnosis.detail.value,
                    evidence=findings.diagnosis.evidence,
                    tried=tuple(tried),
                )
        else:
            escalation = Escalation(tracker.sender_id, reason.value, tried=tuple(tried))
        escalation_id = await off_loop(svc.records.add_escalation, escalation)
    except Exception:
        # A person must still take over: the desk opens the case from the payload.
        logger.exception("could not record the escalation for %s", tracker.sender_id)
    charged = cause in MONEY_MAY_BE_TAKEN
    dispatcher.utter_message(response="utter_handoff_charged" if charged else "utter_handoff")
    dispatcher.utter_message(
        json_message={
            "handoff": {
                "escalation_id": escalation_id,
                "reason": reason.value,
                "order_id": order_id,
                # The bot's slot: the desk shows staff the language and answers in it.
                "language": language_of(tracker).value,
            }
        }
    )
    return [SlotSet(Slot.MISUNDERSTANDINGS, 0.0), ConversationPaused()]


class ActionHandoff(PaymentHelpAction):
    def name(self) -> str:
        return "action_handoff"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        reason = handoff_reason(tracker)
        HANDOFFS.labels(reason.value).inc()
        return await open_handoff(dispatcher, tracker, reason)


class ActionHandback(PaymentHelpAction):
    """Run by the desk when staff hand the conversation back to the bot."""

    def name(self) -> str:
        return "action_handback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        dispatcher.utter_message(response="utter_handback")
        return [
            ConversationResumed(),
            SlotSet(Slot.REMEDY_STATUS, None),
            SlotSet(Slot.NEEDS_STAFF, None),
            SlotSet(Slot.MISUNDERSTANDINGS, 0.0),
        ]
