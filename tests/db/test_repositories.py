"""Reading orders and writing the assistant's records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import desk.tables  # noqa: F401  (the desk's tables share the schema history)
from payhelp.core.causes import PaymentCause
from payhelp.core.channels import ChannelStatus
from payhelp.core.orders import OrderStatus, PaymentMethod, PaymentStatus
from payhelp.lookup import channel_board, find_and_diagnose
from payhelp.settings import DEFAULT_PAYMENT_METHODS, DiagnosisPolicy
from payhelp.store.database import make_engine
from payhelp.store.orders import OrderRepository
from payhelp.store.records import AssistantRecords, CallbackRequest, Escalation
from payhelp.store.tables import Base, EscalationRow, OutboundMessageRow
from tests.conftest import DEMO_NOW, load_demo


def test_the_migrations_match_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_find_returns_the_order_its_payments_and_customer(sessions: sessionmaker) -> None:
    load_demo(sessions)
    record = OrderRepository(sessions).find("ORD-10008")
    assert record is not None
    assert record.order.status is OrderStatus.AWAITING_PAYMENT
    assert [p.status for p in record.order.payments] == [PaymentStatus.FAILED, PaymentStatus.FAILED]
    assert record.order.payments[0].created_at < record.order.payments[1].created_at
    assert record.customer.email == "yuki@example.com"


def test_find_unknown_order_is_none(sessions: sessionmaker) -> None:
    load_demo(sessions)
    repo = OrderRepository(sessions)
    assert repo.find("ORD-00000") is None
    assert repo.find("' OR '1'='1") is None


def test_channel_activity_counts_failures_and_orders(sessions: sessionmaker) -> None:
    load_demo(sessions)
    repo = OrderRepository(sessions)
    since = DEMO_NOW - timedelta(minutes=30)
    activity = repo.channel_activity([PaymentMethod.WECHAT_PAY, PaymentMethod.CARD], since)
    wechat = activity[PaymentMethod.WECHAT_PAY]
    assert (wechat.attempts, wechat.failures, wechat.orders_with_failures) == (7, 7, 7)
    # In the window: ORD-10005's pending payment and ORD-10008's second failure.
    card = activity[PaymentMethod.CARD]
    assert (card.attempts, card.failures, card.orders_with_failures) == (2, 1, 1)
    assert repo.channel_activity([], since) == {}


def test_every_demo_order_diagnoses_as_documented(sessions: sessionmaker) -> None:
    load_demo(sessions)
    repo = OrderRepository(sessions)
    expected = {
        "ORD-10001": "no_problem",
        "ORD-10002": "input_error",
        "ORD-10003": "account_problem",
        "ORD-10004": "card_unusable",
        "ORD-10005": "bank_processing",
        "ORD-10006": "bank_outage",
        "ORD-10007": "platform_fault",
        "ORD-10008": "platform_fault",
        "ORD-10009": "transaction_anomaly",
        "ORD-10010": "charged_not_recorded",
        "ORD-10011": "suspected_fraud",
        "ORD-10012": "unknown",
        "ORD-10013": "bank_processing",
        "ORD-10014": "account_problem",
        "ORD-10015": "card_unusable",
        "ORD-10016": "bank_outage",
        "ORD-10017": "unknown",
    }
    for order_id, cause in expected.items():
        findings = find_and_diagnose(repo, order_id, DEMO_NOW, DiagnosisPolicy())
        assert findings.diagnosis.cause is PaymentCause(cause), order_id


def test_the_channel_board_reads_the_demo_wechat_outage(sessions: sessionmaker) -> None:
    load_demo(sessions)
    board = channel_board(OrderRepository(sessions), DEMO_NOW, DiagnosisPolicy())
    assert board.status(PaymentMethod.WECHAT_PAY) is ChannelStatus.DOWN
    assert board.status(PaymentMethod.CARD) is ChannelStatus.OK
    assert "wechat_pay" not in board.usable(DEFAULT_PAYMENT_METHODS)
    # An hour later the wave has left the window and WeChat Pay is offered again.
    later = channel_board(
        OrderRepository(sessions), DEMO_NOW + timedelta(hours=1), DiagnosisPolicy()
    )
    assert later.usable(DEFAULT_PAYMENT_METHODS) == DEFAULT_PAYMENT_METHODS


def test_recent_order_ids_for_email(sessions: sessionmaker) -> None:
    load_demo(sessions)
    repo = OrderRepository(sessions)
    assert repo.recent_order_ids_for_email("JANE@example.com ") == [
        "ORD-10002",
        "ORD-10001",
        "ORD-10013",
    ]
    assert repo.recent_order_ids_for_email("nobody@example.com") == []


def test_records_are_written(sessions: sessionmaker) -> None:
    records = AssistantRecords(sessions)
    callback_id = records.add_callback_request(
        CallbackRequest("conv-1", "phone", "+1 555 0100", "tomorrow 9am", "ORD-10002")
    )
    escalation_id = records.add_escalation(
        Escalation("conv-1", "needs_staff", "ORD-10011", "suspected_fraud", "declined",
                   ("pay_x failed with stolen_card",), ("check_cvc",))
    )  # fmt: skip
    message_id = records.queue_message("email", "jane@example.com", "Your orders", "ORD-10002")
    assert callback_id >= 1 and escalation_id >= 1 and message_id >= 1
    with sessions() as session:
        row = session.get(EscalationRow, escalation_id)
        assert row.evidence == ["pay_x failed with stolen_card"] and row.tried == ["check_cvc"]
        assert session.scalar(select(OutboundMessageRow.recipient)) == "jane@example.com"


def test_a_callback_keeps_its_words_and_the_window_they_meant(sessions: sessionmaker) -> None:
    records = AssistantRecords(sessions)
    shanghai = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 27, 9, 0, tzinfo=shanghai)
    understood = records.add_callback_request(
        CallbackRequest("conv-1", "phone", "+1 555 0199", "明天上午", None,
                        start, start + timedelta(hours=3))
    )  # fmt: skip
    flagged = records.add_callback_request(
        CallbackRequest("conv-2", "email", "a@example.com", "after the school run")
    )
    stored = records.callback_request(understood)
    assert stored is not None and stored.time_understood
    assert stored.preferred_time == "明天上午"
    # Stored in UTC, the same instant: 9:00 in Shanghai is 1:00 UTC.
    assert stored.window_start == start and stored.window_start.hour == 1
    assert stored.window_end - stored.window_start == timedelta(hours=3)
    not_understood = records.callback_request(flagged)
    assert not_understood is not None and not not_understood.time_understood
    assert not_understood.preferred_time == "after the school run"


def test_identity_failures_are_counted_per_order_and_time(sessions: sessionmaker) -> None:
    records = AssistantRecords(sessions)
    for _ in range(3):
        records.add_identity_failure("ORD-10002", "conv-1")
    records.add_identity_failure("ORD-10003", "conv-2")
    from payhelp.store.tables import utc_now

    assert records.identity_failures_since("ORD-10002", utc_now() - timedelta(hours=1)) == 3
    assert records.identity_failures_since("ORD-10002", utc_now() + timedelta(minutes=1)) == 0
