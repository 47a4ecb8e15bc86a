"""Which cause explains an order's payment trouble: ``diagnose(order, ...) -> Diagnosis``.

Pure: it sees an order, its attempts, the payment channels' health (see
:mod:`payhelp.core.channels`) and the current time, and knows nothing of Rasa or SQL. The checks run in order of how much
is at stake for the customer: money already taken first, then money on hold, then
plain failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from payhelp.core.causes import NEEDS_STAFF, Detail, PaymentCause, meaning_of
from payhelp.core.channels import ChannelBoard
from payhelp.core.orders import (
    Order,
    OrderStatus,
    PaymentAttempt,
    PaymentMethod,
    PaymentStatus,
)
from payhelp.settings import DiagnosisPolicy

# Failures that a channel-wide outage explains better than their own code.
_OUTAGE_CAN_EXPLAIN = frozenset(
    {PaymentCause.PLATFORM_FAULT, PaymentCause.BANK_OUTAGE, PaymentCause.UNKNOWN}
)
# Bank transfers clear in days, not minutes.
_BANK_TRANSFER_WAIT_MINUTES = 3 * 24 * 60


@dataclass(frozen=True)
class Diagnosis:
    """One cause, the finer detail, and the evidence it rests on."""

    cause: PaymentCause
    detail: Detail
    # For staff only: may name fraud codes the customer must never see.
    evidence: tuple[str, ...]
    attempt: PaymentAttempt | None = None
    wait_minutes: int | None = None
    persisting: bool = False
    unavailable_method: PaymentMethod | None = None

    @property
    def needs_staff(self) -> bool:
        """Whether a person has to take over rather than the bot's remedies."""
        persisting_fault = self.cause is PaymentCause.PLATFORM_FAULT and self.persisting
        return self.cause in NEEDS_STAFF or persisting_fault


def diagnose(
    order: Order,
    now: datetime,
    channels: ChannelBoard | None = None,
    policy: DiagnosisPolicy | None = None,
) -> Diagnosis:
    """Diagnose ``order`` at time ``now``; ``channels`` is each payment method's health."""
    policy = policy or DiagnosisPolicy()
    channels = channels or ChannelBoard()
    return (
        _money_taken(order, now, policy)
        or _fraud_flag(order)
        or _cancelled_unpaid(order)
        or _money_on_hold(order, now, policy)
        or _latest_failure(order, channels, policy)
        or _nothing_attempted(order)
    )


def _describe(attempt: PaymentAttempt) -> str:
    code = f" with {attempt.failure_code}" if attempt.failure_code else ""
    return (
        f"{attempt.id} ({attempt.method.value}, {attempt.amount} {attempt.currency}) "
        f"{attempt.status.value} at {attempt.created_at.isoformat()}{code}"
    )


def _money_taken(order: Order, now: datetime, policy: DiagnosisPolicy) -> Diagnosis | None:
    succeeded = order.attempts_with(PaymentStatus.SUCCEEDED)
    refunded = order.attempts_with(PaymentStatus.REFUNDED)
    evidence = tuple(_describe(p) for p in succeeded + refunded)
    anomaly = PaymentCause.TRANSACTION_ANOMALY
    if len(succeeded) >= 2:
        return Diagnosis(anomaly, Detail.DUPLICATE, evidence, succeeded[-1])
    if succeeded and order.status is OrderStatus.CANCELLED:
        return Diagnosis(anomaly, Detail.PAID_THEN_CANCELLED, evidence, succeeded[-1])
    if succeeded and not _covers_total(order, succeeded[0]):
        return Diagnosis(anomaly, Detail.AMOUNT_MISMATCH, evidence, succeeded[0])
    if refunded:
        return _refund(order, refunded[-1], evidence, now, policy)
    if succeeded and order.status is OrderStatus.AWAITING_PAYMENT:
        return Diagnosis(
            PaymentCause.CHARGED_NOT_RECORDED, Detail.CHARGED_UNPAID, evidence, succeeded[0]
        )
    if succeeded or order.status in (OrderStatus.PAID, OrderStatus.SHIPPED):
        attempt = succeeded[0] if succeeded else None
        return Diagnosis(PaymentCause.NO_PROBLEM, Detail.PAID, evidence, attempt)
    return None


def _covers_total(order: Order, payment: PaymentAttempt) -> bool:
    same_currency = payment.currency.upper() == order.currency.upper()
    return same_currency and Decimal(payment.amount) == Decimal(order.total)


def _refund(
    order: Order,
    refund: PaymentAttempt,
    evidence: tuple[str, ...],
    now: datetime,
    policy: DiagnosisPolicy,
) -> Diagnosis:
    issued = refund.updated_at or refund.created_at
    overdue = now - issued > timedelta(days=policy.refund_arrival_days)
    if overdue:
        return Diagnosis(PaymentCause.TRANSACTION_ANOMALY, Detail.REFUND_OVERDUE, evidence, refund)
    return Diagnosis(PaymentCause.BANK_PROCESSING, Detail.REFUND_ISSUED, evidence, refund)


def _fraud_flag(order: Order) -> Diagnosis | None:
    # Any fraud signal on the order wins: staff must review before anything else.
    for attempt in reversed(order.attempts_with(PaymentStatus.FAILED)):
        meaning = meaning_of(attempt.failure_code)
        if meaning.cause is PaymentCause.SUSPECTED_FRAUD:
            return Diagnosis(meaning.cause, meaning.detail, (_describe(attempt),), attempt)
    return None


def _money_on_hold(order: Order, now: datetime, policy: DiagnosisPolicy) -> Diagnosis | None:
    pending = order.attempts_with(PaymentStatus.PENDING)
    if not pending:
        return None
    attempt = pending[-1]
    limit = (
        _BANK_TRANSFER_WAIT_MINUTES
        if attempt.method is PaymentMethod.BANK_TRANSFER
        else policy.pending_wait_minutes
    )
    age_minutes = (now - attempt.created_at).total_seconds() / 60
    evidence = (f"{_describe(attempt)}; pending for {int(age_minutes)} min (limit {limit})",)
    if age_minutes < limit:
        remaining = max(1, math.ceil(limit - age_minutes))
        return Diagnosis(PaymentCause.BANK_PROCESSING, Detail.PENDING, evidence, attempt, remaining)
    # Stuck far longer than the bank needs: the result may have been lost between
    # the gateway and us. Money may be on hold, so a person reconciles it.
    return Diagnosis(PaymentCause.TRANSACTION_ANOMALY, Detail.STUCK_PENDING, evidence, attempt)


def _latest_failure(
    order: Order, channels: ChannelBoard, policy: DiagnosisPolicy
) -> Diagnosis | None:
    failed = order.attempts_with(PaymentStatus.FAILED)
    if not failed:
        return None
    attempt = failed[-1]
    meaning = meaning_of(attempt.failure_code)
    evidence = [_describe(attempt)]
    if meaning.cause in _OUTAGE_CAN_EXPLAIN and channels.is_down(attempt.method):
        evidence.append(channels.evidence(attempt.method) or f"{attempt.method.value} is down")
        return Diagnosis(
            PaymentCause.BANK_OUTAGE,
            Detail.CHANNEL_DOWN,
            tuple(evidence),
            attempt,
            unavailable_method=attempt.method,
        )
    persisting = False
    if meaning.cause is PaymentCause.PLATFORM_FAULT:
        platform_failures = [
            p for p in failed if meaning_of(p.failure_code).cause is PaymentCause.PLATFORM_FAULT
        ]
        persisting = len(platform_failures) >= policy.persisting_platform_failures
        if persisting:
            evidence.append(f"{len(platform_failures)} platform failures on this order")
    return Diagnosis(meaning.cause, meaning.detail, tuple(evidence), attempt, persisting=persisting)


def _cancelled_unpaid(order: Order) -> Diagnosis | None:
    # No money was taken (checked first), so there is nothing left to pay or fix.
    if order.status is not OrderStatus.CANCELLED or order.attempts_with(PaymentStatus.PENDING):
        return None
    evidence = tuple(_describe(p) for p in order.payments) or ("order cancelled, no payments",)
    return Diagnosis(PaymentCause.NO_PROBLEM, Detail.CANCELLED_UNPAID, evidence)


def _nothing_attempted(order: Order) -> Diagnosis:
    canceled = order.attempts_with(PaymentStatus.CANCELED)
    if canceled:
        return Diagnosis(
            PaymentCause.INPUT_ERROR,
            Detail.NOT_COMPLETED,
            tuple(_describe(p) for p in canceled),
            canceled[-1],
        )
    return Diagnosis(PaymentCause.UNKNOWN, Detail.NO_ATTEMPTS, ("no payment attempts on record",))
