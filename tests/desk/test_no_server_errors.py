"""Malformed requests get a 4xx with a clear message, never a 500 or a traceback."""

from __future__ import annotations

import asyncio
import json

import pytest
from sanic import Sanic

from desk.app import create_app
from payhelp.settings import Settings
from tests.desk.conftest import PASSWORD, LiveDesk, ScriptedBot, next_event


@pytest.fixture
def app(desk_settings: Settings) -> Sanic:
    return create_app(desk_settings, rasa=ScriptedBot())


def _token(app: Sanic) -> str:
    _, reply = app.test_client.post("/api/chat/start", json={})
    return reply.json["token"]


def _clear_4xx(reply) -> None:
    assert 400 <= reply.status < 500, (reply.status, reply.text)
    assert reply.json["error"] and "Traceback" not in reply.text


@pytest.mark.parametrize("after", ["99999999999999999999999999", "-1e400", "1.5", "abc", "", "٣"])
def test_history_with_a_malformed_after_is_a_400(app: Sanic, after: str) -> None:
    headers = {"Authorization": f"Bearer {_token(app)}"}
    _, reply = app.test_client.get(f"/api/chat/history?after={after}", headers=headers)
    if after == "":
        assert reply.status == 200  # no value: from the start
    else:
        _clear_4xx(reply)


def test_plain_http_on_the_websocket_paths_is_a_400(app: Sanic) -> None:
    for path in ("/ws/chat", "/ws/chat?token=x", "/staff/ws"):
        _, reply = app.test_client.get(path)
        _clear_4xx(reply)


@pytest.mark.parametrize("outcome", [["paid"], {"x": 1}, 42, None, "resolved", "x" * 10000, True])
def test_resolve_with_a_malformed_outcome_is_a_400(app: Sanic, outcome: object) -> None:
    _, login = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": PASSWORD}
    )
    csrf = login.json["csrf"]
    cookies = {"desk_session": login.cookies["desk_session"]}
    _, reply = app.test_client.post(
        "/staff/api/conversations/web-nope/resolve",
        json={"outcome": outcome},
        headers={"X-CSRF-Token": csrf},
        cookies=cookies,
    )
    _clear_4xx(reply)
    assert "outcome" in reply.json["error"]


@pytest.mark.parametrize("body", [b"not json", b"[1]", b"\xff\xfe", b'"text"', b"{"])
def test_staff_bodies_that_are_not_objects_are_a_400(app: Sanic, body: bytes) -> None:
    _, reply = app.test_client.post(
        "/staff/api/login", content=body, headers={"Content-Type": "application/json"}
    )
    _clear_4xx(reply)


def test_invalid_utf8_on_the_websocket_gets_an_error_event(run_desk) -> None:
    async def scenario(desk: LiveDesk) -> dict:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(b"\xff\xfe\xfd not utf-8")
            error = await next_event(ws, "error")
            # The connection still works afterwards.
            await ws.send(json.dumps({"type": "message", "text": "hello", "client_id": "c1"}))
            await next_event(ws, "ack")
            return error

    error = run_desk(scenario)
    assert error["text"] and "Traceback" not in error["text"]


def test_a_text_frame_with_invalid_utf8_gets_an_error_event(run_desk, caplog) -> None:
    from websockets.frames import Opcode

    async def scenario(desk: LiveDesk) -> list:
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.write_frame(True, Opcode.TEXT, b'{"type": "message", "text": "\xff\xfe"}')
            seen: list = []
            try:
                while True:
                    seen.append(json.loads(await asyncio.wait_for(ws.recv(), 3)))
            except Exception as ended:  # closed by the server, or silence
                seen.append(type(ended).__name__)
            return seen

    seen = run_desk(scenario)
    assert any(isinstance(e, dict) and e.get("type") == "error" for e in seen), seen
    assert "Traceback" not in caplog.text
