"""Look an order up and diagnose it: the one place actions read orders from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from actions.runtime import Services, off_loop
from payhelp.core.diagnosis import Diagnosis, diagnose
from payhelp.core.orders import PaymentStatus
from payhelp.store.orders import OrderRecord


@dataclass(frozen=True)
class OrderFindings:
    record: OrderRecord
    diagnosis: Diagnosis


async def find_and_diagnose(svc: Services, order_id: str) -> OrderFindings | None:
    """The order and its diagnosis now, or None if there is no such order."""
    record = await off_loop(svc.orders.find, order_id)
    if record is None:
        return None
    now = svc.clock()
    policy = svc.settings.diagnosis
    failed_methods = {p.method for p in record.order.payments if p.status is PaymentStatus.FAILED}
    since = now - timedelta(minutes=policy.outage_window_minutes)
    channels = await off_loop(svc.orders.channel_activity, failed_methods, since)
    return OrderFindings(record, diagnose(record.order, now, channels, policy))
