"""The failure-notice schedule: one row per failed attempt, decided on after a delay.

Rows are added in the import's own transaction (so an event or file that is rejected
schedules nothing), at most once per attempt whatever brings it in again. The notice
job (payhelp/notices/job.py) reads the due rows and records what it decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from payhelp.store.tables import FailureNoticeRow

# A failure older than this when it arrives is history (a bulk import of old orders),
# not news: no notice is scheduled for it.
FRESH_FOR = timedelta(hours=24)


class NoticeState:
    SCHEDULED = "scheduled"
    SENT = "sent"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class FailedAttempt:
    payment_id: str
    order_id: str
    failed_at: datetime


@dataclass(frozen=True)
class DueNotice:
    id: int
    payment_id: str
    order_id: str
    failed_at: datetime


def schedule_failure_notices(
    session: Session, failures: Sequence[FailedAttempt], now: datetime
) -> int:
    """Schedule a notice decision for each fresh failed attempt not seen before."""
    fresh = [f for f in failures if now - f.failed_at <= FRESH_FOR]
    if not fresh:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(FailureNoticeRow.__table__).on_conflict_do_nothing(
        index_elements=["payment_id"]
    )
    result = session.execute(
        statement,
        [
            {
                "payment_id": f.payment_id,
                "order_id": f.order_id,
                "failed_at": f.failed_at,
                "state": NoticeState.SCHEDULED,
            }
            for f in fresh
        ],
    )
    return max(result.rowcount or 0, 0)


def due_notices(session: Session, failed_before: datetime, limit: int = 100) -> list[DueNotice]:
    """Scheduled rows whose failure happened before ``failed_before``, oldest first."""
    query = (
        select(FailureNoticeRow)
        .where(
            FailureNoticeRow.state == NoticeState.SCHEDULED,
            FailureNoticeRow.failed_at <= failed_before,
        )
        .order_by(FailureNoticeRow.failed_at, FailureNoticeRow.id)
        .limit(limit)
    )
    return [
        DueNotice(r.id, r.payment_id, r.order_id, r.failed_at)
        for r in session.execute(query).scalars()
    ]


def last_notice_sent(session: Session, order_id: str) -> datetime | None:
    """When this order's customer last got a failure notice (None: never)."""
    query = select(func.max(FailureNoticeRow.decided_at)).where(
        FailureNoticeRow.order_id == order_id, FailureNoticeRow.state == NoticeState.SENT
    )
    return session.execute(query).scalar_one_or_none()


def record_decision(
    session: Session,
    notice_id: int,
    state: str,
    outcome: str,
    now: datetime,
    message_id: int | None = None,
) -> bool:
    """Settle a scheduled row; False if another run settled it first (compare-and-set)."""
    updated = (
        session.query(FailureNoticeRow)
        .filter(FailureNoticeRow.id == notice_id, FailureNoticeRow.state == NoticeState.SCHEDULED)
        .update(
            {"state": state, "outcome": outcome, "decided_at": now, "message_id": message_id},
            synchronize_session=False,
        )
    )
    return updated == 1
