"""Several Rasa servers behind the desk: each conversation has one home instance, and
goes to the next when its home refuses the connection."""

from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp import web

from desk.rasa_client import RasaClient, instance_order
from tests.desk.test_rasa_client import FakeRasa, closed_port

INSTANCES = [f"http://127.0.0.1:{7000 + i}" for i in range(3)]


def test_each_conversation_has_one_home_and_they_spread() -> None:
    homes = Counter(instance_order(f"conv-{n}", INSTANCES)[0] for n in range(3000))
    assert set(homes) == set(INSTANCES)
    assert min(homes.values()) > 800  # roughly a third each
    assert instance_order("conv-1", INSTANCES) == instance_order("conv-1", INSTANCES)
    assert sorted(instance_order("conv-1", INSTANCES)) == sorted(INSTANCES)


def test_losing_an_instance_moves_only_its_conversations() -> None:
    lost = INSTANCES[1]
    left = [i for i in INSTANCES if i != lost]
    for n in range(500):
        before = instance_order(f"conv-{n}", INSTANCES)
        after = instance_order(f"conv-{n}", left)
        assert after == [i for i in before if i != lost]  # the next in its own order


def test_a_refused_connection_fails_over_to_the_next_instance() -> None:
    fake = FakeRasa(web.json_response([{"recipient_id": "c", "text": "hello"}]))

    async def run() -> list[str]:
        runner = web.AppRunner(fake.app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        up = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        down = f"http://127.0.0.1:{closed_port()}"
        # Conversations whose home is the instance that is down.
        homeless = [
            c for c in (f"c{n}" for n in range(50)) if instance_order(c, [up, down])[0] == down
        ]
        client = RasaClient([up, down], timeout_s=5)
        try:
            texts = []
            for conversation in homeless[:3]:
                fake.webhook = web.json_response([{"recipient_id": "c", "text": "hello"}])
                reply = await client.send(conversation, "hi")
                texts.append(reply.messages[0]["text"])
            return texts
        finally:
            await client.close()
            await runner.cleanup()

    assert asyncio.run(run()) == ["hello"] * 3
    assert len(fake.requests) == 3
