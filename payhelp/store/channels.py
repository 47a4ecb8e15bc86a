"""Channel operations in SQL: planned maintenance windows, the status-change log the
regular check writes, and each method's success figures for the operations page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, desc, func, or_, select
from sqlalchemy.orm import sessionmaker

from payhelp.core.channels import ChannelHealth, ChannelStatus, Maintenance
from payhelp.core.orders import PaymentMethod, PaymentStatus
from payhelp.store.database import transaction
from payhelp.store.orders import to_maintenance
from payhelp.store.sql_time import epoch_seconds
from payhelp.store.tables import ChannelMaintenanceRow, ChannelStatusChangeRow, PaymentRow

# The operations page's success-rate windows, in minutes.
RATE_WINDOWS = {"15m": 15, "1h": 60, "24h": 24 * 60}
CHART_HOURS = 24
TOP_FAILURE_CODES = 3


@dataclass(frozen=True)
class MaintenanceWindow:
    id: int
    window: Maintenance
    created_by: str | None


@dataclass(frozen=True)
class StatusChange:
    id: int
    method: str
    status: str
    previous: str
    reason: str
    evidence: str
    at: datetime


@dataclass(frozen=True)
class MethodFigures:
    """One method's attempts and successes per window, top failure codes, hourly rates."""

    attempts: dict[str, int]
    succeeded: dict[str, int]
    failed: dict[str, int]
    top_failure_codes: list[tuple[str, int]]
    # One entry per hour, oldest first: (succeeded, finished attempts) in that hour.
    hourly: list[tuple[int, int]]

    def success_rate(self, window: str) -> float | None:
        """Succeeded among finished attempts (pending ones are not counted yet)."""
        finished = self.succeeded[window] + self.failed[window]
        return self.succeeded[window] / finished if finished else None


class ChannelRecords:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    # --- maintenance --------------------------------------------------------------------

    def add_maintenance(self, window: Maintenance, created_by: str | None) -> int:
        with transaction(self._sessions) as session:
            row = ChannelMaintenanceRow(
                method=window.method.value, starts_at=window.starts_at, ends_at=window.ends_at,
                message_en=window.message_en, message_zh=window.message_zh,
                created_by=created_by,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return int(row.id)

    def end_maintenance(self, window_id: int, now: datetime) -> bool:
        """End a window now (False: no such window, or it was already over)."""
        with transaction(self._sessions) as session:
            row = session.get(ChannelMaintenanceRow, window_id)
            if row is None or row.ends_at <= now:
                return False
            row.ends_at = max(now, row.starts_at)
            return True

    def maintenance_since(self, since: datetime) -> list[MaintenanceWindow]:
        """Windows that end after ``since`` (current, future and recent), newest first."""
        query = (
            select(ChannelMaintenanceRow)
            .where(ChannelMaintenanceRow.ends_at > since)
            .order_by(ChannelMaintenanceRow.starts_at.desc())
        )
        with transaction(self._sessions) as session:
            rows = session.execute(query).scalars().all()
        known = {m.value for m in PaymentMethod}
        return [MaintenanceWindow(r.id, to_maintenance(r), r.created_by) for r in rows
                if r.method in known]  # fmt: skip

    # --- the status-change log ------------------------------------------------------------

    def latest_statuses(self) -> dict[str, str]:
        """Each method's status as last recorded (methods never recorded are absent)."""
        newest = (
            select(ChannelStatusChangeRow.method, func.max(ChannelStatusChangeRow.id).label("id"))
            .group_by(ChannelStatusChangeRow.method)
            .subquery()
        )
        query = select(ChannelStatusChangeRow.method, ChannelStatusChangeRow.status).join(
            newest, ChannelStatusChangeRow.id == newest.c.id
        )
        with transaction(self._sessions) as session:
            return {method: status for method, status in session.execute(query)}

    def record_changes(
        self, changes: Sequence[ChannelHealth], previous: dict[str, str], at: datetime
    ) -> list[StatusChange]:
        """Write each change with its evidence; returns them as stored."""
        rows = []
        with transaction(self._sessions) as session:
            for health in changes:
                activity = health.activity
                row = ChannelStatusChangeRow(
                    method=health.method.value, status=health.status.value,
                    previous=previous.get(health.method.value, ChannelStatus.OK.value),
                    reason=health.reason.value, evidence=health.evidence,
                    attempts=activity.attempts if activity else 0,
                    failures=activity.failures if activity else 0,
                    orders_with_failures=activity.orders_with_failures if activity else 0,
                    at=at,
                )  # fmt: skip
                session.add(row)
                rows.append(row)
            session.flush()
            return [_change(r) for r in rows]

    def changes_after(self, change_id: int, limit: int = 50) -> list[StatusChange]:
        query = (
            select(ChannelStatusChangeRow)
            .where(ChannelStatusChangeRow.id > change_id)
            .order_by(ChannelStatusChangeRow.id)
            .limit(limit)
        )
        with transaction(self._sessions) as session:
            return [_change(r) for r in session.execute(query).scalars()]

    def recent_changes(self, limit: int = 50) -> list[StatusChange]:
        query = select(ChannelStatusChangeRow).order_by(desc(ChannelStatusChangeRow.id))
        with transaction(self._sessions) as session:
            return [_change(r) for r in session.execute(query.limit(limit)).scalars()]

    def last_change_id(self) -> int:
        with transaction(self._sessions) as session:
            found = session.execute(select(func.max(ChannelStatusChangeRow.id))).scalar()
            return int(found or 0)

    # --- figures for the operations page ------------------------------------------------

    def method_figures(self, now: datetime) -> dict[str, MethodFigures]:
        """Per method: attempts and outcomes per window, top failure codes (24 h), and the
        hourly success counts of the last 24 hours; all counted in SQL."""
        day_ago = now - timedelta(hours=CHART_HOURS)
        ok = PaymentRow.status == PaymentStatus.SUCCEEDED.value
        bad = PaymentRow.status == PaymentStatus.FAILED.value
        columns: list[Any] = [PaymentRow.method]
        for minutes in RATE_WINDOWS.values():
            inside = PaymentRow.created_at >= now - timedelta(minutes=minutes)
            columns += [
                func.sum(case((inside, 1), else_=0)),
                func.sum(case((and_(inside, ok), 1), else_=0)),
                func.sum(case((and_(inside, bad), 1), else_=0)),
            ]
        recent = and_(PaymentRow.created_at >= day_ago, PaymentRow.created_at <= now)
        totals = select(*columns).where(recent).group_by(PaymentRow.method)
        codes = (
            select(PaymentRow.method, PaymentRow.failure_code, func.count(PaymentRow.id))
            .where(recent, bad, PaymentRow.failure_code.is_not(None))
            .group_by(PaymentRow.method, PaymentRow.failure_code)
        )
        with transaction(self._sessions) as session:
            dialect = session.get_bind().dialect.name
            hour = func.floor(
                (epoch_seconds(PaymentRow.created_at, dialect) - day_ago.timestamp()) / 3600
            )
            hourly = (
                select(
                    PaymentRow.method, hour,
                    func.sum(case((ok, 1), else_=0)),
                    func.sum(case((or_(ok, bad), 1), else_=0)),
                )
                .where(recent)
                .group_by(PaymentRow.method, hour)
            )  # fmt: skip
            total_rows = session.execute(totals).all()
            code_rows = session.execute(codes).all()
            hour_rows = session.execute(hourly).all()
        figures: dict[str, MethodFigures] = {}
        names = list(RATE_WINDOWS)
        for row in total_rows:
            method, values = row[0], [int(v or 0) for v in row[1:]]
            figures[method] = MethodFigures(
                attempts={n: values[3 * i] for i, n in enumerate(names)},
                succeeded={n: values[3 * i + 1] for i, n in enumerate(names)},
                failed={n: values[3 * i + 2] for i, n in enumerate(names)},
                top_failure_codes=[],
                hourly=[(0, 0)] * CHART_HOURS,
            )
        for method, code, count in sorted(code_rows, key=lambda r: (-r[2], r[1])):
            top = figures[method].top_failure_codes
            if len(top) < TOP_FAILURE_CODES:
                top.append((code, int(count)))
        for method, index, succeeded, finished in hour_rows:
            slot = min(max(int(index), 0), CHART_HOURS - 1)
            figures[method].hourly[slot] = (int(succeeded or 0), int(finished or 0))
        return figures


def _change(row: ChannelStatusChangeRow) -> StatusChange:
    return StatusChange(
        row.id, row.method, row.status, row.previous, row.reason, row.evidence, row.at
    )
