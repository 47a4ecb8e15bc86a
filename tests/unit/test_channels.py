"""Channel health: one rule for "is this payment method usable now", shared with the diagnosis."""

from __future__ import annotations

import pytest

from payhelp.core.causes import PaymentCause
from payhelp.core.channels import (
    ChannelBoard,
    ChannelHealth,
    ChannelStatus,
    HealthReason,
    assess_channel,
    assess_channels,
)
from payhelp.core.diagnosis import diagnose
from payhelp.core.orders import ChannelActivity, PaymentMethod
from payhelp.settings import DEFAULT_PAYMENT_METHODS, DiagnosisPolicy
from tests.builders import NOW, attempt, order

POLICY = DiagnosisPolicy(outage_min_failures=5, outage_min_orders=3, outage_min_failure_ratio=0.5)
WECHAT = PaymentMethod.WECHAT_PAY
S = ChannelStatus

# (name, attempts, failures, orders with failures, status)
READINGS = [
    ("nothing happened", 0, 0, 0, S.OK),
    ("all payments went through", 40, 0, 0, S.OK),
    ("one customer retrying", 6, 6, 1, S.OK),
    ("a few failures among many successes", 40, 6, 5, S.OK),
    ("failures dominate on two orders", 3, 2, 2, S.DEGRADED),
    ("a wave, but on too few orders", 7, 6, 2, S.DEGRADED),
    ("a wave, but too few failures", 5, 4, 4, S.DEGRADED),
    ("exactly at every threshold", 10, 5, 3, S.DOWN),
    ("the demo WeChat Pay outage", 7, 7, 7, S.DOWN),
    ("just under the failure ratio", 11, 5, 5, S.OK),
]


@pytest.mark.parametrize(
    "name,attempts,failures,orders,status", READINGS, ids=[r[0] for r in READINGS]
)
def test_status_from_activity(name, attempts, failures, orders, status) -> None:
    health = assess_channel(WECHAT, ChannelActivity(WECHAT, attempts, failures, orders), POLICY)
    assert health.status is status
    assert (health.reason is HealthReason.QUIET) == (status is S.OK)


def test_no_activity_is_ok() -> None:
    assert assess_channel(WECHAT, None, POLICY).status is S.OK


@pytest.mark.parametrize(
    "name,attempts,failures,orders,status", READINGS, ids=[r[0] for r in READINGS]
)
def test_the_diagnosis_calls_an_outage_exactly_when_the_channel_is_down(
    name, attempts, failures, orders, status
) -> None:
    board = assess_channels({WECHAT: ChannelActivity(WECHAT, attempts, failures, orders)}, POLICY)
    failed = order("awaiting_payment", attempt("failed", "SYSTEMERROR", method="wechat_pay"))
    diagnosis = diagnose(failed, NOW, board, POLICY)
    assert (diagnosis.cause is PaymentCause.BANK_OUTAGE) == (status is S.DOWN)


def test_the_thresholds_are_the_policy_s() -> None:
    activity = ChannelActivity(WECHAT, 4, 4, 4)
    assert assess_channel(WECHAT, activity, POLICY).status is S.DEGRADED
    lenient = DiagnosisPolicy(outage_min_failures=4, outage_min_orders=4)
    assert assess_channel(WECHAT, activity, lenient).status is S.DOWN


def test_a_board_offers_every_method_but_the_ones_down_in_the_shop_s_order() -> None:
    board = assess_channels(
        {
            WECHAT: ChannelActivity(WECHAT, 8, 7, 6),
            PaymentMethod.ALIPAY: ChannelActivity(PaymentMethod.ALIPAY, 3, 2, 2),
        },
        POLICY,
    )
    usable = board.usable(DEFAULT_PAYMENT_METHODS)
    assert usable == tuple(m for m in DEFAULT_PAYMENT_METHODS if m != "wechat_pay")
    assert board.down(DEFAULT_PAYMENT_METHODS) == ("wechat_pay",)
    assert board.status("alipay") is S.DEGRADED  # degraded is still offered
    assert "alipay" in usable
    assert board.status("card") is S.OK


def test_an_empty_board_or_an_unknown_method_is_ok() -> None:
    assert ChannelBoard().usable(["card", "klarna"]) == ("card", "klarna")
    assert ChannelBoard().status("klarna") is S.OK


# The payment methods of the import format (PRODUCT.md), as a shop configures them by name.
DOCUMENTED_METHODS = (
    "card", "alipay", "wechat_pay", "bank_transfer", "paypal", "apple_pay", "google_pay",
)  # fmt: skip


def test_every_documented_method_is_known_by_its_name() -> None:
    everything_failing = {
        method: ChannelActivity(method, 8, 8, 6) for method in list(PaymentMethod)
    }
    board = assess_channels(everything_failing, POLICY)
    assert board.down(DOCUMENTED_METHODS) == DOCUMENTED_METHODS
    assert board.usable([*DOCUMENTED_METHODS, "klarna"]) == ("klarna",)


def test_a_later_reading_overrides_the_activity() -> None:
    # How planned maintenance will plug in: another reading for the same method.
    board = assess_channels({}, POLICY).with_health(ChannelHealth(PaymentMethod.PAYPAL, S.DOWN))
    assert board.usable(["card", "paypal"]) == ("card",)
    assert "paypal" in board.evidence("paypal")  # a reading without activity still explains itself


def test_evidence_names_the_figures_for_staff() -> None:
    health = assess_channel(WECHAT, ChannelActivity(WECHAT, 8, 7, 6), POLICY)
    assert health.evidence == "wechat_pay: 7 of 8 attempts failed on 6 orders in the last 30 min"


def test_the_board_gives_each_method_s_evidence_by_name() -> None:
    board = assess_channels({WECHAT: ChannelActivity(WECHAT, 8, 7, 6)}, POLICY)
    assert board.evidence("wechat_pay") == board.health[WECHAT].evidence
    assert "7 of 8" in board.evidence(WECHAT)
    assert "paypal" in board.evidence("paypal") and "30 min" in board.evidence("paypal")
    assert board.evidence("klarna") is None


def test_with_thresholds_of_one_a_single_failure_is_an_outage() -> None:
    strict = DiagnosisPolicy(
        outage_min_failures=1, outage_min_orders=1, outage_min_failure_ratio=0.5
    )
    assert assess_channel(WECHAT, ChannelActivity(WECHAT, 1, 1, 1), strict).status is S.DOWN
    assert assess_channel(WECHAT, ChannelActivity(WECHAT, 1, 0, 0), strict).status is S.OK


def test_changes_since_an_earlier_board_are_the_status_transitions() -> None:
    quiet = assess_channels({}, POLICY)
    outage = assess_channels({WECHAT: ChannelActivity(WECHAT, 8, 7, 6)}, POLICY)
    assert [(h.method, h.status) for h in outage.changed_since(quiet)] == [(WECHAT, S.DOWN)]
    assert [(h.method, h.status) for h in quiet.changed_since(outage)] == [(WECHAT, S.OK)]
    assert outage.changed_since(outage) == ()
