"""The desk's app factory: ``create_app(settings)``; nothing connects at import time."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import uuid
from datetime import timedelta
from typing import Any

import yaml
from sanic import Request, Sanic, response
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sanic.server.websockets import frame as sanic_frames

from desk.admin_routes import admin
from desk.alerts import WebhookAlerts
from desk.channel_watch import ChannelWatch
from desk.conversations import ConversationStore
from desk.customer_routes import customer
from desk.impact import ImpactAnalytics
from desk.limits import Limiter, SQLHitStore
from desk.live import LiveHub
from desk.metrics import DeskMetrics, scrape
from desk.notifier import CHANNEL, STAFF, Notifier
from desk.ops_routes import ops
from desk.pages import pages
from desk.rasa_client import RasaClient
from desk.service import Desk, DeskError
from desk.staff_accounts import StaffAccounts
from desk.staff_routes import staff
from desk.views import StaffViews
from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.channels import ChannelRecords
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.leases import Leases
from payhelp.store.orders import OrderRepository
from payhelp.store.records import AssistantRecords

logger = logging.getLogger(__name__)
WEBSOCKET_PATHS = frozenset({"/ws/chat", "/staff/ws"})


def load_responses() -> dict[str, Any]:
    """The bot's responses (for canned replies), read from domain.yml."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain.get("responses", {})


class _LenientUTF8Decoder(codecs.getincrementaldecoder("utf-8")):  # type: ignore[misc]
    """Sanic decodes WebSocket text frames strictly, and invalid UTF-8 then kills the
    connection's reader task with a traceback in the log. This decoder puts U+FFFD in
    place of bad bytes instead, and the handlers answer such a frame with an error event."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors="replace")


def create_app(settings: Settings | None = None, rasa: RasaClient | None = None) -> Sanic:
    settings = settings or Settings.from_env()
    sanic_frames.UTF8Decoder = _LenientUTF8Decoder
    app = Sanic(f"desk_{uuid.uuid4().hex[:8]}")
    app.config.REQUEST_MAX_SIZE = 256 * 1024
    app.config.WEBSOCKET_MAX_SIZE = 64 * 1024
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Behind DESK_PROXIES trusted proxies, the client's address and scheme (so whether
    # staff cookies are Secure) come from X-Forwarded-For and X-Forwarded-Proto.
    app.config.PROXIES_COUNT = settings.desk_proxies
    app.blueprint(customer)
    app.blueprint(staff)
    app.blueprint(admin)
    app.blueprint(ops)
    app.blueprint(scrape)
    app.blueprint(pages)

    @app.before_server_start
    async def open_resources(app: Sanic, _loop: Any) -> None:
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        app.ctx.engine = engine
        app.ctx.limiter = Limiter(SQLHitStore(sessions))
        await asyncio.to_thread(app.ctx.limiter.purge, timedelta(days=1))
        conversations = ConversationStore(sessions)
        records = AssistantRecords(sessions)
        orders = OrderRepository(sessions)
        live = LiveHub()
        notifier = Notifier()
        notifier.subscribe(STAFF, live.to_staff)
        notifier.subscribe(CHANNEL, WebhookAlerts(settings.alert_webhook_url))
        app.ctx.notifier = notifier
        app.ctx.metrics = DeskMetrics()
        app.ctx.metrics.subscribe(notifier)
        app.ctx.channels = ChannelRecords(sessions)
        app.ctx.tracker_engine = make_engine(settings.tracker_store_url)
        app.ctx.impact = ImpactAnalytics(engine, app.ctx.tracker_engine)
        app.ctx.channel_watch = ChannelWatch(
            settings=settings,
            orders=orders,
            records=app.ctx.channels,
            leases=Leases(sessions),
            notifier=notifier,
        )
        app.ctx.views = StaffViews(
            settings=settings,
            conversations=conversations,
            orders=orders,
            records=records,
            responses=load_responses(),
        )
        app.ctx.desk = Desk(
            settings=settings,
            conversations=conversations,
            staff=StaffAccounts(sessions),
            records=records,
            rasa=rasa
            or RasaClient(
                f"http://127.0.0.1:{settings.rasa_port}",
                settings.desk_rasa_timeout_s,
                settings.rasa_token,
                action_server_health_url=f"http://127.0.0.1:{settings.action_port}/health",
            ),
            live=live,
            notifier=notifier,
        )

    @app.after_server_start
    async def watch_the_bot(app: Sanic, _loop: Any) -> None:
        app.ctx.bot_watch = asyncio.create_task(app.ctx.desk.watch_bot())
        app.ctx.channel_check = asyncio.create_task(app.ctx.channel_watch.run())

    @app.before_server_stop
    async def stop_watching(app: Sanic, _loop: Any) -> None:
        for task in (app.ctx.bot_watch, app.ctx.channel_check):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await app.ctx.channel_watch.stop()

    @app.after_server_stop
    async def close_resources(app: Sanic, _loop: Any) -> None:
        await app.ctx.desk.rasa.close()
        app.ctx.engine.dispose()
        app.ctx.tracker_engine.dispose()

    @app.on_request
    async def websockets_only(request: Request) -> HTTPResponse | None:
        upgrade = request.headers.get("upgrade", "").lower()
        if request.path in WEBSOCKET_PATHS and upgrade != "websocket":
            return response.json(
                {"error": "this address takes WebSocket connections only"}, status=400
            )
        return None

    @app.on_request
    async def preflight(request: Request) -> HTTPResponse | None:
        if request.method == "OPTIONS" and request.path.startswith("/api/chat/"):
            return response.empty(headers=_cors(settings, request))
        return None

    @app.on_response
    async def cors(request: Request, reply: HTTPResponse) -> None:
        if request.path.startswith("/api/chat/"):
            reply.headers.update(_cors(settings, request))

    @app.exception(DeskError)
    async def refused(request: Request, problem: DeskError) -> HTTPResponse:
        return response.json({"error": str(problem)}, status=problem.status)

    @app.exception(SanicException)
    async def http_problem(request: Request, problem: SanicException) -> HTTPResponse:
        return response.json({"error": str(problem) or "bad request"}, status=problem.status_code)

    @app.exception(Exception)
    async def failure(request: Request, problem: Exception) -> HTTPResponse:
        logger.exception("desk request %s %s failed", request.method, request.path)
        return response.json({"error": "something went wrong on our side"}, status=500)

    return app


def _cors(settings: Settings, request: Request) -> dict[str, str]:
    origin = request.headers.get("origin", "")
    allowed = settings.desk_allowed_origins
    if "*" in allowed:
        value = "*"
    elif origin in allowed:
        value = origin
    else:
        return {}
    return {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Vary": "Origin",
    }
