"""The desk's HTTP client for the Rasa server: the REST channel and the tracker API."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from payhelp.core.card_data import REMASK_KEY

logger = logging.getLogger(__name__)


class BotUnavailable(RuntimeError):
    """Rasa did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    """What the bot said, and whether it asked for a person (its handoff payload)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    handoff: dict[str, Any] | None = None


def read_reply(raw: list[dict[str, Any]]) -> BotReply:
    """Split Rasa's messages into what the customer sees and the handoff payload."""
    shown: list[dict[str, Any]] = []
    handoff = None
    for message in raw:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            handoff = custom["handoff"]
            continue
        if message.get("text") or message.get("buttons"):
            shown.append(
                {"text": message.get("text") or "", "buttons": message.get("buttons") or None}
            )
    return BotReply(shown, handoff)


class RasaClient:
    def __init__(self, base_url: str, timeout_s: float, token: str = "") -> None:
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._params = {"token": token} if token else {}
        self._session: aiohttp.ClientSession | None = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _post(self, path: str, body: Any, api: bool = True) -> Any:
        http = await self._http()
        try:
            async with http.post(
                self._base + path, json=body, params=self._params if api else None
            ) as reply:
                if reply.status >= 400:
                    raise BotUnavailable(f"{path} answered {reply.status}")
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise BotUnavailable(f"{path}: {exc.__class__.__name__}") from exc

    async def send(
        self,
        conversation_id: str,
        text: str,
        payload: bool = False,
        remask: list[str] | None = None,
    ) -> BotReply:
        """Send a customer message through the REST channel; the bot's reply.

        ``payload`` marks a button the bot offered: only then does Rasa read the text as
        an intent (addons/typed_text.py); typed text always goes through the NLU.
        ``remask`` names earlier messages, masked, that the tracker store should store
        instead (this message completed a card number they began).
        """
        body: dict[str, Any] = {"sender": conversation_id, "message": text}
        metadata: dict[str, Any] = {"payload": True} if payload else {}
        if remask:
            metadata[REMASK_KEY] = remask
        if metadata:
            body["metadata"] = metadata
        raw = await self._post("/webhooks/rest/webhook", body, api=False)
        if not isinstance(raw, list):
            raise BotUnavailable("the REST channel did not answer with a list")
        return read_reply(raw)

    async def hand_back(self, conversation_id: str, greet: bool = True) -> BotReply:
        """Un-pause the bot for this conversation, optionally greeting the customer.

        Messages that arrived while a person had the conversation never reached the
        bot, so the tracker is resumed and left listening for the next message.
        """
        path = f"/conversations/{conversation_id}"
        await self._post(f"{path}/tracker/events", [{"event": "resume"}])
        reply = BotReply()
        if greet:
            result = await self._post(f"{path}/execute", {"name": "action_handback"})
            reply = read_reply(result.get("messages", []) if isinstance(result, dict) else [])
        await self._post(f"{path}/tracker/events", [{"event": "action", "name": "action_listen"}])
        return reply

    async def trigger_intent(self, conversation_id: str, intent: str) -> BotReply:
        """Run ``intent`` as if the customer had said it (Rasa's trigger_intent API): the
        greeting of a new chat, or a callback request from the queue."""
        result = await self._post(
            f"/conversations/{conversation_id}/trigger_intent", {"name": intent}
        )
        if not isinstance(result, dict):
            raise BotUnavailable("trigger_intent did not answer with an object")
        return read_reply(result.get("messages") or [])
