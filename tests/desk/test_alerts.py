"""ALERT_WEBHOOK_URL: a channel that goes down or recovers is POSTed as JSON, once, by the
process that recorded it; other changes and other processes post nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web

from desk.alerts import WebhookAlerts, alert_text
from tests.desk.conftest import free_port

DOWN = {
    "id": 1, "method": "wechat_pay", "status": "down", "previous": "ok",
    "reason": "failure_wave", "at": "2026-11-25T12:00:00+00:00",
    "evidence": "wechat_pay: 7 of 7 attempts failed on 7 orders in the last 30 min",
}  # fmt: skip


def posted_for(changes: list[dict[str, Any]], status: int = 200) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    async def scenario() -> None:
        async def hook(request: web.Request) -> web.Response:
            received.append(await request.json())
            return web.Response(status=status)

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            alerts = WebhookAlerts(f"http://127.0.0.1:{port}/hook")
            for change in changes:
                await alerts(change)
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    return received


def test_down_and_recovery_are_posted_by_the_recording_process() -> None:
    recovered = {**DOWN, "id": 2, "status": "ok", "previous": "down", "reason": "quiet"}
    degraded = {**DOWN, "id": 3, "status": "degraded", "previous": "ok"}
    changes = [{**c, "recorded_here": True} for c in (DOWN, recovered, degraded)]
    changes.append({**DOWN, "recorded_here": False})  # another desk recorded this one
    posted = posted_for(changes)
    assert [(p["status"], p["previous"]) for p in posted] == [("down", "ok"), ("ok", "down")]
    assert posted[0] == {
        "text": "WeChat Pay is down: " + DOWN["evidence"],
        **{k: DOWN[k] for k in ("method", "status", "previous", "reason", "evidence", "at")},
    }
    assert posted[1]["text"].startswith("WeChat Pay has recovered (ok)")


def test_a_failing_webhook_never_breaks_the_check(caplog: pytest.LogCaptureFixture) -> None:
    assert len(posted_for([{**DOWN, "recorded_here": True}], status=500)) == 1
    assert "alert webhook answered HTTP 500" in caplog.text

    async def unreachable() -> None:
        await WebhookAlerts(f"http://127.0.0.1:{free_port()}/nobody")(
            {**DOWN, "recorded_here": True}
        )

    asyncio.run(unreachable())  # logged, not raised
    assert "alert webhook failed" in caplog.text


def test_without_a_url_nothing_is_tried_and_other_changes_are_worded() -> None:
    asyncio.run(WebhookAlerts("")({**DOWN, "recorded_here": True}))
    assert alert_text({**DOWN, "status": "degraded"}).startswith("WeChat Pay is degraded")
