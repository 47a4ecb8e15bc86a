"""The actions' way to an order, its diagnosis and the payment channels' health: off the
event loop."""

from __future__ import annotations

from actions.runtime import Services, off_loop
from payhelp.core.channels import ChannelBoard
from payhelp.lookup import OrderFindings, channel_board, find_and_diagnose


async def find_order(svc: Services, order_id: str) -> OrderFindings | None:
    """The order and its diagnosis now, or None if there is no such order."""
    return await off_loop(
        find_and_diagnose, svc.orders, order_id, svc.clock(), svc.settings.diagnosis
    )


async def current_channels(svc: Services) -> ChannelBoard:
    """Every payment method's health now: what may be offered to a customer."""
    return await off_loop(channel_board, svc.orders, svc.clock(), svc.settings.diagnosis)


async def methods_on_offer(svc: Services) -> tuple[str, ...]:
    """The shop's payment methods that are not down right now, in the shop's order."""
    return (await current_channels(svc)).usable(svc.settings.payment_methods)
