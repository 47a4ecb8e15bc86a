"""``make loadtest`` and ``make faulttest``: the desk driven as the widget drives it.

A documented asyncio client (Locust's gevent workers and its web UI add nothing here:
what matters is the widget's exact protocol, checked message by message). Each
simulated customer opens a chat on a desk (``POST /api/chat/start``, spread over every
desk instance), opens the chat WebSocket, waits for the greeting, and writes like a
person with 2-8 s of thought between messages: a payment problem, an order id, the
email, then answers to the remedies, over every demo order in turn; some ask for a
person. Scripted agents (on every desk) poll the queue, claim, reply, and resolve or
hand back. Like the widget, a customer whose socket drops reconnects (to the next
desk), fetches the history it missed and resends what was not acknowledged, with the
same client id.

Afterwards the desk's database is checked against what was sent and received:
messages sent, stored, answered (a reply on the WebSocket), lost (sent, never stored),
duplicated (stored twice, or delivered twice on one socket), out of order (a
conversation's messages reaching the customer in another order than stored), reply
latency (customer message to the first reply on the WebSocket, while the bot has the
conversation), errors, and CPU seconds per message for each kind of process.

``python -m ops.loadtest`` runs the single-process default (SQLite) and the scaled
mode (2+2+2 on PostgreSQL and a Redis of its own) one after the other and writes
reports/load.md and .json; ``--faults`` runs the scaled mode with faults during the
load and writes reports/faults.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import websockets
from sqlalchemy import create_engine, text

from desk import messages as desk_messages
from desk.staff_accounts import StaffAccounts
from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import PROJECT_ROOT, VAR_DIR, Settings
from payhelp.store.database import make_engine, make_session_factory

REPORTS = PROJECT_ROOT / "reports"
AGENT_PASSWORD = "load-test-agent-password"
REPLY_TIMEOUT_S = 30.0
OPENINGS = [
    "hi, my payment failed",
    "I was charged twice for my order",
    "my payment is stuck on processing",
    "where is my refund",
    "the money was taken but the order says unpaid",
    "my card was declined",
]
ASK_FOR_PERSON = "I want to talk to a person"


def demo_orders() -> list[tuple[str, str]]:
    data = json.loads((PROJECT_ROOT / "demo" / "orders.json").read_text(encoding="utf-8"))
    email = {c["id"]: c["email"] for c in data["customers"]}
    return [(o["id"], email[o["customer_id"]]) for o in data["orders"]]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Sent:
    client_id: str
    text: str
    at: float
    acked_id: int | None = None
    replied_at: float | None = None
    with_bot: bool = True


@dataclass
class Conversation:
    token: str
    desk: str
    sent: list[Sent] = field(default_factory=list)
    live_ids: list[int] = field(default_factory=list)  # message ids as live events
    seen: dict[int, str] = field(default_factory=dict)  # id -> sender, events and history
    status: str = "bot"
    unavailable_notices: int = 0
    reconnects: int = 0


@dataclass
class Run:
    desks: list[str]
    budget: int
    think: tuple[float, float]
    person_share: float
    started: float = field(default_factory=time.monotonic)
    conversations: list[Conversation] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    sent_count: int = 0
    down: set[str] = field(default_factory=set)
    faults: list[dict[str, Any]] = field(default_factory=list)

    def desk_for(self, n: int) -> str:
        live = [d for d in self.desks if d not in self.down] or self.desks
        return live[n % len(live)]


class CustomerSession:
    """One conversation over the widget's protocol, reconnecting like the widget."""

    def __init__(self, run: Run, http: aiohttp.ClientSession, n: int, script: list[str]):
        self.run, self.http, self.n, self.script = run, http, n, script
        self.conversation: Conversation | None = None
        self.ws: Any = None
        self.reader: asyncio.Task | None = None
        self.last_id = 0
        self.changed = asyncio.Event()

    async def start(self) -> bool:
        desk = self.run.desk_for(self.n)
        try:
            async with self.http.post(f"{desk}/api/chat/start", json={}) as reply:
                if reply.status != 201:
                    self.run.errors[f"chat start {reply.status}"] += 1
                    return False
                token = (await reply.json())["token"]
        except (aiohttp.ClientError, asyncio.TimeoutError) as problem:
            self.run.errors[f"chat start {problem.__class__.__name__}"] += 1
            return False
        self.conversation = Conversation(token, desk)
        self.run.conversations.append(self.conversation)
        return await self.connect()

    async def connect(self) -> bool:
        conversation = self.conversation
        assert conversation is not None
        for attempt in range(40):
            desk = conversation.desk if attempt == 0 else self.run.desk_for(self.n + attempt)
            try:
                url = desk.replace("http", "ws") + f"/ws/chat?token={conversation.token}"
                self.ws = await websockets.connect(url, open_timeout=5)
                conversation.desk = desk
                self.reader = asyncio.create_task(self._read(self.ws))
                await self._sync_history()
                return True
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
                await asyncio.sleep(min(0.5 * 2**attempt, 4))
        self.run.errors["could not reconnect"] += 1
        return False

    async def _sync_history(self) -> None:
        conversation = self.conversation
        assert conversation is not None
        headers = {"Authorization": f"Bearer {conversation.token}"}
        url = f"{conversation.desk}/api/chat/history?after={self.last_id}"
        async with self.http.get(url, headers=headers) as reply:
            if reply.status != 200:
                self.run.errors[f"history {reply.status}"] += 1
                return
            body = await reply.json()
        for message in body["messages"]:
            self._settle(message, live=False)
        conversation.status = body["state"]["status"]
        self.changed.set()

    def _settle(self, message: dict[str, Any], live: bool) -> None:
        conversation = self.conversation
        assert conversation is not None
        if live:
            conversation.live_ids.append(message["id"])
        if message["id"] in conversation.seen:
            return
        conversation.seen[message["id"]] = message["sender"]
        self.last_id = max(self.last_id, message["id"])
        if message["sender"] == "customer":
            for sent in conversation.sent:
                if sent.client_id == message.get("client_id"):
                    sent.acked_id = message["id"]
        else:
            if message["text"] == desk_messages.BOT_UNAVAILABLE:
                conversation.unavailable_notices += 1
            now = time.monotonic()
            for sent in conversation.sent:
                if sent.replied_at is None and sent.acked_id and sent.acked_id < message["id"]:
                    sent.replied_at = now

    async def _read(self, ws: Any) -> None:
        try:
            async for frame in ws:
                event = json.loads(frame)
                kind = event.get("type")
                if kind in ("message", "ack"):
                    self._settle(event["message"], live=True)
                elif kind == "state":
                    self.conversation.status = event["state"]["status"]  # type: ignore[union-attr]
                elif kind == "error":
                    self.run.errors[f"error event: {event.get('text')}"] += 1
                self.changed.set()
        except websockets.WebSocketException:
            pass

    async def until(self, done: Any, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while not done():
            if self.reader is not None and self.reader.done():
                self.conversation.reconnects += 1  # type: ignore[union-attr]
                if not await self.connect():
                    return False
                await self._resend_unacked()
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 1.0))
        return True

    async def _resend_unacked(self) -> None:
        for sent in self.conversation.sent:  # type: ignore[union-attr]
            if sent.acked_id is None:
                await self._send_frame(sent)

    async def _send_frame(self, sent: Sent) -> None:
        with contextlib.suppress(websockets.WebSocketException):
            frame = {"type": "message", "text": sent.text, "client_id": sent.client_id}
            await self.ws.send(json.dumps(frame))

    async def say(self, text_: str) -> Sent:
        conversation = self.conversation
        assert conversation is not None
        sent = Sent(
            uuid.uuid4().hex, text_, time.monotonic(), with_bot=conversation.status == "bot"
        )
        conversation.sent.append(sent)
        self.run.sent_count += 1
        await self._send_frame(sent)
        await self.until(lambda: sent.replied_at is not None, REPLY_TIMEOUT_S)
        return sent

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


async def customer(run: Run, http: aiohttp.ClientSession, n: int, orders: list) -> None:
    rounds = 0
    while run.sent_count < run.budget:
        order_id, email = orders[(n + rounds * 7) % len(orders)]
        script = [
            OPENINGS[(n + rounds) % len(OPENINGS)],
            order_id,
            email,
            "no",
            "still not working",
        ]
        if random.random() < run.person_share:
            script = [ASK_FOR_PERSON]
        session = CustomerSession(run, http, n + rounds, script)
        rounds += 1
        try:
            if not await session.start():
                await asyncio.sleep(2)
                continue
            conversation = session.conversation
            await session.until(lambda c=conversation: bool(c.seen), 15)  # the greeting
            for line in script:
                if run.sent_count >= run.budget:
                    break
                await asyncio.sleep(random.uniform(*run.think))
                await session.say(line)
                if conversation.status in ("waiting", "with_agent"):
                    await _with_a_person(session, run)
                    break
        finally:
            await session.close()


async def _with_a_person(session: CustomerSession, run: Run) -> None:
    """Wait for an agent, thank them, and wait until they resolve or hand back."""
    conversation = session.conversation
    assert conversation is not None
    got_agent = await session.until(lambda: conversation.status == "with_agent", 120)
    if not got_agent:
        return
    await session.until(lambda: "agent" in conversation.seen.values(), 30)
    await asyncio.sleep(random.uniform(*run.think))
    await session.say("thanks, that helps")
    await session.until(lambda: conversation.status in ("bot", "resolved"), 60)


async def agent(run: Run, http_desk: str, n: int, stop: asyncio.Event) -> None:
    # unsafe: keep cookies for an IP address (127.0.0.1)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{http_desk}/staff/api/login",
            json={"username": f"agent{n}", "password": AGENT_PASSWORD},
        ) as reply:
            if reply.status != 200:
                run.errors[f"agent login {reply.status}"] += 1
                return
            headers = {"X-CSRF-Token": (await reply.json())["csrf"]}
        while not stop.is_set():
            await asyncio.sleep(1.0 + random.random())
            try:
                async with http.get(f"{http_desk}/staff/api/queue") as reply:
                    queue = (await reply.json()).get("conversations", []) if reply.ok else []
                waiting = [c for c in queue if c.get("status") == "waiting"]
                if not waiting:
                    continue
                base = f"{http_desk}/staff/api/conversations/{random.choice(waiting)['id']}"
                async with http.post(f"{base}/claim", headers=headers) as reply:
                    if reply.status != 200:
                        continue  # another agent was quicker
                async with http.post(
                    f"{base}/reply", json={"text": f"Hello, agent {n} here."}, headers=headers
                ) as reply:
                    if reply.status != 200:
                        run.errors[f"agent reply {reply.status}"] += 1
                await asyncio.sleep(2)
                if random.random() < 0.5:
                    async with http.post(f"{base}/handback", headers=headers) as reply:
                        if reply.status not in (200, 502):
                            run.errors[f"agent handback {reply.status}"] += 1
                else:
                    async with http.post(
                        f"{base}/resolve", json={"outcome": "explained"}, headers=headers
                    ) as reply:
                        if reply.status != 200:
                            run.errors[f"agent resolve {reply.status}"] += 1
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as problem:
                run.errors[f"agent {problem.__class__.__name__}"] += 1


async def drive(
    desks: list[str],
    customers: int,
    budget: int,
    think: tuple[float, float],
    agents: int,
    person_share: float,
    during: Any = None,
) -> Run:
    run = Run(desks, budget, think, person_share)
    orders = demo_orders()
    stop = asyncio.Event()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        agent_tasks = [
            asyncio.create_task(agent(run, desks[i % len(desks)], i, stop)) for i in range(agents)
        ]
        background = asyncio.create_task(during(run)) if during else None
        tasks = []
        for n in range(customers):  # ramp up over a few seconds
            tasks.append(asyncio.create_task(customer(run, http, n, orders)))
            await asyncio.sleep(0.03)
        await asyncio.gather(*tasks)
        stop.set()
        await asyncio.gather(*agent_tasks)
        if background is not None:
            await background
    return run


# --- checking what was stored -------------------------------------------------------


def check(run: Run, database_url: str, seconds: float) -> dict[str, Any]:
    sent = [s for c in run.conversations for s in c.sent]
    client_ids = {s.client_id for s in sent}
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, conversation_id, client_id, sender, bot_input FROM messages "
                "WHERE conversation_id IN (SELECT conversation_id FROM messages "
                "WHERE client_id IS NOT NULL) ORDER BY id"
            )
        ).all()
    engine.dispose()
    stored_by_client = Counter(r.client_id for r in rows if r.client_id in client_ids)
    stored = set(stored_by_client)
    owed = sum(1 for r in rows if r.client_id in client_ids and r.bot_input is not None)
    stored_ids = {r.id for r in rows}
    duplicated_stored = sum(n - 1 for n in stored_by_client.values() if n > 1)
    duplicated_live = sum(
        sum(n - 1 for n in Counter(c.live_ids).values() if n > 1) for c in run.conversations
    )
    out_of_order = sum(
        1
        for c in run.conversations
        for a, b in zip(c.live_ids, c.live_ids[1:], strict=False)
        if b < a
    )
    missing_on_screen = sum(
        1 for c in run.conversations for r_id in c.seen if r_id not in stored_ids
    )
    latencies = [
        (s.replied_at - s.at) * 1000
        for s in sent
        if s.with_bot and s.replied_at is not None and s.acked_id is not None
    ]
    answered = sum(1 for s in sent if s.replied_at is not None)
    return {
        "customers_conversations": len(run.conversations),
        "messages_sent": len(sent),
        "messages_stored": len(stored),
        "messages_answered": answered,
        "owed_by_bot_at_end": owed,
        "lost": len(client_ids - stored),
        "duplicated_stored": duplicated_stored,
        "duplicated_live": duplicated_live,
        "out_of_order": out_of_order,
        "shown_but_not_stored": missing_on_screen,
        "latency_ms": {
            "p50": round(percentile(latencies, 50)),
            "p95": round(percentile(latencies, 95)),
            "p99": round(percentile(latencies, 99)),
            "count": len(latencies),
        },
        "fail_open_notices": sum(c.unavailable_notices for c in run.conversations),
        "reconnects": sum(c.reconnects for c in run.conversations),
        "handoffs": sum(1 for c in run.conversations if "agent" in c.seen.values()),
        "errors": dict(run.errors),
        "seconds": round(seconds, 1),
        "messages_per_second": round(len(sent) / seconds, 1) if seconds else 0,
    }


# --- the servers under test -----------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that ended (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in fields[11:15]) / ticks


def cpu_by_kind(stack: Stack) -> dict[str, float]:
    totals: Counter = Counter()
    for child in stack.processes:
        kind = child.name.rstrip(" 0123456789")
        if child.popen is not None:
            totals[kind] += cpu_seconds(child.popen.pid)
    return dict(totals)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisProcess:
    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("make loadtest needs redis-server: apt-get install redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _ports(count: int) -> int:
    import socket

    for _ in range(500):
        first = random.randint(7100, 7990)
        ok = True
        for port in range(first, first + count):
            with socket.socket() as probe:
                ok = ok and probe.connect_ex(("127.0.0.1", port)) != 0
        if ok:
            return first
    raise RuntimeError("no free ports")


@contextlib.contextmanager
def product(
    mode: str, workdir: Path, redis_url: str, admin_pg: str, args_agents: int
) -> Iterator[Stack]:
    """The product in ``mode`` ("single" or "scaled"), started for the load test."""
    shutil.rmtree(workdir, ignore_errors=True)  # a fresh database every run
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = uuid.uuid4().hex[:8]
    base = Settings.from_env({})
    limits = dict(desk_chat_starts_per_minute=100_000, desk_messages_per_minute=60)
    if mode == "single":
        settings = replace(
            base,
            database_url=f"sqlite:///{workdir / 'payhelp.db'}",
            tracker_store_url=f"sqlite:///{workdir / 'tracker.db'}",
            **limits,
        )
        databases: list[str] = []
    else:
        databases = [f"payhelp_load_{stamp}", f"payhelp_load_{stamp}_tracker"]
        settings = replace(
            base,
            database_url=f"{admin_pg}/{databases[0]}",
            tracker_store_url=f"{admin_pg}/{databases[1]}",
            redis_url=redis_url,
            rasa_instances=2,
            action_instances=2,
            desk_instances=2,
            **limits,
        )
    settings = replace(
        settings,
        rasa_port=_ports(2),
        action_port=_ports(2),
        desk_port=_ports(2),
        log_dir=str(workdir / "logs"),
        desk_bot_check_s=2,
    )
    prepare_databases(settings)
    staff = StaffAccounts(make_session_factory(make_engine(settings.database_url)))
    for n in range(args_agents):
        staff.create(f"agent{n}", f"Agent {n}", AGENT_PASSWORD)
    try:
        with Stack(settings, ensure_model(), Path(settings.log_dir)) as stack:
            yield stack
    finally:
        if databases:
            engine = create_engine(f"{admin_pg}/postgres", isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                for name in databases:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            engine.dispose()


def measure_mode(mode: str, args: argparse.Namespace, redis: RedisProcess, during: Any = None):
    with product(mode, VAR_DIR / "loadtest" / mode, redis.url, args.postgres, args.agents) as stack:
        before = cpu_by_kind(stack)
        started = time.monotonic()
        run = asyncio.run(
            drive(
                stack.desk_urls,
                args.customers,
                args.messages,
                (args.think_min, args.think_max),
                args.agents,
                args.person_share,
                during=(lambda r: during(r, stack, redis, args)) if during else None,
            )  # fmt: skip
        )
        seconds = time.monotonic() - started
        time.sleep(3)  # replies still on their way are counted as answered when stored
        after = cpu_by_kind(stack)
        result = check(run, stack.settings.database_url, seconds)
        sent = max(1, result["messages_sent"])
        result["cpu_s_per_message"] = {
            kind: round((after.get(kind, 0) - before.get(kind, 0)) / sent, 4) for kind in after
        }
        result["processes"] = {k: sum(1 for c in stack.processes if c.name.startswith(k))
                               for k in ("rasa server", "action server", "desk")}  # fmt: skip
        return result, run


# --- faults ---------------------------------------------------------------------------


async def faults(run: Run, stack: Stack, redis: RedisProcess, args: argparse.Namespace) -> None:
    """One fault after another while the load runs; when each began goes to run.faults."""
    supervisor = stack.supervisor
    gap = args.fault_gap

    def mark(name: str) -> dict[str, Any]:
        entry = {"fault": name, "at_s": round(time.monotonic() - run.started, 1)}
        run.faults.append(entry)
        print(f"  fault: {name} at {entry['at_s']} s", flush=True)
        return entry

    def kill(name: str) -> None:
        child = supervisor.child(name)
        if child.popen is not None:
            os.kill(child.popen.pid, signal.SIGKILL)

    await asyncio.sleep(gap)
    mark("kill -9 rasa server 2")
    kill("rasa server 2")
    await asyncio.sleep(gap)
    mark("kill -9 action server")
    kill("action server")
    await asyncio.sleep(gap)
    mark("kill -9 desk 2")
    run.down.add(stack.desk_urls[1])
    kill("desk 2")
    await asyncio.sleep(3)
    run.down.discard(stack.desk_urls[1])
    await asyncio.sleep(gap - 3)
    mark("pg_terminate_backend (every connection to both databases)")
    engine = create_engine(f"{args.postgres}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        names = [
            stack.settings.database_url.rsplit("/", 1)[1],
            stack.settings.tracker_store_url.rsplit("/", 1)[1],
        ]
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
            ),
            {"names": names},
        )
    engine.dispose()
    await asyncio.sleep(gap)
    mark("Redis refuses connections for 10 s")
    redis.stop()
    await asyncio.sleep(10)
    redis.start()


def fault_effects(run: Run) -> list[dict[str, Any]]:
    """Per fault: the customer messages sent from the fault until the next one."""
    faults_ = run.faults
    sent = [(s, c) for c in run.conversations for s in c.sent]
    normal = percentile(
        [(s.replied_at - s.at) * 1000 for s, _ in sent if s.replied_at and s.at - run.started < 20],
        95,
    )
    slow_ms = max(3000.0, 3 * normal)
    results = []
    for i, fault in enumerate(faults_):
        start = run.started + fault["at_s"]
        end = run.started + faults_[i + 1]["at_s"] if i + 1 < len(faults_) else float("inf")
        window = [(s, c) for s, c in sent if start <= s.at < end]
        affected = [
            (s, c)
            for s, c in window
            if s.replied_at is None or (s.replied_at - s.at) * 1000 > slow_ms
        ]
        last = max((s.at for s, _ in affected), default=start)
        results.append({
            **fault,
            "messages_in_window": len(window),
            "affected": len(affected),
            "unanswered_in_time": sum(1 for s, _ in affected if s.replied_at is None),
            "recovered_after_s": round(last - start, 1) if affected else 0.0,
        })  # fmt: skip
    return results


# --- reports --------------------------------------------------------------------------


def render_load(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    rows = [
        ("customers (concurrent)", lambda r: str(args.customers)),
        ("conversations", lambda r: str(r["customers_conversations"])),
        ("messages sent", lambda r: str(r["messages_sent"])),
        ("stored", lambda r: str(r["messages_stored"])),
        ("answered (a reply on the WebSocket)", lambda r: str(r["messages_answered"])),
        ("still owed by the bot at the end", lambda r: str(r["owed_by_bot_at_end"])),
        ("**lost** (sent, not stored)", lambda r: str(r["lost"])),
        ("**duplicated** (stored twice / delivered twice)",
         lambda r: f"{r['duplicated_stored']} / {r['duplicated_live']}"),
        ("**out of order** on a customer's socket", lambda r: str(r["out_of_order"])),
        ("reply latency p50 / p95 / p99 (ms)",
         lambda r: "{p50} / {p95} / {p99}".format(**r["latency_ms"])),
        ("throughput (customer messages/s)", lambda r: str(r["messages_per_second"])),
        ("handoffs completed with scripted agents", lambda r: str(r["handoffs"])),
        ("fail-open notices", lambda r: str(r["fail_open_notices"])),
        ("errors", lambda r: json.dumps(r["errors"]) if r["errors"] else "0"),
        ("CPU s per message",
         lambda r: ", ".join(f"{k} {v}" for k, v in r["cpu_s_per_message"].items())),
        ("duration (s)", lambda r: str(r["seconds"])),
    ]  # fmt: skip
    modes = list(results)
    lines = [
        "# Load test",
        "",
        f"`make loadtest` (`python -m ops.loadtest`), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"on this machine: {os.cpu_count()} cores shared with other work, run with `nice`. "
        f"{args.customers} simulated customers driving the desk's widget API (HTTP + WebSocket) "
        f"with {args.think_min:g}-{args.think_max:g} s think time, every demo order in turn, "
        f"{args.person_share:.0%} asking for a person, {args.agents} scripted agents; "
        f"{args.messages} customer messages per mode. Single: 1 Rasa, 1 action server, "
        "1 desk on SQLite. Scaled: 2 + 2 + 2 on PostgreSQL and Redis, customers spread over "
        "both desks.",
        "",
        "| | " + " | ".join(modes) + " |",
        "|---|" + "---|" * len(modes),
    ]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(results[m]) for m in modes) + " |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10_000, help="per mode")
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=8.0)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--person-share", type=float, default=0.08)
    parser.add_argument("--modes", default="single,scaled")
    parser.add_argument("--faults", action="store_true", help="scaled mode with faults")
    parser.add_argument("--fault-gap", type=float, default=35.0)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    redis = RedisProcess(VAR_DIR / "loadtest" / "redis")
    redis.start()
    REPORTS.mkdir(exist_ok=True)
    try:
        if args.faults:
            result, run = measure_mode("scaled", args, redis, during=faults)
            result["faults"] = fault_effects(run)
            name = args.out or "faults"
            (REPORTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
            (REPORTS / f"{name}.md").write_text(render_faults(result, args))
            print((REPORTS / f"{name}.md").read_text())
            return 0
        results = {}
        for mode in args.modes.split(","):
            print(f"load test: {mode} mode ...", flush=True)
            results[mode], _ = measure_mode(mode, args, redis)
            print(json.dumps(results[mode]), flush=True)
        name = args.out or "load"
        (REPORTS / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
        (REPORTS / f"{name}.md").write_text(render_load(results, args))
        print((REPORTS / f"{name}.md").read_text())
    finally:
        redis.stop()
    return 0


def render_faults(result: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        "# Faults during load",
        "",
        f"`make faulttest` (`python -m ops.loadtest --faults`), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: scaled mode (2 Rasa, 2 action "
        f"servers, 2 desks on PostgreSQL and a Redis of its own), {args.customers} customers "
        f"with {args.think_min:g}-{args.think_max:g} s think time, {args.agents} scripted agents, "
        f"a fault every {args.fault_gap:g} s.",
        "",
        f"Over the whole run: {result['messages_sent']} messages sent, "
        f"{result['messages_stored']} stored, **lost {result['lost']}**, **duplicated "
        f"{result['duplicated_stored']} stored / {result['duplicated_live']} delivered**, "
        f"out of order {result['out_of_order']}, {result['fail_open_notices']} fail-open "
        f"notices shown, {result['reconnects']} WebSocket reconnects, still owed by the bot at "
        f"the end {result['owed_by_bot_at_end']}; errors {json.dumps(result['errors'])}.",
        "",
        "| fault | at (s) | messages sent until the next fault | affected (no reply in "
        "30 s, or slower than 3x normal p95) | of which no reply in 30 s | bot answering "
        "normally again after (s) |",
        "|---|---|---|---|---|---|",
    ]
    for f in result["faults"]:
        lines.append(
            f"| {f['fault']} | {f['at_s']} | {f['messages_in_window']} | {f['affected']} | "
            f"{f['unanswered_in_time']} | {f['recovered_after_s']} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
