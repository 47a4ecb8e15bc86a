"""Open WebSockets: customers' (per conversation, several tabs allowed) and staff's.

One desk process keeps its own sockets. With Redis (scaled mode) every event is
published on one pub/sub channel and every desk delivers it to the sockets it holds,
so a customer on desk A and an agent on desk B see each other live (messages,
typing, state and queue changes) without sticky routing. If a desk's subscription
drops, it closes its sockets when it is back: the widget and the console reconnect
and fetch what they missed. If publishing fails, the event is delivered locally.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Any, Protocol

logger = logging.getLogger(__name__)

CHANNEL = "payhelp:desk:live"
RESUBSCRIBE_FIRST_S = 0.2
RESUBSCRIBE_MAX_S = 5.0


class Socket(Protocol):
    async def send(self, data: str) -> None: ...


class LiveHub:
    """Pushes events to whoever is connected, here or (with Redis) on any desk."""

    def __init__(self, redis: Any | None = None, subscriber: Any | None = None) -> None:
        self._customers: dict[str, set[Socket]] = defaultdict(set)
        self._staff: dict[Socket, int] = {}
        self._redis = redis
        self._subscriber = subscriber or redis
        self._listening: asyncio.Task | None = None
        self.subscribed = asyncio.Event()

    # --- sockets of this process --------------------------------------------------------

    def add_customer(self, conversation_id: str, socket: Socket) -> None:
        self._customers[conversation_id].add(socket)

    def remove_customer(self, conversation_id: str, socket: Socket) -> None:
        self._customers[conversation_id].discard(socket)
        if not self._customers[conversation_id]:
            del self._customers[conversation_id]

    def add_staff(self, agent_id: int, socket: Socket) -> None:
        self._staff[socket] = agent_id

    def remove_staff(self, socket: Socket) -> None:
        self._staff.pop(socket, None)

    @property
    def connected_customers(self) -> int:
        return sum(len(sockets) for sockets in self._customers.values())

    @property
    def connected_staff(self) -> int:
        return len(self._staff)

    # --- events ---------------------------------------------------------------------------

    async def to_customer(self, conversation_id: str, event: dict[str, Any]) -> None:
        if not await self._publish({"c": conversation_id, "e": event}):
            await self._deliver_to_customer(conversation_id, event)

    async def to_staff(self, event: dict[str, Any]) -> None:
        if not await self._publish({"s": 1, "e": event}):
            await self._deliver_to_staff(event)

    async def _deliver_to_customer(self, conversation_id: str, event: dict[str, Any]) -> None:
        for socket in list(self._customers.get(conversation_id, ())):
            if not await _send(socket, event):
                self.remove_customer(conversation_id, socket)

    async def _deliver_to_staff(self, event: dict[str, Any]) -> None:
        for socket in list(self._staff):
            if not await _send(socket, event):
                self.remove_staff(socket)

    async def _publish(self, envelope: dict[str, Any]) -> bool:
        """True if every desk (this one included) will get it from Redis."""
        if self._redis is None or not self.subscribed.is_set():
            return False
        try:
            await self._redis.publish(CHANNEL, json.dumps(envelope))
            return True
        except Exception as problem:  # Redis away: at least this desk's sockets get it
            logger.warning("live event not shared (%s); delivered on this desk only", problem)
            return False

    async def _deliver(self, raw: bytes | str) -> None:
        try:
            envelope = json.loads(raw)
            event = envelope["e"]
        except (ValueError, KeyError, TypeError):
            logger.warning("ignoring an unreadable live event")
            return
        if "c" in envelope:
            await self._deliver_to_customer(str(envelope["c"]), event)
        else:
            await self._deliver_to_staff(event)

    # --- the subscription (scaled mode) -------------------------------------------------

    async def start(self, timeout_s: float = 5.0) -> None:
        """Subscribe (with Redis) before the desk serves anyone."""
        if self._subscriber is None:
            return
        self._listening = asyncio.create_task(self._listen())
        with contextlib.suppress(asyncio.TimeoutError):  # Redis away: local until it is back
            await asyncio.wait_for(self.subscribed.wait(), timeout_s)

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listening

    async def _listen(self) -> None:
        pause = RESUBSCRIBE_FIRST_S
        gap = False
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                self.subscribed.set()
                pause = RESUBSCRIBE_FIRST_S
                if gap:  # events were missed meanwhile: make every client resync
                    logger.info("live events shared again; asking clients to resync")
                    await self._close_all()
                    gap = False
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "message":
                        await self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as problem:
                if self.subscribed.is_set():
                    logger.warning("live events: lost the Redis subscription (%s)", problem)
                self.subscribed.clear()
                gap = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, RESUBSCRIBE_MAX_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.close()

    async def _close_all(self) -> None:
        sockets = [s for group in self._customers.values() for s in group] + list(self._staff)
        for socket in sockets:
            close = getattr(socket, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()


async def _send(socket: Socket, event: dict[str, Any]) -> bool:
    try:
        await socket.send(json.dumps(event))
        return True
    except Exception:  # closed or broken: the client reconnects and resyncs
        logger.debug("dropping a closed socket", exc_info=True)
        return False
