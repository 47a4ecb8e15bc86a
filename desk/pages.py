"""The pages and scripts the desk serves: the demo shop with the widget, the staff console,
and the admins' pages (operations, impact, staff accounts). The pages are shells with no
data: what they show comes from the staff API, which checks the session and the role."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Awaitable
from datetime import timedelta
from pathlib import Path
from typing import Any

from babel.numbers import format_currency
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from payhelp.chat_tokens import SHOP_PAGE, issue_token
from payhelp.store.orders import OrderRecord
from payhelp.store.tables import utc_now

STATIC = Path(__file__).resolve().parent / "static"
pages = Blueprint("pages")
HEALTH_TIMEOUT_S = 3.0

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}  # fmt: skip


def _csp(request: Request) -> str:
    sockets = f"ws://{request.host} wss://{request.host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src 'self' {sockets}; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    )


async def _file(request: Request, name: str, cross_origin: bool = False) -> HTTPResponse:
    path = STATIC / name
    if not path.is_file() or path.suffix not in _TYPES:
        return response.json({"error": "not found"}, status=404)
    reply = await response.file(path, headers={"Content-Type": _TYPES[path.suffix]})
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Referrer-Policy"] = "same-origin"
    reply.headers["Cache-Control"] = "no-cache"
    if path.suffix == ".html":
        reply.headers["Content-Security-Policy"] = _csp(request)
    if cross_origin:
        reply.headers["Access-Control-Allow-Origin"] = "*"  # the widget embeds anywhere
    return reply


@pages.get("/health")
async def health(request: Request) -> HTTPResponse:
    """For a load balancer: 503 when this desk cannot store messages (its database) or,
    in scaled mode, share them (Redis). The bot is reported but not required: without
    it the desk fails open to people."""
    ctx = request.app.ctx
    checks: dict[str, str] = {}
    checks["database"] = await _check(asyncio.to_thread(_ping_database, ctx.engine))
    if getattr(ctx, "redis", None) is not None:
        checks["redis"] = await _check(ctx.redis.ping())
        checks["live_events"] = "ok" if ctx.desk.live.subscribed.is_set() else "not subscribed"
    healthy = all(value == "ok" for value in checks.values())
    bot = await ctx.desk.rasa.answering() if request.args.get("bot") else None
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if bot is not None:
        body["bot"] = {url: "ok" if up else "not answering" for url, up in bot.items()}
    return response.json(body, status=200 if healthy else 503)


def _ping_database(engine: Any) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


async def _check(probe: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(probe, HEALTH_TIMEOUT_S)
        return "ok"
    except Exception as problem:  # any failure is the answer
        return f"unreachable ({problem.__class__.__name__})"


@pages.get("/")
async def shop(request: Request) -> HTTPResponse:
    return await _file(request, "shop.html")


# The demo order page's identity token lives as long as a page view may.
DEMO_PAGE_TOKEN_LIFETIME = timedelta(hours=1)
_WIDGET_TAG = '<script src="/widget.js" defer></script>'
PAYMENT_LINES = {
    "awaiting_payment": "Not paid — the payment didn't go through",
    "paid": "Paid",
    "shipped": "Paid and shipped",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


@pages.get("/shop/orders/<order_id:str>")
async def demo_order_page(request: Request, order_id: str) -> HTTPResponse:
    """The demo shop's order page for a logged-in customer (DEMO_SHOP_PAGES only): the page
    carries a shop-page identity token, so the chat opens on this order (desk/API.md)."""
    settings = request.app.ctx.desk.settings
    if not (settings.demo_shop_pages and settings.chat_token_secret):
        return response.json({"error": "not found"}, status=404)
    record = await asyncio.to_thread(request.app.ctx.orders.find, order_id)
    if record is None or not record.customer.email:
        return response.json({"error": "not found"}, status=404)
    token = issue_token(
        settings.chat_token_secret, record.order.id, record.customer.email, utc_now(),
        SHOP_PAGE, DEMO_PAGE_TOKEN_LIFETIME,
    )  # fmt: skip
    page = order_page((STATIC / "shop.html").read_text(encoding="utf-8"), record, token)
    reply = response.html(page)
    reply.headers["Content-Security-Policy"] = _csp(request)
    reply.headers["X-Content-Type-Options"] = "nosniff"
    reply.headers["Referrer-Policy"] = "same-origin"
    reply.headers["Cache-Control"] = "no-store"
    return reply


def order_page(template: str, record: OrderRecord, token: str) -> str:
    """The shop page showing ``record``, with the widget told who the customer is."""
    order = record.order
    fields = {
        "id": order.id,
        "total": format_currency(order.total, order.currency, locale="en_US"),
        "payment": PAYMENT_LINES.get(order.status.value, order.status.value),
    }
    for name, value in fields.items():
        shown = html.escape(value)
        template = re.sub(
            rf'(<[^>]*data-order="{name}"[^>]*>)[^<]*', lambda m, v=shown: m[1] + v, template
        )
    tag = f'<script src="/widget.js" data-payhelp-identity="{html.escape(token)}" defer></script>'
    return template.replace(_WIDGET_TAG, tag)


@pages.get("/widget.js")
async def widget(request: Request) -> HTTPResponse:
    return await _file(request, "widget.js", cross_origin=True)


@pages.get("/staff")
async def console(request: Request) -> HTTPResponse:
    return await _file(request, "staff.html")


@pages.get("/staff/staff.js")
async def console_script(request: Request) -> HTTPResponse:
    return await _file(request, "staff.js")


@pages.get("/staff/staff.css")
async def console_style(request: Request) -> HTTPResponse:
    return await _file(request, "staff.css")


# The admins' pages, their scripts and style, and the vendored charting library.
ASSETS = frozenset({"ops.js", "impact.js", "admin.js", "ops.css", "console-ops.js", "opskit.js"})


@pages.get("/staff/ops")
async def ops_page(request: Request) -> HTTPResponse:
    return await _file(request, "ops.html")


@pages.get("/staff/impact")
async def impact_page(request: Request) -> HTTPResponse:
    return await _file(request, "impact.html")


@pages.get("/staff/admin")
async def admin_page(request: Request) -> HTTPResponse:
    return await _file(request, "admin.html")


@pages.get("/staff/assets/<name:str>")
async def asset(request: Request, name: str) -> HTTPResponse:
    if name not in ASSETS:
        return response.json({"error": "not found"}, status=404)
    return await _file(request, name)


@pages.get("/staff/vendor/chart.umd.min.js")
async def chart_library(request: Request) -> HTTPResponse:
    return await _file(request, "vendor/chart.umd.min.js")
