"""The desk's Prometheus metrics (``GET /metrics``), fed by the notifier.

Labels carry no customer data: a direction, a sender kind, the channel ("web": the chat
widget), a language code, a handoff reason, a payment method and a status. Each app has
its own registry, so a test can build many apps in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from desk import notifier as topics
from desk.notifier import Notifier
from payhelp.core.channels import ChannelBoard, ChannelStatus
from payhelp.lookup import channel_board
from payhelp.nlu.language import detect_language
from payhelp.store.tables import utc_now

scrape = Blueprint("metrics")
CHANNEL = "web"  # the only customer channel: the chat widget
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)


class DeskMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "payhelp_messages", "Messages in (from customers) and out (to customers)",
            ["direction", "sender", "channel", "language"], registry=self.registry,
        )  # fmt: skip
        self.handoffs = Counter(
            "payhelp_handoffs", "Conversations handed to people, by reason", ["reason"],
            registry=self.registry,
        )  # fmt: skip
        self.queue_length = Gauge(
            "payhelp_queue_length", "Conversations waiting for a person", registry=self.registry
        )
        self.rasa_seconds = Histogram(
            "payhelp_rasa_reply_seconds", "Time Rasa took to answer one customer message",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.desk_seconds = Histogram(
            "payhelp_desk_reply_seconds",
            "Time the desk took to store, route and answer one customer message",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.channel_status = Gauge(
            "payhelp_channel_status", "Each payment method's status (1 for the current one)",
            ["method", "status"], registry=self.registry,
        )  # fmt: skip

    def subscribe(self, notifier: Notifier) -> None:
        notifier.subscribe(topics.MESSAGE, self._message)
        notifier.subscribe(topics.TRANSITION, self._transition)
        notifier.subscribe(topics.BOT_REPLY, self._bot_reply)

    async def _message(self, event: dict[str, Any]) -> None:
        language = detect_language(event.get("text")) or "unknown"
        self.messages.labels(event["direction"], event["sender"], CHANNEL, language).inc()
        if "seconds" in event:
            self.desk_seconds.observe(event["seconds"])

    async def _transition(self, event: dict[str, Any]) -> None:
        if event["event"] in ("handoff", "bot_unavailable"):
            self.handoffs.labels(event.get("reason") or "unknown").inc()

    async def _bot_reply(self, event: dict[str, Any]) -> None:
        self.rasa_seconds.observe(event["seconds"])

    def set_channels(self, board: ChannelBoard, methods: Iterable[str]) -> None:
        """The enum the Prometheus way: 1 for the method's status, 0 for the others."""
        for method in methods:
            current = board.status(method)
            for status in ChannelStatus:
                self.channel_status.labels(method, status.value).set(int(status is current))


@scrape.get("/metrics")
async def metrics(request: Request) -> HTTPResponse:
    """Prometheus' text format; the queue and the channels are read at scrape time."""
    ctx = request.app.ctx
    settings = ctx.desk.settings
    waiting = await asyncio.to_thread(ctx.desk.conversations.waiting_ids)
    ctx.metrics.queue_length.set(len(waiting))
    board = await asyncio.to_thread(channel_board, ctx.views.orders, utc_now(), settings.diagnosis)
    ctx.metrics.set_channels(board, settings.payment_methods)
    return response.raw(generate_latest(ctx.metrics.registry), content_type=CONTENT_TYPE_LATEST)
