"""The customer side: start a chat, read its history, and talk over a WebSocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk import messages
from desk.conversations import Conversation
from desk.limits import Limiter, Rule, client_address, too_many
from desk.proactive import PROACTIVE_INTENT, verified_slots, vouched_order
from desk.service import Desk, DeskError
from desk.sockets import CLIENT_GONE, frames
from payhelp.contracts import Language
from payhelp.store.tables import utc_now

customer = Blueprint("customer")
INVALID_TEXT = "\ufffd"


def desk_of(request: Request) -> Desk:
    return request.app.ctx.desk


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@customer.post("/api/chat/start")
async def start(request: Request) -> HTTPResponse:
    desk = desk_of(request)
    rule = Rule(desk.settings.desk_chat_starts_per_minute, 60)
    key = f"chat-start:{client_address(request)}"
    verdict = await asyncio.to_thread(request.app.ctx.limiter.take, key, rule)
    if not verdict.allowed:
        return too_many(verdict, "too many new chats from your network")
    language = _start_language(request)
    if isinstance(language, HTTPResponse):
        return language
    conversation, token = await desk.start(language)
    reply: dict[str, Any] = {"token": token}
    identity = _identity_in(request)
    if identity is not None:
        reply["identity"] = await _open_on_order(request, conversation, identity)
    reply["state"] = await desk.customer_state(await desk.current(conversation.id))
    return response.json(reply, status=201)


def _identity_in(request: Request) -> str | None:
    """The ``identity`` token in a JSON body, if any (a bad body is no token)."""
    try:
        body = request.json
    except Exception:  # Sanic raises its own error for unreadable JSON
        return None
    identity = body.get("identity") if isinstance(body, dict) else None
    return identity if isinstance(identity, str) and identity else None


async def _open_on_order(request: Request, conversation: Conversation, token: str) -> str:
    """Open the chat on the order the token vouches for: "accepted" when the bot did,
    "refused" when the token vouches for nothing, "ignored" when the bot could not be
    reached (the chat then opens as usual)."""
    desk = desk_of(request)
    record = await asyncio.to_thread(
        vouched_order, desk.settings.chat_token_secret, token, request.app.ctx.orders, utc_now()
    )
    if record is None:
        return "refused"
    opened = await desk.open_on_order(conversation, verified_slots(record), PROACTIVE_INTENT)
    return "accepted" if opened else "ignored"


def _start_language(request: Request) -> Language | None | HTTPResponse:
    """The language the widget found on the page or in the browser (optional), or a 400."""
    try:
        body = request.json
    except Exception:  # Sanic raises on a body that is not JSON
        body = None
    if body is None or body == {}:
        return None
    if not isinstance(body, dict):
        return response.json({"error": "the body must be a JSON object"}, status=400)
    value = body.get("language")
    if value is None:
        return None
    if value not in {language.value for language in Language}:
        allowed = ", ".join(repr(language.value) for language in Language)
        return response.json({"error": f"'language' must be one of {allowed}"}, status=400)
    return Language(value)


@customer.get("/api/chat/history")
async def history(request: Request) -> HTTPResponse:
    desk = desk_of(request)
    conversation = await desk.by_token(_bearer(request))
    if conversation is None:
        return response.json({"error": "unknown conversation"}, status=401)
    after = _message_id(request.args.get("after") or "0")
    if after is None:
        return response.json({"error": "'after' must be a message id"}, status=400)
    found = await desk.history(conversation, after)
    state = await desk.customer_state(conversation)
    return response.json({"messages": [m.as_json() for m in found], "state": state})


def _message_id(raw: str) -> int | None:
    """A message id from a query parameter: plain ASCII digits of a sane size, else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)


@customer.websocket("/ws/chat")
async def chat(request: Request, ws: Any) -> None:
    desk = desk_of(request)
    conversation = await desk.by_token(request.args.get("token", ""))
    if conversation is None:
        await ws.send(
            json.dumps({"type": "error", "code": "unknown_token", "text": "unknown conversation"})
        )
        await ws.close(code=4401)
        return
    desk.live.add_customer(conversation.id, ws)
    limiter: Limiter = request.app.ctx.limiter
    # Per conversation, not per connection: reconnecting does not reset it.
    limit = Rule(desk.settings.desk_messages_per_minute, 60)
    max_frame = desk.settings.desk_max_message_chars * 4 + 1000
    try:
        await ws.send(
            json.dumps({"type": "state", "state": await desk.customer_state(conversation)})
        )
        await desk.greet_if_new(conversation)
        async for frame in frames(ws):
            await _handle_frame(desk, ws, conversation.id, frame, limiter, limit, max_frame)
    except CLIENT_GONE:
        pass  # the widget reconnects and resyncs
    finally:
        desk.live.remove_customer(conversation.id, ws)


async def _handle_frame(
    desk: Desk,
    ws: Any,
    conversation_id: str,
    frame: Any,
    limiter: Limiter,
    limit: Rule,
    max_frame: int,
) -> None:
    client_id: str | None = None

    async def refuse(text: str) -> None:
        await ws.send(json.dumps({"type": "error", "text": text, "client_id": client_id}))

    # Protocol errors only a broken client meets stay English; the rest are the customer's.
    conversation = await desk.current(conversation_id)
    said_in = conversation.language
    if not isinstance(frame, str):
        return await refuse("send messages as JSON text")
    if len(frame) > max_frame:
        return await refuse("that message is too large")
    if INVALID_TEXT in frame:  # see desk/app.py: bytes that were not UTF-8
        return await refuse("that message was not valid UTF-8 text")
    try:
        event = json.loads(frame)
    except json.JSONDecodeError:
        return await refuse(messages.line("not_json", said_in))
    if not isinstance(event, dict):
        return await refuse(messages.line("not_json", said_in))
    if isinstance(event.get("client_id"), str) and len(event["client_id"]) <= 64:
        client_id = event["client_id"]
    try:
        if event.get("type") == "message":
            key = f"messages:{conversation_id}"
            if not (await asyncio.to_thread(limiter.take, key, limit)).allowed:
                return await refuse(messages.line("too_quick", said_in))
            text, client_id, payload = (
                event.get("text"),
                event.get("client_id"),
                event.get("payload"),
            )
            if not isinstance(text, str):
                return await refuse(messages.line("empty_message", said_in))
            client_id = client_id if isinstance(client_id, str) and len(client_id) <= 64 else None
            payload = payload if isinstance(payload, str) and payload.startswith("/") else None
            await desk.customer_writes(conversation, text, client_id, payload)
        elif event.get("type") == "rating":
            await desk.rate(conversation, event.get("score"))
        else:
            await refuse("unknown event type")
    except DeskError as problem:
        await refuse(str(problem))
