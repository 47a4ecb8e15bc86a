"""Every impact figure against a fixture whose answers are known by construction, on
SQLite and PostgreSQL (desk.impact; the comments give each expected figure's working)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

from desk.impact import DateRange, ImpactAnalytics
from desk.tables import ConversationEventRow, ConversationRow, MessageRow, StaffRow
from payhelp.imports.orders_json import import_document
from payhelp.store.database import make_engine, transaction
from payhelp.store.tables import (
    CallbackRequestRow,
    EscalationRow,
    FailureNoticeRow,
    OrderCheckRow,
)

SPAN = DateRange(
    datetime(2026, 11, 20, tzinfo=timezone.utc), datetime(2026, 11, 23, tzinfo=timezone.utc)
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# order: (currency, [(method, status, code, when, amount)], contacts [(kind, when)])
ORDERS: dict[str, tuple[str, list[tuple], list[tuple[str, datetime]]]] = {
    # Recovered, bot only: failed, the bot checked it, paid 20 minutes later.
    "ORD-50001": ("USD", [("card", "failed", "insufficient_funds", at(20, 10), "59.90"),
                          ("card", "succeeded", None, at(20, 10, 20), "59.90")],
                  [("bot", at(20, 10, 5))]),
    # Recovered with a person: handed over (escalation), paid three hours later.
    "ORD-50002": ("USD", [("card", "failed", "processing_error", at(21, 9), "20.05"),
                          ("card", "succeeded", None, at(21, 12), "20.05")],
                  [("bot", at(21, 9, 5)), ("person", at(21, 9, 10))]),
    # Not recovered: paid 72 hours after the failure (over 48 h).
    "ORD-50003": ("CNY", [("wechat_pay", "failed", "SYSTEMERROR", at(21, 15), "10.00"),
                          ("wechat_pay", "succeeded", None, at(24, 15, 1), "10.00")],
                  [("bot", at(21, 15, 2))]),
    # Recovered by a notice alone: the failure notice went out, no conversation, paid.
    "ORD-50004": ("CNY", [("wechat_pay", "failed", "SYSTEMERROR", at(22, 8), "30.00"),
                          ("wechat_pay", "succeeded", None, at(22, 9), "30.00")],
                  [("notice", at(22, 8, 6))]),

    # Recovered, bot only, with a code nobody knows (cause: unknown).
    "ORD-50005": ("CNY", [("alipay", "failed", "WHATEVER", at(22, 10), "100.5"),
                          ("alipay", "succeeded", None, at(22, 11), "100.5")],
                  [("bot", at(22, 10, 30))]),
    # The failure is before the range: neither a failure nor a recovery here.
    "ORD-50006": ("USD", [("card", "failed", "insufficient_funds", at(19, 23, 59), "5.00"),
                          ("card", "succeeded", None, at(20, 1), "5.00")],
                  [("bot", at(20, 0, 30))]),
    # Two failures on the last day, never paid.
    "ORD-50007": ("USD", [("card", "failed", "insufficient_funds", at(22, 23), "7.00"),
                          ("card", "failed", "insufficient_funds", at(22, 23, 30), "7.00")], []),
    # A contact that came only after the payment does not make a recovery, nor does a
    # notice that was decided but never sent (skipped).
    "ORD-50008": ("USD", [("paypal", "failed", None, at(21, 18), "8.00"),
                          ("paypal", "succeeded", None, at(21, 18, 10), "8.00")],
                  [("bot", at(21, 18, 20)), ("skipped notice", at(21, 18, 6))]),
}  # fmt: skip

# conversation: (created, reason, agent, rating, [(event, when)], [first agent reply])
CONVERSATIONS: dict[str, tuple[datetime, str | None, int | None, int | None, list, list]] = {
    "c1": (at(20, 9), None, None, None, [], []),
    "c2": (at(21, 9), "needs_staff", 1, 5,
           [("handoff", at(21, 9, 10)), ("claim", at(21, 9, 11)), ("resolve", at(21, 9, 40))],
           [at(21, 9, 12), at(21, 9, 20)]),  # reply after 120 s; resolved after 1800 s
    "c3": (at(21, 9, 30), "request_human", 2, 2,
           [("handoff", at(21, 10)), ("claim", at(21, 10, 5)), ("resolve", at(21, 11))],
           [at(21, 10, 10)]),  # 600 s; 3600 s
    "c4": (at(22, 11), "request_human", 1, 4,
           [("bot_unavailable", at(22, 12)), ("claim", at(22, 12))],
           [at(22, 12, 1)]),  # 60 s; not resolved
    "c5": (at(22, 13), None, None, None, [], []),
    # Started before the range: none of its figures count.
    "c6": (at(19, 9), "request_human", 2, 1,
           [("handoff", at(19, 9, 1)), ("resolve", at(19, 10))], [at(19, 9, 2)]),
}  # fmt: skip


def load(sessions) -> None:
    import_document(
        sessions,
        {
            "customers": [{"id": "C-5", "name": "Ana", "email": "ana@example.com"}],
            "orders": [
                {
                    "id": order_id, "customer_id": "C-5", "status": "awaiting_payment",
                    "total": payments[0][4], "currency": currency,
                    "created_at": "2026-11-19T00:00:00Z",
                    "payments": [
                        {"id": f"{order_id}-{n}", "method": m, "status": s, "amount": a,
                         "currency": currency, "failure_code": code, "created_at": iso(w)}
                        for n, (m, s, code, w, a) in enumerate(payments)
                    ],
                }
                for order_id, (currency, payments, _) in ORDERS.items()
            ],
        },
    )  # fmt: skip
    with transaction(sessions) as session:
        for order_id, (_, _, contacts) in ORDERS.items():
            for kind, when in contacts:
                if "notice" in kind:
                    session.add(
                        FailureNoticeRow(
                            payment_id=f"{order_id}-0",
                            order_id=order_id,
                            failed_at=when - timedelta(minutes=6),
                            state="sent" if kind == "notice" else "skipped",
                            decided_at=when,
                        )
                    )
                elif kind == "bot":
                    session.add(
                        OrderCheckRow(
                            conversation_id="x",
                            order_id=order_id,
                            payment_cause="unknown",
                            detail="d",
                            created_at=when,
                        )
                    )
                else:
                    session.add(
                        EscalationRow(
                            conversation_id="x",
                            reason="needs_staff",
                            order_id=order_id,
                            created_at=when,
                        )
                    )
        for n, name in ((1, "Alex"), (2, "Sam")):
            session.add(
                StaffRow(
                    id=n, username=name.lower(), display_name=name, password_hash="x", role="agent"
                )
            )
        session.flush()
        for cid, (created, reason, agent, rating, events, replies) in CONVERSATIONS.items():
            session.add(
                ConversationRow(
                    id=cid,
                    token_hash=cid,
                    status="bot",
                    reason=reason,
                    agent_id=agent,
                    rating=rating,
                    created_at=created,
                    updated_at=created,
                )
            )
            session.flush()
            for event, when in events:
                session.add(
                    ConversationEventRow(conversation_id=cid, event=event, status="x", at=when)
                )
            # An agent message before the handoff (a note from an earlier round) never counts.
            session.add(
                MessageRow(conversation_id=cid, sender="customer", text="hi", created_at=created)
            )
            for when in replies:
                session.add(
                    MessageRow(conversation_id=cid, sender="agent", text="hello", created_at=when)
                )
        for when, status in (
            (at(20, 8), "open"),
            (at(21, 8), "done"),
            (at(22, 8), "open"),
            (at(23, 8), "done"),
        ):  # the last is after the range
            session.add(
                CallbackRequestRow(
                    conversation_id="x",
                    channel="phone",
                    contact="+1",
                    preferred_time="now",
                    status=status,
                    created_at=when,
                )
            )
    # fmt: skip


def tracker_events(url: str) -> None:
    """A table shaped like Rasa's SQLTrackerStore's ``events``, with fallback texts."""
    metadata = MetaData()
    events = Table(
        "events", metadata,
        Column("id", Integer, primary_key=True), Column("sender_id", String(255)),
        Column("type_name", String(255)), Column("timestamp", Float),
        Column("intent_name", String(255)), Column("action_name", String(255)),
        Column("data", Text),
    )  # fmt: skip
    engine = make_engine(url)
    metadata.create_all(engine)
    said = [
        ("asdf", "nlu_fallback", at(20, 1)),
        ("where is my parcel", "nlu_fallback", at(21, 1)),
        ("asdf", "nlu_fallback", at(21, 2)),
        ("where is my parcel", "nlu_fallback", at(22, 1)),
        ("asdf", "nlu_fallback", at(22, 2)),
        ("my card is 4111 1111 1111 1111", "nlu_fallback", at(22, 3)),
        ("hello", "greet", at(21, 5)),  # understood
        ("qwerty", "nlu_fallback", at(23, 1)),
    ]  # after the range
    with engine.begin() as db:
        for n, (words, intent, when) in enumerate(said):
            db.execute(
                events.insert().values(
                    sender_id=f"s{n}",
                    type_name="user",
                    timestamp=when.timestamp(),
                    intent_name=intent,
                    data=json.dumps({"event": "user", "text": words}),
                )
            )
    engine.dispose()  # fmt: skip


@pytest.fixture
def report(database_url: str, sessions) -> dict[str, Any]:
    load(sessions)
    tracker_events(database_url)
    engine = make_engine(database_url)
    try:
        return ImpactAnalytics(engine, engine).report(SPAN)
    finally:
        engine.dispose()


def test_failed_payments(report) -> None:
    failed = report["failed_payments"]
    # 50001, 50002, 50003, 50004, 50005, 50007 twice, 50008; not 50006 (before the range).
    assert failed["total"] == 8
    assert failed["by_method"] == {"card": 4, "wechat_pay": 2, "alipay": 1, "paypal": 1}
    # insufficient_funds x3 -> account_problem; processing_error, SYSTEMERROR x2 ->
    # platform_fault; WHATEVER and no code -> unknown.
    assert failed["by_cause"] == {"account_problem": 3, "platform_fault": 3, "unknown": 2}
    assert failed["per_day_by_method"] == [
        {"day": "2026-11-20", "method": "card", "count": 1},
        {"day": "2026-11-21", "method": "card", "count": 1},
        {"day": "2026-11-21", "method": "paypal", "count": 1},
        {"day": "2026-11-21", "method": "wechat_pay", "count": 1},
        {"day": "2026-11-22", "method": "alipay", "count": 1},
        {"day": "2026-11-22", "method": "card", "count": 2},
        {"day": "2026-11-22", "method": "wechat_pay", "count": 1},
    ]
    assert {"day": "2026-11-22", "cause": "account_problem", "count": 2} in failed[
        "per_day_by_cause"
    ]


def test_conversations(report) -> None:
    # c1-c5 started in the range; c2, c3, c4 reached a person; c6 is before it.
    assert report["conversations"] == {
        "started": 5, "contained": 2, "handed_off": 3,
        "handed_off_by_reason": {"request_human": 2, "needs_staff": 1},
        "callbacks_requested": 3, "callbacks_done": 1,
    }  # fmt: skip


def test_recovered_payments(report) -> None:
    recovered = report["recovered"]
    # 50001 (bot, 59.90 USD), 50002 (person, 20.05 USD), 50005 (bot, 100.5 CNY),
    # 50004 (a sent notice alone, 30.00 CNY); not 50008 (its notice was skipped).
    assert recovered["orders"] == 4
    assert recovered["amount"] == {"CNY": "130.50", "USD": "79.95"}
    assert recovered["by_preceded"] == {
        "bot_only": {"orders": 2, "amount": {"CNY": "100.50", "USD": "59.90"}},
        "person": {"orders": 1, "amount": {"USD": "20.05"}},
        "notice_only": {"orders": 1, "amount": {"CNY": "30.00"}},
    }


def test_time_to_first_agent_reply_and_to_resolution(report) -> None:
    # Replies after 60, 120, 600 s: nearest rank p50 = 2nd (120), p90 = 3rd (600).
    assert report["first_agent_reply_seconds"] == {"p50": 120.0, "p90": 600.0, "count": 3}
    # Resolved after 1800 and 3600 s; c4 is not resolved.
    assert report["resolution_seconds"] == {"p50": 1800.0, "p90": 3600.0, "count": 2}


def test_csat(report) -> None:
    # Ratings 5 (Alex), 2 (Sam), 4 (Alex) in the range; c6's 1 is before it.
    assert report["csat"] == {
        "average": 3.67, "count": 3,
        "per_agent": [{"agent": "Alex", "average": 4.5, "count": 2},
                      {"agent": "Sam", "average": 2.0, "count": 1}],
    }  # fmt: skip


def test_unrecognised_messages_are_masked_and_counted(report) -> None:
    assert report["unrecognised"] == [
        {"text": "asdf", "count": 3},
        {"text": "where is my parcel", "count": 2},
        {"text": report["unrecognised"][2]["text"], "count": 1},
    ]
    masked = report["unrecognised"][2]["text"]
    assert masked.startswith("my card is ") and "4111" not in masked


def test_an_empty_range_gives_zeros(database_url: str, sessions) -> None:
    engine = make_engine(database_url)
    empty = ImpactAnalytics(engine).report(SPAN)
    engine.dispose()
    assert empty["failed_payments"]["total"] == 0
    assert empty["conversations"]["started"] == 0
    assert empty["recovered"] == {
        "orders": 0, "amount": {}, "window_hours": 48,
        "by_preceded": {k: {"orders": 0, "amount": {}} for k in ("bot_only", "person", "notice_only")},
    }  # fmt: skip
    assert empty["first_agent_reply_seconds"] == {"p50": None, "p90": None, "count": 0}
    assert empty["csat"] == {"average": None, "count": 0, "per_agent": []}
    assert empty["unrecognised"] == []


def test_a_range_must_go_forwards() -> None:
    with pytest.raises(ValueError, match="after"):
        DateRange(SPAN.until, SPAN.since)
    with pytest.raises(ValueError, match="zone"):
        DateRange(datetime(2026, 11, 1), datetime(2026, 11, 2))
    assert timedelta(days=3) == SPAN.until - SPAN.since


def test_make_impact_report_prints_and_writes_the_json(
    database_url: str, sessions, tmp_path, monkeypatch, capsys
) -> None:
    from ops import impact_report

    load(sessions)
    tracker_events(database_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_STORE_URL", database_url)
    output = tmp_path / "impact.json"
    argv = ["--since", "2026-11-20", "--until", "2026-11-22", "--output", str(output)]
    assert impact_report.main(argv) == 0
    printed = capsys.readouterr().out
    assert "failed payments      8" in printed
    assert "recovered            4 orders, 130.50 CNY, 79.95 USD" in printed
    report = json.loads(output.read_text())
    # The keys the issue promises operators who script.
    assert report["failed_payments"]["by_method"]["card"] == 4
    assert report["failed_payments"]["by_cause"]["platform_fault"] == 3
    assert (report["conversations"]["started"], report["conversations"]["contained"],
            report["conversations"]["handed_off"]) == (5, 2, 3)  # fmt: skip
    assert report["recovered"]["orders"] == 4
    assert report["recovered"]["amount"] == {"CNY": "130.50", "USD": "79.95"}
    assert report["first_agent_reply_seconds"]["p50"] == 120.0
    assert report["first_agent_reply_seconds"]["p90"] == 600.0
    assert (report["csat"]["average"], report["csat"]["count"]) == (3.67, 3)


def test_make_impact_report_refuses_a_bad_date(capsys) -> None:
    from ops import impact_report

    assert impact_report.main(["--since", "last tuesday"]) == 2
    assert "'since' must be a date such as 2026-11-01" in capsys.readouterr().err
