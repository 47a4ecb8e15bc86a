"""The operations API for admins: channel health now (/staff/api/ops/channels) and the
impact analytics for a date range, as JSON and each table as CSV."""

from __future__ import annotations

import asyncio
import csv
import io

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk.impact import parse_range
from desk.service import DeskError
from desk.staff_routes import admin_only, desk_of
from desk.views import channel_rows, impact_tables, status_change_json
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
            "changes": [status_change_json(c) for c in changes],
        }
    )


async def _impact(request: Request) -> dict:
    try:
        span = parse_range(request.args.get("since"), request.args.get("until"), utc_now())
    except ValueError as problem:
        raise DeskError(str(problem)) from problem
    return await asyncio.to_thread(request.app.ctx.impact.report, span)


@ops.get("/impact")
@admin_only
async def impact(request: Request) -> HTTPResponse:
    report = await _impact(request)
    return response.json({**report, "tables": list(impact_tables(report))})


@ops.get("/impact.csv")
@admin_only
async def impact_csv(request: Request) -> HTTPResponse:
    name = request.args.get("table", "")
    report = await _impact(request)
    tables = impact_tables(report)
    if name not in tables:
        raise DeskError(f"'table' must be one of {', '.join(tables)}")
    header, rows = tables[name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(c) for c in row] for row in rows)
    day = report["range"]["since"][:10]
    return response.text(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="impact-{name}-{day}.csv"'},
    )


def _cell(value: object) -> object:
    """Text cells that a spreadsheet would run as a formula are quoted with a ' first."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
