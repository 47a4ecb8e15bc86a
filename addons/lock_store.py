"""An atomic Redis lock store for several Rasa servers (endpoints.yml's ``lock_store``).

Rasa 3.6's ``RedisLockStore`` keeps a ticket list in one Redis value that every server
reads, changes and writes back (GET, then SET): two servers issuing tickets for one
conversation at the same moment both read "no lock", both write their own list, and
both go ahead, so two messages of one conversation are processed at once
(RasaHQ/rasa#9213; ``python -m ops.lock_race`` measures it). This store takes the lock
the way Rasa Pro's concurrent lock store does, atomically: ``SET key token NX PX ttl``,
retried until it succeeds, renewed while held and released only by its holder (a Lua
compare-and-delete). A server killed while holding a lock frees it within
``LOCK_TTL_MS``.

``url`` is a Redis URL (``REDIS_URL``). Without one (a single Rasa server) it is
Rasa's in-memory lock store, as if no lock store were configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncGenerator
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from payhelp.store.redis_scripts import EXTEND, RELEASE

logger = logging.getLogger(__name__)

KEY_PREFIX = "payhelp:rasa:lock:"
LOCK_TTL_MS = 10_000
RENEW_EVERY_S = 3.0
POLL_S = 0.01


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: Any = None,
        url: str | None = None,
        key_prefix: str = KEY_PREFIX,
        ttl_ms: int = LOCK_TTL_MS,
    ) -> None:
        if url is None and endpoint_config is not None:
            url = endpoint_config.url or ""
            key_prefix = endpoint_config.kwargs.get("key_prefix", key_prefix)
        self.url = url or ""
        self._prefix = key_prefix
        self._ttl_ms = ttl_ms
        self._in_memory = None if self.url else InMemoryLockStore()
        self._redis: Any = None
        # Callers in this process queue here first: in order, and not polling Redis.
        self._local: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: dict[str, int] = defaultdict(int)
        super().__init__()

    def _client(self) -> Any:
        if self._redis is None:  # made on first use, on the server's event loop
            import redis.asyncio as redis

            self._redis = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        return self._redis

    async def ping(self) -> None:
        """Raises if the lock store cannot be reached (the Rasa server's /health)."""
        if self._in_memory is None:
            await self._client().ping()

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_S,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold ``conversation_id``'s lock in every Rasa server sharing this Redis;
        LockError if it is not free within ``lock_lifetime`` or Redis cannot be reached."""
        if self._in_memory is not None:
            async with self._in_memory.lock(conversation_id, lock_lifetime) as held:
                yield held
            return
        self._users[conversation_id] += 1
        try:
            async with self._local[conversation_id]:
                token = await self._acquire(conversation_id, lock_lifetime)
                renewing = asyncio.create_task(self._renew(conversation_id, token))
                try:
                    yield TicketLock(conversation_id)
                finally:
                    renewing.cancel()
                    await self._release(conversation_id, token)
        finally:
            self._users[conversation_id] -= 1
            if not self._users[conversation_id]:  # nobody here wants it: forget it
                del self._users[conversation_id], self._local[conversation_id]

    async def _acquire(self, conversation_id: str, wait_s: float) -> str:
        token = secrets.token_hex(16)
        key = self._prefix + conversation_id
        deadline = time.monotonic() + wait_s
        redis = self._client()
        while True:
            try:
                if await redis.set(key, token, nx=True, px=self._ttl_ms):
                    return token
            except Exception as problem:  # fail closed: the desk retries later
                raise LockError(f"lock store unreachable: {problem}") from problem
            if time.monotonic() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(POLL_S)

    async def _renew(self, conversation_id: str, token: str) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(RENEW_EVERY_S)
                await self._client().eval(
                    EXTEND, 1, self._prefix + conversation_id, token, self._ttl_ms
                )

    async def _release(self, conversation_id: str, token: str) -> None:
        try:
            await self._client().eval(RELEASE, 1, self._prefix + conversation_id, token)
        except Exception as problem:  # it expires by itself within the TTL
            logger.warning("could not release the lock of %s: %s", conversation_id, problem)

    # Rasa's ticket-lock API, not used by this store (it never stores TicketLocks).
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return None

    def delete_lock(self, conversation_id: str) -> None:
        return None

    def save_lock(self, lock: TicketLock) -> None:
        return None
