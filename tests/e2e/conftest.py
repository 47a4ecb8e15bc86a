"""The real product over real HTTP: the Rasa server and the action server as processes."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Bot:
    """Talks to a running stack the way a front end would."""

    settings: Settings
    log_dir: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    def post(
        self, path: str, body: bytes, content_type: str = "application/json"
    ) -> tuple[int, Any]:
        request = urllib.request.Request(self.base + path, body, {"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status, json.load(reply)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        status, replies = self.post(
            "/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode()
        )
        assert status == 200, replies
        return replies

    def conversation(self, *texts: str) -> tuple[str, list[list[dict[str, Any]]]]:
        sender = f"e2e-{uuid.uuid4().hex[:10]}"
        return sender, [self.say(sender, text) for text in texts]

    def tracker(self, sender: str) -> dict[str, Any]:
        url = f"{self.base}/conversations/{sender}/tracker?token={self.settings.rasa_token}"
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)


def local_stack_settings(root: Path, **extra: Any) -> Settings:
    """A whole stack's settings: SQLite files under ``root``, every server on a free port."""
    return Settings(
        database_url=f"sqlite:///{root / 'payhelp.db'}",
        tracker_store_url=f"sqlite:///{root / 'tracker.db'}",
        rasa_port=free_port(),
        action_port=free_port(),
        desk_port=free_port(),
        **extra,
    )


def start_bot(settings: Settings, log_dir: Path) -> Iterator[Bot]:
    prepare_databases(settings)
    with Stack(settings, ensure_model(), log_dir, with_desk=False) as stack:
        yield Bot(stack.settings, log_dir)


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """The product on SQLite files, on free ports."""
    root = tmp_path_factory.mktemp("stack")
    settings = Settings(
        database_url=f"sqlite:///{root / 'payhelp.db'}",
        tracker_store_url=f"sqlite:///{root / 'tracker.db'}",
        rasa_port=free_port(),
        action_port=free_port(),
        log_level="DEBUG",  # the servers log each message: the masking tests read the logs
    )
    yield from start_bot(settings, root / "logs")


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)
