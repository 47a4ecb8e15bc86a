"""Every threshold of the diagnosis, exactly at the limit and just either side of it.

The limits come from DiagnosisPolicy (README's configuration table) and, for bank
transfers, the fixed 3 days; the expected results are written out here.
"""

import pytest

from payhelp.core.causes import Detail, PaymentCause
from payhelp.core.diagnosis import diagnose
from payhelp.core.orders import PaymentMethod
from payhelp.settings import DiagnosisPolicy
from tests.builders import NOW, activity, attempt, order

C, D = PaymentCause, Detail
DAY = 24 * 60  # minutes


def pending_for(minutes: float, method: str = "card"):
    return order("awaiting_payment", attempt("pending", minutes_ago=minutes, method=method))


@pytest.mark.parametrize(
    "minutes,detail,wait",
    [
        (0, D.PENDING, 30),
        (12, D.PENDING, 18),
        (29, D.PENDING, 1),
        (29.5, D.PENDING, 1),  # never "0 minutes left" while still pending
        (30, D.STUCK_PENDING, None),  # exactly the limit: no longer normal
        (31, D.STUCK_PENDING, None),
    ],
)
def test_pending_card_payment_at_the_default_30_minutes(minutes, detail, wait) -> None:
    diagnosis = diagnose(pending_for(minutes), NOW)
    expected_cause = C.BANK_PROCESSING if detail is D.PENDING else C.TRANSACTION_ANOMALY
    assert (diagnosis.cause, diagnosis.detail, diagnosis.wait_minutes) == (
        expected_cause,
        detail,
        wait,
    )


@pytest.mark.parametrize("minutes,cause", [(44, C.BANK_PROCESSING), (45, C.TRANSACTION_ANOMALY)])
def test_pending_limit_follows_the_policy(minutes, cause) -> None:
    policy = DiagnosisPolicy(pending_wait_minutes=45)
    assert diagnose(pending_for(minutes), NOW, policy=policy).cause is cause


@pytest.mark.parametrize(
    "minutes,detail,wait",
    [
        (31, D.PENDING, 3 * DAY - 31),  # the card limit does not apply to transfers
        (3 * DAY - 1, D.PENDING, 1),
        (3 * DAY, D.STUCK_PENDING, None),
        (3 * DAY + 1, D.STUCK_PENDING, None),
    ],
)
def test_pending_bank_transfer_at_three_days(minutes, detail, wait) -> None:
    diagnosis = diagnose(pending_for(minutes, method="bank_transfer"), NOW)
    assert (diagnosis.detail, diagnosis.wait_minutes) == (detail, wait)


def test_the_bank_transfer_limit_ignores_the_card_policy() -> None:
    policy = DiagnosisPolicy(pending_wait_minutes=5)
    diagnosis = diagnose(pending_for(2 * DAY, method="bank_transfer"), NOW, policy=policy)
    assert diagnosis.detail is D.PENDING


def platform_failure_on(method: str = "wechat_pay"):
    return order("awaiting_payment", attempt("failed", "SYSTEMERROR", method=method))


@pytest.mark.parametrize(
    "attempts,failures,orders,down",
    [
        (10, 5, 3, True),  # every minimum met exactly (5 failures, 3 orders, ratio 0.5)
        (8, 4, 3, False),  # one failure short (ratio still 0.5)
        (10, 5, 2, False),  # one order short
        (11, 5, 3, False),  # ratio just under 0.5
        (9, 5, 3, True),
        (6, 6, 6, True),
    ],
)
def test_outage_thresholds_at_the_defaults(attempts, failures, orders, down) -> None:
    channels = activity("wechat_pay", attempts=attempts, failures=failures, orders=orders)
    diagnosis = diagnose(platform_failure_on(), NOW, channels)
    if down:
        assert (diagnosis.cause, diagnosis.detail) == (C.BANK_OUTAGE, D.CHANNEL_DOWN)
        assert diagnosis.unavailable_method is PaymentMethod.WECHAT_PAY
    else:
        assert (diagnosis.cause, diagnosis.detail) == (C.PLATFORM_FAULT, D.GATEWAY_ERROR)
        assert diagnosis.unavailable_method is None


STRICT = DiagnosisPolicy(outage_min_failures=8, outage_min_orders=4, outage_min_failure_ratio=0.75)


@pytest.mark.parametrize(
    "attempts,failures,orders,down",
    [
        (10, 8, 4, True),
        (32, 24, 4, True),  # ratio exactly 0.75
        (9, 7, 4, False),  # one failure short
        (10, 8, 3, False),  # one order short
        (11, 8, 4, False),  # ratio 0.727
    ],
)
def test_outage_thresholds_follow_the_policy(attempts, failures, orders, down) -> None:
    channels = activity(
        "wechat_pay", attempts=attempts, failures=failures, orders=orders, policy=STRICT
    )
    diagnosis = diagnose(platform_failure_on(), NOW, channels, STRICT)
    assert (diagnosis.detail is D.CHANNEL_DOWN) is down


@pytest.mark.parametrize(
    "issued_minutes_ago,detail",
    [
        (9 * DAY, D.REFUND_ISSUED),
        (10 * DAY - 1, D.REFUND_ISSUED),
        (10 * DAY, D.REFUND_ISSUED),  # "after 10 days" starts after the 10th day
        (10 * DAY + 1, D.REFUND_OVERDUE),
    ],
)
def test_refund_arrival_at_the_default_10_days(issued_minutes_ago, detail) -> None:
    refund = attempt("refunded", minutes_ago=20 * DAY, updated_minutes_ago=issued_minutes_ago)
    diagnosis = diagnose(order("refunded", refund), NOW)
    cause = C.BANK_PROCESSING if detail is D.REFUND_ISSUED else C.TRANSACTION_ANOMALY
    assert (diagnosis.cause, diagnosis.detail) == (cause, detail)


@pytest.mark.parametrize(
    "issued_minutes_ago,detail", [(3 * DAY, D.REFUND_ISSUED), (3 * DAY + 1, D.REFUND_OVERDUE)]
)
def test_refund_arrival_follows_the_policy(issued_minutes_ago, detail) -> None:
    refund = attempt("refunded", minutes_ago=20 * DAY, updated_minutes_ago=issued_minutes_ago)
    diagnosis = diagnose(
        order("refunded", refund), NOW, policy=DiagnosisPolicy(refund_arrival_days=3)
    )
    assert diagnosis.detail is detail


def test_a_refund_without_an_update_time_counts_from_its_creation() -> None:
    fresh = attempt("refunded", minutes_ago=10 * DAY)
    stale = attempt("refunded", minutes_ago=10 * DAY + 1)
    assert diagnose(order("refunded", fresh), NOW).detail is D.REFUND_ISSUED
    assert diagnose(order("refunded", stale), NOW).detail is D.REFUND_OVERDUE


def platform_failures(count: int):
    return order(
        "awaiting_payment",
        *(attempt("failed", "processing_error", minutes_ago=50 - n) for n in range(count)),
    )


@pytest.mark.parametrize("count,persisting", [(1, False), (2, True), (3, True)])
def test_platform_failures_persist_at_the_default_two(count, persisting) -> None:
    diagnosis = diagnose(platform_failures(count), NOW)
    assert diagnosis.cause is C.PLATFORM_FAULT
    assert (diagnosis.persisting, diagnosis.needs_staff) == (persisting, persisting)


@pytest.mark.parametrize("count,persisting", [(2, False), (3, True)])
def test_platform_failures_persist_at_the_policy_s_count(count, persisting) -> None:
    policy = DiagnosisPolicy(persisting_platform_failures=3)
    assert diagnose(platform_failures(count), NOW, policy=policy).persisting is persisting


def test_only_platform_failures_count_towards_persisting() -> None:
    mixed = order(
        "awaiting_payment",
        attempt("failed", "processing_error", 30),
        attempt("failed", "incorrect_cvc", 20),
        attempt("failed", "SYSTEMERROR", 10),
    )
    one_platform = order(
        "awaiting_payment",
        attempt("failed", "incorrect_cvc", 30),
        attempt("failed", "insufficient_funds", 20),
        attempt("failed", "processing_error", 10),
    )
    assert diagnose(mixed, NOW).persisting is True
    assert diagnose(one_platform, NOW).persisting is False
