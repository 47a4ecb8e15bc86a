"""A hung Rasa costs the customer DESK_RASA_TIMEOUT_S, not more: then the desk fails open.

Runs the desk with its real Rasa client (no scripted bot) against a fake Rasa that
accepts the request and never answers, so the configured timeout is what ends the wait.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from payhelp.settings import Settings
from tests.desk.conftest import LiveDesk, events_until, next_event


@pytest.fixture
def bot() -> None:
    """Overrides the scripted bot: create_app builds its own RasaClient from the settings."""
    return None


class SilentRasa:
    """Accepts connections and reads requests on a free port, and never answers."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = int(self._listener.getsockname()[1])
        self.requests: list[bytes] = []
        self._open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._open.append(connection)
            self.requests.append(connection.recv(65536))

    def close(self) -> None:
        self._listener.close()
        for connection in self._open:
            connection.close()


@pytest.fixture
def silent_rasa() -> Iterator[SilentRasa]:
    rasa = SilentRasa()
    yield rasa
    rasa.close()


TIMEOUT_S = 1
# Generous for a busy machine, and far below what a much longer timeout would take.
BOUND_S = 4 * TIMEOUT_S + 1


def test_a_hung_rasa_fails_open_within_the_configured_timeout(
    run_desk, desk_settings: Settings, silent_rasa: SilentRasa
) -> None:
    settings = replace(desk_settings, rasa_port=silent_rasa.port, desk_rasa_timeout_s=TIMEOUT_S)

    async def scenario(desk: LiveDesk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            started = time.monotonic()
            await ws.send(json.dumps({"type": "message", "text": "hello?", "client_id": "c1"}))
            seen = await events_until(
                ws,
                lambda e: e["type"] == "state" and e["state"]["status"] == "waiting",
                timeout=30,
            )
            return time.monotonic() - started, seen

    elapsed, seen = run_desk(scenario, settings)
    # The fake Rasa got the message, so the timeout (not a refused connection) ended it.
    assert any(b"POST /webhooks/rest/webhook" in r for r in silent_rasa.requests)
    assert elapsed >= 0.9 * TIMEOUT_S, f"gave up after {elapsed:.2f}s, before the timeout"
    assert elapsed < BOUND_S, f"the customer waited {elapsed:.2f}s for a {TIMEOUT_S}s timeout"
    texts = [e["message"]["text"] for e in seen if e["type"] == "message"]
    assert any("isn't available right now" in t for t in texts)
