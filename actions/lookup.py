"""The actions' way to an order and its diagnosis: off the event loop."""

from __future__ import annotations

from actions.runtime import Services, off_loop
from payhelp.lookup import OrderFindings, find_and_diagnose


async def find_order(svc: Services, order_id: str) -> OrderFindings | None:
    """The order and its diagnosis now, or None if there is no such order."""
    return await off_loop(
        find_and_diagnose, svc.orders, order_id, svc.clock(), svc.settings.diagnosis
    )
