"""The desk's client for Rasa: reading replies, and failing clearly when Rasa is away."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

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
    async def attempt() -> tuple[float, BaseException | None]:
        async def never_answer(reader, writer) -> None:
            await asyncio.sleep(10)

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = RasaClient(f"http://127.0.0.1:{port}", timeout_s=1)
        started = asyncio.get_running_loop().time()
        problem = None
        try:
            await client.send("c1", "hello")
        except BotUnavailable as raised:
            problem = raised
        finally:
            await client.close()
            server.close()
        return asyncio.get_running_loop().time() - started, problem

    elapsed, problem = asyncio.run(attempt())
    assert isinstance(problem, BotUnavailable)
    assert 0.9 <= elapsed < 2.5, f"gave up after {elapsed:.2f} s with a 1 s timeout"


class FakeRasa:
    """A stand-in Rasa server over real HTTP: answers from a script, records requests."""

    def __init__(
        self, webhook: web.Response, events: list[dict[str, Any]] | None = None, paused=False
    ):
        self.webhook = webhook
        self.events = events or []
        self.paused = paused
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.requests.append((request.method, request.path, dict(request.query), body))
        if request.path == "/webhooks/rest/webhook":
            return self.webhook
        if request.path.endswith("/tracker"):
            return web.json_response({"events": self.events, "paused": self.paused})
        return web.json_response({"status": "ok"})


async def with_fake(fake: FakeRasa, use: Callable[[RasaClient], Awaitable[Any]]) -> Any:
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = RasaClient(f"http://127.0.0.1:{port}", timeout_s=5, token="s3cret")
    try:
        return await use(client)
    finally:
        await client.close()
        await runner.cleanup()


@pytest.mark.parametrize(
    "answer",
    [
        web.json_response([]),  # what Rasa says when a custom action failed
        web.json_response([{"recipient_id": "c1", "custom": {"something": "else"}}]),
        web.json_response({"error": "not a list"}),
        web.Response(text="<html>Bad gateway</html>", content_type="text/html"),
        web.Response(body=b"\xff\xfe[", content_type="application/json"),
        web.json_response({"error": "the assistant could not handle this"}, status=500),
        web.json_response({"error": "nope"}, status=401),
    ],
    ids=["empty", "nothing-shown", "not-a-list", "html", "not-utf8", "500", "401"],
)
def test_any_answer_the_customer_cannot_use_is_unavailable(answer: web.Response) -> None:
    with pytest.raises(BotUnavailable):
        asyncio.run(
            with_fake(FakeRasa(answer), lambda client: client.send("c1", "hello", message_id=7))
        )


@pytest.mark.parametrize("payload", [False, True], ids=["typed", "button"])
def test_a_usable_answer_carries_the_desk_message_id_to_the_tracker(payload: bool) -> None:
    fake = FakeRasa(web.json_response([{"custom": {"handoff": {"reason": "needs_staff"}}}]))
    reply = asyncio.run(
        with_fake(fake, lambda client: client.send("c1", "/affirm", payload, message_id=7))
    )
    assert reply.handoff == {"reason": "needs_staff"} and reply.messages == []
    [(method, path, query, body)] = fake.requests
    metadata = {"desk_message_id": 7, **({"payload": True} if payload else {})}
    assert body == {"sender": "c1", "message": "/affirm", "metadata": metadata}
    assert query == {}  # the REST channel needs no token; the HTTP API does


def user_event(message_id: int | None) -> dict[str, Any]:
    metadata = {"desk_message_id": message_id} if message_id is not None else {}
    return {"event": "user", "text": "hi", "metadata": metadata}


@pytest.mark.parametrize(
    "events,rewound",
    [
        ([user_event(6), {"event": "action"}, user_event(7), {"event": "action"}], True),
        ([user_event(7), {"event": "action"}, user_event(8)], False),  # a later one came in
        ([user_event(6)], False),  # the bot never took 7 in
        # 7 was taken in and rewound by an earlier retry, which never reached Rasa:
        # rewinding again would undo message 6.
        ([user_event(6), user_event(7), {"event": "rewind"}], False),
        ([user_event(6), user_event(7), {"event": "rewind"}, user_event(7)], True),
        ([user_event(7), {"event": "restart"}], False),
        ([], False),
        ([user_event(None)], False),
    ],
    ids=[
        "taken-in",
        "later-message",
        "never-taken",
        "rewound-already",
        "taken-in-again",
        "restarted",
        "no-events",
        "no-metadata",
    ],  # fmt: skip
)
def test_a_retry_rewinds_only_a_message_rasa_took_in_last(events, rewound: bool) -> None:
    fake = FakeRasa(web.json_response([]), events)
    result = asyncio.run(with_fake(fake, lambda client: client.prepare_retry("c1", 7)))
    assert result is rewound
    posted = [(path, body) for method, path, _, body in fake.requests if method == "POST"]
    listen = {"event": "action", "name": "action_listen"}
    assert posted == (
        [("/conversations/c1/tracker/events", [{"event": "rewind"}, listen])] if rewound else []
    )
    assert all(query == {"token": "s3cret"} for _, _, query, _ in fake.requests)


@pytest.mark.parametrize("ours_last", [True, False], ids=["rewound-too", "not-rewound"])
def test_a_retry_resumes_a_tracker_left_paused(ours_last: bool) -> None:
    """E.g. a resolved chat reopened while Rasa was away: its tracker is still paused."""
    events = [user_event(6), {"event": "pause"}] + ([user_event(7)] if ours_last else [])
    fake = FakeRasa(web.json_response([]), events, paused=True)
    asyncio.run(with_fake(fake, lambda client: client.prepare_retry("c1", 7)))
    posted = [body for method, _, _, body in fake.requests if method == "POST"]
    listen = {"event": "action", "name": "action_listen"}
    rewind = [[{"event": "rewind"}, listen]] if ours_last else []
    assert posted == rewind + [[{"event": "resume"}, listen]]


def test_ready_needs_both_the_rasa_server_and_the_action_server() -> None:
    async def check() -> tuple[bool, bool]:
        fake = FakeRasa(web.json_response([]))
        runner = web.AppRunner(fake.app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        both = RasaClient(base, 5, action_server_health_url=f"{base}/health")
        no_actions = RasaClient(
            base, 5, action_server_health_url=f"http://127.0.0.1:{closed_port()}/health"
        )
        try:
            return await both.ready(), await no_actions.ready()
        finally:
            await both.close()
            await no_actions.close()
            await runner.cleanup()

    assert asyncio.run(check()) == (True, False)


def test_trigger_intent_calls_rasa_s_api_with_the_token() -> None:
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
