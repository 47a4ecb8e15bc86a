"""The README's signing examples really work: each is run as written against a desk."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from dataclasses import replace
from typing import Any

import pytest

from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.tables import CustomerRow, OrderRow
from tests.desk.conftest import LiveDesk

SECRET = "whsec_readme_example_0123456789"


def example(name: str) -> str:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)```", readme, re.S)
    assert found, f"README has no '{name}' example"
    return found[1]


@pytest.mark.parametrize(
    "name,command",
    [("python", [sys.executable, "-c"]), ("shell", ["bash", "-c"])],
)
def test_the_signing_example_is_accepted(
    run_desk: Any, desk_settings: Settings, name: str, command: list[str]
) -> None:
    settings = replace(desk_settings, payment_events_secret=SECRET)

    async def scenario(desk: LiveDesk) -> str:
        env = {**os.environ, "DESK_URL": desk.base, "PAYMENT_EVENTS_SECRET": SECRET}
        process = await asyncio.create_subprocess_exec(
            *command, example(name), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, err.decode()
        return out.decode()

    reply = json.loads(run_desk(scenario, settings))
    assert reply["status"] == "imported"
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        if name == "python":
            assert session.get(OrderRow, "ORD-19001") is not None
            assert session.get(CustomerRow, "C-9001").language == "zh"
        else:
            assert session.get(CustomerRow, "C-9002").name == "Ann Lee"
