"""The desk's HTTP API fuzzed with hypothesis: any method, path parameter, query, header
and body on every route, signed in or not, gets an answer below 500 and never a
stack trace. (A real desk on a free port, with a scripted bot.)"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.app import create_app
from payhelp.settings import Settings
from tests.card_formats import examples
from tests.desk.conftest import PASSWORD, ScriptedBot, free_port

pytestmark = pytest.mark.property

ROUTES = [
    ("POST", "/api/chat/start"),
    ("GET", "/api/chat/history"),
    ("GET", "/health"),
    ("POST", "/staff/api/login"),
    ("GET", "/staff/api/me"),
    ("POST", "/staff/api/logout"),
    ("GET", "/staff/api/queue"),
    ("GET", "/staff/api/conversations"),
    ("GET", "/staff/api/conversations/{id}"),
    ("POST", "/staff/api/conversations/{id}/claim"),
    ("POST", "/staff/api/conversations/{id}/reply"),
    ("POST", "/staff/api/conversations/{id}/note"),
    ("POST", "/staff/api/conversations/{id}/resolve"),
    ("POST", "/staff/api/conversations/{id}/handback"),
    ("GET", "/ws/chat"),
    ("GET", "/staff/ws"),
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["username", "password", "text", "outcome", "q", "x"])
        | st.text(max_size=8),
        inner,
        max_size=4,
    ),
    max_leaves=12,
)
segments = st.text(max_size=40).filter(lambda s: "/" not in s and s not in (".", ".."))
queries = st.dictionaries(
    st.sampled_from(["after", "q", "since", "until", "token", "bot"]),
    st.text(max_size=30),
    max_size=3,
)


class Served:
    def __init__(self, url: str, client: httpx.Client, csrf: str, conversation: str) -> None:
        self.url, self.client, self.csrf, self.conversation = url, client, csrf, conversation


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    from desk.staff_accounts import StaffAccounts
    from ops.schema import upgrade_database
    from payhelp.store.database import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'desk.db'}"
    upgrade_database(url)
    StaffAccounts(make_session_factory(make_engine(url))).create("alex", "Alex", PASSWORD)
    port = free_port()
    app = create_app(Settings(database_url=url, desk_chat_starts_per_minute=100_000), ScriptedBot())
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def serve() -> Any:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.before_start()
        await server.after_start()
        ready.set()
        return server

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(serve(), loop).result(30)
    ready.wait(30)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=20) as client:
        conversation = client.post("/api/chat/start", json={}).json()
        login = client.post("/staff/api/login", json={"username": "alex", "password": PASSWORD})
        yield Served(base, client, login.json()["csrf"], conversation["token"])
    loop.call_soon_threadsafe(server.close)
    loop.call_soon_threadsafe(loop.stop)


@settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS"]) | st.none(),
    segment=segments,
    query=queries,
    body=json_values | st.binary(max_size=60),
    signed_in=st.booleans(),
    with_csrf=st.booleans(),
    bearer=st.booleans(),
)
def test_no_request_gets_a_server_error(
    served: Served, route, method, segment, query, body, signed_in, with_csrf, bearer
) -> None:
    verb, path = route
    path = path.replace("{id}", segment or "x")
    headers = {}
    if with_csrf:
        headers["X-CSRF-Token"] = served.csrf
    if bearer:
        headers["Authorization"] = f"Bearer {served.conversation}"
    cookies = None if signed_in else {"desk_session": "nope"}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    client = served.client
    if not signed_in:
        client = httpx.Client(base_url=served.url, timeout=20)
    try:
        reply = client.request(
            method or verb, path, params=query, content=content,
            headers={**headers, "Content-Type": "application/json"}, cookies=cookies,
        )  # fmt: skip
    finally:
        if client is not served.client:
            client.close()
    assert reply.status_code < 500, (method or verb, path, query, body, reply.text)
    assert "Traceback" not in reply.text and 'File "' not in reply.text
