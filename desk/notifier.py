"""One place the desk announces what changed; the live WebSockets, the metrics and the
alerts subscribe to it instead of being called from every method that changes state.

A topic is a plain string; a subscriber is an async function of the event (a dict). A
subscriber that fails is logged and the others still hear the event.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)

Subscriber = Callable[[dict[str, Any]], Awaitable[None]]

# What the staff console should hear (queue, conversation, message, channel events).
STAFF = "staff"
# A conversation moved in the routing state machine: {"event", "status", "reason", ...}.
TRANSITION = "transition"
# A payment channel's status changed (recorded by the regular check).
CHANNEL = "channel"
# A message went in or out: {"direction": "in"|"out", "sender", "text"}; a customer's
# also carries "seconds": how long the desk took to store, route and answer it.
MESSAGE = "message"
# Rasa answered a message: {"seconds"}.
BOT_REPLY = "bot_reply"


class Notifier:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscriber]] = defaultdict(list)

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._subscribers[topic].append(subscriber)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        for subscriber in list(self._subscribers.get(topic, ())):
            try:
                await subscriber(event)
            except Exception:  # one broken listener must not stop the others
                logger.exception("a subscriber to %r failed", topic)
