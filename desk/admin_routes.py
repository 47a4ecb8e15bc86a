"""Admin-only API: staff accounts (create, disable, reset a password) and, with the
operations pages, channel maintenance. Every route here answers 403 to an agent."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk.service import DeskError
from desk.staff_accounts import AccountError, StaffAccounts
from desk.staff_routes import admin_only, body_of, desk_of
from desk.views import account_json, maintenance_json
from payhelp.core.channels import Maintenance
from payhelp.core.orders import PaymentMethod
from payhelp.messages import method_name
from payhelp.store.channels import ChannelRecords
from payhelp.store.tables import utc_now

MAX_MESSAGE_CHARS = 300
LONGEST_MAINTENANCE = timedelta(days=14)

admin = Blueprint("admin", url_prefix="/staff/api/admin")


def accounts_of(request: Request) -> StaffAccounts:
    return desk_of(request).staff


async def _account_change(function, *args) -> HTTPResponse:  # noqa: ANN001
    try:
        account = await asyncio.to_thread(function, *args)
    except AccountError as problem:
        raise DeskError(str(problem), status=400) from problem
    except LookupError as problem:
        raise DeskError(str(problem), status=404) from problem
    return response.json(account_json(account))


@admin.get("/staff")
@admin_only
async def list_staff(request: Request) -> HTTPResponse:
    found = await asyncio.to_thread(accounts_of(request).accounts)
    return response.json({"staff": [account_json(a) for a in found]})


@admin.post("/staff")
@admin_only
async def create_staff(request: Request) -> HTTPResponse:
    body = body_of(request)
    try:
        agent = await asyncio.to_thread(
            accounts_of(request).create,
            body.get("username"),
            body.get("name"),
            body.get("password"),
            body.get("role") or "agent",
        )
    except AccountError as problem:
        raise DeskError(str(problem), status=400) from problem
    return response.json(
        {"id": agent.id, "username": agent.username, "name": agent.name,
         "role": agent.role.value}, status=201,
    )  # fmt: skip


@admin.post("/staff/<staff_id:int>/active")
@admin_only
async def set_active(request: Request, staff_id: int) -> HTTPResponse:
    active = body_of(request).get("active")
    if not isinstance(active, bool):
        raise DeskError("'active' must be true or false")
    if not active and staff_id == request.ctx.session.agent.id:
        raise DeskError("you cannot disable your own account")
    return await _account_change(accounts_of(request).set_active, staff_id, active)


@admin.post("/staff/<staff_id:int>/password")
@admin_only
async def reset_password(request: Request, staff_id: int) -> HTTPResponse:
    password = body_of(request).get("password")
    return await _account_change(accounts_of(request).reset_password, staff_id, password)


def channels_of(request: Request) -> ChannelRecords:
    return request.app.ctx.channels


@admin.get("/maintenance")
@admin_only
async def list_maintenance(request: Request) -> HTTPResponse:
    now = utc_now()
    found = await asyncio.to_thread(channels_of(request).maintenance_since, now - timedelta(days=7))
    methods = desk_of(request).settings.payment_methods
    return response.json(
        {
            "windows": [maintenance_json(w.id, w.window, now) for w in found],
            "methods": [{"value": m, "label": method_name(m)} for m in methods],
        }
    )


@admin.post("/maintenance")
@admin_only
async def start_maintenance(request: Request) -> HTTPResponse:
    body = body_of(request)
    now = utc_now()
    method = body.get("method")
    if method not in desk_of(request).settings.payment_methods:
        raise DeskError("'method' must be one of the shop's payment methods")
    messages = {}
    for field in ("message_en", "message_zh"):
        text = body.get(field) or ""
        if not isinstance(text, str) or len(text.strip()) > MAX_MESSAGE_CHARS:
            raise DeskError(f"'{field}' must be text of at most {MAX_MESSAGE_CHARS} characters")
        messages[field] = text.strip()
    until = _until(body.get("until"), now)
    window = Maintenance(PaymentMethod(method), now, until, **messages)
    agent = request.ctx.session.agent
    window_id = await asyncio.to_thread(
        channels_of(request).add_maintenance, window, agent.username
    )
    return response.json(maintenance_json(window_id, window, now), status=201)


@admin.post("/maintenance/<window_id:int>/end")
@admin_only
async def end_maintenance(request: Request, window_id: int) -> HTTPResponse:
    ended = await asyncio.to_thread(channels_of(request).end_maintenance, window_id, utc_now())
    if not ended:
        raise DeskError("no maintenance window with that id is on or planned", status=404)
    return response.json({"ok": True})


def _until(value: object, now: datetime) -> datetime:
    try:
        until = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        until = None
    if until is None or until.tzinfo is None:
        raise DeskError("'until' must be a date and time with its zone, e.g. 2026-11-27T06:00Z")
    if until <= now:
        raise DeskError("'until' must be in the future")
    if until - now > LONGEST_MAINTENANCE:
        raise DeskError("maintenance can be planned for at most 14 days at a time")
    return until
