"""Whether a failed payment attempt earns its customer a notice now: the flood rules.

Pure: it sees the order as it is now, the failed attempt, when the customer last got a
notice for this order, and the two settings. A notice waits ``delay_minutes`` after the
failure, so a customer who retried at once (and paid, or is paying) is not disturbed;
an order gets at most one notice per ``min_hours``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from payhelp.core.orders import Order, OrderStatus, PaymentStatus

# A failure older than this is history, not news (e.g. the job was stopped for a day).
STALE_AFTER = timedelta(hours=24)


class NoticeOutcome(str, Enum):
    SEND = "send"
    WAIT = "wait"  # the delay is not over yet: decide later
    ORDER_NOT_UNPAID = "order_not_unpaid"
    ATTEMPT_GONE = "attempt_not_failed"  # the attempt changed state, or vanished
    PAID_SINCE = "succeeded_since"
    RETRYING = "retry_in_progress"
    LATER_FAILURE = "later_failure"  # a newer failure has its own notice row
    STALE = "stale"
    RECENTLY_NOTIFIED = "recently_notified"
    NO_EMAIL = "no_email"


@dataclass(frozen=True)
class NoticePolicy:
    min_hours: int = 6
    delay_minutes: int = 5


def decide_notice(
    order: Order,
    payment_id: str,
    now: datetime,
    last_sent: datetime | None,
    policy: NoticePolicy,
    has_email: bool = True,
) -> NoticeOutcome:
    """What to do about the failed attempt ``payment_id`` of ``order`` at ``now``."""
    failed = next((p for p in order.payments if p.id == payment_id), None)
    if failed is None or failed.status is not PaymentStatus.FAILED:
        return NoticeOutcome.ATTEMPT_GONE
    if now - failed.created_at < timedelta(minutes=policy.delay_minutes):
        return NoticeOutcome.WAIT
    if order.status is not OrderStatus.AWAITING_PAYMENT:
        return NoticeOutcome.ORDER_NOT_UNPAID
    later = [p for p in order.payments if p.created_at > failed.created_at]
    if any(p.status is PaymentStatus.SUCCEEDED for p in later):
        return NoticeOutcome.PAID_SINCE
    if any(p.status is PaymentStatus.PENDING for p in later):
        return NoticeOutcome.RETRYING
    if any(p.status is PaymentStatus.FAILED for p in later):
        return NoticeOutcome.LATER_FAILURE
    if now - failed.created_at > STALE_AFTER:
        return NoticeOutcome.STALE
    if last_sent is not None and now - last_sent < timedelta(hours=policy.min_hours):
        return NoticeOutcome.RECENTLY_NOTIFIED
    if not has_email:
        return NoticeOutcome.NO_EMAIL
    return NoticeOutcome.SEND
