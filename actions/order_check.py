"""Check a verified order: say its status, explain what went wrong, plan the remedies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, latest_intent
from actions.lookup import find_order
from actions.metrics import DIAGNOSES
from actions.runtime import off_loop, services
from payhelp.contracts import IdentityStatus, Language, Slot
from payhelp.core.causes import Detail
from payhelp.core.channels import ChannelBoard
from payhelp.core.diagnosis import Diagnosis
from payhelp.core.remedies import plan_remedies
from payhelp.messages import (
    duration,
    maintenance_values,
    method_name,
    money,
    short_date,
    short_time,
)
from payhelp.store.orders import OrderRecord

# What the customer said happened, when it means money left their account.
SAW_CHARGE = frozenset({"duplicate_charge", "charged_but_unpaid"})
# The desk opened the chat on this order (desk/proactive.py): greet on it, no status line.
SHOP_OPENED = "EXTERNAL_payment_failed"


def verified_order_id(tracker: Tracker) -> str | None:
    """The order this conversation has passed the identity check for, if any."""
    order_id = tracker.get_slot(Slot.VERIFIED_ORDER)
    if tracker.get_slot(Slot.IDENTITY_STATUS) != IdentityStatus.VERIFIED or not order_id:
        return None
    return str(order_id)


def explanation_values(
    record: OrderRecord, diagnosis: Diagnosis, language: Language = Language.EN
) -> dict[str, Any]:
    """Placeholders for ``utter_diagnosis_*`` responses, in the conversation's language."""
    policy = services().settings.diagnosis
    attempt = diagnosis.attempt
    if attempt is None:
        when = short_time(None, language)
    elif diagnosis.detail in (Detail.REFUND_ISSUED, Detail.REFUND_OVERDUE):
        when = short_date(attempt.updated_at or attempt.created_at, language)
    else:
        when = short_time(attempt.created_at, language)
    amount = attempt.amount if attempt else record.order.total
    currency = attempt.currency if attempt else record.order.currency
    return {
        "order_id": record.order.id,
        "method": method_name(attempt.method.value if attempt else None, language),
        "date": when,
        "amount": money(amount, currency, language),
        "currency": currency,
        "wait_left": duration(diagnosis.wait_minutes, language),
        "days": policy.refund_arrival_days,
    }


def tell_about_maintenance(
    dispatcher: CollectingDispatcher, board: ChannelBoard, methods: set[str], tracker: Tracker
) -> None:
    """Say which of these methods are under planned maintenance, in the customer's language."""
    language = tracker.get_slot(Slot.LANGUAGE)
    for method in sorted(methods):
        window = board.maintenance(method)
        if window is not None:
            dispatcher.utter_message(
                response="utter_channel_maintenance",
                **maintenance_values(method, window.ends_at, window.message(language), language),
            )


class ActionCheckOrder(PaymentHelpAction):
    def name(self) -> str:
        return "action_check_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        order_id = verified_order_id(tracker)
        if order_id is None:
            # Only reachable through a broken story; never show order data unverified.
            raise PermissionError("action_check_order ran without a verified order")
        svc = services()
        findings = await find_order(svc, order_id)
        if findings is None:
            raise LookupError(f"verified order {order_id} has disappeared")
        record, diagnosis = findings.record, findings.diagnosis
        saw_charge = tracker.get_slot(Slot.REPORTED_PROBLEM) in SAW_CHARGE
        offered = findings.channels.usable(svc.settings.payment_methods)
        plan = plan_remedies(diagnosis, offered, saw_charge)
        order = record.order
        language = language_of(tracker)
        opening = (
            "utter_proactive_opening"
            if latest_intent(tracker) == SHOP_OPENED
            else f"utter_order_status_{order.status.value}"
        )
        dispatcher.utter_message(
            response=opening,
            order_id=order.id,
            amount=money(order.total, order.currency, language),
            name=record.customer.name,
        )
        dispatcher.utter_message(
            response=f"utter_diagnosis_{diagnosis.detail.value}",
            **explanation_values(record, diagnosis, language),
        )
        await off_loop(
            svc.records.add_order_check, tracker.sender_id, order.id,
            diagnosis.cause.value, diagnosis.detail.value, svc.clock(),
        )  # fmt: skip
        DIAGNOSES.labels(diagnosis.cause.value).inc()
        used = {p.method.value for p in order.payments}
        tell_about_maintenance(dispatcher, findings.channels, used, tracker)
        return [
            SlotSet(Slot.PAYMENT_CAUSE, diagnosis.cause.value),
            SlotSet(Slot.CAUSE_DETAIL, diagnosis.detail.value),
            SlotSet(Slot.NEEDS_STAFF, plan.needs_staff),
            SlotSet(Slot.REMEDY_PLAN, [s.step.value for s in plan.steps]),
            SlotSet(Slot.WAIT_MINUTES, float(diagnosis.wait_minutes or 0)),
            SlotSet(Slot.REMEDY_STEP, 0.0),
            SlotSet(Slot.REMEDY_STATUS, None),
        ]
