"""The staff's canned replies never suggest a payment method that is down right now."""

from __future__ import annotations

import yaml

from desk.canned import canned_replies
from payhelp.core.diagnosis import diagnose
from payhelp.lookup import OrderFindings
from payhelp.settings import DEFAULT_PAYMENT_METHODS, PROJECT_ROOT
from payhelp.store.orders import CustomerContact, OrderRecord
from tests.builders import NOW, activity, attempt, order

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]


def other_method_reply(wechat_failures: int) -> str:
    card_declined = order("awaiting_payment", attempt("failed", "insufficient_funds"))
    board = activity("wechat_pay", attempts=8, failures=wechat_failures, orders=wechat_failures)
    findings = OrderFindings(
        OrderRecord(card_declined, CustomerContact("C-1", "Amara", "a@example.com", None)),
        diagnose(card_declined, NOW, board),
        board,
    )
    replies = canned_replies(findings, RESPONSES, DEFAULT_PAYMENT_METHODS)
    [text] = [r["text"] for r in replies if "You can also pay with" in r["text"]]
    return text


def test_a_method_that_is_down_is_left_out_of_the_canned_reply() -> None:
    assert "WeChat Pay" not in other_method_reply(wechat_failures=7)
    assert "Alipay" in other_method_reply(wechat_failures=7)


def test_the_method_is_back_once_it_works() -> None:
    assert "WeChat Pay" in other_method_reply(wechat_failures=0)
