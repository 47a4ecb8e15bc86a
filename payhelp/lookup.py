"""Look an order up and diagnose it now, and read the payment channels' health now:
shared by the actions and the desk (blocking: callers run these off their event loop)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from payhelp.core.channels import ChannelBoard, assess_channels
from payhelp.core.diagnosis import Diagnosis, diagnose
from payhelp.core.orders import PaymentMethod
from payhelp.settings import DiagnosisPolicy
from payhelp.store.orders import OrderRecord, OrderRepository


@dataclass(frozen=True)
class OrderFindings:
    record: OrderRecord
    diagnosis: Diagnosis
    # The channels' health the diagnosis saw: also what may be offered as alternatives.
    channels: ChannelBoard


def channel_board(orders: OrderRepository, now: datetime, policy: DiagnosisPolicy) -> ChannelBoard:
    """Every payment method's health at ``now``: the activity in the outage window, and
    planned maintenance (one rule, :func:`payhelp.core.channels.assess_channels`)."""
    since = now - timedelta(minutes=policy.outage_window_minutes)
    activity = orders.channel_activity(list(PaymentMethod), since)
    return assess_channels(activity, policy, orders.maintenance_at(now), now)


def find_and_diagnose(
    orders: OrderRepository, order_id: str, now: datetime, policy: DiagnosisPolicy
) -> OrderFindings | None:
    """The order and its diagnosis at ``now``, or None if there is no such order."""
    record = orders.find(order_id)
    if record is None:
        return None
    channels = channel_board(orders, now, policy)
    return OrderFindings(record, diagnose(record.order, now, channels, policy), channels)
