"""Scaled mode for real: 2 Rasa servers, 2 desks (and an action server) on PostgreSQL and
a Redis of the test's own. A customer on desk A and an agent on desk B go through a
whole handoff, each seeing the other's messages live; then the health endpoints."""

from __future__ import annotations

import asyncio
import json
import random
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from desk.staff_accounts import StaffAccounts
from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.conftest import _fresh_postgres_database

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery staple"
WAIT_S = 30


def free_ports(count: int) -> int:
    """A port p such that p .. p+count-1 are all free now."""
    for _ in range(200):
        first = random.randint(7500, 7990)
        if all(_free(first + i) for i in range(count)):
            return first
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def cluster(
    postgres_admin_url: str, redis_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    for orders_url in _fresh_postgres_database(postgres_admin_url):
        for tracker_url in _fresh_postgres_database(postgres_admin_url):
            settings = Settings(
                database_url=orders_url,
                tracker_store_url=tracker_url,
                redis_url=redis_server.url,
                rasa_instances=2,
                action_instances=1,
                desk_instances=2,
                rasa_port=free_ports(2),
                action_port=free_ports(1),
                desk_port=free_ports(2),
                desk_bot_check_s=1,
            )
            log_dir = Path(tmp_path_factory.mktemp("scaled")) / "logs"
            settings = replace(settings, log_dir=str(log_dir))
            prepare_databases(settings)
            StaffAccounts(make_session_factory(make_engine(orders_url))).create(
                "kim", "Kim", PASSWORD
            )
            with Stack(settings, ensure_model(), log_dir) as stack:
                yield stack


class Listener:
    """Collects what a WebSocket receives, in the background."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            self.events.append(json.loads(frame))

    async def until(self, found: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for event in self.events:
                if found(event):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"never saw {what}; saw {self.events[-10:]}")

    def texts(self) -> list[str]:
        return [e["message"]["text"] for e in self.events if e.get("type") == "message"]


async def _handoff(desk_a: str, desk_b: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        # The customer starts a chat on desk A.
        async with http.post(f"{desk_a}/api/chat/start", json={}) as reply:
            assert reply.status == 201, await reply.text()
            token = (await reply.json())["token"]
        # The agent logs in on desk B and listens there.
        async with http.post(
            f"{desk_b}/staff/api/login", json={"username": "kim", "password": PASSWORD}
        ) as reply:
            assert reply.status == 200
            csrf = (await reply.json())["csrf"]
        cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
        ws_b = desk_b.replace("http", "ws")
        ws_a = desk_a.replace("http", "ws")
        async with (
            websockets.connect(f"{ws_b}/staff/ws", extra_headers={"Cookie": cookie}) as staff_ws,
            websockets.connect(f"{ws_a}/ws/chat?token={token}") as customer_ws,
        ):
            agent, customer = Listener(staff_ws), Listener(customer_ws)
            await customer.until(lambda e: e.get("type") == "message", "the bot's greeting")
            await customer_ws.send(
                json.dumps(
                    {"type": "message", "text": "I want to talk to a person", "client_id": "c1"}
                )  # fmt: skip
            )
            # Desk B's agent sees the customer's message (written on desk A) live ...
            said = await agent.until(
                lambda e: e.get("type") == "message"
                and e["message"]["text"] == "I want to talk to a person",
                "the customer's message on desk B",
            )
            conversation_id = said["conversation_id"]
            # ... and the customer waits for a person.
            await customer.until(
                lambda e: e.get("type") == "state" and e["state"]["status"] == "waiting",
                "the customer waiting",
            )
            await agent.until(lambda e: e.get("type") == "queue", "a queue change on desk B")
            headers = {"X-CSRF-Token": csrf}
            base = f"{desk_b}/staff/api/conversations/{conversation_id}"
            async with http.post(f"{base}/claim", headers=headers) as reply:
                assert reply.status == 200, await reply.text()
            await customer.until(
                lambda e: e.get("type") == "state" and e["state"]["status"] == "with_agent",
                "the agent joining, on desk A",
            )
            async with http.post(
                f"{base}/reply", json={"text": "Hello, Kim here."}, headers=headers
            ) as reply:
                assert reply.status == 200, await reply.text()
            await customer.until(
                lambda e: e.get("type") == "message" and e["message"]["text"] == "Hello, Kim here.",
                "the agent's reply on desk A",
            )
            await customer_ws.send(
                json.dumps({"type": "message", "text": "thanks Kim", "client_id": "c2"})
            )
            await agent.until(
                lambda e: e.get("type") == "message" and e["message"]["text"] == "thanks Kim",
                "the customer's answer on desk B",
            )
            async with http.post(f"{base}/handback", headers=headers) as reply:
                assert reply.status == 200, await reply.text()
            await customer.until(
                lambda e: e.get("type") == "state" and e["state"]["status"] == "bot",
                "back with the bot, on desk A",
            )
            # Every message reached the customer once.
            texts = customer.texts()
            assert texts.count("Hello, Kim here.") == 1


def test_customer_on_desk_a_and_agent_on_desk_b_complete_a_handoff(cluster: Stack) -> None:
    first, second = cluster.desk_urls
    asyncio.run(_handoff(first, second))


def test_every_service_reports_its_dependencies(cluster: Stack) -> None:
    settings = cluster.settings
    urls = [f"{url}/health" for url in cluster.desk_urls]
    urls += [f"{url}/health" for url in settings.rasa_urls()] + settings.action_health_urls()
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as reply:
            body = json.load(reply)
        assert body["status"] == "ok" and body["checks"], url
        assert set(body["checks"].values()) == {"ok"}, (url, body)
    with urllib.request.urlopen(cluster.desk_urls[0] + "/health", timeout=10) as reply:
        assert {"database", "redis", "live_events"} <= set(json.load(reply)["checks"])
