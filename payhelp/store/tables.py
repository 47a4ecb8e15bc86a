"""SQLAlchemy tables for orders, payments and what the assistant records about them.

Amounts are stored as exact decimal strings and timestamps as UTC, so SQLite and
PostgreSQL give back the same values.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class DecimalString(TypeDecorator):
    """A ``Decimal`` kept as its exact text, e.g. ``"59.90"``."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC; read back aware, in UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CustomerRow(Base):
    __tablename__ = "customers"

    id = Column(String(64), primary_key=True)
    name = Column(String(200), nullable=False)
    email = Column(String(320), nullable=True, index=True)
    phone = Column(String(40), nullable=True)
    # "en" or "zh": the language of the emails the customer gets (NULL: English).
    language = Column(String(5), nullable=True)

    orders = relationship("OrderRow", back_populates="customer")


class OrderRow(Base):
    __tablename__ = "orders"

    id = Column(String(64), primary_key=True)
    customer_id = Column(String(64), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(32), nullable=False)
    total = Column(DecimalString, nullable=False)
    currency = Column(String(3), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)

    customer = relationship("CustomerRow", back_populates="orders")
    payments = relationship(
        "PaymentRow",
        back_populates="order",
        order_by="PaymentRow.created_at",
        cascade="all, delete-orphan",
    )


class PaymentRow(Base):
    __tablename__ = "payments"

    id = Column(String(64), primary_key=True)
    order_id = Column(String(64), ForeignKey("orders.id"), nullable=False, index=True)
    method = Column(String(32), nullable=False)
    status = Column(String(32), nullable=False)
    amount = Column(DecimalString, nullable=False)
    currency = Column(String(3), nullable=False)
    failure_code = Column(String(100), nullable=True)
    failure_message = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=True)

    order = relationship("OrderRow", back_populates="payments")

    __table_args__ = (Index("ix_payments_method_created_at", "method", "created_at"),)


class CallbackRequestRow(Base):
    __tablename__ = "callback_requests"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    order_id = Column(String(64), nullable=True)
    channel = Column(String(16), nullable=False)
    contact = Column(String(320), nullable=False)
    # The customer's words, and the window they were understood as (both NULL: not
    # understood, flagged for a person to read the words).
    preferred_time = Column(String(200), nullable=False)
    window_start = Column(UTCDateTime, nullable=True)
    window_end = Column(UTCDateTime, nullable=True)
    status = Column(String(16), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)


ESCALATION_STATUS_LENGTH = 40


class EscalationRow(Base):
    __tablename__ = "escalations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    reason = Column(String(40), nullable=False)
    order_id = Column(String(64), nullable=True)
    payment_cause = Column(String(40), nullable=True)
    detail = Column(String(40), nullable=True)
    # Staff-only facts behind the diagnosis and the remedies already tried.
    evidence = Column(JSON, nullable=False, default=list)
    tried = Column(JSON, nullable=False, default=list)
    # "open", or "resolved:<outcome>" with the staff's outcome whole.
    status = Column(String(ESCALATION_STATUS_LENGTH), nullable=False, default="open")
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)


class IdentityFailureRow(Base):
    """A failed identity check, kept to throttle guessing across conversations."""

    __tablename__ = "identity_failures"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(64), nullable=False)
    conversation_id = Column(String(128), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    __table_args__ = (Index("ix_identity_failures_order_created", "order_id", "created_at"),)


class OutboundMessageRow(Base):
    """A message for the shop's mailer or SMS gateway to deliver (the outbox)."""

    __tablename__ = "outbound_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(16), nullable=False)
    recipient = Column(String(320), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    sent_at = Column(UTCDateTime, nullable=True)
    # Delivery: tries so far, when to try again (NULL: as soon as possible), the last
    # server's refusal. A row is never deleted: sent_at says it went.
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=True)

    __table_args__ = (Index("ix_outbound_messages_sent_at", "sent_at"),)


class PaymentEventRow(Base):
    """A live payment event taken in (POST /api/payment-events): repeats are ignored."""

    __tablename__ = "payment_events"

    id = Column(String(128), primary_key=True)
    received_at = Column(UTCDateTime, nullable=False, default=utc_now)


class FailureNoticeRow(Base):
    """A failed payment attempt that may earn the customer a notice, once its delay is
    over (payhelp/notices): one row per failed attempt, whatever brought it in."""

    __tablename__ = "failure_notices"

    id = Column(Integer, primary_key=True, autoincrement=True)
    payment_id = Column(String(64), nullable=False, unique=True)
    order_id = Column(String(64), nullable=False, index=True)
    failed_at = Column(UTCDateTime, nullable=False)
    # "scheduled", then "sent" or "skipped" with the outcome's reason.
    state = Column(String(16), nullable=False, default="scheduled")
    outcome = Column(String(40), nullable=True)
    decided_at = Column(UTCDateTime, nullable=True)
    message_id = Column(Integer, ForeignKey("outbound_messages.id"), nullable=True)

    __table_args__ = (Index("ix_failure_notices_state_failed_at", "state", "failed_at"),)


class ChannelMaintenanceRow(Base):
    """A planned maintenance window on one payment method, set by an admin."""

    __tablename__ = "channel_maintenance"

    id = Column(Integer, primary_key=True, autoincrement=True)
    method = Column(String(32), nullable=False)
    starts_at = Column(UTCDateTime, nullable=False)
    ends_at = Column(UTCDateTime, nullable=False)
    # What customers who paid with the method are told, in English and in Chinese.
    message_en = Column(Text, nullable=False, default="")
    message_zh = Column(Text, nullable=False, default="")
    created_by = Column(String(80), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    __table_args__ = (Index("ix_channel_maintenance_ends_at", "ends_at"),)


class ChannelStatusChangeRow(Base):
    """A payment method's status changed (the regular check), with the evidence."""

    __tablename__ = "channel_status_changes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    method = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    previous = Column(String(16), nullable=False)
    reason = Column(String(32), nullable=False)
    evidence = Column(Text, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    failures = Column(Integer, nullable=False, default=0)
    orders_with_failures = Column(Integer, nullable=False, default=0)
    at = Column(UTCDateTime, nullable=False, default=utc_now)

    __table_args__ = (Index("ix_channel_status_changes_method_id", "method", "id"),)


class LeaseRow(Base):
    """Who runs a periodic job now (one desk process among several), until when."""

    __tablename__ = "leases"

    name = Column(String(64), primary_key=True)
    holder = Column(String(128), nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)


class OrderCheckRow(Base):
    """The bot checked a verified order and diagnosed it (a conversation about the order,
    with or without a person: what "recovered payments" count)."""

    __tablename__ = "order_checks"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(128), nullable=False)
    order_id = Column(String(64), nullable=False)
    payment_cause = Column(String(40), nullable=False)
    detail = Column(String(40), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    __table_args__ = (Index("ix_order_checks_order_created", "order_id", "created_at"),)
