"""The flood rules as a table: one row per situation a failed attempt can be in when
its notice is decided (the order as it is then, and the last notice for it)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from payhelp.core.notice_rules import NoticeOutcome as N
from payhelp.core.notice_rules import NoticePolicy, decide_notice
from tests.builders import NOW, attempt, order

POLICY = NoticePolicy(min_hours=6, delay_minutes=5)
FAILED = "pay_failed"


def failed(minutes_ago: float) -> object:
    return attempt("failed", "incorrect_cvc", minutes_ago=minutes_ago, id=FAILED)


# (name, order status, the failed attempt's age, later attempts as (status, age), hours
#  since the last notice for the order or None, has an email, expected)
ROWS = [
    ("delay over, nothing else happened", "awaiting_payment", 5, [], None, True, N.SEND),
    ("delay not over yet", "awaiting_payment", 4.9, [], None, True, N.WAIT),
    (
        "paid again within the delay",
        "awaiting_payment",
        6,
        [("succeeded", 2)],
        None,
        True,
        N.PAID_SINCE,
    ),
    (
        "paid a minute after, order already marked paid",
        "paid",
        6,
        [("succeeded", 5)],
        None,
        True,
        N.ORDER_NOT_UNPAID,
    ),
    ("a retry still pending", "awaiting_payment", 6, [("pending", 1)], None, True, N.RETRYING),
    (
        "failed again since: that one decides",
        "awaiting_payment",
        6,
        [("failed", 1)],
        None,
        True,
        N.LATER_FAILURE,
    ),
    ("order cancelled", "cancelled", 10, [], None, True, N.ORDER_NOT_UNPAID),
    ("notice 5 h 59 min ago", "awaiting_payment", 10, [], 5.99, True, N.RECENTLY_NOTIFIED),
    ("notice exactly 6 h ago", "awaiting_payment", 10, [], 6, True, N.SEND),
    ("notice a day ago", "awaiting_payment", 10, [], 24, True, N.SEND),
    ("failure more than a day old", "awaiting_payment", 24 * 60 + 1, [], None, True, N.STALE),
    ("failure just under a day old", "awaiting_payment", 24 * 60 - 1, [], None, True, N.SEND),
    ("no email on file", "awaiting_payment", 10, [], None, False, N.NO_EMAIL),
]


@pytest.mark.parametrize(
    "status,age,later,last_hours,has_email,expected",
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_flood_rules(status, age, later, last_hours, has_email, expected) -> None:  # noqa: ANN001
    others = [attempt(s, None, minutes_ago=a, id=f"pay_{i}") for i, (s, a) in enumerate(later)]
    the_order = order(status, failed(age), *others)
    last = NOW - timedelta(hours=last_hours) if last_hours is not None else None
    assert decide_notice(the_order, FAILED, NOW, last, POLICY, has_email) is expected


def test_an_attempt_that_is_no_longer_failed_earns_nothing() -> None:
    the_order = order("awaiting_payment", attempt("succeeded", None, minutes_ago=10, id=FAILED))
    assert decide_notice(the_order, FAILED, NOW, None, POLICY) is N.ATTEMPT_GONE
    assert decide_notice(order("awaiting_payment"), FAILED, NOW, None, POLICY) is N.ATTEMPT_GONE


def test_the_settings_move_the_limits() -> None:
    the_order = order("awaiting_payment", failed(10))
    patient = NoticePolicy(min_hours=6, delay_minutes=15)
    assert decide_notice(the_order, FAILED, NOW, None, patient) is N.WAIT
    strict = NoticePolicy(min_hours=12, delay_minutes=5)
    assert decide_notice(the_order, FAILED, NOW, NOW - timedelta(hours=7), strict) is (
        N.RECENTLY_NOTIFIED
    )
