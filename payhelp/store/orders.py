"""Reading orders, customers, channel activity and maintenance as the core's plain records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload, sessionmaker

from payhelp.core.channels import Maintenance
from payhelp.core.orders import (
    ChannelActivity,
    Order,
    OrderStatus,
    PaymentAttempt,
    PaymentMethod,
    PaymentStatus,
)
from payhelp.store.database import transaction
from payhelp.store.tables import ChannelMaintenanceRow, CustomerRow, OrderRow, PaymentRow


@dataclass(frozen=True)
class CustomerContact:
    """Who an order belongs to: what the identity check compares against."""

    customer_id: str
    name: str
    email: str | None
    phone: str | None
    # The language of the emails they get ("en" or "zh"); None: English.
    language: str | None = None


@dataclass(frozen=True)
class OrderRecord:
    order: Order
    customer: CustomerContact


def to_order(row: OrderRow) -> Order:
    """The core's view of an order row and its payments."""
    return Order(
        id=row.id,
        customer_id=row.customer_id,
        status=OrderStatus(row.status),
        total=row.total,
        currency=row.currency,
        created_at=row.created_at,
        payments=tuple(to_attempt(p) for p in row.payments),
    )


def to_attempt(row: PaymentRow) -> PaymentAttempt:
    return PaymentAttempt(
        id=row.id,
        method=PaymentMethod(row.method),
        status=PaymentStatus(row.status),
        amount=row.amount,
        currency=row.currency,
        created_at=row.created_at,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
        updated_at=row.updated_at,
    )


_KNOWN_METHODS = frozenset(m.value for m in PaymentMethod)


def to_maintenance(row: ChannelMaintenanceRow) -> Maintenance:
    return Maintenance(
        PaymentMethod(row.method), row.starts_at, row.ends_at, row.message_en, row.message_zh
    )


class OrderRepository:
    """Read-only queries the assistant needs; each call opens its own session."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def find(self, order_id: str) -> OrderRecord | None:
        """The order with its payments and its customer's contact, or None."""
        with transaction(self._sessions) as session:
            row = session.execute(
                select(OrderRow)
                .where(OrderRow.id == order_id)
                .options(selectinload(OrderRow.payments), selectinload(OrderRow.customer))
            ).scalar_one_or_none()
            if row is None:
                return None
            customer = row.customer
            return OrderRecord(
                order=to_order(row),
                customer=CustomerContact(
                    customer.id,
                    customer.name,
                    customer.email,
                    customer.phone,
                    customer.language,
                ),
            )

    def channel_activity(
        self, methods: Iterable[PaymentMethod], since: datetime
    ) -> dict[PaymentMethod, ChannelActivity]:
        """Attempts, failures and orders with failures per method since ``since``."""
        wanted = [m.value for m in methods]
        if not wanted:
            return {}
        failed = PaymentRow.status == PaymentStatus.FAILED.value
        query = (
            select(
                PaymentRow.method,
                func.count(PaymentRow.id),
                func.sum(case((failed, 1), else_=0)),
                func.count(func.distinct(case((failed, PaymentRow.order_id), else_=None))),
            )
            .where(PaymentRow.method.in_(wanted), PaymentRow.created_at >= since)
            .group_by(PaymentRow.method)
        )
        with transaction(self._sessions) as session:
            rows = session.execute(query).all()
        return {
            PaymentMethod(method): ChannelActivity(
                PaymentMethod(method), int(attempts), int(failures or 0), int(orders)
            )
            for method, attempts, failures, orders in rows
        }

    def maintenance_at(self, now: datetime) -> list[Maintenance]:
        """The planned maintenance windows that are on at ``now``."""
        query = select(ChannelMaintenanceRow).where(
            ChannelMaintenanceRow.starts_at <= now, ChannelMaintenanceRow.ends_at > now
        )
        with transaction(self._sessions) as session:
            rows = session.execute(query).scalars().all()
        return [to_maintenance(r) for r in rows if r.method in _KNOWN_METHODS]

    def recent_order_ids_for_email(self, email: str, limit: int = 5) -> list[str]:
        """The customer's newest order ids for an email address (case-insensitive)."""
        query = (
            select(OrderRow.id)
            .join(CustomerRow, OrderRow.customer_id == CustomerRow.id)
            .where(func.lower(CustomerRow.email) == email.strip().lower())
            .order_by(OrderRow.created_at.desc())
            .limit(limit)
        )
        with transaction(self._sessions) as session:
            return list(session.execute(query).scalars())
