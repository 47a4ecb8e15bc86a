"""Small builders for orders and attempts, so test tables read like scenarios."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from payhelp.core.channels import ChannelBoard, assess_channels
from payhelp.core.orders import (
    ChannelActivity,
    Order,
    OrderStatus,
    PaymentAttempt,
    PaymentMethod,
    PaymentStatus,
)
from payhelp.settings import DiagnosisPolicy

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def attempt(
    status: str,
    code: str | None = None,
    minutes_ago: float = 10,
    method: str = "card",
    amount: str = "59.90",
    currency: str = "USD",
    updated_minutes_ago: float | None = None,
    id: str | None = None,
) -> PaymentAttempt:
    return PaymentAttempt(
        id=id or f"pay_{status}_{code}_{minutes_ago}",
        method=PaymentMethod(method),
        status=PaymentStatus(status),
        amount=Decimal(amount),
        currency=currency,
        created_at=NOW - timedelta(minutes=minutes_ago),
        failure_code=code,
        updated_at=(
            NOW - timedelta(minutes=updated_minutes_ago)
            if updated_minutes_ago is not None
            else None
        ),
    )


def order(
    status: str = "awaiting_payment", *payments: PaymentAttempt, total: str = "59.90"
) -> Order:
    return Order(
        id="ORD-20417",
        customer_id="C-1001",
        status=OrderStatus(status),
        total=Decimal(total),
        currency="USD",
        created_at=NOW - timedelta(hours=1),
        payments=tuple(sorted(payments, key=lambda p: p.created_at)),
    )


def activity(
    method: str, attempts: int, failures: int, orders: int, policy: DiagnosisPolicy | None = None
) -> ChannelBoard:
    """The channel board when ``method`` had this activity and the others none."""
    m = PaymentMethod(method)
    return assess_channels(
        {m: ChannelActivity(m, attempts, failures, orders)}, policy or DiagnosisPolicy()
    )
