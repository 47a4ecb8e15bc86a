"""The operations API for admins: channel health now (/staff/api/ops/channels)."""

from __future__ import annotations

import asyncio

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk.staff_routes import admin_only, desk_of
from desk.views import channel_rows
from payhelp.lookup import channel_board
from payhelp.store.tables import utc_now

ops = Blueprint("ops", url_prefix="/staff/api/ops")


@ops.get("/channels")
@admin_only
async def channels(request: Request) -> HTTPResponse:
    settings = desk_of(request).settings
    now = utc_now()
    views = request.app.ctx.views
    records = request.app.ctx.channels
    board = await asyncio.to_thread(channel_board, views.orders, now, settings.diagnosis)
    figures = await asyncio.to_thread(records.method_figures, now)
    changes = await asyncio.to_thread(records.recent_changes, 30)
    return response.json(
        {
            "now": now.isoformat(),
            "check_every_s": settings.ops_check_s,
            "channels": channel_rows(board, figures, settings.payment_methods, now),
            "changes": [c.as_json() for c in changes],
        }
    )
