from datetime import timedelta
from decimal import Decimal

import pytest

from payhelp.core.causes import GATEWAY_CODES, Detail, PaymentCause
from payhelp.core.diagnosis import diagnose
from payhelp.core.orders import Order, OrderStatus, PaymentMethod, PaymentStatus
from payhelp.settings import DiagnosisPolicy
from tests.builders import NOW, activity, attempt, order

C = PaymentCause
D = Detail

SCENARIOS = [
    # (name, order, channels, cause, detail)
    ("paid once", order("paid", attempt("succeeded")), None, C.NO_PROBLEM, D.PAID),
    ("shipped", order("shipped", attempt("succeeded")), None, C.NO_PROBLEM, D.PAID),
    (
        "failed then paid",
        order(
            "paid", attempt("failed", "insufficient_funds", 30), attempt("succeeded", minutes_ago=5)
        ),
        None,
        C.NO_PROBLEM,
        D.PAID,
    ),
    ("paid by other means", order("paid"), None, C.NO_PROBLEM, D.PAID),
    (
        "cancelled, nothing taken",
        order("cancelled", attempt("failed", "expired_card")),
        None,
        C.NO_PROBLEM,
        D.CANCELLED_UNPAID,
    ),
    (
        "wrong cvc",
        order("awaiting_payment", attempt("failed", "incorrect_cvc")),
        None,
        C.INPUT_ERROR,
        D.CVC,
    ),
    (
        "wrong number",
        order("awaiting_payment", attempt("failed", "invalid_number")),
        None,
        C.INPUT_ERROR,
        D.CARD_NUMBER,
    ),
    (
        "wrong expiry",
        order("awaiting_payment", attempt("failed", "invalid_expiry_year")),
        None,
        C.INPUT_ERROR,
        D.EXPIRY,
    ),
    (
        "wrong postcode",
        order("awaiting_payment", attempt("failed", "incorrect_zip")),
        None,
        C.INPUT_ERROR,
        D.POSTCODE,
    ),
    (
        "3-D Secure not done",
        order("awaiting_payment", attempt("failed", "authentication_required")),
        None,
        C.INPUT_ERROR,
        D.AUTHENTICATION,
    ),
    (
        "customer cancelled the payment",
        order("awaiting_payment", attempt("canceled")),
        None,
        C.INPUT_ERROR,
        D.NOT_COMPLETED,
    ),
    (
        "no funds",
        order("awaiting_payment", attempt("failed", "insufficient_funds")),
        None,
        C.ACCOUNT_PROBLEM,
        D.FUNDS,
    ),
    (
        "alipay balance",
        order("awaiting_payment", attempt("failed", "BUYER_BALANCE_NOT_ENOUGH", method="alipay")),
        None,
        C.ACCOUNT_PROBLEM,
        D.FUNDS,
    ),
    (
        "limit",
        order("awaiting_payment", attempt("failed", "card_velocity_exceeded")),
        None,
        C.ACCOUNT_PROBLEM,
        D.LIMIT,
    ),
    (
        "bank says no",
        order("awaiting_payment", attempt("failed", "do_not_honor")),
        None,
        C.ACCOUNT_PROBLEM,
        D.BANK_DECLINED,
    ),
    (
        "expired card",
        order("awaiting_payment", attempt("failed", "expired_card")),
        None,
        C.CARD_UNUSABLE,
        D.EXPIRED,
    ),
    (
        "do not try again",
        order("awaiting_payment", attempt("failed", "do_not_try_again")),
        None,
        C.CARD_UNUSABLE,
        D.DO_NOT_RETRY,
    ),
    (
        "pending 5 minutes",
        order("awaiting_payment", attempt("pending", minutes_ago=5)),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "pending 2 hours",
        order("awaiting_payment", attempt("pending", minutes_ago=120)),
        None,
        C.TRANSACTION_ANOMALY,
        D.STUCK_PENDING,
    ),
    (
        "bank transfer pending a day is normal",
        order("awaiting_payment", attempt("pending", minutes_ago=24 * 60, method="bank_transfer")),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "bank transfer pending four days is stuck",
        order(
            "awaiting_payment", attempt("pending", minutes_ago=4 * 24 * 60, method="bank_transfer")
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.STUCK_PENDING,
    ),
    (
        "pending beats an earlier failure",
        order(
            "awaiting_payment",
            attempt("failed", "incorrect_cvc", 20),
            attempt("pending", minutes_ago=3),
        ),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "bank timeout",
        order("awaiting_payment", attempt("failed", "timeout")),
        None,
        C.BANK_PROCESSING,
        D.PENDING,
    ),
    (
        "issuer down",
        order("awaiting_payment", attempt("failed", "issuer_not_available")),
        None,
        C.BANK_OUTAGE,
        D.ISSUER_UNAVAILABLE,
    ),
    (
        "our processing error",
        order("awaiting_payment", attempt("failed", "processing_error")),
        None,
        C.PLATFORM_FAULT,
        D.PROCESSING,
    ),
    (
        "wechat system error",
        order("awaiting_payment", attempt("failed", "SYSTEMERROR", method="wechat_pay")),
        None,
        C.PLATFORM_FAULT,
        D.GATEWAY_ERROR,
    ),
    (
        "a wave of wechat failures means the channel is down",
        order("awaiting_payment", attempt("failed", "SYSTEMERROR", method="wechat_pay")),
        activity("wechat_pay", attempts=8, failures=7, orders=6),
        C.BANK_OUTAGE,
        D.CHANNEL_DOWN,
    ),
    (
        "a few failures on one order are not a wave",
        order("awaiting_payment", attempt("failed", "processing_error")),
        activity("card", attempts=6, failures=6, orders=1),
        C.PLATFORM_FAULT,
        D.PROCESSING,
    ),
    (
        "failures among many successes are not a wave",
        order("awaiting_payment", attempt("failed", "processing_error")),
        activity("card", attempts=100, failures=6, orders=6),
        C.PLATFORM_FAULT,
        D.PROCESSING,
    ),
    (
        "an outage does not explain the customer's own wrong cvc",
        order("awaiting_payment", attempt("failed", "incorrect_cvc", method="wechat_pay")),
        activity("wechat_pay", attempts=8, failures=7, orders=6),
        C.INPUT_ERROR,
        D.CVC,
    ),
    (
        "an outage on another channel is irrelevant",
        order("awaiting_payment", attempt("failed", "processing_error", method="card")),
        activity("wechat_pay", attempts=8, failures=7, orders=6),
        C.PLATFORM_FAULT,
        D.PROCESSING,
    ),
    (
        "unknown code during an outage is the outage",
        order("awaiting_payment", attempt("failed", "weird_code", method="paypal")),
        activity("paypal", attempts=10, failures=9, orders=5),
        C.BANK_OUTAGE,
        D.CHANNEL_DOWN,
    ),
    (
        "charged twice",
        order("paid", attempt("succeeded", minutes_ago=9), attempt("succeeded", minutes_ago=8)),
        None,
        C.TRANSACTION_ANOMALY,
        D.DUPLICATE,
    ),
    (
        "gateway says duplicate",
        order("awaiting_payment", attempt("failed", "duplicate_transaction")),
        None,
        C.TRANSACTION_ANOMALY,
        D.DUPLICATE,
    ),
    (
        "paid then cancelled",
        order("cancelled", attempt("succeeded")),
        None,
        C.TRANSACTION_ANOMALY,
        D.PAID_THEN_CANCELLED,
    ),
    (
        "amount mismatch",
        order("paid", attempt("succeeded", amount="50.00")),
        None,
        C.TRANSACTION_ANOMALY,
        D.AMOUNT_MISMATCH,
    ),
    (
        "currency mismatch",
        order("paid", attempt("succeeded", currency="EUR")),
        None,
        C.TRANSACTION_ANOMALY,
        D.AMOUNT_MISMATCH,
    ),
    (
        "succeeded but unpaid",
        order("awaiting_payment", attempt("succeeded")),
        None,
        C.CHARGED_NOT_RECORDED,
        D.CHARGED_UNPAID,
    ),
    (
        "succeeded after failures but unpaid",
        order(
            "awaiting_payment",
            attempt("failed", "incorrect_cvc", 30),
            attempt("succeeded", minutes_ago=5),
        ),
        None,
        C.CHARGED_NOT_RECORDED,
        D.CHARGED_UNPAID,
    ),
    (
        "stolen card",
        order("awaiting_payment", attempt("failed", "stolen_card")),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "fraud on an earlier attempt still flags the order",
        order(
            "awaiting_payment",
            attempt("failed", "lost_card", 30),
            attempt("failed", "insufficient_funds", 5),
        ),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "merchant blacklist",
        order("awaiting_payment", attempt("failed", "merchant_blacklist")),
        None,
        C.SUSPECTED_FRAUD,
        D.DECLINED,
    ),
    (
        "refund issued two days ago",
        order(
            "refunded",
            attempt("refunded", minutes_ago=3 * 24 * 60, updated_minutes_ago=2 * 24 * 60),
        ),
        None,
        C.BANK_PROCESSING,
        D.REFUND_ISSUED,
    ),
    (
        "refund issued three weeks ago",
        order(
            "refunded",
            attempt("refunded", minutes_ago=22 * 24 * 60, updated_minutes_ago=21 * 24 * 60),
        ),
        None,
        C.TRANSACTION_ANOMALY,
        D.REFUND_OVERDUE,
    ),
    (
        "duplicate already refunded",
        order(
            "paid",
            attempt("succeeded", minutes_ago=60),
            attempt("refunded", minutes_ago=59, updated_minutes_ago=30),
        ),
        None,
        C.BANK_PROCESSING,
        D.REFUND_ISSUED,
    ),
    ("nothing attempted yet", order("awaiting_payment"), None, C.UNKNOWN, D.NO_ATTEMPTS),
    (
        "unrecognised code",
        order("awaiting_payment", attempt("failed", "INSTRUMENT_DECLINED_X")),
        None,
        C.UNKNOWN,
        D.UNRECOGNISED_CODE,
    ),
    (
        "failure without a code",
        order("awaiting_payment", attempt("failed", None)),
        None,
        C.UNKNOWN,
        D.UNRECOGNISED_CODE,
    ),
]


@pytest.mark.parametrize(
    "scenario,the_order,channels,cause,detail", SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_scenario(scenario, the_order, channels, cause, detail) -> None:
    diagnosis = diagnose(the_order, NOW, channels)
    assert (diagnosis.cause, diagnosis.detail) == (cause, detail)
    assert diagnosis.evidence or detail in (D.PAID, D.CANCELLED_UNPAID), "staff need the evidence"


def test_every_cause_is_reachable_from_some_scenario() -> None:
    assert {s[3] for s in SCENARIOS} == set(PaymentCause)


# What one failed attempt with each gateway code is diagnosed as (no outage around).
SINGLE_FAILURE = {
    "insufficient_funds": (C.ACCOUNT_PROBLEM, D.FUNDS),
    "BUYER_BALANCE_NOT_ENOUGH": (C.ACCOUNT_PROBLEM, D.FUNDS),
    "card_velocity_exceeded": (C.ACCOUNT_PROBLEM, D.LIMIT),
    "withdrawal_count_limit_exceeded": (C.ACCOUNT_PROBLEM, D.LIMIT),
    "BEYOND_PAY_RESTRICTION": (C.ACCOUNT_PROBLEM, D.LIMIT),
    "do_not_honor": (C.ACCOUNT_PROBLEM, D.BANK_DECLINED),
    "generic_decline": (C.ACCOUNT_PROBLEM, D.BANK_DECLINED),
    "call_issuer": (C.ACCOUNT_PROBLEM, D.BANK_DECLINED),
    "incorrect_number": (C.INPUT_ERROR, D.CARD_NUMBER),
    "invalid_number": (C.INPUT_ERROR, D.CARD_NUMBER),
    "incorrect_cvc": (C.INPUT_ERROR, D.CVC),
    "invalid_cvc": (C.INPUT_ERROR, D.CVC),
    "invalid_expiry_month": (C.INPUT_ERROR, D.EXPIRY),
    "invalid_expiry_year": (C.INPUT_ERROR, D.EXPIRY),
    "incorrect_zip": (C.INPUT_ERROR, D.POSTCODE),
    "authentication_required": (C.INPUT_ERROR, D.AUTHENTICATION),
    "NOTPAY": (C.INPUT_ERROR, D.NOT_COMPLETED),
    "expired_card": (C.CARD_UNUSABLE, D.EXPIRED),
    "card_not_supported": (C.CARD_UNUSABLE, D.NOT_SUPPORTED),
    "transaction_not_allowed": (C.CARD_UNUSABLE, D.NOT_SUPPORTED),
    "currency_not_supported": (C.CARD_UNUSABLE, D.CURRENCY),
    "restricted_card": (C.CARD_UNUSABLE, D.RESTRICTED),
    "do_not_try_again": (C.CARD_UNUSABLE, D.DO_NOT_RETRY),
    "timeout": (C.BANK_PROCESSING, D.PENDING),
    "USERPAYING": (C.BANK_PROCESSING, D.PENDING),
    "issuer_not_available": (C.BANK_OUTAGE, D.ISSUER_UNAVAILABLE),
    "try_again_later": (C.BANK_OUTAGE, D.ISSUER_UNAVAILABLE),
    "PAYERROR": (C.BANK_OUTAGE, D.ISSUER_UNAVAILABLE),
    "processing_error": (C.PLATFORM_FAULT, D.PROCESSING),
    "reenter_transaction": (C.PLATFORM_FAULT, D.PROCESSING),
    "SYSTEMERROR": (C.PLATFORM_FAULT, D.GATEWAY_ERROR),
    "ACQ.TRADE_HAS_CLOSE": (C.PLATFORM_FAULT, D.TRADE_CLOSED),
    "duplicate_transaction": (C.TRANSACTION_ANOMALY, D.DUPLICATE),
    "fraudulent": (C.SUSPECTED_FRAUD, D.DECLINED),
    "lost_card": (C.SUSPECTED_FRAUD, D.DECLINED),
    "stolen_card": (C.SUSPECTED_FRAUD, D.DECLINED),
    "pickup_card": (C.SUSPECTED_FRAUD, D.DECLINED),
    "merchant_blacklist": (C.SUSPECTED_FRAUD, D.DECLINED),
}


def test_every_gateway_code_has_an_expected_diagnosis() -> None:
    assert set(SINGLE_FAILURE) == set(GATEWAY_CODES)


@pytest.mark.parametrize("code,expected", sorted(SINGLE_FAILURE.items()))
def test_a_single_failure_is_diagnosed_as_its_code_says(code: str, expected) -> None:
    diagnosis = diagnose(order("awaiting_payment", attempt("failed", code)), NOW)
    assert (diagnosis.cause, diagnosis.detail) == expected


def test_pending_reports_how_much_longer_to_wait() -> None:
    policy = DiagnosisPolicy(pending_wait_minutes=30)
    diagnosis = diagnose(
        order("awaiting_payment", attempt("pending", minutes_ago=12)), NOW, policy=policy
    )
    assert diagnosis.wait_minutes == 18


def test_the_pending_threshold_is_the_policy_s() -> None:
    stuck = order("awaiting_payment", attempt("pending", minutes_ago=45))
    assert (
        diagnose(stuck, NOW, policy=DiagnosisPolicy(pending_wait_minutes=30)).cause
        is C.TRANSACTION_ANOMALY
    )
    assert (
        diagnose(stuck, NOW, policy=DiagnosisPolicy(pending_wait_minutes=60)).cause
        is C.BANK_PROCESSING
    )


def test_channel_outage_names_the_method_that_is_down() -> None:
    diagnosis = diagnose(
        order("awaiting_payment", attempt("failed", "SYSTEMERROR", method="wechat_pay")),
        NOW,
        activity("wechat_pay", attempts=8, failures=7, orders=6),
    )
    assert diagnosis.unavailable_method is PaymentMethod.WECHAT_PAY
    assert any("wechat_pay" in line for line in diagnosis.evidence)
    assert "7 of 8 attempts failed on 6 orders" in diagnosis.evidence[-1]  # the board's figures


def test_repeated_platform_faults_persist_and_need_staff() -> None:
    once = diagnose(order("awaiting_payment", attempt("failed", "processing_error")), NOW)
    twice = diagnose(
        order(
            "awaiting_payment",
            attempt("failed", "processing_error", 20),
            attempt("failed", "processing_error", 10),
        ),
        NOW,
    )
    assert (once.persisting, once.needs_staff) == (False, False)
    assert (twice.cause, twice.persisting, twice.needs_staff) == (C.PLATFORM_FAULT, True, True)


@pytest.mark.parametrize(
    "cause,needs",
    [
        (C.CHARGED_NOT_RECORDED, True),
        (C.TRANSACTION_ANOMALY, True),
        (C.SUSPECTED_FRAUD, True),
        (C.INPUT_ERROR, False),
        (C.BANK_PROCESSING, False),
        (C.BANK_OUTAGE, False),
    ],
)
def test_which_causes_need_staff(cause: PaymentCause, needs: bool) -> None:
    scenario = next(s for s in SCENARIOS if s[3] is cause)
    assert diagnose(scenario[1], NOW, scenario[2]).needs_staff is needs


def test_fraud_evidence_is_for_staff_and_names_the_code() -> None:
    diagnosis = diagnose(order("awaiting_payment", attempt("failed", "stolen_card")), NOW)
    # The code is in the staff evidence; the customer-facing detail is deliberately vague.
    assert "stolen_card" in diagnosis.evidence[0]
    assert diagnosis.detail is D.DECLINED


def test_an_order_built_without_its_payments_has_none() -> None:
    """``Order``'s payments may be left out: an order nobody tried to pay yet."""
    unpaid = Order(
        "ORD-1", "C-1", OrderStatus.AWAITING_PAYMENT, Decimal("5"), "USD", NOW - timedelta(hours=1)
    )
    assert unpaid.attempts_with(*PaymentStatus) == []
    found = diagnose(unpaid, NOW)
    assert (found.cause, found.detail) == (C.UNKNOWN, D.NO_ATTEMPTS)


def test_each_evidence_line_starts_with_the_attempt_and_ends_with_its_time_or_code() -> None:
    """Staff read one line per attempt: id, method, amount, status, time, then any code."""
    failed = attempt("failed", "expired_card", 30, id="pay_A")
    pending = attempt("pending", minutes_ago=5, id="pay_B")
    [declined] = diagnose(order("awaiting_payment", failed), NOW).evidence
    [waiting] = diagnose(order("awaiting_payment", pending), NOW).evidence
    assert declined.startswith("pay_A ") and declined.endswith(" expired_card")
    for shown in ("card", "59.90 USD", "failed", failed.created_at.isoformat()):
        assert shown in declined
    assert waiting.startswith("pay_B ") and f"{pending.created_at.isoformat()};" in waiting
    assert "pending for 5 min" in waiting


def test_the_diagnosis_points_at_the_payment_it_is_about() -> None:
    first = attempt("succeeded", minutes_ago=30, id="pay_1")
    second = attempt("succeeded", minutes_ago=20, id="pay_2")
    third = attempt("succeeded", minutes_ago=10, id="pay_3")
    assert diagnose(order("paid", first), NOW).attempt == first
    assert diagnose(order("paid", first, second), NOW).attempt == second  # charged twice
    assert diagnose(order("paid", first, second, third), NOW).attempt == third
    assert diagnose(order("awaiting_payment"), NOW).attempt is None


def test_a_cancelled_order_without_payments_still_says_why_for_staff() -> None:
    found = diagnose(order("cancelled"), NOW)
    assert (found.detail, found.attempt) == (D.CANCELLED_UNPAID, None)
    assert len(found.evidence) == 1 and "no payments" in found.evidence[0]
