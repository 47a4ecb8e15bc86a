"""What desks share through Redis, with two in-process "desks" on one Redis: live
events reach sockets held by the other desk, a conversation's lock excludes the other
desk, one desk leads the scheduled checks, and rate limits count across desks."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from desk.cluster import ConversationLocks, Leadership, redis_client
from desk.limits import Limiter, RedisHitStore, Rule
from desk.live import LiveHub


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, data: str) -> None:
        self.sent.append(json.loads(data))


def test_events_reach_the_sockets_of_another_desk(redis_server) -> None:
    async def run() -> tuple[FakeSocket, FakeSocket]:
        hubs = []
        for _ in range(2):
            hub = LiveHub(
                redis_client(redis_server.url), redis_client(redis_server.url, idle_ok=True)
            )
            await hub.start()
            hubs.append(hub)
        customer, agent = FakeSocket(), FakeSocket()
        hubs[0].add_customer("conv-1", customer)
        hubs[1].add_staff(7, agent)
        await hubs[1].to_customer("conv-1", {"type": "message", "n": 1})
        await hubs[0].to_staff({"type": "queue"})
        await hubs[1].to_customer("conv-2", {"type": "message", "n": 2})  # nobody's
        for _ in range(100):
            if customer.sent and agent.sent:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        for hub in hubs:
            await hub.stop()
        return customer, agent

    customer, agent = asyncio.run(run())
    assert customer.sent == [{"type": "message", "n": 1}]
    assert agent.sent == [{"type": "queue"}]


def test_a_conversation_lock_excludes_the_other_desk(redis_server) -> None:
    async def run() -> list[str]:
        a = ConversationLocks(redis_client(redis_server.url), prefix="t-lock:")
        b = ConversationLocks(redis_client(redis_server.url), prefix="t-lock:")
        order: list[str] = []

        async def first() -> None:
            async with a.hold("conv"):
                order.append("a in")
                await asyncio.sleep(0.3)
                order.append("a out")

        async def second() -> None:
            await asyncio.sleep(0.05)
            async with b.hold("conv", wait=False) as held:
                order.append(f"b tried: {held}")
            async with b.hold("conv"):
                order.append("b in")

        await asyncio.gather(first(), second())
        return order

    assert asyncio.run(run()) == ["a in", "b tried: False", "a out", "b in"]


def test_one_desk_leads_the_scheduled_checks(redis_server) -> None:
    async def run() -> tuple[list[bool], bool]:
        desks = [Leadership(redis_client(redis_server.url), name="t") for _ in range(3)]
        leads = [await d.leads() for d in desks]
        leader = desks[leads.index(True)]
        await leader.resign()
        others = [d for d in desks if d is not leader]
        return leads, any([await d.leads() for d in others])

    leads, taken_over = asyncio.run(run())
    assert leads.count(True) == 1
    assert taken_over  # another desk leads once the first resigns


def test_rate_limits_count_across_desks(redis_server) -> None:
    rule = Rule(limit=3, window_s=60)
    desks = [Limiter(RedisHitStore(redis_server.url, prefix="t-hits:")) for _ in range(2)]
    verdicts = [desks[n % 2].take("chat-start:1.2.3.4", rule).allowed for n in range(5)]
    assert verdicts == [True, True, True, False, False]
    refused = desks[0].take("chat-start:1.2.3.4", rule)
    assert 0 < refused.retry_after_s <= 60
    desks[1].forget("chat-start:1.2.3.4")
    assert desks[0].take("chat-start:1.2.3.4", rule).allowed
    desks[0].purge(timedelta(days=1))  # keys expire by themselves: nothing to do


def test_without_redis_limits_fail_open_and_locks_stay_local() -> None:
    from tests.scaled.conftest import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    limiter = Limiter(RedisHitStore(url))
    assert all(limiter.take("k", Rule(1, 60)).allowed for _ in range(3))

    async def run() -> bool:
        locks = ConversationLocks(redis_client(url))
        async with locks.hold("conv") as held:
            return held and locks.busy_here("conv")

    assert asyncio.run(run())
