"""Plain records of orders and payment attempts, as the diagnosis sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum


class OrderStatus(str, Enum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"
    REFUNDED = "refunded"


class PaymentStatus(str, Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PENDING = "pending"
    REFUNDED = "refunded"
    CANCELED = "canceled"


class PaymentMethod(str, Enum):
    CARD = "card"
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    BANK_TRANSFER = "bank_transfer"
    PAYPAL = "paypal"
    APPLE_PAY = "apple_pay"
    GOOGLE_PAY = "google_pay"


@dataclass(frozen=True)
class PaymentAttempt:
    """One attempt to pay an order, as reported by the payment gateway."""

    id: str
    method: PaymentMethod
    status: PaymentStatus
    amount: Decimal
    currency: str
    created_at: datetime
    failure_code: str | None = None
    failure_message: str | None = None
    # When the attempt last changed state (e.g. refunded); may be unknown.
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Order:
    """An order with its payment attempts, oldest first."""

    id: str
    customer_id: str
    status: OrderStatus
    total: Decimal
    currency: str
    created_at: datetime
    payments: tuple[PaymentAttempt, ...] = field(default_factory=tuple)

    def attempts_with(self, *statuses: PaymentStatus) -> list[PaymentAttempt]:
        """The attempts in any of ``statuses``, oldest first."""
        return [p for p in self.payments if p.status in statuses]


@dataclass(frozen=True)
class ChannelActivity:
    """Recent attempts on one payment method across all orders (for outage detection)."""

    method: PaymentMethod
    attempts: int
    failures: int
    orders_with_failures: int

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0
