"""One limiter for every desk limit: rules, login backoff, kept in the database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sanic import Sanic
from sqlalchemy.orm import sessionmaker

from desk.app import create_app
from desk.limits import (
    LOGIN_BY_ACCOUNT,
    LOGIN_BY_ADDRESS,
    LOGIN_BY_PAIR,
    Backoff,
    Limiter,
    Rule,
    SQLHitStore,
    login_failed,
    may_log_in,
)
from payhelp.settings import Settings
from tests.desk.conftest import PASSWORD, LiveDesk, ScriptedBot, next_event

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(sessions: sessionmaker, clock: Clock) -> Limiter:
    """On SQLite and on PostgreSQL (the ``sessions`` fixture runs both)."""
    return Limiter(SQLHitStore(sessions), clock)


def test_a_rule_allows_its_limit_then_says_when(limiter: Limiter, clock: Clock) -> None:
    rule = Rule(limit=3, window_s=60)
    assert [limiter.take("k", rule).allowed for _ in range(3)] == [True, True, True]
    refused = limiter.take("k", rule)
    assert not refused.allowed and refused.retry_after_s == 60
    clock.advance(59)
    assert limiter.take("k", rule).retry_after_s == 1
    clock.advance(1)  # the first hit is now exactly a window old: it no longer counts
    assert limiter.take("k", rule).allowed
    assert limiter.take("other", rule).allowed  # keys are independent


def test_refused_hits_do_not_count(limiter: Limiter, clock: Clock) -> None:
    rule = Rule(limit=1, window_s=10)
    assert limiter.take("k", rule).allowed
    for _ in range(5):
        assert not limiter.take("k", rule).allowed
    clock.advance(10)
    assert limiter.take("k", rule).allowed


@pytest.mark.parametrize(
    "failures,wait", [(0, 0), (2, 0), (3, 1), (4, 2), (5, 4), (8, 32), (11, 256), (12, 300)]
)
def test_backoff_doubles_after_the_free_failures_up_to_its_cap(failures: int, wait: float) -> None:
    assert Backoff(free=3, base_s=1, cap_s=300, window_s=900).wait_after(failures) == wait


def test_backoff_waits_from_the_last_failure(limiter: Limiter, clock: Clock) -> None:
    policy = Backoff(free=2, base_s=10, cap_s=100, window_s=900)
    limiter.failed("k")
    limiter.failed("k")
    assert limiter.may_try("k", policy).retry_after_s == 10
    clock.advance(10)
    assert limiter.may_try("k", policy).allowed
    limiter.failed("k")
    assert limiter.may_try("k", policy).retry_after_s == 20
    clock.advance(900)  # the failures have aged out of the window
    assert limiter.may_try("k", policy).allowed


def test_the_owner_gets_in_soon_while_a_guesser_waits_long(limiter: Limiter, clock: Clock) -> None:
    for _ in range(15):
        login_failed(limiter, "alex", "10.0.0.66")
    guesser = may_log_in(limiter, "alex", "10.0.0.66")
    owner = may_log_in(limiter, "Alex ", "192.0.2.7")
    assert not guesser.allowed and guesser.retry_after_s >= 256
    assert owner.retry_after_s <= LOGIN_BY_ACCOUNT.cap_s
    clock.advance(LOGIN_BY_ACCOUNT.cap_s)
    assert may_log_in(limiter, "alex", "192.0.2.7").allowed
    assert not may_log_in(limiter, "alex", "10.0.0.66").allowed


def test_spreading_guesses_over_accounts_is_throttled_by_address(limiter: Limiter) -> None:
    for n in range(LOGIN_BY_ADDRESS.free):
        login_failed(limiter, f"user{n}", "10.0.0.66")
    assert not may_log_in(limiter, "someone-new", "10.0.0.66").allowed
    assert may_log_in(limiter, "someone-new", "192.0.2.7").allowed
    assert LOGIN_BY_PAIR.free < LOGIN_BY_ADDRESS.free


# --- through the desk's routes ----------------------------------------------------------


def _proxied(desk_settings: Settings, **changes: object) -> Settings:
    from dataclasses import replace

    return replace(desk_settings, desk_proxies=1, **changes)


def _login(app: Sanic, password: str, address: str, proto: str = "http"):
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": proto}
    _, reply = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": password}, headers=headers
    )
    return reply


def test_login_throttle_survives_a_restart_and_spares_the_owner(desk_settings: Settings) -> None:
    settings = _proxied(desk_settings)
    app = create_app(settings, rasa=ScriptedBot())
    statuses = [_login(app, "wrong", "10.0.0.66").status for _ in range(5)]
    assert statuses[:3] == [401, 401, 401] and 429 in statuses
    # A new desk process on the same database remembers the failures.
    again = create_app(settings, rasa=ScriptedBot())
    refused = _login(again, PASSWORD, "10.0.0.66")
    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1
    assert "try again in" in refused.json["error"]
    assert _login(again, PASSWORD, "192.0.2.7").status == 200


def test_staff_cookies_are_secure_behind_a_tls_proxy(desk_settings: Settings) -> None:
    proxied = create_app(_proxied(desk_settings), rasa=ScriptedBot())
    secure = _login(proxied, PASSWORD, "192.0.2.7", proto="https")
    assert secure.status == 200 and "secure" in secure.headers["set-cookie"].lower()
    direct = create_app(desk_settings, rasa=ScriptedBot())  # forwarded headers not trusted
    plain = _login(direct, PASSWORD, "192.0.2.7", proto="https")
    assert plain.status == 200 and "secure" not in plain.headers["set-cookie"].lower()


def test_new_chats_are_limited_per_client_address(desk_settings: Settings) -> None:
    app = create_app(_proxied(desk_settings, desk_chat_starts_per_minute=3), rasa=ScriptedBot())

    def start(address: str) -> int:
        _, reply = app.test_client.post(
            "/api/chat/start", json={}, headers={"X-Forwarded-For": address}
        )
        return reply.status

    assert [start("10.0.0.1") for _ in range(4)] == [201, 201, 201, 429]
    assert start("10.0.0.2") == 201


def test_the_message_limit_is_per_conversation_not_per_connection(run_desk, desk_settings) -> None:
    from dataclasses import replace

    async def scenario(desk: LiveDesk) -> dict:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            for n in range(3):
                await ws.send(json.dumps({"type": "message", "text": f"m{n}", "client_id": f"{n}"}))
                await next_event(ws, "ack")
        async with desk.socket(token) as ws:  # reconnecting does not reset the limit
            await ws.send(json.dumps({"type": "message", "text": "m3", "client_id": "3"}))
            return await next_event(ws, "error")

    error = run_desk(scenario, replace(desk_settings, desk_messages_per_minute=3))
    assert "too quickly" in error["text"]
