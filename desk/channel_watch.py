"""The regular check of every payment channel, run by the desk every ``OPS_CHECK_S``.

Each run reads the board by the one rule (:func:`payhelp.lookup.channel_board`: the
outage thresholds and planned maintenance), compares it with the statuses last recorded
and writes each change, with its evidence, to ``channel_status_changes``. With several
desk processes only the holder of the ``channel_check`` lease runs it (see
:mod:`payhelp.store.leases`); every process then tells its own staff sockets about new
changes it finds in the table, so staff see the alert whichever process they reach.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from desk import notifier as topics
from desk.alerts import worth_alerting
from desk.notifier import Notifier
from desk.views import status_change_json
from payhelp.lookup import channel_board
from payhelp.settings import Settings
from payhelp.store.channels import ChannelRecords, StatusChange
from payhelp.store.leases import Leases
from payhelp.store.orders import OrderRepository
from payhelp.store.tables import utc_now

logger = logging.getLogger(__name__)
LEASE = "channel_check"


def holder_name() -> str:
    """This process, as lease holders are told apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class ChannelWatch:
    settings: Settings
    orders: OrderRepository
    records: ChannelRecords
    leases: Leases
    notifier: Notifier
    clock: Callable[[], datetime] = utc_now
    holder: str = field(default_factory=holder_name)
    last_seen: int | None = None
    # The first run waits this long after start-up, so starting the desk stays quick.
    first_delay_s: float = 2.0
    held: bool = False  # whether this process has taken the lease (to give it back)

    def check(self, now: datetime) -> list[StatusChange] | None:
        """One run (blocking); the changes it recorded, or None if another process holds
        the lease."""
        ttl = timedelta(seconds=max(2 * self.settings.ops_check_s, 30))
        if not self.leases.acquire(LEASE, self.holder, now, ttl):
            return None
        self.held = True
        board = channel_board(self.orders, now, self.settings.diagnosis)
        previous = self.records.latest_statuses()
        changed = [
            health
            for method, health in board.health.items()
            if previous.get(method.value, "ok") != health.status.value
        ]
        return self.records.record_changes(changed, previous, now) if changed else []

    async def tick(self) -> None:
        """Run the check if this process holds the lease, then announce new changes."""
        if self.last_seen is None:  # changes from before this process started are history
            self.last_seen = await asyncio.to_thread(self.records.last_change_id)
        recorded = await asyncio.to_thread(self.check, self.clock())
        for change in recorded or ():
            logger.warning(
                "payment channel %s is %s (was %s): %s",
                change.method, change.status, change.previous, change.evidence,
            )  # fmt: skip
            await self.notifier.publish(
                topics.CHANNEL, {**status_change_json(change), "recorded_here": True}
            )
        for change in await asyncio.to_thread(self.records.changes_after, self.last_seen):
            self.last_seen = change.id
            shaped = status_change_json(change)
            if not worth_alerting(shaped):
                continue
            await self.notifier.publish(topics.STAFF, {"type": "channel_alert", "change": shaped})

    async def run(self) -> None:
        """Forever, every OPS_CHECK_S; a failed run is logged and retried next time."""
        await asyncio.sleep(min(self.first_delay_s, self.settings.ops_check_s))
        while True:
            try:
                await self.tick()
            except Exception:
                logger.exception("the regular channel check failed")
            await asyncio.sleep(self.settings.ops_check_s)

    async def stop(self) -> None:
        """Give the lease back at shutdown, so another desk takes over at once."""
        if self.held:
            await asyncio.to_thread(self.leases.release, LEASE, self.holder, self.clock())
