"""What several desk processes share through Redis (scaled mode), and the one-process
stand-ins used without it.

* :class:`ConversationLocks`: one message of a conversation handled at a time, in
  the whole cluster (a customer's tabs may be on two desks, and the bot watch of
  another desk may be answering what the bot owes). A Redis lock is ``SET NX PX`` with
  a random token, renewed while held and released only by its holder (a Lua
  compare-and-delete). Each process also queues its own callers on a local lock, so
  they keep their order and do not poll Redis against each other.
* :class:`Leadership`: a lease (``SET NX PX``, renewed by the holder) that decides
  which desk runs the scheduled checks, so they run once per cluster.

Redis being unreachable never stops a customer's message from being stored: the
locks then fall back to the local lock (logged), and no desk leads until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from payhelp.store.redis_scripts import EXTEND, RELEASE

logger = logging.getLogger(__name__)

KEY_PREFIX = "payhelp:desk:"
LOCK_TTL_MS = 30_000
LOCK_RENEW_S = 10.0
LOCK_POLL_S = 0.02
LEASE_TTL_MS = 15_000


def redis_client(url: str, idle_ok: bool = False) -> Any:
    """An asyncio Redis client with short timeouts (a stuck Redis must not stall the desk);
    ``idle_ok`` for a subscriber, which may wait any time for the next message."""
    import redis.asyncio as redis

    return redis.Redis.from_url(
        url,
        socket_timeout=None if idle_ok else 2,
        socket_connect_timeout=2,
        health_check_interval=10,
    )


class ConversationLocks:
    """Per-conversation mutual exclusion: in this process, and in the cluster with Redis."""

    def __init__(self, redis: Any | None = None, prefix: str = KEY_PREFIX) -> None:
        self._local: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._redis = redis
        self._prefix = prefix + "lock:"

    def busy_here(self, key: str) -> bool:
        return self._local[key].locked()

    @contextlib.asynccontextmanager
    async def hold(self, key: str, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the lock of ``key``; yields False (without holding) if ``wait`` is False
        and someone else holds it."""
        local = self._local[key]
        if not wait and local.locked():
            yield False
            return
        async with local:
            if self._redis is None:
                yield True
                return
            token = await self._acquire(key, wait)
            if token is None:
                yield False
                return
            renewing = asyncio.create_task(self._renew(key, token)) if token else None
            try:
                yield True
            finally:
                if renewing is not None:
                    renewing.cancel()
                if token:
                    await self._release(key, token)

    async def _acquire(self, key: str, wait: bool) -> str | None:
        """The lock's token; "" if Redis is unreachable (local lock only); None if taken."""
        token = secrets.token_hex(16)
        name = self._prefix + key
        while True:
            try:
                if await self._redis.set(name, token, nx=True, px=LOCK_TTL_MS):
                    return token
            except Exception as problem:  # Redis away: keep serving on the local lock
                logger.warning("conversation lock without Redis (%s): local only", problem)
                return ""
            if not wait:
                return None
            await asyncio.sleep(LOCK_POLL_S)

    async def _renew(self, key: str, token: str) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(LOCK_RENEW_S)
                await self._redis.eval(EXTEND, 1, self._prefix + key, token, LOCK_TTL_MS)

    async def _release(self, key: str, token: str) -> None:
        try:
            await self._redis.eval(RELEASE, 1, self._prefix + key, token)
        except Exception as problem:  # it expires by itself
            logger.warning("could not release a conversation lock (%s)", problem)


class Leadership:
    """Whether this process runs the cluster's scheduled checks now.

    Without Redis there is one desk, and it always leads.
    """

    def __init__(self, redis: Any | None = None, name: str = "bot-watch") -> None:
        self._redis = redis
        self._key = KEY_PREFIX + "leader:" + name
        self.me = secrets.token_hex(8)
        self._held_until = 0.0

    async def leads(self) -> bool:
        if self._redis is None:
            return True
        try:
            if await self._redis.set(self._key, self.me, nx=True, px=LEASE_TTL_MS):
                return True
            renewed = await self._redis.eval(EXTEND, 1, self._key, self.me, LEASE_TTL_MS)
            return bool(renewed)
        except Exception as problem:  # no Redis, no leader: checks wait until it is back
            logger.warning("cannot tell who leads the scheduled checks (%s)", problem)
            return False

    async def resign(self) -> None:
        if self._redis is None:
            return
        with contextlib.suppress(Exception):
            await self._redis.eval(RELEASE, 1, self._key, self.me)


async def ping(redis: Any, timeout_s: float = 2.0) -> None:
    started = time.monotonic()
    await asyncio.wait_for(redis.ping(), timeout=timeout_s)
    logger.debug("redis answered in %.1f ms", (time.monotonic() - started) * 1000)
