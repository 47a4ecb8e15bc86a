"""Whether each payment method works right now: the one rule, used by the diagnosis and by
every list of payment methods offered to a customer.

Pure: it sees recent activity per method (attempts, failures, orders with failures in
the outage window) and the thresholds in :class:`DiagnosisPolicy`. A method is ``down``
when a wave of failures hits many orders on it, ``degraded`` when failures dominate but
do not yet reach that, and ``ok`` otherwise. A method that is down is never offered.

Planned maintenance is part of the same rule: while an admin's :class:`Maintenance`
window is on, the method is ``down`` with the reason ``maintenance``, so the diagnosis,
every list of methods offered, the operations page and the regular check all see it the
same way. :meth:`ChannelBoard.changed_since` gives the status changes the regular check
records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from payhelp.core.orders import ChannelActivity, PaymentMethod
from payhelp.settings import DiagnosisPolicy

# A single customer retrying is not a wave: "degraded" needs failures on this many orders.
_DEGRADED_MIN_ORDERS = 2


class ChannelStatus(str, Enum):
    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"


class HealthReason(str, Enum):
    """What a status rests on."""

    QUIET = "quiet"
    FAILURE_WAVE = "failure_wave"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class Maintenance:
    """An admin's planned maintenance of one method, from ``starts_at`` until ``ends_at``,
    with what customers who paid with it are told, in English and in Chinese."""

    method: PaymentMethod
    starts_at: datetime
    ends_at: datetime
    message_en: str = ""
    message_zh: str = ""

    def active_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def message(self, language: str | None) -> str:
        """The admin's message in the customer's language (the other one if it is empty)."""
        preferred, other = (
            (self.message_zh, self.message_en)
            if language == "zh"
            else (self.message_en, self.message_zh)
        )
        return preferred or other


@dataclass(frozen=True)
class ChannelHealth:
    """One method's status now, and the activity it was read from."""

    method: PaymentMethod
    status: ChannelStatus
    activity: ChannelActivity | None = None
    window_minutes: int = 0
    reason: HealthReason = HealthReason.QUIET
    maintenance: Maintenance | None = None

    @property
    def evidence(self) -> str:
        """For staff: the figures behind the status."""
        if self.maintenance is not None:
            until = self.maintenance.ends_at.strftime("%Y-%m-%d %H:%M %Z").strip()
            return f"{self.method.value}: planned maintenance until {until}"
        if self.activity is None:
            return f"{self.method.value}: no attempts in the last {self.window_minutes} min"
        a = self.activity
        return (
            f"{self.method.value}: {a.failures} of {a.attempts} attempts failed on "
            f"{a.orders_with_failures} orders in the last {self.window_minutes} min"
        )


def assess_channel(
    method: PaymentMethod, activity: ChannelActivity | None, policy: DiagnosisPolicy
) -> ChannelHealth:
    """The status of ``method`` from its recent activity (``None``: nothing happened)."""
    window = policy.outage_window_minutes
    if activity is None or activity.failures == 0:
        return ChannelHealth(method, ChannelStatus.OK, activity, window)
    failing = activity.failure_ratio >= policy.outage_min_failure_ratio
    down = (
        failing
        and activity.failures >= policy.outage_min_failures
        and activity.orders_with_failures >= policy.outage_min_orders
    )
    if down:
        status = ChannelStatus.DOWN
    elif failing and activity.orders_with_failures >= _DEGRADED_MIN_ORDERS:
        status = ChannelStatus.DEGRADED
    else:
        status = ChannelStatus.OK
    reason = HealthReason.QUIET if status is ChannelStatus.OK else HealthReason.FAILURE_WAVE
    return ChannelHealth(method, status, activity, window, reason)


@dataclass(frozen=True)
class ChannelBoard:
    """Every method's health at one moment; a method with no reading is ``ok``."""

    health: Mapping[PaymentMethod, ChannelHealth] = field(default_factory=dict)

    def status(self, method: PaymentMethod | str) -> ChannelStatus:
        known = self._health(method)
        return known.status if known else ChannelStatus.OK

    def is_down(self, method: PaymentMethod | str) -> bool:
        return self.status(method) is ChannelStatus.DOWN

    def usable(self, shop_methods: Sequence[str]) -> tuple[str, ...]:
        """The shop's methods that may be offered now, in the shop's order."""
        return tuple(m for m in shop_methods if not self.is_down(m))

    def down(self, shop_methods: Sequence[str]) -> tuple[str, ...]:
        """The shop's methods that are down now, in the shop's order."""
        return tuple(m for m in shop_methods if self.is_down(m))

    def evidence(self, method: PaymentMethod | str) -> str | None:
        known = self._health(method)
        return known.evidence if known else None

    def maintenance(self, method: PaymentMethod | str) -> Maintenance | None:
        """The maintenance window the method is under now, if any."""
        known = self._health(method)
        return known.maintenance if known else None

    def changed_since(self, earlier: ChannelBoard) -> tuple[ChannelHealth, ...]:
        """The readings whose status differs from ``earlier`` (what a status log records)."""
        return tuple(h for m, h in self.health.items() if earlier.status(m) is not h.status)

    def with_health(self, *readings: ChannelHealth) -> ChannelBoard:
        """A board where ``readings`` replace what was known about their methods."""
        return replace(self, health={**self.health, **{r.method: r for r in readings}})

    def _health(self, method: PaymentMethod | str) -> ChannelHealth | None:
        try:
            return self.health.get(PaymentMethod(method))
        except ValueError:
            return None  # a method the core does not know has no reading


def under_maintenance(health: ChannelHealth, window: Maintenance) -> ChannelHealth:
    """A method under planned maintenance is down, whatever its activity says."""
    return replace(
        health, status=ChannelStatus.DOWN, reason=HealthReason.MAINTENANCE, maintenance=window
    )


def assess_channels(
    activity: Mapping[PaymentMethod, ChannelActivity],
    policy: DiagnosisPolicy,
    maintenance: Iterable[Maintenance] = (),
    now: datetime | None = None,
) -> ChannelBoard:
    """The board for every known method, from recent activity per method and the
    maintenance windows that are on at ``now`` (needed when windows are given)."""
    board = {
        method: assess_channel(method, activity.get(method), policy) for method in PaymentMethod
    }
    for window in maintenance:
        if now is None:
            raise ValueError("maintenance windows need the time to be read at")
        if window.active_at(now):
            board[window.method] = under_maintenance(board[window.method], window)
    return ChannelBoard(board)
