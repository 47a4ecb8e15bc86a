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
from sanic_cors import CORS

from desk.admin_routes import admin
from desk.alerts import WebhookAlerts
from desk.channel_watch import ChannelWatch
from desk.cluster import ConversationLocks, Leadership, redis_client
from desk.conversations import ConversationStore
from desk.customer_routes import customer
from desk.event_routes import events
from desk.impact import ImpactAnalytics
from desk.limits import Limiter, RedisHitStore, SQLHitStore
from desk.live import LiveHub
from desk.mail_jobs import MailJobs
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
    app.blueprint(events)

    # CORS for the widget's API, by Sanic-Cors (the library Rasa's own server uses).
    CORS(
        app,
        resources={r"/api/chat/*": {"origins": list(settings.desk_allowed_origins)}},
        allow_headers=["Authorization", "Content-Type"],
        methods=["GET", "POST", "OPTIONS"],
        send_wildcard="*" in settings.desk_allowed_origins,
        vary_header=True,
        automatic_options=True,
    )

    @app.before_server_start
    async def open_resources(app: Sanic, _loop: Any) -> None:
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        app.ctx.engine = engine
        app.ctx.sessions = sessions
        # Scaled mode: locks, the bot watch's leadership, live events and rate limits
        # are shared through Redis; otherwise they live in this process (and SQL).
        redis = redis_client(settings.redis_url) if settings.redis_url else None
        app.ctx.redis = redis
        hits = RedisHitStore(settings.redis_url) if redis is not None else SQLHitStore(sessions)
        app.ctx.limiter = Limiter(hits)
        await asyncio.to_thread(app.ctx.limiter.purge, timedelta(days=1))
        live = LiveHub(redis, redis_client(settings.redis_url, idle_ok=True) if redis else None)
        await live.start()
        conversations = ConversationStore(sessions)
        records = AssistantRecords(sessions)
        app.ctx.orders = orders = OrderRepository(sessions)
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
                settings.rasa_urls(),
                settings.desk_rasa_timeout_s,
                settings.rasa_token,
                action_server_health_url=settings.action_health_urls(),
            ),
            live=live,
            locks=ConversationLocks(redis),
            leadership=Leadership(redis),
            notifier=notifier,
        )

    @app.after_server_start
    async def watch_the_bot(app: Sanic, _loop: Any) -> None:
        app.ctx.bot_watch = asyncio.create_task(app.ctx.desk.watch_bot())
        app.ctx.mail_jobs = MailJobs(settings, app.ctx.sessions)
        app.ctx.mail_jobs.start()
        app.ctx.channel_check = asyncio.create_task(app.ctx.channel_watch.run())

    @app.before_server_stop
    async def stop_watching(app: Sanic, _loop: Any) -> None:
        for task in (app.ctx.bot_watch, app.ctx.channel_check):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await app.ctx.channel_watch.stop()
        await app.ctx.mail_jobs.stop()
        await app.ctx.desk.leadership.resign()
        await app.ctx.desk.live.stop()

    @app.after_server_stop
    async def close_resources(app: Sanic, _loop: Any) -> None:
        await app.ctx.desk.rasa.close()
        if app.ctx.redis is not None:
            with contextlib.suppress(Exception):
                await app.ctx.redis.close()
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
