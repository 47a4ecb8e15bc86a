"""Impact analytics for a date range, computed in SQL on the product's tables, alike on
SQLite and PostgreSQL (/staff/impact, ``make impact-report``).

Definitions (the README has them too):

- failed payments: attempts with status ``failed`` created in the range, per UTC day, by
  method and by cause (the gateway code's cause from :mod:`payhelp.core.causes`, turned
  into one SQL ``CASE``; no code or an unknown one: ``unknown``);
- conversations started in the range; ``handed_off``: reached a person at some point
  (their reason is the latest one), ``contained``: the others; callbacks requested in the
  range, ``done``: no longer ``open``;
- recovered payments: orders with a failed attempt in the range, then a conversation
  about the order (the bot checked it: ``order_checks``; or it was handed to a person:
  ``escalations``), then a successful payment within 48 hours of the first failure.
  A failure notice that was sent (``failure_notices``) counts as a contact too. Split by
  what preceded the payment: ``person`` if a person was involved, else ``bot_only`` if
  the bot checked the order, else ``notice_only``;
- time to the first agent reply and to resolution, from a conversation's first handoff
  in the range (``conversation_events``), as nearest-rank p50 and p90;
- CSAT: ratings of conversations started in the range, overall and per agent;
- unrecognised messages: the customers' ``nlu_fallback`` texts in the range, from Rasa's
  tracker store (masked when stored), most frequent first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, case, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from desk.tables import ConversationEventRow, ConversationRow, MessageRow, StaffRow
from payhelp.core.card_data import mask_card_data
from payhelp.core.causes import GATEWAY_CODES
from payhelp.core.orders import PaymentStatus
from payhelp.store.sql_time import day_of, epoch_seconds
from payhelp.store.tables import CallbackRequestRow, PaymentRow, UTCDateTime

RECOVERY_WINDOW = timedelta(hours=48)
# Amounts are summed in SQL as whole ten-thousandths (imports allow four decimals).
AMOUNT_SCALE = 10_000
TOP_UNRECOGNISED = 20
HANDOFF_EVENTS = ("handoff", "bot_unavailable")
PRECEDED_BY = ("bot_only", "person", "notice_only")


@dataclass(frozen=True)
class DateRange:
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("the range needs times with their zone")
        if self.until <= self.since:
            raise ValueError("'until' must be after 'since'")


DEFAULT_DAYS = 7
LONGEST_RANGE = timedelta(days=366)


def parse_range(since: str | None, until: str | None, now: datetime) -> DateRange:
    """A range from dates (``2026-11-01``: whole UTC days, ``until`` included) or times
    with their zone; by default the last 7 days up to ``now``."""
    end = _moment(until, "until", end_of_day=True) if until else now
    start = (
        _moment(since, "since", end_of_day=False) if since else end - timedelta(days=DEFAULT_DAYS)
    )
    span = DateRange(start, end)
    if span.until - span.since > LONGEST_RANGE:
        raise ValueError("the range can be at most 366 days")
    return span


def _moment(value: str, name: str, end_of_day: bool) -> datetime:
    value = value.strip()
    try:
        if len(value) == 10:  # a date: whole days in UTC
            day = datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
            return day + timedelta(days=1) if end_of_day else day
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"'{name}' must be a date such as 2026-11-01, or a time with its zone")
    return moment


def cause_of_code(code: Any) -> Any:
    """SQL for the cause of a failure code: the one table in payhelp.core.causes."""
    whens = {name.lower(): meaning.cause.value for name, meaning in GATEWAY_CODES.items()}
    return case(whens, value=func.lower(code), else_="unknown")


def _in(column: Any, span: DateRange) -> Any:
    return column.between(span.since, span.until - timedelta(microseconds=1))


class ImpactAnalytics:
    def __init__(self, engine: Engine, tracker_engine: Engine | None = None) -> None:
        self.engine = engine
        self.tracker_engine = tracker_engine
        self.dialect = engine.dialect.name

    def report(self, span: DateRange) -> dict[str, Any]:
        with self.engine.connect() as db:
            return {
                "range": {"since": span.since.isoformat(), "until": span.until.isoformat()},
                "failed_payments": self._failed_payments(db, span),
                "conversations": self._conversations(db, span),
                "recovered": self._recovered(db, span),
                "first_agent_reply_seconds": self._first_reply(db, span),
                "resolution_seconds": self._resolution(db, span),
                "csat": self._csat(db, span),
                "unrecognised": self.unrecognised(span),
            }

    # --- failed payments ----------------------------------------------------------------

    def _failed_payments(self, db: Any, span: DateRange) -> dict[str, Any]:
        day = day_of(PaymentRow.created_at, self.dialect).label("day")
        cause = cause_of_code(PaymentRow.failure_code).label("cause")
        failed = (PaymentRow.status == PaymentStatus.FAILED.value, _in(PaymentRow.created_at, span))
        by_method = db.execute(
            select(day, PaymentRow.method, func.count())
            .where(*failed)
            .group_by(day, PaymentRow.method)
            .order_by(day, PaymentRow.method)
        ).all()
        by_cause = db.execute(
            select(day, cause, func.count())
            .where(*failed)
            .group_by(day, cause)
            .order_by(day, cause)
        ).all()
        method_totals: dict[str, int] = {}
        for _, method, count in by_method:
            method_totals[method] = method_totals.get(method, 0) + int(count)
        cause_totals: dict[str, int] = {}
        for _, name, count in by_cause:
            cause_totals[name] = cause_totals.get(name, 0) + int(count)
        return {
            "total": sum(method_totals.values()),
            "by_method": method_totals,
            "by_cause": cause_totals,
            "per_day_by_method": [
                {"day": d, "method": m, "count": int(n)} for d, m, n in by_method
            ],
            "per_day_by_cause": [{"day": d, "cause": c, "count": int(n)} for d, c, n in by_cause],
        }

    # --- conversations --------------------------------------------------------------------

    def _conversations(self, db: Any, span: DateRange) -> dict[str, Any]:
        started = _in(ConversationRow.created_at, span)
        handed = ConversationRow.reason.is_not(None)
        total, handed_off = db.execute(
            select(func.count(), func.sum(case((handed, 1), else_=0))).where(started)
        ).one()
        reasons = db.execute(
            select(ConversationRow.reason, func.count())
            .where(started, handed)
            .group_by(ConversationRow.reason)
            .order_by(func.count().desc(), ConversationRow.reason)
        ).all()
        requested, done = db.execute(
            select(
                func.count(),
                func.sum(case((CallbackRequestRow.status != "open", 1), else_=0)),
            ).where(_in(CallbackRequestRow.created_at, span))
        ).one()
        return {
            "started": int(total),
            "contained": int(total) - int(handed_off or 0),
            "handed_off": int(handed_off or 0),
            "handed_off_by_reason": {reason: int(n) for reason, n in reasons},
            "callbacks_requested": int(requested),
            "callbacks_done": int(done or 0),
        }

    # --- recovered payments ----------------------------------------------------------------

    def _recovered(self, db: Any, span: DateRange) -> dict[str, Any]:
        epoch_paid = _sql(epoch_seconds(text("p.created_at"), self.dialect), self.engine)
        epoch_failed = _sql(epoch_seconds(text("f.failed_at"), self.dialect), self.engine)
        query = text(
            f"""
            WITH failed AS (
                SELECT order_id, MIN(created_at) AS failed_at FROM payments
                WHERE status = 'failed' AND created_at >= :since AND created_at < :until
                GROUP BY order_id
            ),
            contacts AS (
                SELECT order_id, created_at AS at, 'bot' AS kind FROM order_checks
                UNION ALL
                SELECT order_id, created_at AS at, 'person' AS kind FROM escalations
                WHERE order_id IS NOT NULL
                UNION ALL
                SELECT order_id, decided_at AS at, 'notice' AS kind FROM failure_notices
                WHERE state = 'sent' AND decided_at IS NOT NULL
            ),
            paid AS (
                SELECT f.order_id, f.failed_at, MIN(p.created_at) AS paid_at
                FROM failed f JOIN payments p ON p.order_id = f.order_id
                WHERE p.status = 'succeeded' AND p.created_at > f.failed_at
                  AND {epoch_paid} - {epoch_failed} <= :window
                  AND EXISTS (SELECT 1 FROM contacts c WHERE c.order_id = f.order_id
                              AND c.at > f.failed_at AND c.at <= p.created_at)
                GROUP BY f.order_id, f.failed_at
            ),
            recovered AS (
                SELECT p.currency, p.amount,
                       CASE WHEN EXISTS (
                           SELECT 1 FROM contacts c WHERE c.order_id = paid.order_id
                           AND c.kind = 'person' AND c.at > paid.failed_at
                           AND c.at <= paid.paid_at)
                       THEN 'person'
                       WHEN EXISTS (
                           SELECT 1 FROM contacts c WHERE c.order_id = paid.order_id
                           AND c.kind = 'bot' AND c.at > paid.failed_at
                           AND c.at <= paid.paid_at)
                       THEN 'bot_only' ELSE 'notice_only' END AS preceded_by
                FROM paid JOIN payments p ON p.order_id = paid.order_id
                 AND p.created_at = paid.paid_at AND p.status = 'succeeded'
            )
            SELECT preceded_by, currency, COUNT(*) AS orders,
                   SUM(CAST(ROUND(CAST(amount AS DOUBLE PRECISION) * {AMOUNT_SCALE}) AS BIGINT))
            FROM recovered GROUP BY preceded_by, currency ORDER BY preceded_by, currency
            """
        ).bindparams(
            bindparam("since", type_=UTCDateTime()),
            bindparam("until", type_=UTCDateTime()),
        )
        rows = db.execute(
            query,
            {"since": span.since, "until": span.until,
             "window": RECOVERY_WINDOW.total_seconds()},
        ).all()  # fmt: skip
        split: dict[str, dict[str, Any]] = {
            name: {"orders": 0, "amount": {}} for name in PRECEDED_BY
        }
        totals: dict[str, int] = {}
        for preceded_by, currency, orders, scaled in rows:
            split[preceded_by]["orders"] += int(orders)
            split[preceded_by]["amount"][currency] = _amount(int(scaled))
            totals[currency] = totals.get(currency, 0) + int(scaled)
        return {
            "orders": sum(s["orders"] for s in split.values()),
            "amount": {currency: _amount(v) for currency, v in sorted(totals.items())},
            "by_preceded": split,
            "window_hours": int(RECOVERY_WINDOW.total_seconds() // 3600),
        }

    # --- people's timing ------------------------------------------------------------------

    def _first_handoffs(self, span: DateRange) -> Any:
        return (
            select(
                ConversationEventRow.conversation_id.label("conversation_id"),
                func.min(ConversationEventRow.at).label("handed_at"),
            )
            .where(ConversationEventRow.event.in_(HANDOFF_EVENTS))
            .group_by(ConversationEventRow.conversation_id)
            .having(_in(func.min(ConversationEventRow.at), span))
            .subquery()
        )

    def _first_reply(self, db: Any, span: DateRange) -> dict[str, Any]:
        return self._from_first_handoff(
            db, span, MessageRow.created_at, MessageRow.conversation_id,
            MessageRow.sender == "agent",
        )  # fmt: skip

    def _resolution(self, db: Any, span: DateRange) -> dict[str, Any]:
        return self._from_first_handoff(
            db, span, ConversationEventRow.at, ConversationEventRow.conversation_id,
            ConversationEventRow.event == "resolve",
        )  # fmt: skip

    def _from_first_handoff(
        self, db: Any, span: DateRange, when: Any, conversation: Any, what: Any
    ) -> dict[str, Any]:
        """Percentiles of the time from each first handoff in the range to the first ``what``
        at or after it in the same conversation."""
        handoffs = self._first_handoffs(span)
        first = (
            select(func.min(when))
            .where(conversation == handoffs.c.conversation_id, what, when >= handoffs.c.handed_at)
            .scalar_subquery()
        )
        return self._percentiles(db, handoffs, first)

    def _percentiles(self, db: Any, handoffs: Any, later: Any) -> dict[str, Any]:
        """Nearest-rank p50 and p90 of ``later - handed_at`` in seconds, in SQL."""
        waited = (
            select(
                (
                    epoch_seconds(later, self.dialect)
                    - epoch_seconds(handoffs.c.handed_at, self.dialect)
                ).label("seconds")
            )
            .select_from(handoffs)
            .subquery()
        )
        ranked = (
            select(
                waited.c.seconds,
                func.row_number().over(order_by=waited.c.seconds).label("rank"),
                func.count().over().label("n"),
            )
            .where(waited.c.seconds.is_not(None))
            .subquery()
        )

        def nearest(percent: int) -> Any:
            return func.min(case((ranked.c.rank * 100 >= ranked.c.n * percent, ranked.c.seconds)))

        p50, p90, count = db.execute(
            select(nearest(50), nearest(90), func.count()).select_from(ranked)
        ).one()
        return {"p50": _seconds(p50), "p90": _seconds(p90), "count": int(count)}

    # --- satisfaction ---------------------------------------------------------------------

    def _csat(self, db: Any, span: DateRange) -> dict[str, Any]:
        rated = (ConversationRow.rating.is_not(None), _in(ConversationRow.created_at, span))
        average, count = db.execute(
            select(func.avg(ConversationRow.rating), func.count()).where(*rated)
        ).one()
        per_agent = db.execute(
            select(StaffRow.display_name, func.avg(ConversationRow.rating), func.count())
            .join(StaffRow, StaffRow.id == ConversationRow.agent_id)
            .where(*rated)
            .group_by(StaffRow.id, StaffRow.display_name)
            .order_by(StaffRow.display_name)
        ).all()
        return {
            "average": _mean(average),
            "count": int(count),
            "per_agent": [
                {"agent": name, "average": _mean(avg), "count": int(n)}
                for name, avg, n in per_agent
            ],
        }

    # --- what the bot did not understand ---------------------------------------------------

    def unrecognised(self, span: DateRange, limit: int = TOP_UNRECOGNISED) -> list[dict[str, Any]]:
        """The most frequent ``nlu_fallback`` texts in Rasa's tracker store (masked again
        here as well, in case an older store kept anything unmasked)."""
        if self.tracker_engine is None:
            return []
        dialect = self.tracker_engine.dialect.name
        said = (
            "json_extract(data, '$.text')" if dialect == "sqlite" else "CAST(data AS json)->>'text'"
        )
        query = text(
            f"""
            SELECT {said} AS said, COUNT(*) AS times FROM events
            WHERE type_name = 'user' AND intent_name = 'nlu_fallback'
              AND timestamp >= :since AND timestamp < :until
            GROUP BY {said} ORDER BY times DESC, said LIMIT :limit
            """
        )
        values = {"since": span.since.timestamp(), "until": span.until.timestamp(), "limit": limit}
        try:
            with self.tracker_engine.connect() as db:
                rows = db.execute(query, values).all()
        except DBAPIError:  # no tracker store yet (no conversation has happened)
            return []
        return [{"text": mask_card_data(said).text, "count": int(n)} for said, n in rows if said]


def _sql(expression: Any, engine: Engine) -> str:
    return str(expression.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _amount(scaled: int) -> str:
    """Ten-thousandths as a decimal string with at least two decimals: 123400 -> "12.34"."""
    value = (Decimal(scaled) / AMOUNT_SCALE).normalize()
    return str(value.quantize(Decimal("0.01")) if -value.as_tuple().exponent <= 2 else value)


def _seconds(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _mean(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)
