"""The trained model on Chinese and mixed messages: intents, entities and language.

These are the issue's own examples of what Chinese customers write, plus the answers a
callback form gets in Chinese; none of them is a training sentence.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ops.model import ensure_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def parse() -> Any:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(ensure_model()))
    return lambda text: asyncio.run(agent.parse_message(text))


def _entities(result: dict[str, Any], name: str) -> list[str]:
    return [e["value"] for e in result["entities"] if e["entity"] == name]


@pytest.mark.parametrize(
    "text,intent",
    [
        ("付不了款啊", "payment_failed"),
        ("我的order ORD-10002 付款失败", "payment_failed"),
        ("怎么扣了我两次钱", "duplicate_charge"),
        ("钱扣了订单还是未付款怎么回事", "charged_but_unpaid"),
        ("付款一直在处理中要等多久", "payment_pending"),
        ("退款怎么还没到账啊", "refund_status"),
        ("我要转人工", "request_human"),
        ("花呗额度怎么提升", "out_of_scope"),
        ("借呗怎么还款", "out_of_scope"),
        ("说中文", "change_language"),
        ("English please", "change_language"),
    ],
)
def test_chinese_intents(parse: Any, text: str, intent: str) -> None:
    assert parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "text,entity,values",
    [
        ("我的order ORD-10002 付款失败", "order_id", ["ORD-10002"]),
        ("订单号ORD-10002", "order_id", ["ORD-10002"]),
        ("手机号13800138000", "phone", ["13800138000"]),
        ("电话是+86 138 0013 8000", "phone", ["+86 138 0013 8000"]),
        ("邮箱是jane@example.com谢谢", "email", ["jane@example.com"]),
        ("用微信付的", "payment_method", ["wechat_pay"]),
        ("微信支付失败", "payment_method", ["wechat_pay"]),
        ("支付宝", "payment_method", ["alipay"]),
        ("花呗付款失败", "payment_method", ["alipay"]),
        ("银联卡和云闪付都不行", "payment_method", ["card", "card"]),
        ("信用卡被拒了", "payment_method", ["card"]),
        ("储蓄卡", "payment_method", ["card"]),
        ("银行转账", "payment_method", ["bank_transfer"]),
        ("给我打电话", "callback_channel", ["phone"]),
        ("发邮件吧", "callback_channel", ["email"]),
        ("安全码在哪里", "tip_topic", ["cvc"]),
        ("我的order ORD-10002 付款失败", "language", ["zh"]),
        ("ORD-10002", "language", []),
        ("WeChat", "language", []),
        ("请说英文", "language", ["en"]),
    ],
)
def test_chinese_entities(parse: Any, text: str, entity: str, values: list[str]) -> None:
    assert _entities(parse(text), entity) == values


@pytest.mark.parametrize("text", ["明天上午", "下午三点以后", "今晚八点", "工作日下午两点到五点"])
def test_callback_times_reach_the_form_whole(parse: Any, text: str) -> None:
    # The form stores the text as written: it must come through unchanged, not read as
    # an order number or phone, and not as an intent that interrupts the callback form.
    result = parse(text)
    assert result["text"] == text
    assert not _entities(result, "phone") and not _entities(result, "order_id")
    assert result["intent"]["name"] not in {
        "deny", "out_of_scope", "request_human", "bot_challenge", "change_language",
    }  # fmt: skip
