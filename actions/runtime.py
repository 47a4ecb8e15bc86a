"""What the actions run against: settings, repositories and the clock.

Built once per action-server process, on first use (nothing connects at import).
Database calls are blocking, so actions run them in a worker thread with
:func:`off_loop` and the server's event loop keeps serving other conversations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.orders import OrderRepository
from payhelp.store.records import AssistantRecords

T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    settings: Settings
    orders: OrderRepository
    records: AssistantRecords
    clock: Callable[[], datetime] = _utc_now

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        sessions = make_session_factory(make_engine(settings.database_url))
        return cls(settings, OrderRepository(sessions), AssistantRecords(sessions))


_services: Services | None = None


def services() -> Services:
    """The process's services, built from the environment on first use."""
    global _services
    if _services is None:
        _services = Services.from_settings(Settings.from_env())
    return _services


def use_services(replacement: Services | None) -> None:
    """Swap the services (tests); ``None`` makes the next call rebuild them."""
    global _services
    _services = replacement


async def off_loop(function: Callable[..., T], *args: object) -> T:
    """Run a blocking call (database) in a worker thread."""
    return await asyncio.to_thread(function, *args)
