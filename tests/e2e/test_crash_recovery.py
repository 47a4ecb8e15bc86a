"""Crashes with real processes: the action server killed mid-conversation (the desk fails
open, then gives the message back to the bot once), and the Rasa server killed under
the launcher (it comes back while the desk keeps serving)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets
from sqlalchemy import select

from desk import messages
from desk.conversations import ConversationStore
from desk.staff_accounts import StaffAccounts
from desk.tables import MessageRow
from ops.launch import RASA_SERVER, Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import PROJECT_ROOT
from payhelp.store.database import make_engine, make_session_factory, transaction
from tests.e2e.conftest import free_port, local_stack_settings

pytestmark = pytest.mark.slow

PASSWORD = "a long test password"
COMES_BACK_S = 120


def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Customer:
    """A widget's side of the desk: one chat over HTTP and a WebSocket."""

    def __init__(self, desk_url: str) -> None:
        self.desk_url = desk_url
        self.token = ""

    async def start(self, http: aiohttp.ClientSession) -> None:
        async with http.post(f"{self.desk_url}/api/chat/start", json={}) as reply:
            assert reply.status == 201
            self.token = (await reply.json())["token"]

    def connect(self) -> Any:
        url = self.desk_url.replace("http", "ws")
        return websockets.connect(f"{url}/ws/chat?token={self.token}")


async def say(ws: Any, text: str, client_id: str) -> None:
    await ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))


async def until(ws: Any, stop: Callable[[dict[str, Any]], bool], timeout: float) -> list[dict]:
    seen: list[dict[str, Any]] = []

    async def read() -> list[dict[str, Any]]:
        while True:
            seen.append(json.loads(await ws.recv()))
            if stop(seen[-1]):
                return seen

    return await asyncio.wait_for(read(), timeout)


def bot_said(event: dict[str, Any], words: str) -> bool:
    message = event.get("message") or {}
    return (
        event["type"] == "message" and message.get("sender") == "bot" and words in message["text"]
    )


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"]["text"] for e in events if e["type"] == "message"]


# --- the action server killed during a conversation through the desk ----------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("crash-stack")
    settings = local_stack_settings(root, desk_bot_check_s=1)
    prepare_databases(settings)
    StaffAccounts(make_session_factory(make_engine(settings.database_url))).create(
        "alex", "Alex", PASSWORD
    )
    with Stack(settings, ensure_model(), root / "logs") as running:
        yield running


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    url = f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.settings.rasa_token}"
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


def user_texts_in_effect(events: list[dict[str, Any]]) -> list[str]:
    """The user messages the bot has in its history once rewound turns are undone."""
    said: list[str] = []
    for event in events:
        if event["event"] == "user":
            said.append(event["text"])
        elif event["event"] == "rewind":
            said.pop()
    return said


def test_killing_the_action_server_fails_open_then_the_message_is_processed_once(
    stack: Stack,
) -> None:
    actions = stack.supervisor.child("action server")

    async def conversation() -> dict[str, Any]:
        customer = Customer(stack.desk_url)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            await customer.start(http)
            async with customer.connect() as ws:
                await say(ws, "my payment failed", "c-1")
                await until(ws, lambda e: bot_said(e, "order number"), timeout=60)
                os.kill(actions.popen.pid, signal.SIGKILL)
                killed = actions.popen.pid
                await say(ws, "ORD-10002", "c-2")  # the form's validation needs the actions
                outage = await until(ws, lambda e: e["type"] == "state", timeout=60)
                login = {"username": "alex", "password": PASSWORD}
                async with http.post(f"{stack.desk_url}/staff/api/login", json=login) as r:
                    assert r.status == 200
                async with http.get(f"{stack.desk_url}/staff/api/queue") as r:
                    queue = (await r.json())["conversations"]
                back = await until(ws, lambda e: bot_said(e, "email"), timeout=COMES_BACK_S)
        return {"outage": outage, "queue": queue, "back": back, "killed": killed}

    seen = asyncio.run(conversation())
    assert messages.BOT_UNAVAILABLE in texts(seen["outage"])
    assert seen["outage"][-1]["state"]["status"] == "waiting"
    [entry] = [c for c in seen["queue"] if c["status"] == "waiting"]
    assert entry["reason"] == "assistant_unavailable"
    assert actions.popen.pid != seen["killed"]  # the supervisor started a new one
    assert messages.BOT_BACK in texts(seen["back"])
    assert [e["state"]["status"] for e in seen["back"] if e["type"] == "state"][0] == "bot"
    sender = entry["id"]
    # The bot took the message in exactly once (the failed turn was rewound) and used it.
    history = tracker(stack, sender)
    said = [t for t in user_texts_in_effect(history["events"]) if not t.startswith("EXTERNAL:")]
    assert said == ["my payment failed", "ORD-10002"]  # (the greeting is an external intent)
    assert [e["text"] for e in history["events"] if e["event"] == "user"].count("ORD-10002") == 2
    assert history["slots"]["order_id"] == "ORD-10002"
    sessions = make_session_factory(make_engine(stack.settings.database_url))
    with transaction(sessions) as session:
        stored = session.execute(
            select(MessageRow.text, MessageRow.bot_input).where(
                MessageRow.conversation_id == sender, MessageRow.sender == "customer"
            )
        ).all()
    assert [tuple(row) for row in stored] == [("my payment failed", None), ("ORD-10002", None)]
    assert ConversationStore(sessions).get(sender).status.value == "bot"


# --- the Rasa server killed under the launcher ----------------------------------------------


class Launcher:
    """``python -m ops.launch`` as a subprocess on free ports; its output collected."""

    def __init__(self, root: Path) -> None:
        self.ports = {name: free_port() for name in ("RASA_PORT", "ACTION_PORT", "DESK_PORT")}
        env = {
            **os.environ,
            **{name: str(port) for name, port in self.ports.items()},
            "DATABASE_URL": f"sqlite:///{root / 'payhelp.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{root / 'tracker.db'}",
            "LOG_DIR": str(root / "logs"),
            "DESK_BOT_CHECK_S": "1",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("RASA_TOKEN", None)
        env.pop("ACTION_SERVER_TOKEN", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ops.launch", "--no-demo"], cwd=PROJECT_ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def said(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    def children(self, module: str) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.process.pid and module.encode() in command:
                found.append(int(entry.name))
        return found

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_killing_rasa_under_the_launcher_it_comes_back_while_the_desk_keeps_serving(
    tmp_path: Path,
) -> None:
    ensure_model()
    launcher = Launcher(tmp_path)
    try:
        assert wait_for(lambda: launcher.said("Press Ctrl-C"), timeout=240), launcher.lines
        # A quiet start: a few lines, each with a purpose, then the URLs.
        before_urls = launcher.lines[
            : launcher.lines.index("The payment-help assistant is running.")
        ]
        assert len([line for line in before_urls if line.strip()]) <= 4, before_urls
        assert not any("warning" in line.lower() for line in launcher.lines), launcher.lines
        [rasa_pid] = launcher.children("ops.rasa_server")
        children = {m: launcher.children(m) for m in ("ops.action_server", "desk")}
        desk = launcher.url("DESK_PORT")

        async def during_the_outage() -> list[dict[str, Any]]:
            customer = Customer(desk)
            async with aiohttp.ClientSession() as http:
                await customer.start(http)
                async with customer.connect() as ws:
                    os.kill(rasa_pid, signal.SIGKILL)
                    await say(ws, "my payment failed", "c-1")
                    seen = await until(ws, lambda e: e["type"] == "state", timeout=60)
                    seen += await until(
                        ws, lambda e: bot_said(e, "order number"), timeout=COMES_BACK_S
                    )
                    return seen

        desk_answers: list[bool] = []
        outcome: dict[str, Any] = {}

        def customer_thread() -> None:
            outcome["events"] = asyncio.run(during_the_outage())

        talking = threading.Thread(target=customer_thread)
        talking.start()
        while talking.is_alive():
            desk_answers.append(answers(f"{desk}/health"))
            time.sleep(0.25)
        talking.join()
        events = outcome["events"]
        assert messages.BOT_UNAVAILABLE in texts(events)  # the customer was told meanwhile
        assert desk_answers and all(desk_answers), "the desk stopped answering"
        assert wait_for(lambda: launcher.said("rasa server is back (restart 1)"), timeout=30)
        assert launcher.said(f"{RASA_SERVER} exited with code -9 (crash 1)")
        [new_rasa] = launcher.children("ops.rasa_server")
        assert new_rasa != rasa_pid and answers(launcher.url("RASA_PORT") + "/")
        assert {m: launcher.children(m) for m in children} == children  # untouched
        assert launcher.process.poll() is None
    finally:
        pids = [
            p
            for m in ("ops.rasa_server", "ops.action_server", "desk")
            for p in launcher.children(m)
        ]
        launcher.process.send_signal(signal.SIGTERM)
        code = launcher.process.wait(timeout=60)
    assert code == 0 and launcher.said("stopped.")
    assert wait_for(lambda: not any(alive(pid) for pid in pids), timeout=10)
