"""The notice job against a real database: failures imported (file or event) become one
notice each, in the customer's language, after the delay, within the flood rules, with
a chat link that opens on the order; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from payhelp.chat_tokens import CHAT_LINK, read_token
from payhelp.core.notice_rules import NoticeOutcome
from payhelp.imports.orders_json import import_document
from payhelp.notices.job import run_notice_job
from payhelp.settings import Settings
from payhelp.store.tables import FailureNoticeRow, OutboundMessageRow

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
SECRET = "s" * 40
SETTINGS = Settings(chat_token_secret=SECRET, desk_public_url="https://help.shop.example")


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def document(
    payments: list[tuple[str, str | None, datetime]],
    order_status: str = "awaiting_payment",
    language: str | None = "zh",
    method: str = "card",
    order_id: str = "ORD-30001",
    customer_id: str = "C-3001",
) -> dict[str, Any]:
    customer = {"id": customer_id, "name": "张敏", "email": f"{customer_id.lower()}@example.com"}
    if language:
        customer["language"] = language
    return {
        "customers": [customer],
        "orders": [
            {
                "id": order_id,
                "customer_id": customer_id,
                "status": order_status,
                "total": "268.00",
                "currency": "CNY",
                "created_at": iso(T0 - timedelta(minutes=5)),
                "payments": [
                    {
                        "id": f"pay_{order_id}_{i}",
                        "method": method,
                        "status": status,
                        "amount": "268.00",
                        "currency": "CNY",
                        "failure_code": code,
                        "created_at": iso(at),
                    }
                    for i, (status, code, at) in enumerate(payments)
                ],
            }
        ],
    }


def outbox(sessions: sessionmaker) -> list[OutboundMessageRow]:
    with sessions() as session:
        return list(session.execute(select(OutboundMessageRow)).scalars())


def notices(sessions: sessionmaker) -> dict[str, tuple[str, str | None]]:
    with sessions() as session:
        rows = session.execute(select(FailureNoticeRow)).scalars()
        return {r.payment_id: (r.state, r.outcome) for r in rows}


def test_one_notice_after_the_delay_in_the_customers_language(sessions: sessionmaker) -> None:
    summary = import_document(sessions, document([("failed", "expired_card", T0)]), now=T0)
    assert summary.notices_scheduled == 1
    assert run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=4)) == []
    assert outbox(sessions) == []

    decided = run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=5))
    assert [d.outcome for d in decided] == [NoticeOutcome.SEND]
    [message] = outbox(sessions)
    assert message.recipient == "c-3001@example.com"
    assert message.subject == "订单 ORD-30001 付款未成功"
    assert "原因：银行卡已过期。" in message.body
    assert "¥268.00" in message.body and "2026年11月26日 10:00 (UTC)" in message.body
    assert "这次没有扣款" in message.body

    # The link opens the chat on this order for this mailbox.
    token = re.search(r"https://help\.shop\.example/\?payhelp_chat=(\S+)", message.body)[1]
    identity = read_token(SECRET, token, T0 + timedelta(hours=71))
    assert (identity.order_id, identity.email, identity.audience) == (
        "ORD-30001", "c-3001@example.com", CHAT_LINK,
    )  # fmt: skip

    # Importing the same file again, and running the job again, sends nothing more.
    import_document(sessions, document([("failed", "expired_card", T0)]), now=T0)
    assert run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=30)) == []
    assert len(outbox(sessions)) == 1


def test_a_second_failure_within_six_hours_sends_nothing_more(sessions: sessionmaker) -> None:
    import_document(sessions, document([("failed", "expired_card", T0)]), now=T0)
    run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=5))
    later = T0 + timedelta(hours=2)
    again = document([("failed", "expired_card", T0), ("failed", "incorrect_cvc", later)])
    import_document(sessions, again, now=later)
    decided = run_notice_job(sessions, SETTINGS, later + timedelta(minutes=5))
    assert [d.outcome for d in decided] == [NoticeOutcome.RECENTLY_NOTIFIED]
    assert len(outbox(sessions)) == 1
    much_later = T0 + timedelta(hours=7)
    third = document(
        [("failed", "expired_card", T0), ("failed", "incorrect_cvc", later),
         ("failed", "incorrect_cvc", much_later)]
    )  # fmt: skip
    import_document(sessions, third, now=much_later)
    decided = run_notice_job(sessions, SETTINGS, much_later + timedelta(minutes=5))
    assert [d.outcome for d in decided] == [NoticeOutcome.SEND]
    assert len(outbox(sessions)) == 2


def test_a_success_within_the_delay_cancels_the_notice(sessions: sessionmaker) -> None:
    import_document(sessions, document([("failed", "insufficient_funds", T0)]), now=T0)
    paid = document(
        [("failed", "insufficient_funds", T0), ("succeeded", None, T0 + timedelta(minutes=2))],
        order_status="paid",
    )
    import_document(sessions, paid, now=T0 + timedelta(minutes=2))
    decided = run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=5))
    assert [d.outcome for d in decided] == [NoticeOutcome.ORDER_NOT_UNPAID]
    assert outbox(sessions) == []
    assert notices(sessions) == {"pay_ORD-30001_0": ("skipped", "order_not_unpaid")}


def test_paid_orders_and_old_failures_schedule_nothing(sessions: sessionmaker) -> None:
    paid = document([("failed", "expired_card", T0)], order_status="paid")
    assert import_document(sessions, paid, now=T0).notices_scheduled == 0
    old = document([("failed", "expired_card", T0 - timedelta(days=2))], order_id="ORD-30002")
    assert import_document(sessions, old, now=T0).notices_scheduled == 0


def test_english_is_the_default_and_an_outage_is_named(sessions: sessionmaker) -> None:
    # Six orders fail on WeChat Pay within minutes: a channel-wide outage.
    for n in range(6):
        wave = document(
            [("failed", "SYSTEMERROR", T0 + timedelta(minutes=n))],
            language=None, method="wechat_pay",
            order_id=f"ORD-3100{n}", customer_id=f"C-310{n}",
        )  # fmt: skip
        import_document(sessions, wave, now=T0 + timedelta(minutes=n))
    decided = run_notice_job(sessions, SETTINGS, T0 + timedelta(minutes=10))
    assert {d.outcome for d in decided} == {NoticeOutcome.SEND}
    messages = outbox(sessions)
    assert len(messages) == 6
    last = messages[-1]
    assert last.subject == (
        "Your payment for ORD-31005 didn't go through: WeChat Pay is having problems"
    )
    next_step = last.body.split("What to do next:")[1].split("\n")[0]
    assert "Alipay" in next_step and "WeChat" not in next_step


def test_without_a_chat_secret_the_notice_says_how_to_reach_the_chat(
    sessions: sessionmaker,
) -> None:
    import_document(sessions, document([("failed", "expired_card", T0)], language="en"), now=T0)
    run_notice_job(sessions, replace(SETTINGS, chat_token_secret=""), T0 + timedelta(minutes=6))
    [message] = outbox(sessions)
    assert "payhelp_chat" not in message.body
    assert "give your order number ORD-30001" in message.body
