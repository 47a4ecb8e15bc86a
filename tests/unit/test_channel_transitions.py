"""Channel status over time, as the regular check sees it: a table of moments, including
recovery and planned maintenance windows (one rule: payhelp.core.channels)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from payhelp.core.channels import (
    ChannelBoard,
    ChannelStatus,
    HealthReason,
    Maintenance,
    assess_channels,
)
from payhelp.core.orders import ChannelActivity, PaymentMethod
from payhelp.settings import DEFAULT_PAYMENT_METHODS, DiagnosisPolicy
from tests.builders import NOW

POLICY = DiagnosisPolicy(outage_min_failures=5, outage_min_orders=3, outage_min_failure_ratio=0.5)
WECHAT = PaymentMethod.WECHAT_PAY
S, R = ChannelStatus, HealthReason
WINDOW = Maintenance(
    WECHAT, NOW + timedelta(minutes=40), NOW + timedelta(minutes=60),
    "Back at 13:00.", "13:00 恢复。",
)  # fmt: skip

# (minute, (attempts, failures, orders with failures) on WeChat Pay, status, reason, change?)
TIMELINE = [
    (0, (20, 0, 0), S.OK, R.QUIET, False),
    (10, (4, 3, 2), S.DEGRADED, R.FAILURE_WAVE, True),
    (20, (20, 12, 6), S.DOWN, R.FAILURE_WAVE, True),
    (25, (22, 13, 7), S.DOWN, R.FAILURE_WAVE, False),  # still down: nothing new to record
    (30, (30, 4, 4), S.OK, R.QUIET, True),  # recovered
    (39, (30, 0, 0), S.OK, R.QUIET, False),  # a second before maintenance: still ok
    (40, (30, 0, 0), S.DOWN, R.MAINTENANCE, True),  # the window starts: down, whatever works
    (50, (30, 15, 9), S.DOWN, R.MAINTENANCE, False),  # a wave during it: still maintenance
    (60, (30, 0, 0), S.OK, R.QUIET, True),  # ends_at is the first moment after it
]


def board_at(minute: int, reading: tuple[int, int, int]) -> ChannelBoard:
    attempts, failures, orders = reading
    activity = {WECHAT: ChannelActivity(WECHAT, attempts, failures, orders)}
    return assess_channels(activity, POLICY, [WINDOW], NOW + timedelta(minutes=minute))


def test_the_timeline_as_the_regular_check_records_it() -> None:
    previous = ChannelBoard()
    for minute, reading, status, reason, changes in TIMELINE:
        board = board_at(minute, reading)
        wechat = board.health[WECHAT]
        assert (wechat.status, wechat.reason) == (status, reason), minute
        changed = [h.method for h in board.changed_since(previous)]
        assert changed == ([WECHAT] if changes else []), minute
        previous = board


@pytest.mark.parametrize("minute", [40, 45, 59])
def test_a_method_under_maintenance_is_never_offered(minute: int) -> None:
    board = board_at(minute, (30, 0, 0))
    assert "wechat_pay" not in board.usable(DEFAULT_PAYMENT_METHODS)
    assert board.down(DEFAULT_PAYMENT_METHODS) == ("wechat_pay",)
    assert board.maintenance("wechat_pay") == WINDOW
    assert "planned maintenance until 2026-11-25 13:00" in board.evidence("wechat_pay")


@pytest.mark.parametrize("minute", [39, 60, 61])
def test_outside_the_window_maintenance_changes_nothing(minute: int) -> None:
    board = board_at(minute, (30, 0, 0))
    assert "wechat_pay" in board.usable(DEFAULT_PAYMENT_METHODS)
    assert board.maintenance("wechat_pay") is None


def test_windows_need_the_time_they_are_read_at() -> None:
    with pytest.raises(ValueError, match="the time"):
        assess_channels({}, POLICY, [WINDOW])


@pytest.mark.parametrize(
    "en,zh,language,expected",
    [
        ("Back at 13:00.", "13:00 恢复。", "en", "Back at 13:00."),
        ("Back at 13:00.", "13:00 恢复。", "zh", "13:00 恢复。"),
        ("Back at 13:00.", "", "zh", "Back at 13:00."),  # no Chinese text: the English one
        ("", "13:00 恢复。", None, "13:00 恢复。"),
    ],
)
def test_the_admins_message_in_the_customers_language(en, zh, language, expected) -> None:
    window = Maintenance(WECHAT, NOW, NOW + timedelta(hours=1), en, zh)
    assert window.message(language) == expected
