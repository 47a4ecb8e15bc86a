"""The desk under test: a real Sanic server on a free port, a scripted bot, SQLite."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets

from desk.app import create_app
from desk.rasa_client import BotReply, BotUnavailable, read_reply
from ops.schema import upgrade_database
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.conftest import load_demo

PASSWORD = "correct horse battery"


@dataclass
class ScriptedBot:
    """Stands in for Rasa: answers from a script and records what it was sent."""

    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False
    received: list[tuple[str, str]] = field(default_factory=list)
    remasked: list[tuple[str, list[str]]] = field(default_factory=list)
    handed_back: list[str] = field(default_factory=list)
    retried: list[tuple[str, int]] = field(default_factory=list)
    # Texts the desk marked as button payloads (only those are read as intents).
    payloads: list[str] = field(default_factory=list)
    # Replies to intents the desk triggers (greet, request_callback); none if unscripted.
    intents: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    triggered: list[tuple[str, str]] = field(default_factory=list)
    # The language each triggered intent was sent with (the bot's slot), if any.
    languages: list[str | None] = field(default_factory=list)
    # Slots the desk set in a conversation's tracker (set_slots), in order.
    slots_set: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def send(
        self,
        conversation_id: str,
        text: str,
        payload: bool = False,
        message_id: int | None = None,
        remask: list[str] | None = None,
    ) -> BotReply:
        self.received.append((conversation_id, text))
        if payload:
            self.payloads.append(text)
        self.remasked.append((conversation_id, remask or []))
        if self.down:
            raise BotUnavailable("scripted outage")
        return read_reply(self.replies.get(text, [{"text": f"echo: {text}"}]))

    async def prepare_retry(self, conversation_id: str, message_id: int) -> bool:
        if self.down:
            raise BotUnavailable("scripted outage")
        self.retried.append((conversation_id, message_id))
        return False

    async def ready(self) -> bool:
        return not self.down

    async def answering(self) -> dict[str, bool]:
        return {"scripted bot": not self.down}

    async def hand_back(self, conversation_id: str, greet: bool = True) -> BotReply:
        if self.down:
            raise BotUnavailable("scripted outage")
        self.handed_back.append(conversation_id)
        return read_reply([{"text": "You're back with the assistant."}] if greet else [])

    async def set_slots(self, conversation_id: str, slots: dict[str, Any]) -> None:
        if self.down:
            raise BotUnavailable("scripted outage")
        self.slots_set.append((conversation_id, dict(slots)))

    async def trigger_intent(
        self, conversation_id: str, intent: str, language: str | None = None
    ) -> BotReply:
        if self.down:
            raise BotUnavailable("scripted outage")
        self.triggered.append((conversation_id, intent))
        self.languages.append(language)
        return read_reply(self.intents.get(intent, []))

    async def close(self) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveDesk:
    base: str
    http: aiohttp.ClientSession
    app: Any = None  # the running Sanic app, for what only the server can see

    async def start_chat(self) -> str:
        async with self.http.post(f"{self.base}/api/chat/start", json={}) as reply:
            assert reply.status == 201
            return (await reply.json())["token"]

    def socket(self, token: str) -> Any:
        return websockets.connect(f"{self.base.replace('http', 'ws')}/ws/chat?token={token}")

    async def login(self, username: str = "alex") -> str:
        async with self.http.post(
            f"{self.base}/staff/api/login", json={"username": username, "password": PASSWORD}
        ) as reply:
            assert reply.status == 200, await reply.text()
            return (await reply.json())["csrf"]

    async def staff_post(self, path: str, csrf: str, body: dict[str, Any] | None = None) -> Any:
        async with self.http.post(
            f"{self.base}/staff/api/{path}", json=body or {}, headers={"X-CSRF-Token": csrf}
        ) as reply:
            return reply.status, await reply.json()

    async def staff_get(self, path: str) -> Any:
        async with self.http.get(f"{self.base}/staff/api/{path}") as reply:
            return reply.status, await reply.json()


async def next_event(ws: Any, kind: str, timeout: float = 5) -> dict[str, Any]:
    """The next event of ``kind`` from a socket, skipping others."""

    async def wait() -> dict[str, Any]:
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == kind:
                return event

    return await asyncio.wait_for(wait(), timeout)


async def events_until(
    ws: Any, stop: Callable[[dict[str, Any]], bool], timeout: float = 5
) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    async def wait() -> list[dict[str, Any]]:
        while True:
            seen.append(json.loads(await ws.recv()))
            if stop(seen[-1]):
                return seen

    return await asyncio.wait_for(wait(), timeout)


@pytest.fixture
def desk_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade_database(url)
    sessions = make_session_factory(make_engine(url))
    load_demo(sessions)
    from desk.staff_accounts import Role, StaffAccounts

    accounts = StaffAccounts(sessions)
    accounts.create("alex", "Alex", PASSWORD, Role.ADMIN)  # an admin is also an agent
    accounts.create("sam", "Sam", PASSWORD)
    return Settings(database_url=url, desk_messages_per_minute=20)


@pytest.fixture
def bot() -> ScriptedBot:
    return ScriptedBot()


@pytest.fixture
def run_desk(
    desk_settings: Settings, bot: ScriptedBot
) -> Callable[[Callable[[LiveDesk], Awaitable[Any]]], Any]:
    """Run ``scenario(desk)`` against a desk served on a free port; returns its result."""

    def run(
        scenario: Callable[[LiveDesk], Awaitable[Any]], settings: Settings | None = None
    ) -> Any:
        app = create_app(settings or desk_settings, rasa=bot)
        port = free_port()
        outcome: dict[str, Any] = {}

        @app.after_server_start
        async def play(app: Any, _loop: Any) -> None:
            async def scenario_then_stop() -> None:
                jar = aiohttp.CookieJar(unsafe=True)  # keep cookies for 127.0.0.1
                try:
                    async with aiohttp.ClientSession(cookie_jar=jar) as http:
                        outcome["value"] = await scenario(
                            LiveDesk(f"http://127.0.0.1:{port}", http, app)
                        )
                except BaseException as problem:  # re-raised in the test below
                    outcome["error"] = problem
                finally:
                    app.stop()

            app.add_task(scenario_then_stop())

        app.run(host="127.0.0.1", port=port, access_log=False, register_sys_signals=False)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return run
