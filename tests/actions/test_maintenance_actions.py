"""Planned maintenance in the bot: customers who paid with the method hear about it in
their language, and the method is left out of every list of methods offered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from actions.guidance import ActionPaymentMethods
from actions.order_check import ActionCheckOrder
from payhelp.core.channels import Maintenance
from payhelp.core.orders import PaymentMethod
from payhelp.store.channels import ChannelRecords
from tests.actions.conftest import DOMAIN, make_tracker, run, verified
from tests.conftest import DEMO_NOW


@pytest.fixture
def card_maintenance(services, sqlite_sessions) -> Maintenance:
    window = Maintenance(
        PaymentMethod.CARD, DEMO_NOW - timedelta(minutes=5), DEMO_NOW + timedelta(hours=2),
        "Card payments are back by 14:00 UTC.", "银行卡支付将于 14:00 (UTC) 恢复。",
    )  # fmt: skip
    ChannelRecords(sqlite_sessions).add_maintenance(window, "alex")
    return window


def test_the_bot_tells_a_card_customer_in_english(card_maintenance) -> None:
    outcome = run(ActionCheckOrder(), make_tracker(verified("ORD-10002", language="en")))
    said = [m for m in outcome.messages if m.get("response") == "utter_channel_maintenance"]
    assert said == [
        {**said[0], "method": "card", "until": "25 Nov, 14:00 UTC",
         "note": "Card payments are back by 14:00 UTC."},
    ]  # fmt: skip
    text = DOMAIN["responses"]["utter_channel_maintenance"][0]["text"]
    assert "{method}" in text and "{until}" in text and "{note}" in text


def test_the_bot_tells_a_chinese_customer_in_chinese(card_maintenance) -> None:
    outcome = run(ActionCheckOrder(), make_tracker(verified("ORD-10002", language="zh")))
    [said] = [m for m in outcome.messages if m.get("response") == "utter_channel_maintenance"]
    assert (said["method"], said["until"]) == ("银行卡", "2026年11月25日 14:00 UTC")
    assert said["note"] == "银行卡支付将于 14:00 (UTC) 恢复。"
    zh = [v for v in DOMAIN["responses"]["utter_channel_maintenance"] if v.get("condition")]
    assert zh and "维护" in zh[0]["text"]


def test_a_customer_who_paid_otherwise_hears_nothing_of_it(card_maintenance) -> None:
    outcome = run(ActionCheckOrder(), make_tracker(verified("ORD-10014")))  # Alipay
    assert "utter_channel_maintenance" not in outcome.responses


def test_the_method_is_left_out_of_the_methods_offered(card_maintenance) -> None:
    outcome = run(ActionPaymentMethods(), make_tracker())
    listed = outcome.messages[0]["methods"]
    assert "credit or debit card" not in listed and "PayPal" in listed
    assert "utter_channel_maintenance" in outcome.responses


def test_without_maintenance_the_card_is_offered(services) -> None:
    outcome = run(ActionPaymentMethods(), make_tracker())
    assert "credit or debit card" in outcome.messages[0]["methods"]
    assert "utter_channel_maintenance" not in outcome.responses


def test_every_order_check_is_recorded_for_the_impact_figures(services, sqlite_sessions) -> None:
    from sqlalchemy import select

    from payhelp.store.tables import OrderCheckRow

    run(ActionCheckOrder(), make_tracker(verified("ORD-10006"), sender="conv-9"))
    with sqlite_sessions() as session:
        rows = session.execute(select(OrderCheckRow)).scalars().all()
        assert [(r.conversation_id, r.order_id, r.payment_cause, r.created_at) for r in rows] == [
            ("conv-9", "ORD-10006", "bank_outage", DEMO_NOW)
        ]
