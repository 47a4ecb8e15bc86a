"""The staff console's API: login, the queue, and working a conversation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk.limits import (
    Limiter,
    client_address,
    login_failed,
    login_succeeded,
    may_log_in,
    too_many,
)
from desk.messages import OUTCOMES
from desk.service import Desk, DeskError
from desk.sockets import CLIENT_GONE, frames
from desk.staff_accounts import Agent, StaffSession
from desk.views import StaffViews

staff = Blueprint("staff", url_prefix="/staff")
COOKIE = "desk_session"

Handler = Callable[..., Awaitable[HTTPResponse]]


def desk_of(request: Request) -> Desk:
    return request.app.ctx.desk


def views_of(request: Request) -> StaffViews:
    return request.app.ctx.views


async def current_session(request: Request) -> StaffSession | None:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    return await asyncio.to_thread(desk_of(request).staff.session, token)


def signed_in(handler: Handler) -> Handler:
    """Needs a live session; state-changing requests also need its CSRF token."""

    @wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        session = await current_session(request)
        if session is None:
            return response.json({"error": "please log in"}, status=401)
        if request.method not in ("GET", "HEAD"):
            sent = request.headers.get("x-csrf-token", "")
            if not sent or sent != session.csrf_token:
                return response.json({"error": "missing or wrong CSRF token"}, status=403)
        request.ctx.session = session
        return await handler(request, *args, **kwargs)

    return guarded


def admin_only(handler: Handler) -> Handler:
    """Needs a live admin session (and its CSRF token for changes); an agent gets 403."""

    @signed_in
    @wraps(handler)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        if not request.ctx.session.agent.is_admin:
            return response.json({"error": "only admins may do this"}, status=403)
        return await handler(request, *args, **kwargs)

    return guarded


def agent_json(agent: Agent) -> dict[str, Any]:
    return {"id": agent.id, "name": agent.name, "role": agent.role.value}


def body_of(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception as exc:
        raise DeskError("send a JSON object") from exc
    if not isinstance(body, dict):
        raise DeskError("send a JSON object")
    return body


@staff.post("/api/login")
async def login(request: Request) -> HTTPResponse:
    desk = desk_of(request)
    body = body_of(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return response.json({"error": "username and password are needed"}, status=400)
    limiter: Limiter = request.app.ctx.limiter
    address = client_address(request)
    verdict = await asyncio.to_thread(may_log_in, limiter, username, address)
    if not verdict.allowed:
        return too_many(verdict, "too many failed logins")
    agent = await asyncio.to_thread(desk.staff.authenticate, username, password[:200])
    if agent is None:
        await asyncio.to_thread(login_failed, limiter, username, address)
        return response.json({"error": "wrong username or password"}, status=401)
    await asyncio.to_thread(login_succeeded, limiter, username, address)
    hours = desk.settings.desk_session_hours
    token, csrf = await asyncio.to_thread(desk.staff.open_session, agent, hours)
    reply = response.json({"agent": agent_json(agent), "csrf": csrf, **vocabulary()})
    reply.cookies[COOKIE] = token
    cookie = reply.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = hours * 3600
    if request.scheme == "https":
        cookie["secure"] = True
    return reply


@staff.get("/api/me")
@signed_in
async def me(request: Request) -> HTTPResponse:
    session: StaffSession = request.ctx.session
    agent = session.agent
    return response.json({"agent": agent_json(agent), "csrf": session.csrf_token, **vocabulary()})


def vocabulary() -> dict[str, Any]:
    """What the console offers by name: the outcomes to resolve with."""
    return {
        "outcomes": [{"value": value, "label": label} for value, label in OUTCOMES.items()],
    }


@staff.post("/api/logout")
@signed_in
async def logout(request: Request) -> HTTPResponse:
    await asyncio.to_thread(desk_of(request).staff.close_session, request.cookies.get(COOKIE, ""))
    reply = response.json({"ok": True})
    del reply.cookies[COOKIE]
    return reply


@staff.get("/api/queue")
@signed_in
async def queue(request: Request) -> HTTPResponse:
    return response.json({"conversations": await views_of(request).queue()})


@staff.get("/api/conversations")
@signed_in
async def search(request: Request) -> HTTPResponse:
    """History: conversations that reached people, by order id, email or name, and time."""
    text = request.args.get("q", "")[:200]
    since = _moment(request, "since")
    until = _moment(request, "until")
    found = await views_of(request).search(text, since, until)
    return response.json({"conversations": found})


def _moment(request: Request, name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DeskError(f"'{name}' must be a date and time with its zone, e.g. 2026-11-25T00:00Z")
    return moment


@staff.get("/api/conversations/<conversation_id:str>")
@signed_in
async def details(request: Request, conversation_id: str) -> HTTPResponse:
    return response.json(await views_of(request).details(conversation_id))


async def summary_of(request: Request, conversation_id: str) -> HTTPResponse:
    """The conversation's summary after a change, as the queue shows it."""
    return response.json(await views_of(request).summary(conversation_id))


@staff.post("/api/conversations/<conversation_id:str>/claim")
@signed_in
async def claim(request: Request, conversation_id: str) -> HTTPResponse:
    desk = desk_of(request)
    await desk.claim(conversation_id, request.ctx.session.agent)
    return await summary_of(request, conversation_id)


@staff.post("/api/conversations/<conversation_id:str>/reply")
@signed_in
async def reply(request: Request, conversation_id: str) -> HTTPResponse:
    text = body_of(request).get("text")
    message = await desk_of(request).reply(conversation_id, request.ctx.session.agent, text)
    return response.json(message.as_json())


@staff.post("/api/conversations/<conversation_id:str>/note")
@signed_in
async def note(request: Request, conversation_id: str) -> HTTPResponse:
    text = body_of(request).get("text")
    message = await desk_of(request).note(conversation_id, request.ctx.session.agent, text)
    return response.json(message.as_json())


@staff.post("/api/conversations/<conversation_id:str>/resolve")
@signed_in
async def resolve(request: Request, conversation_id: str) -> HTTPResponse:
    desk = desk_of(request)
    outcome = body_of(request).get("outcome")
    await desk.resolve(conversation_id, request.ctx.session.agent, outcome)
    return await summary_of(request, conversation_id)


@staff.post("/api/conversations/<conversation_id:str>/handback")
@signed_in
async def handback(request: Request, conversation_id: str) -> HTTPResponse:
    desk = desk_of(request)
    await desk.hand_back(conversation_id, request.ctx.session.agent)
    return await summary_of(request, conversation_id)


@staff.websocket("/ws")
async def live(request: Request, ws: Any) -> None:
    session = await current_session(request)
    origin = request.headers.get("origin")
    if session is None or (origin and origin != _own_origin(request)):
        await ws.send(json.dumps({"type": "error", "text": "please log in"}))
        await ws.close(code=4401)
        return
    desk = desk_of(request)
    desk.live.add_staff(session.agent.id, ws)
    try:
        async for _ in frames(ws):
            pass  # the console only listens; its actions go through the HTTP API
    except CLIENT_GONE:
        pass  # the console reconnects and refetches
    finally:
        desk.live.remove_staff(ws)


def _own_origin(request: Request) -> str:
    return f"{request.scheme}://{request.host}".replace("ws://", "http://").replace(
        "wss://", "https://"
    )
