"""Clients that go away: a closed tab must leave no handler waiting and no task pending.

Reproduced first with the desk as its own process (`python -m desk`) and a WebSocket
client whose TCP connection is dropped without a close frame: Sanic 21.12 logged
"Task was destroyed but it is pending!" for the handler's receive task.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
import websockets

from payhelp.settings import PROJECT_ROOT, Settings
from tests.desk.conftest import LiveDesk, free_port, next_event


async def until(condition, timeout: float = 5) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@pytest.mark.parametrize("goes", ["vanishes", "closes"])
def test_a_customer_who_leaves_is_let_go(run_desk, goes: str) -> None:
    async def scenario(desk: LiveDesk):
        hub = desk.app.ctx.desk.live
        token = await desk.start_chat()
        ws = await websockets.connect(f"{desk.base.replace('http', 'ws')}/ws/chat?token={token}")
        await next_event(ws, "state")
        assert hub.connected_customers == 1
        if goes == "vanishes":
            ws.transport.abort()  # a tab killed: the TCP connection drops, no close frame
        else:
            await ws.close()
        return await until(lambda: hub.connected_customers == 0)

    assert run_desk(scenario), "the desk still holds the socket of a customer who left"


def test_a_staff_member_who_vanishes_leaves_nothing_behind(run_desk, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="asyncio")

    async def scenario(desk: LiveDesk):
        hub = desk.app.ctx.desk.live
        await desk.login()
        cookie = "; ".join(f"{c.key}={c.value}" for c in desk.http.cookie_jar)
        ws = await websockets.connect(
            desk.base.replace("http", "ws") + "/staff/ws", extra_headers={"Cookie": cookie}
        )
        assert await until(lambda: hub.connected_staff == 1)
        ws.transport.abort()
        return await until(lambda: hub.connected_staff == 0)

    assert run_desk(scenario), "the desk still holds the socket of a staff member who left"
    gc.collect()  # a pending task left behind is reported when it is collected
    assert "Task was destroyed but it is pending" not in caplog.text


@pytest.mark.slow
def test_the_desk_process_logs_no_error_when_clients_vanish(
    desk_settings: Settings, tmp_path: Path
) -> None:
    """The desk as it runs in production (`python -m desk`): clients drop, one stays
    connected, then the desk is stopped."""
    port = free_port()
    settings = replace(desk_settings, desk_port=port, rasa_port=free_port())
    log_path = tmp_path / "desk.log"
    with log_path.open("wb") as log:
        desk = subprocess.Popen(
            [sys.executable, "-m", "desk"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **settings.to_env(), "RASA_TELEMETRY_ENABLED": "false"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        asyncio.run(_clients_that_vanish(f"http://127.0.0.1:{port}", desk))
    finally:
        if desk.poll() is None:
            desk.kill()
            desk.wait()
    output = log_path.read_text(errors="replace")
    assert "Stopping worker" in output  # it ran, and stopped the ordinary way
    assert "Task was destroyed but it is pending" not in output
    assert "Traceback" not in output


async def _clients_that_vanish(base: str, desk: subprocess.Popen) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for _ in range(100):
            try:
                async with http.get(f"{base}/health") as reply:
                    if reply.status == 200:
                        break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        live = LiveDesk(base, http)
        await live.login()
        cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
        staff = await websockets.connect(
            base.replace("http", "ws") + "/staff/ws", extra_headers={"Cookie": cookie}
        )
        chats = []
        for _ in range(2):
            token = await live.start_chat()
            chats.append(
                await websockets.connect(f"{base.replace('http', 'ws')}/ws/chat?token={token}")
            )
            await next_event(chats[-1], "state")
        for ws in (chats[0], staff):
            ws.transport.abort()  # tabs closed: the connections drop without a close frame
        await asyncio.sleep(0.5)
        desk.send_signal(signal.SIGTERM)  # chats[1] is still open
        await asyncio.to_thread(desk.wait, 20)
