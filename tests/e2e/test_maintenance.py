"""Planned maintenance through the real Rasa and action servers: a Chinese-speaking card
customer hears about the card maintenance in Chinese, with the admin's Chinese message,
and a card is not among the methods offered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from payhelp.core.channels import Maintenance
from payhelp.core.orders import PaymentMethod
from payhelp.store.channels import ChannelRecords
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.tables import utc_now
from tests.e2e.conftest import Bot, texts

pytestmark = pytest.mark.slow


def test_a_chinese_card_customer_hears_of_the_maintenance_in_chinese(bot: Bot) -> None:
    engine = make_engine(bot.settings.database_url)
    records = ChannelRecords(make_session_factory(engine))
    now = utc_now()
    window_id = records.add_maintenance(
        Maintenance(PaymentMethod.CARD, now - timedelta(minutes=1), now + timedelta(hours=1),
                    "Cards are back within the hour.", "银行卡支付一小时内恢复。"),
        "alex",
    )  # fmt: skip
    try:
        sender, replies = bot.conversation("我的付款失败了", "ORD-10002", "jane@example.com")
        said = texts(replies[-1])
        assert "银行卡正在进行计划维护" in said and "银行卡支付一小时内恢复。" in said
        assert "Cards are back" not in said
        methods = texts(bot.say(sender, "what payment methods do you accept?"))
        assert "PayPal" in methods and "credit or debit card" not in methods
    finally:
        records.end_maintenance(window_id, utc_now())
        engine.dispose()
