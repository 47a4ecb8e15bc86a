"""Rate limits and login throttles: one implementation for every limit the desk keeps.

Hits are kept in a :class:`HitStore` (the database here, so a restart forgets nothing;
Redis when several desk processes share the limits). Two kinds of limit use it:

* a :class:`Rule` caps how often something may happen (chats started per client
  address, messages per conversation);
* a :class:`Backoff` makes each failure beyond a free allowance wait twice as long as
  the last (failed logins per account, per client address and per both), up to a cap,
  so the rightful owner gets in after a short wait while a guesser can't try fast.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sanic import Request, response
from sanic.response import HTTPResponse
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from desk.tables import RateHitRow
from payhelp.store.database import transaction
from payhelp.store.tables import utc_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` hits in any ``window_s`` seconds."""

    limit: int
    window_s: int


@dataclass(frozen=True)
class Backoff:
    """After ``free`` failures within ``window_s``, the next try waits ``base_s``, then
    twice that after each further failure, never more than ``cap_s``."""

    free: int
    base_s: float
    cap_s: float
    window_s: int

    def wait_after(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` recent failures."""
        if failures < self.free:
            return 0.0
        return min(self.cap_s, self.base_s * 2 ** (failures - self.free))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0


ALLOWED = Verdict(True)


class HitStore(Protocol):
    def add(self, key: str, at: datetime) -> None: ...
    def since(self, key: str, since: datetime) -> list[datetime]: ...
    def clear(self, key: str) -> None: ...
    def purge(self, before: datetime) -> None: ...


class SQLHitStore:
    """Hits in the desk's database (table ``rate_hits``)."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add(self, key: str, at: datetime) -> None:
        with transaction(self._sessions) as session:
            session.add(RateHitRow(key=key, at=at))

    def since(self, key: str, since: datetime) -> list[datetime]:
        query = (
            select(RateHitRow.at)
            .where(RateHitRow.key == key, RateHitRow.at > since)
            .order_by(RateHitRow.at)
        )
        with transaction(self._sessions) as session:
            return list(session.execute(query).scalars())

    def clear(self, key: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(delete(RateHitRow).where(RateHitRow.key == key))

    def purge(self, before: datetime) -> None:
        with transaction(self._sessions) as session:
            session.execute(delete(RateHitRow).where(RateHitRow.at < before))


class RedisHitStore:
    """Hits in Redis, shared by every desk process (scaled mode): one sorted set per key,
    scored by time, expiring a day after its last hit.

    While Redis is unreachable the limits are not enforced (logged): a customer's
    message must be stored, and a few seconds unthrottled is the lesser harm.
    """

    KEEP_S = 86_400

    def __init__(self, url: str, prefix: str = "payhelp:desk:hits:") -> None:
        import redis  # only in scaled mode

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix
        self._errors = (redis.RedisError, OSError)

    def add(self, key: str, at: datetime) -> None:
        name, score = self._prefix + key, at.timestamp()
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(name, {f"{score:.6f}:{secrets.token_hex(4)}": score})
            pipe.zremrangebyscore(name, "-inf", score - self.KEEP_S)
            pipe.expire(name, self.KEEP_S)
            pipe.execute()
        except self._errors as problem:
            logger.warning("rate limits not recorded (Redis: %s)", problem)

    def since(self, key: str, since: datetime) -> list[datetime]:
        try:
            scores = self._redis.zrangebyscore(
                self._prefix + key, f"({since.timestamp()}", "+inf", withscores=True
            )
        except self._errors as problem:
            logger.warning("rate limits not enforced (Redis: %s)", problem)
            return []
        return [datetime.fromtimestamp(score, timezone.utc) for _, score in scores]

    def clear(self, key: str) -> None:
        try:
            self._redis.delete(self._prefix + key)
        except self._errors as problem:
            logger.warning("rate limit not cleared (Redis: %s)", problem)

    def purge(self, before: datetime) -> None:
        """Nothing to do: every key expires by itself."""


class Limiter:
    """Blocking; the desk calls it from worker threads."""

    def __init__(self, store: HitStore, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.clock = clock

    def take(self, key: str, rule: Rule) -> Verdict:
        """Count one hit on ``key`` if ``rule`` allows it now; otherwise say when it will."""
        now = self.clock()
        recent = self.store.since(key, now - timedelta(seconds=rule.window_s))
        if len(recent) >= rule.limit:
            frees_at = recent[len(recent) - rule.limit] + timedelta(seconds=rule.window_s)
            return Verdict(False, _whole_seconds(frees_at - now))
        self.store.add(key, now)
        return ALLOWED

    def may_try(self, key: str, policy: Backoff) -> Verdict:
        """Whether an attempt guarded by ``policy`` may be made now (failures so far)."""
        now = self.clock()
        failures = self.store.since(key, now - timedelta(seconds=policy.window_s))
        if not failures:
            return ALLOWED
        opens_at = failures[-1] + timedelta(seconds=policy.wait_after(len(failures)))
        if opens_at <= now:
            return ALLOWED
        return Verdict(False, _whole_seconds(opens_at - now))

    def failed(self, key: str) -> None:
        self.store.add(key, self.clock())

    def forget(self, key: str) -> None:
        self.store.clear(key)

    def purge(self, older_than: timedelta) -> None:
        self.store.purge(self.clock() - older_than)


def _whole_seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def client_address(request: Request) -> str:
    """The client's address: from X-Forwarded-For when DESK_PROXIES trusts a proxy."""
    return request.remote_addr or request.ip or "unknown"


# --- the desk's limits ---------------------------------------------------------------

# Failed staff logins, by account, by client address, and by the two together. The
# pair is throttled hardest; the account alone only a little, so that someone guessing
# at an account from elsewhere can't keep its owner out for long.
LOGIN_BY_PAIR = Backoff(free=3, base_s=1, cap_s=300, window_s=900)
LOGIN_BY_ADDRESS = Backoff(free=10, base_s=1, cap_s=900, window_s=900)
LOGIN_BY_ACCOUNT = Backoff(free=10, base_s=1, cap_s=30, window_s=900)


def login_keys(username: str, address: str) -> list[tuple[str, Backoff]]:
    name = username.strip().lower()[:80]
    return [
        (f"login:pair:{name}|{address}", LOGIN_BY_PAIR),
        (f"login:address:{address}", LOGIN_BY_ADDRESS),
        (f"login:account:{name}", LOGIN_BY_ACCOUNT),
    ]


def may_log_in(limiter: Limiter, username: str, address: str) -> Verdict:
    """The longest wait any of the login throttles asks for, or allowed."""
    verdicts = [limiter.may_try(key, policy) for key, policy in login_keys(username, address)]
    refused = [v for v in verdicts if not v.allowed]
    return max(refused, key=lambda v: v.retry_after_s) if refused else ALLOWED


def login_failed(limiter: Limiter, username: str, address: str) -> None:
    for key, _ in login_keys(username, address):
        limiter.failed(key)


def login_succeeded(limiter: Limiter, username: str, address: str) -> None:
    pair_key, _ = login_keys(username, address)[0]
    limiter.forget(pair_key)


def too_many(verdict: Verdict, what: str) -> HTTPResponse:
    """A 429 saying when to try again."""
    wait = verdict.retry_after_s
    unit = "second" if wait == 1 else "seconds"
    return response.json(
        {"error": f"{what}; please try again in {wait} {unit}", "retry_after": wait},
        status=429,
        headers={"Retry-After": str(wait)},
    )
