"""Every staff route is locked, generated from the desk's own route table.

The routes come from ``create_app(...).router.routes``, so a route added later is
tested without anyone remembering to list it: each one either appears in NO_STAFF_SESSION
below (with the reason it needs no staff session) or must answer 401 without one, and
403 without the session's CSRF token when it changes state.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sanic import Sanic

from desk.app import create_app
from desk.conversations import ConversationStore
from desk.routing import Event
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.desk.conftest import PASSWORD, LiveDesk, ScriptedBot

# Routes that take no staff session, and why.
NO_STAFF_SESSION = {
    ("POST", "staff/api/login"): "how a session starts",
    ("POST", "api/chat/start"): "a customer starts a chat",
    ("GET", "api/chat/history"): "the customer's own conversation token (test_http_routes)",
    ("GET", "shop/orders/<order_id:str>"): "the demo order page, off unless DEMO_SHOP_PAGES",
    ("GET", "ws/chat"): "the customer's own conversation token (test_customer_routes)",
    ("GET", ""): "the demo shop page",
    ("GET", "health"): "health check",
    ("POST", "api/payment-events"): "signed by the shop's payment system (test_payment_events)",
    ("GET", "widget.js"): "the chat widget",
    ("GET", "staff"): "the console's page, which shows the login form",
    ("GET", "staff/staff.js"): "the console's script",
    ("GET", "staff/staff.css"): "the console's style sheet",
    ("GET", "staff/ops"): "the channel-health page's shell (its data: the admin-only API)",
    ("GET", "staff/impact"): "the impact page's shell (its data: the admin-only API)",
    ("GET", "staff/admin"): "the admin page's shell (its data: the admin-only API)",
    ("GET", "staff/assets/<name:str>"): "the admin pages' scripts and style sheet",
    ("GET", "staff/vendor/chart.umd.min.js"): "the charting library",
    ("GET", "metrics"): "Prometheus scrapes it; no customer data in it (test_metrics)",
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def route_table() -> tuple[list[tuple[str, str]], list[str]]:
    """(method, path) of every HTTP route, and the path of every WebSocket route."""
    app = create_app(Settings(), rasa=ScriptedBot())  # nothing connects until it is served
    http, sockets = set(), set()
    for route in app.router.routes:
        if route.ctx.websocket:
            sockets.add(("GET", route.path))
        else:
            http.update((method, route.path) for method in route.methods)
    guarded_sockets = sorted(
        path for method, path in sockets if (method, path) not in NO_STAFF_SESSION
    )
    return sorted(http), guarded_sockets


HTTP_ROUTES, STAFF_SOCKETS = route_table()
GUARDED = [r for r in HTTP_ROUTES if r not in NO_STAFF_SESSION]
GUARDED_CHANGES = [r for r in GUARDED if r[0] in STATE_CHANGING]


def ids(routes: list[tuple[str, str]]) -> list[str]:
    return [f"{method} /{path}" for method, path in routes]


def test_the_route_table_was_read() -> None:
    # The generator itself must see the staff API, or the tests below prove nothing.
    for route in [
        ("GET", "staff/api/queue"),
        ("GET", "staff/api/me"),
        ("POST", "staff/api/logout"),
        ("GET", "staff/api/conversations/<conversation_id:str>"),
        ("POST", "staff/api/conversations/<conversation_id:str>/claim"),
        ("POST", "staff/api/conversations/<conversation_id:str>/reply"),
        ("POST", "staff/api/conversations/<conversation_id:str>/note"),
        ("POST", "staff/api/conversations/<conversation_id:str>/resolve"),
        ("POST", "staff/api/conversations/<conversation_id:str>/handback"),
    ]:
        assert route in GUARDED
    assert STAFF_SOCKETS == ["staff/ws"]
    assert set(NO_STAFF_SESSION) <= set(HTTP_ROUTES) | {("GET", "ws/chat")}


@pytest.fixture
def app(desk_settings: Settings) -> Sanic:
    return create_app(desk_settings, rasa=ScriptedBot())


@pytest.fixture
def conversation_id(desk_settings: Settings) -> str:
    """A conversation waiting for staff about ORD-10011, whose card was declined as stolen."""
    engine = make_engine(desk_settings.database_url)
    store = ConversationStore(make_session_factory(engine))
    conversation, _ = store.start()
    store.add_message(conversation.id, "customer", "my card was declined")
    store.transition(conversation.id, Event.HANDOFF, reason="needs_staff", order_id="ORD-10011")
    engine.dispose()
    return conversation.id


def concrete(path: str, conversation_id: str) -> str:
    values = {"conversation_id": conversation_id, "staff_id": "2", "window_id": "1"}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"add a value for the route parameter <{name}> in {__file__}"
        return values[name]

    return "/" + re.sub(r"<(\w+)(?::[^>]*)?>", value, path)


# A valid body for every staff action, so a refusal can only come from the guard.
BODY = {"text": "hello there", "outcome": "paid"}


def call(app: Sanic, method: str, path: str, **kwargs: Any):
    _, reply = getattr(app.test_client, method.lower())(path, **kwargs)
    return reply


def login(app: Sanic) -> tuple[dict[str, str], str]:
    reply = call(app, "POST", "/staff/api/login", json={"username": "alex", "password": PASSWORD})
    assert reply.status == 200
    return {"desk_session": reply.cookies["desk_session"]}, reply.json["csrf"]


@pytest.mark.parametrize("method,path", GUARDED, ids=ids(GUARDED))
def test_every_staff_route_needs_a_session(app, conversation_id, method, path) -> None:
    url = concrete(path, conversation_id)
    kwargs = {"json": BODY} if method in STATE_CHANGING else {}
    anonymous = call(app, method, url, **kwargs)
    forged = call(app, method, url, cookies={"desk_session": "forged-session"}, **kwargs)
    for reply in (anonymous, forged):
        assert reply.status == 401, (url, reply.status, reply.text)
        assert reply.json == {"error": "please log in"}  # no order, payment or evidence


@pytest.mark.parametrize("method,path", GUARDED_CHANGES, ids=ids(GUARDED_CHANGES))
def test_every_state_change_needs_the_csrf_token(app, conversation_id, method, path) -> None:
    cookies, csrf = login(app)
    url = concrete(path, conversation_id)
    details = f"/staff/api/conversations/{conversation_id}"
    before = call(app, "GET", details, cookies=cookies).json
    missing = call(app, method, url, cookies=cookies, json=BODY)
    forged = call(
        app, method, url, cookies=cookies, json=BODY, headers={"X-CSRF-Token": "x" + csrf}
    )
    for reply in (missing, forged):
        assert reply.status == 403, (url, reply.status, reply.text)
        assert reply.json == {"error": "missing or wrong CSRF token"}
    # Nothing happened: the same conversation and messages, and the session still works.
    after = call(app, "GET", details, cookies=cookies)
    assert after.status == 200
    assert after.json["conversation"]["status"] == before["conversation"]["status"] == "waiting"
    assert after.json["messages"] == before["messages"]


def test_the_csrf_token_lets_the_same_request_through(app, conversation_id) -> None:
    # The control for the test above: with the token, a claim succeeds.
    cookies, csrf = login(app)
    url = f"/staff/api/conversations/{conversation_id}/claim"
    reply = call(app, "POST", url, cookies=cookies, json=BODY, headers={"X-CSRF-Token": csrf})
    assert reply.status == 200 and reply.json["status"] == "with_agent"


@pytest.mark.parametrize("path", STAFF_SOCKETS)
def test_every_staff_socket_refuses_strangers(run_desk, path: str) -> None:
    async def scenario(desk: LiveDesk):
        async with desk.http.ws_connect(f"{desk.base}/{path}") as ws:
            first = json.loads((await ws.receive()).data)
            closing = await ws.receive()
            return first, ws.close_code, closing

    first, code, _ = run_desk(scenario)
    assert first == {"type": "error", "text": "please log in"}
    assert code == 4401
