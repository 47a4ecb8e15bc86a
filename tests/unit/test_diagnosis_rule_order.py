"""Orders that two rules of diagnose() would both explain get the earlier rule's cause.

The order (README, "Diagnosis order"): money already taken (two successful payments,
paid then cancelled, amount mismatch, refunds, succeeded-but-unpaid, paid), then fraud
codes on any attempt, then a cancelled order, then money on hold (pending), then the
latest failure's code (a channel outage first), then a payment the customer cancelled.
"""

import pytest

from payhelp.core.causes import Detail, PaymentCause
from payhelp.core.diagnosis import diagnose
from tests.builders import NOW, activity, attempt, order

C, D = PaymentCause, Detail
DAY = 24 * 60

CASES = [
    # (name, order, channels, cause, detail)
    (
        "duplicate before paid-then-cancelled",
        order(
            "cancelled", attempt("succeeded", minutes_ago=9), attempt("succeeded", minutes_ago=8)
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.DUPLICATE,
    ),
    (
        "duplicate before refund",
        order(
            "paid",
            attempt("succeeded", minutes_ago=60),
            attempt("succeeded", minutes_ago=50),
            attempt("refunded", minutes_ago=40, updated_minutes_ago=30),
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.DUPLICATE,
    ),
    (
        "paid-then-cancelled before amount mismatch",
        order("cancelled", attempt("succeeded", amount="50.00")),
        None,
        C.TRANSACTION_ANOMALY,
        D.PAID_THEN_CANCELLED,
    ),
    (
        "amount mismatch before refund",
        order(
            "paid",
            attempt("succeeded", amount="50.00", minutes_ago=60),
            attempt("refunded", minutes_ago=40, updated_minutes_ago=30),
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.AMOUNT_MISMATCH,
    ),
    (
        "refund before succeeded-but-unpaid",
        order(
            "awaiting_payment",
            attempt("succeeded", minutes_ago=60),
            attempt("refunded", minutes_ago=40, updated_minutes_ago=30),
        ),
        None,
        C.BANK_PROCESSING,
        D.REFUND_ISSUED,
    ),
    (
        "succeeded-but-unpaid before fraud",
        order(
            "awaiting_payment",
            attempt("failed", "stolen_card", 30),
            attempt("succeeded", minutes_ago=5),
        ),
        None,
        C.CHARGED_NOT_RECORDED,
        D.CHARGED_UNPAID,
    ),
    (
        "duplicate before fraud",
        order(
            "paid",
            attempt("failed", "fraudulent", 30),
            attempt("succeeded", minutes_ago=9),
            attempt("succeeded", minutes_ago=8),
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.DUPLICATE,
    ),
    (
        "overdue refund before fraud",
        order(
            "refunded",
            attempt("failed", "lost_card", 30 * DAY),
            attempt("refunded", minutes_ago=25 * DAY, updated_minutes_ago=20 * DAY),
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.REFUND_OVERDUE,
    ),
    (
        "paid before fraud",
        order("paid", attempt("failed", "pickup_card", 30), attempt("succeeded", minutes_ago=5)),
        None,
        C.NO_PROBLEM,
        D.PAID,
    ),
    (
        "paid order status before a failed attempt",
        order("paid", attempt("failed", "insufficient_funds")),
        None,
        C.NO_PROBLEM,
        D.PAID,
    ),
    (
        "fraud before a cancelled order",
        order("cancelled", attempt("failed", "stolen_card")),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "fraud before a young pending payment",
        order(
            "awaiting_payment",
            attempt("failed", "stolen_card", 20),
            attempt("pending", minutes_ago=3),
        ),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "fraud before a pending payment that came first",
        order(
            "awaiting_payment",
            attempt("pending", minutes_ago=10),
            attempt("failed", "merchant_blacklist", 5),
        ),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "fraud before a stuck pending payment",
        order(
            "awaiting_payment",
            attempt("failed", "lost_card", 200),
            attempt("pending", minutes_ago=120),
        ),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "fraud before a channel outage",
        order(
            "awaiting_payment",
            attempt("failed", "fraudulent", 20, method="wechat_pay"),
            attempt("failed", "SYSTEMERROR", 5, method="wechat_pay"),
        ),
        activity("wechat_pay", attempts=8, failures=7, orders=6),
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "pending before a cancelled order",
        order("cancelled", attempt("pending", minutes_ago=5)),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "cancelled order before a failure",
        order("cancelled", attempt("failed", "insufficient_funds")),
        None,
        C.NO_PROBLEM,
        D.CANCELLED_UNPAID,
    ),
    (
        "pending before a later failure",
        order(
            "awaiting_payment",
            attempt("pending", minutes_ago=20),
            attempt("failed", "incorrect_cvc", 5),
        ),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "outage before a persisting platform fault",
        order(
            "awaiting_payment",
            attempt("failed", "SYSTEMERROR", 20, method="wechat_pay"),
            attempt("failed", "SYSTEMERROR", 10, method="wechat_pay"),
        ),
        activity("wechat_pay", attempts=8, failures=7, orders=6),
        C.BANK_OUTAGE,
        D.CHANNEL_DOWN,
    ),
    (
        "the latest failure, not the first",
        order(
            "awaiting_payment",
            attempt("failed", "insufficient_funds", 30),
            attempt("failed", "incorrect_cvc", 5),
        ),
        None,
        C.INPUT_ERROR,
        D.CVC,
    ),
    (
        "a failure before a payment the customer cancelled later",
        order(
            "awaiting_payment",
            attempt("failed", "insufficient_funds", 30),
            attempt("canceled", minutes_ago=5),
        ),
        None,
        C.ACCOUNT_PROBLEM,
        D.FUNDS,
    ),
]


@pytest.mark.parametrize("name,the_order,channels,cause,detail", CASES, ids=[c[0] for c in CASES])
def test_the_earlier_rule_wins(name, the_order, channels, cause, detail) -> None:
    diagnosis = diagnose(the_order, NOW, channels)
    assert (diagnosis.cause, diagnosis.detail) == (cause, detail)


def test_an_outage_explains_the_fault_without_sending_it_to_a_person() -> None:
    _, the_order, channels, _, _ = next(c for c in CASES if c[0].startswith("outage before"))
    diagnosis = diagnose(the_order, NOW, channels)
    assert (diagnosis.persisting, diagnosis.needs_staff) == (False, False)
