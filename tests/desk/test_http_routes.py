"""Plain HTTP routes of the desk with sanic-testing's client (a scripted bot behind it)."""

from __future__ import annotations

import pytest
from sanic import Sanic

from desk.app import create_app
from payhelp.settings import Settings
from tests.desk.conftest import PASSWORD, ScriptedBot


@pytest.fixture
def app(desk_settings: Settings) -> Sanic:
    return create_app(desk_settings, rasa=ScriptedBot())


def login(app: Sanic) -> tuple[str, str]:
    _, reply = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": PASSWORD}
    )
    assert reply.status == 200
    return reply.cookies["desk_session"], reply.json["csrf"]


def test_pages_are_served_with_security_headers(app: Sanic) -> None:
    for path in ("/", "/widget.js", "/staff", "/staff/staff.js", "/staff/staff.css", "/health"):
        _, reply = app.test_client.get(path)
        assert reply.status == 200, path
    _, page = app.test_client.get("/staff")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    _, script = app.test_client.get("/widget.js")
    assert script.headers["x-content-type-options"] == "nosniff"
    assert script.headers["access-control-allow-origin"] == "*"
    _, shop = app.test_client.get("/")
    assert shop.text.count("<script") == 1 and 'src="/widget.js"' in shop.text


def test_unknown_paths_and_missing_files_are_404_json(app: Sanic) -> None:
    _, reply = app.test_client.get("/staff/../desk/app.py")
    assert reply.status == 404
    _, reply = app.test_client.get("/nope")
    assert reply.status == 404 and "error" in reply.json


def test_starting_a_chat_gives_an_unguessable_token(app: Sanic) -> None:
    _, first = app.test_client.post("/api/chat/start", json={})
    _, second = app.test_client.post("/api/chat/start", json={})
    assert first.status == 201 and first.json["state"]["status"] == "bot"
    assert first.json["token"] != second.json["token"] and len(first.json["token"]) >= 40
    _, history = app.test_client.get(
        "/api/chat/history", headers={"Authorization": f"Bearer {first.json['token']}"}
    )
    assert history.status == 200 and history.json["messages"] == []


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer " + "x" * 500])
def test_history_needs_the_conversation_token(app: Sanic, header) -> None:
    _, reply = app.test_client.get(
        "/api/chat/history", headers={"Authorization": header} if header else {}
    )
    assert reply.status == 401


def test_the_widget_api_answers_cross_origin_preflights(app: Sanic) -> None:
    _, reply = app.test_client.options(
        "/api/chat/start",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "authorization" in reply.headers["access-control-allow-headers"].lower()
    assert "POST" in reply.headers["access-control-allow-methods"]


def test_only_configured_origins_may_embed(desk_settings: Settings) -> None:
    from dataclasses import replace

    app = create_app(
        replace(desk_settings, desk_allowed_origins=("https://shop.example",)), ScriptedBot()
    )
    _, allowed = app.test_client.post(
        "/api/chat/start", json={}, headers={"Origin": "https://shop.example"}
    )
    _, other = app.test_client.post(
        "/api/chat/start", json={}, headers={"Origin": "https://evil.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-origin" not in other.headers


def test_staff_api_needs_a_session(app: Sanic) -> None:
    for method, path in (("get", "/staff/api/queue"), ("get", "/staff/api/me"),
                         ("post", "/staff/api/conversations/x/claim")):  # fmt: skip
        _, reply = getattr(app.test_client, method)(path)
        assert reply.status == 401, path


def test_login_cookie_is_httponly_and_strict(app: Sanic) -> None:
    _, wrong = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": "nope"}
    )
    assert wrong.status == 401 and wrong.json["error"] == "wrong username or password"
    _, reply = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": PASSWORD}
    )
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=28800" in cookie


def test_state_changes_need_the_session_s_csrf_token(app: Sanic) -> None:
    token, csrf = login(app)
    cookies = {"desk_session": token}
    _, missing = app.test_client.post("/staff/api/logout", cookies=cookies)
    _, forged = app.test_client.post(
        "/staff/api/logout", cookies=cookies, headers={"X-CSRF-Token": "x"}
    )
    _, me = app.test_client.get("/staff/api/me", cookies=cookies)
    _, good = app.test_client.post(
        "/staff/api/logout", cookies=cookies, headers={"X-CSRF-Token": csrf}
    )
    _, after = app.test_client.get("/staff/api/me", cookies=cookies)
    assert (missing.status, forged.status, me.status, good.status, after.status) == (
        403,
        403,
        200,
        200,
        401,
    )


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"username": 1, "password": 2}'])
def test_bad_login_bodies_get_a_clear_400(app: Sanic, body: bytes) -> None:
    _, reply = app.test_client.post(
        "/staff/api/login", data=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400 and reply.json["error"]
