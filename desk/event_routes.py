"""Live payment events from the shop's payment system: ``POST /api/payment-events``.

Off (404) unless ``PAYMENT_EVENTS_SECRET`` is set; see payhelp/imports/events.py for
the signature and the body, and desk/API.md.
"""

from __future__ import annotations

import asyncio

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from payhelp.imports.events import SIGNATURE_HEADER, EventRefused, take_event
from payhelp.store.tables import utc_now

events = Blueprint("payment_events")


@events.post("/api/payment-events")
async def payment_event(request: Request) -> HTTPResponse:
    settings = request.app.ctx.desk.settings
    if not settings.payment_events_secret:
        return response.json({"error": "not found"}, status=404)
    try:
        outcome = await asyncio.to_thread(
            take_event,
            request.app.ctx.sessions,
            settings.payment_events_secret,
            request.headers.get(SIGNATURE_HEADER),
            request.body,
            utc_now(),
        )
    except EventRefused as refused:
        return response.json({"error": str(refused)}, status=refused.status)
    if outcome.duplicate:
        return response.json({"id": outcome.event_id, "status": "duplicate"})
    summary = outcome.summary
    return response.json(
        {
            "id": outcome.event_id,
            "status": "imported",
            "orders": summary.orders if summary else 0,
            "payments": summary.payments if summary else 0,
            "notices_scheduled": summary.notices_scheduled if summary else 0,
        }
    )
