"""Alerts on channel status changes for chat-ops tools: a JSON POST to ALERT_WEBHOOK_URL.

Only the process that recorded a change posts it (so several desks post once). Staff in
the console hear the same change through the live sockets (desk.channel_watch).
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from payhelp.messages import method_name

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_S = 5


def alert_text(change: dict[str, Any]) -> str:
    method = method_name(change["method"])
    if change["status"] == "down":
        return f"{method} is down: {change['evidence']}"
    if change["previous"] == "down":
        return f"{method} has recovered ({change['status']}): {change['evidence']}"
    return f"{method} is {change['status']} (was {change['previous']}): {change['evidence']}"


def worth_alerting(change: dict[str, Any]) -> bool:
    """A channel went down or came back from down."""
    return "down" in (change["status"], change["previous"])


class WebhookAlerts:
    def __init__(self, url: str) -> None:
        self.url = url

    async def __call__(self, change: dict[str, Any]) -> None:
        if not self.url or not change.get("recorded_here") or not worth_alerting(change):
            return
        payload = {
            "text": alert_text(change),
            **{k: change[k] for k in ("method", "status", "previous", "reason", "evidence", "at")},
        }
        try:
            timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S)
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(self.url, json=payload) as reply,
            ):
                if reply.status >= 300:
                    logger.warning("alert webhook answered HTTP %s", reply.status)
        except (aiohttp.ClientError, TimeoutError) as problem:
            logger.warning("alert webhook failed: %s", problem)
