"""A bounded load generator for the REST channel: scripted conversations that reach a
diagnosis, run by N concurrent simulated customers on loopback.

Each customer runs one conversation after another (a fresh sender id each time, a demo
order chosen in turn) with no think time, so the figures are the server's: latency per
message and messages per second, at a fixed concurrency.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

# Orders whose conversation stays with the bot (no handoff), and the contact on each.
ORDERS = [
    ("ORD-10002", "jane@example.com"),
    ("ORD-10003", "amara@example.com"),
    ("ORD-10004", "carlos@example.com"),
    ("ORD-10005", "mia@example.com"),
    ("ORD-10006", "li.wei@example.com"),
    ("ORD-10007", "sam@example.com"),
    ("ORD-10014", "li.wei@example.com"),
    ("ORD-10016", "sam@example.com"),
]
OPENINGS = [
    "hi, my payment failed",
    "my card was declined when I tried to pay",
    "I can't pay for my order, it keeps failing",
    "the payment didn't go through",
]


def script(n: int, payloads: bool = False) -> list[str]:
    """The n-th scripted conversation: report, identify, walk two remedy steps.

    With ``payloads`` the same conversation is sent as intents ("/deny"), which Rasa
    takes without running any NLU.
    """
    order_id, contact = ORDERS[n % len(ORDERS)]
    if payloads:
        return [
            "/payment_failed",
            f'/inform{{"order_id": "{order_id}"}}',
            f'/inform{{"email": "{contact}"}}',
            "/deny",
            "/deny",
        ]
    return [OPENINGS[n % len(OPENINGS)], order_id, contact, "no", "no"]


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    conversations: int = 0
    diagnosed: int = 0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]


def _body(sender: str, text: str, payload: bool) -> dict[str, object]:
    """A REST message; intents sent as button payloads skip the NLU (addons/typed_text.py)."""
    body: dict[str, object] = {"sender": sender, "message": text}
    if payload:
        body["metadata"] = {"payload": True}
    return body


async def _customer(
    http: aiohttp.ClientSession,
    url: str,
    counter: itertools.count,
    deadline: float,
    result: LoadResult,
    payloads: bool,
) -> None:
    while time.monotonic() < deadline:
        n = next(counter)
        sender = f"load-{uuid.uuid4().hex[:12]}"
        diagnosed = False
        for text in script(n, payloads):
            started = time.perf_counter()
            try:
                async with http.post(url, json=_body(sender, text, payloads)) as reply:
                    body = await reply.json()
                    ok = reply.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok, body = False, []
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            if not ok:
                result.errors += 1
                break
            diagnosed = diagnosed or any("I've found order" in (m.get("text") or "") for m in body)
        result.conversations += 1
        result.diagnosed += int(diagnosed)


async def run_load(
    base_url: str, concurrency: int, seconds: float, warmup: int = 2, payloads: bool = False
) -> LoadResult:
    """Run ``concurrency`` customers for ``seconds``; a few warm-up conversations first."""
    url = f"{base_url}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=concurrency + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        for n in range(warmup):  # load the model's lazy parts before measuring
            for text in script(n, payloads):
                async with http.post(url, json=_body(f"warm-{n}", text, payloads)) as reply:
                    await reply.read()
        result = LoadResult(concurrency, seconds)
        counter = itertools.count()
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *[_customer(http, url, counter, deadline, result, payloads) for _ in range(concurrency)]
        )
        result.seconds = time.monotonic() - started
        return result
