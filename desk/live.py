"""Open WebSockets: customers' (per conversation, several tabs allowed) and staff's."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Socket(Protocol):
    async def send(self, data: str) -> None: ...


class LiveHub:
    """Pushes events to whoever is connected; a socket that fails is dropped.

    One desk process holds these in memory; see the README for running several.
    """

    def __init__(self) -> None:
        self._customers: dict[str, set[Socket]] = defaultdict(set)
        self._staff: dict[Socket, int] = {}

    def add_customer(self, conversation_id: str, socket: Socket) -> None:
        self._customers[conversation_id].add(socket)

    def remove_customer(self, conversation_id: str, socket: Socket) -> None:
        self._customers[conversation_id].discard(socket)
        if not self._customers[conversation_id]:
            del self._customers[conversation_id]

    def add_staff(self, agent_id: int, socket: Socket) -> None:
        self._staff[socket] = agent_id

    def remove_staff(self, socket: Socket) -> None:
        self._staff.pop(socket, None)

    async def to_customer(self, conversation_id: str, event: dict[str, Any]) -> None:
        for socket in list(self._customers.get(conversation_id, ())):
            if not await _send(socket, event):
                self.remove_customer(conversation_id, socket)

    async def to_staff(self, event: dict[str, Any]) -> None:
        for socket in list(self._staff):
            if not await _send(socket, event):
                self.remove_staff(socket)

    @property
    def connected_customers(self) -> int:
        return sum(len(sockets) for sockets in self._customers.values())

    @property
    def connected_staff(self) -> int:
        return len(self._staff)


async def _send(socket: Socket, event: dict[str, Any]) -> bool:
    try:
        await socket.send(json.dumps(event))
        return True
    except Exception:  # closed or broken: the client reconnects and resyncs
        logger.debug("dropping a closed socket", exc_info=True)
        return False
