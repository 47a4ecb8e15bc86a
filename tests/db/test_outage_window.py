"""OUTAGE_WINDOW_MINUTES at its edge, through the real lookup (SQL) and the diagnosis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import sessionmaker

from payhelp.imports.orders_json import import_document
from payhelp.lookup import find_and_diagnose
from payhelp.settings import DiagnosisPolicy
from payhelp.store.orders import OrderRepository
from tests.conftest import DEMO_NOW


def wechat_failures(oldest_seconds_ago: int) -> dict:
    """Five WeChat Pay failures on three orders; the oldest ``oldest_seconds_ago`` old."""

    def failure(n: int, seconds_ago: int) -> dict:
        at = DEMO_NOW - timedelta(seconds=seconds_ago)
        return {
            "id": f"pay_w{n}", "method": "wechat_pay", "status": "failed",
            "amount": "10.00", "currency": "CNY", "failure_code": "SYSTEMERROR",
            "created_at": at.isoformat().replace("+00:00", "Z"),
        }  # fmt: skip

    def order(order_id: str, *payments: dict) -> dict:
        return {
            "id": order_id, "customer_id": "C-9", "status": "awaiting_payment",
            "total": "10.00", "currency": "CNY", "created_at": "2026-11-25T10:00:00Z",
            "payments": list(payments),
        }  # fmt: skip

    return {
        "customers": [{"id": "C-9", "name": "Wen", "email": "wen@example.com"}],
        "orders": [
            order("ORD-30001", failure(1, 60)),
            order("ORD-30002", failure(2, 600), failure(3, oldest_seconds_ago)),
            order("ORD-30003", failure(4, 1200), failure(5, 1500)),
        ],
    }


@pytest.mark.parametrize(
    "oldest_seconds_ago,cause",
    [
        (30 * 60, "bank_outage"),  # exactly the window's age: still inside it
        (30 * 60 + 1, "platform_fault"),  # a second older: 4 failures, one too few
    ],
)
def test_the_outage_window_edge(sessions: sessionmaker, oldest_seconds_ago, cause) -> None:
    import_document(sessions, wechat_failures(oldest_seconds_ago))
    findings = find_and_diagnose(
        OrderRepository(sessions), "ORD-30001", DEMO_NOW, DiagnosisPolicy(outage_window_minutes=30)
    )
    assert findings is not None and findings.diagnosis.cause.value == cause
