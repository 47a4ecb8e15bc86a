"""The desk's client for Rasa: reading replies, and failing clearly when Rasa is away."""

from __future__ import annotations

import asyncio
import socket

import pytest

from desk.rasa_client import BotUnavailable, RasaClient, read_reply


def test_the_handoff_payload_is_taken_out_of_what_the_customer_sees() -> None:
    reply = read_reply(
        [
            {"recipient_id": "x", "text": "A person will take over."},
            {
                "recipient_id": "x",
                "custom": {"handoff": {"escalation_id": 3, "reason": "needs_staff"}},
            },
            {"recipient_id": "x", "custom": {"something": "else"}},
            {
                "recipient_id": "x",
                "text": "Did that work?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}],
            },
        ]
    )
    assert reply.handoff == {"escalation_id": 3, "reason": "needs_staff"}
    assert reply.messages == [
        {"text": "A person will take over.", "buttons": None},
        {"text": "Did that work?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
    ]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_bot_that_is_not_running_is_unavailable() -> None:
    async def attempt() -> None:
        client = RasaClient(f"http://127.0.0.1:{closed_port()}", timeout_s=2)
        try:
            await client.send("c1", "hello")
        finally:
            await client.close()

    with pytest.raises(BotUnavailable):
        asyncio.run(attempt())


def test_a_bot_that_hangs_is_unavailable_after_the_timeout() -> None:
    async def attempt() -> float:
        async def never_answer(reader, writer) -> None:
            await asyncio.sleep(10)

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = RasaClient(f"http://127.0.0.1:{port}", timeout_s=1)
        started = asyncio.get_running_loop().time()
        try:
            await client.send("c1", "hello")
        finally:
            await client.close()
            server.close()
        return asyncio.get_running_loop().time() - started

    with pytest.raises(BotUnavailable):
        asyncio.run(attempt())


def test_trigger_intent_calls_rasa_s_api_with_the_token() -> None:
    from aiohttp import web

    async def attempt():
        seen = {}

        async def trigger(request: web.Request) -> web.Response:
            seen["path"] = request.path
            seen["token"] = request.query.get("token")
            seen["body"] = await request.json()
            return web.json_response(
                {
                    "tracker": {},
                    "messages": [
                        {
                            "recipient_id": "c1",
                            "text": "Hi!",
                            "buttons": [{"title": "A", "payload": "/a"}],
                        }
                    ],
                }
            )

        app = web.Application()
        app.router.add_post("/conversations/{id}/trigger_intent", trigger)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        client = RasaClient(f"http://127.0.0.1:{port}", timeout_s=5, token="s3cret")
        try:
            reply = await client.trigger_intent("c1", "greet")
        finally:
            await client.close()
            await runner.cleanup()
        return seen, reply

    seen, reply = asyncio.run(attempt())
    assert seen == {
        "path": "/conversations/c1/trigger_intent",
        "token": "s3cret",
        "body": {"name": "greet"},
    }
    assert reply.messages == [{"text": "Hi!", "buttons": [{"title": "A", "payload": "/a"}]}]
    assert reply.handoff is None
