"""The desk's HTTP client for the Rasa server: the REST channel and the tracker API.

Any answer the customer cannot use counts as the bot being unavailable
(:class:`BotUnavailable`): no answer in time, an error status, a body that is not
the REST channel's list, or an empty answer (Rasa answers 200 with no messages when
a custom action failed, e.g. the action server is down).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from payhelp.core.card_data import REMASK_KEY

logger = logging.getLogger(__name__)


class BotUnavailable(RuntimeError):
    """Rasa gave no usable answer: too slow, an error, unreadable, or empty."""


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
        if not isinstance(message, dict):
            continue
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            handoff = custom["handoff"]
            continue
        if message.get("text") or message.get("buttons"):
            shown.append(
                {"text": message.get("text") or "", "buttons": message.get("buttons") or None}
            )
    return BotReply(shown, handoff)


def last_user_event(events: list[Any]) -> dict[str, Any] | None:
    """The latest user message still in effect: one rewound (or restarted) away is not.

    (Rasa's own "applied events" also drop user messages inside a form, so they
    cannot answer this.)
    """
    users: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "user":
            users.append(event)
        elif kind == "rewind" and users:
            users.pop()
        elif kind == "restart":
            users.clear()
    return users[-1] if users else None


# Metadata key under which the desk's message id travels into the tracker's user event.
DESK_MESSAGE_ID = "desk_message_id"
READY_TIMEOUT_S = 3.0
LISTEN = {"event": "action", "name": "action_listen"}


def instance_order(conversation_id: str, instances: Sequence[str]) -> list[str]:
    """The instances in the order this conversation tries them: rendezvous hashing, so
    each conversation has one home, and losing an instance moves only its conversations
    (each to its next one)."""
    if len(instances) <= 1:
        return list(instances)

    def weight(instance: str) -> bytes:
        return hashlib.blake2b(f"{conversation_id}|{instance}".encode(), digest_size=8).digest()

    return sorted(instances, key=weight, reverse=True)


class RasaClient:
    """Talks to one Rasa server, or several (scaled mode): each conversation goes to the
    instance :func:`instance_order` picks, and to the next one when it refuses the
    connection (it is down, so it cannot have taken the message in). Any other failure
    is :class:`BotUnavailable` as usual: the desk fails open and retries later, rewinding
    whatever the instance may have taken in."""

    def __init__(
        self,
        base_url: str | Sequence[str],
        timeout_s: float,
        token: str = "",
        action_server_health_url: str | Sequence[str] | None = None,
    ) -> None:
        bases = [base_url] if isinstance(base_url, str) else list(base_url)
        self._bases = [b.rstrip("/") for b in bases]
        self._base = self._bases[0]
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._params = {"token": token} if token else {}
        health = action_server_health_url
        self._action_server_health = [health] if isinstance(health, str) else list(health or [])
        self._session: aiohttp.ClientSession | None = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        api: bool = True,
        params: dict[str, str] | None = None,
        conversation_id: str = "",
    ) -> Any:
        http = await self._http()
        query = {**self._params, **(params or {})} if api else None
        if conversation_id == "" and isinstance(body, dict):
            conversation_id = str(body.get("sender", ""))
        bases = instance_order(conversation_id, self._bases)
        for n, base in enumerate(bases):
            try:
                async with http.request(method, base + path, json=body, params=query) as reply:
                    if reply.status >= 400:
                        raise BotUnavailable(f"{path} answered {reply.status}")
                    return await reply.json(content_type=None)
            except aiohttp.ClientConnectorError as exc:  # down: it never saw the request
                if n + 1 < len(bases):
                    logger.info("%s refused the connection; trying %s", base, bases[n + 1])
                    continue
                raise BotUnavailable(f"{path}: {exc.__class__.__name__}") from exc
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                raise BotUnavailable(f"{path}: {exc.__class__.__name__}") from exc
            except ValueError as exc:  # not JSON, or not UTF-8
                raise BotUnavailable(f"{path}: unreadable answer") from exc
        raise BotUnavailable(f"{path}: no Rasa server configured")

    async def _post(self, path: str, body: Any, api: bool = True) -> Any:
        return await self._call("POST", path, body, api, conversation_id=_conversation_of(path))

    async def send(
        self,
        conversation_id: str,
        text: str,
        payload: bool = False,
        message_id: int | None = None,
        remask: list[str] | None = None,
    ) -> BotReply:
        """Send a customer message through the REST channel; the bot's reply.

        ``payload`` marks a button the bot offered: only then does Rasa read the text as
        an intent (addons/typed_text.py); typed text always goes through the NLU.
        ``message_id`` (the desk's) is kept in the tracker's user event, so a later
        retry can tell whether Rasa already took this message in. ``remask`` names
        earlier messages, masked, that the tracker store should store instead (this
        message completed a card number they began).
        """
        body: dict[str, Any] = {"sender": conversation_id, "message": text}
        metadata: dict[str, Any] = {}
        if payload:
            metadata["payload"] = True
        if message_id is not None:
            metadata[DESK_MESSAGE_ID] = message_id
        if remask:
            metadata[REMASK_KEY] = remask
        if metadata:
            body["metadata"] = metadata
        raw = await self._post("/webhooks/rest/webhook", body, api=False)
        if not isinstance(raw, list):
            raise BotUnavailable("the REST channel did not answer with a list")
        reply = read_reply(raw)
        if not reply.messages and reply.handoff is None:
            raise BotUnavailable("the bot answered nothing (a custom action failed?)")
        return reply

    async def prepare_retry(self, conversation_id: str, message_id: int) -> bool:
        """Before sending a message again, make the tracker fit to take it once.

        If Rasa took the message in last time (its answer was lost or broken), the
        tracker is rewound to just before it. If the tracker is paused (a hand-back
        or reopen could not resume it while Rasa was away), it is resumed: the desk
        only retries conversations the bot owns. True if it rewound.
        """
        path = f"/conversations/{conversation_id}"
        tracker = await self._tracker(path)
        last = last_user_event(tracker.get("events") or [])
        metadata = last.get("metadata") if last else None
        rewound = isinstance(metadata, dict) and metadata.get(DESK_MESSAGE_ID) == message_id
        if rewound:
            # A rewind also undoes the action_listen before the message: listen again, so
            # the tracker is exactly as it was when the message first came in.
            await self._post(f"{path}/tracker/events", [{"event": "rewind"}, LISTEN])
            tracker = await self._tracker(path)
        if tracker.get("paused"):
            await self._post(f"{path}/tracker/events", [{"event": "resume"}, LISTEN])
        return rewound

    async def _tracker(self, path: str) -> dict[str, Any]:
        tracker = await self._call("GET", f"{path}/tracker", conversation_id=_conversation_of(path))
        if not isinstance(tracker, dict) or not isinstance(tracker.get("events", []), list):
            raise BotUnavailable(f"{path}/tracker: not a tracker")
        return tracker

    async def ready(self) -> bool:
        """Whether a Rasa server and an action server answer now (with several, any)."""
        rasa = [base + "/" for base in self._bases]
        return await self._any_answers(rasa) and (
            not self._action_server_health or await self._any_answers(self._action_server_health)
        )

    async def answering(self) -> dict[str, bool]:
        """Each Rasa server and action server, and whether it answers now (for /health)."""
        urls = [base + "/" for base in self._bases] + self._action_server_health
        answers = await asyncio.gather(*(self._any_answers([url]) for url in urls))
        return dict(zip(urls, answers, strict=True))

    async def _any_answers(self, urls: list[str]) -> bool:
        http = await self._http()
        for url in urls:
            try:
                async with http.get(
                    url, timeout=aiohttp.ClientTimeout(total=READY_TIMEOUT_S)
                ) as reply:
                    if reply.status < 400:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
        return False

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

    async def set_slots(self, conversation_id: str, slots: dict[str, Any]) -> None:
        """Set slots in the tracker through Rasa's locked HTTP API: what the desk vouches for."""
        path = f"/conversations/{conversation_id}"
        # Posting events to a new tracker starts its session first, but the session start
        # is stamped after the posted events, and the tracker store orders events by time:
        # slots posted with it would come before the session start and be reset by it. So
        # a first post starts the session (a listen, harmless in a running one).
        await self._post(f"{path}/tracker/events", [LISTEN])
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        await self._post(f"{path}/tracker/events", events)

    async def trigger_intent(
        self, conversation_id: str, intent: str, language: str | None = None
    ) -> BotReply:
        """Run ``intent`` as if the customer had said it (Rasa's trigger_intent API): the
        greeting of a new chat, or a callback request from the queue. A ``language`` goes
        along as the entity that sets the bot's slot ``language``, so it answers in it."""
        body: dict[str, Any] = {"name": intent}
        if language:
            body["entities"] = {"language": language}
        result = await self._post(f"/conversations/{conversation_id}/trigger_intent", body)
        if not isinstance(result, dict):
            raise BotUnavailable("trigger_intent did not answer with an object")
        return read_reply(result.get("messages") or [])


def _conversation_of(path: str) -> str:
    """The conversation id in ``/conversations/<id>/...`` ("" for other paths)."""
    parts = path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "conversations" else ""
