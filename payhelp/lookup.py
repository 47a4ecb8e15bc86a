"""Look an order up and diagnose it now: shared by the actions and the desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from payhelp.core.diagnosis import Diagnosis, diagnose
from payhelp.core.orders import PaymentStatus
from payhelp.settings import DiagnosisPolicy
from payhelp.store.orders import OrderRecord, OrderRepository


@dataclass(frozen=True)
class OrderFindings:
    record: OrderRecord
    diagnosis: Diagnosis


def find_and_diagnose(
    orders: OrderRepository, order_id: str, now: datetime, policy: DiagnosisPolicy
) -> OrderFindings | None:
    """The order and its diagnosis at ``now``, or None if there is no such order (blocking)."""
    record = orders.find(order_id)
    if record is None:
        return None
    failed_methods = {p.method for p in record.order.payments if p.status is PaymentStatus.FAILED}
    since = now - timedelta(minutes=policy.outage_window_minutes)
    channels = orders.channel_activity(failed_methods, since)
    return OrderFindings(record, diagnose(record.order, now, channels, policy))
