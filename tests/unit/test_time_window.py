"""Callback times from the customer's own words, English and Chinese, as windows."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from payhelp.core.time_window import names_a_time, parse_time_window
from payhelp.messages import time_window

UTC = ZoneInfo("UTC")
# Thursday 26 November 2026, noon.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)

# (words, start, end) as "day HH:MM" in the shop's zone (UTC); None: not understood.
CASES = [
    ("tomorrow morning", "27 09:00", "27 12:00"),
    ("Can you call me back tomorrow morning? My number is +1 555 0199", "27 09:00", "27 12:00"),
    ("tomorrow morning like i said", "27 09:00", "27 12:00"),
    ("this evening", "26 17:00", "26 20:00"),
    ("tonight", "26 17:00", "26 20:00"),
    ("after 5pm", "26 17:00", "26 20:00"),
    ("after 5", "26 17:00", "26 20:00"),
    ("after 8pm", "26 20:00", "26 21:00"),
    ("before 11am", "27 09:00", "27 11:00"),
    ("Monday afternoon", "30 12:00", "30 17:00"),
    ("on Friday", "27 09:00", "27 17:00"),
    ("tomorrow", "27 09:00", "27 17:00"),
    ("day after tomorrow at 10", "28 10:00", "28 10:30"),
    ("at 3", "26 15:00", "26 15:30"),
    ("around 4pm", "26 15:30", "26 16:30"),
    ("between 2 and 4pm", "26 14:00", "26 16:00"),
    ("2-4pm", "26 14:00", "26 16:00"),
    ("tomorrow 9-12", "27 09:00", "27 12:00"),
    ("between 10 and 2 tomorrow", "27 10:00", "27 14:00"),
    ("weekdays after 5pm", "26 17:00", "26 20:00"),
    ("Saturday morning", "28 09:00", "28 12:00"),
    ("the weekend", "28 09:00", "28 17:00"),
    ("weekdays before lunch", "27 09:00", "27 12:00"),
    ("on 30 November at 10", "30 10:00", "30 10:30"),
    ("at noon tomorrow", "27 12:00", "27 12:30"),
    ("this afternoon", "26 12:00", "26 17:00"),  # under way: from now on
    ("asap", "26 12:00", "26 14:00"),
    ("any time", "26 12:00", "26 17:00"),
    ("明天上午", "27 09:00", "27 12:00"),
    ("下午三点以后", "26 15:00", "26 17:00"),
    ("今晚", "26 17:00", "26 20:00"),
    ("明早", "27 09:00", "27 12:00"),
    ("明天下午3点半", "27 15:30", "27 16:00"),
    ("三点到五点", "26 15:00", "26 17:00"),
    ("十点左右", "27 09:30", "27 10:30"),
    ("后天晚上八点", "28 20:00", "28 20:30"),
    ("下周一上午", "30 09:00", "30 12:00"),
    ("周六下午", "28 12:00", "28 17:00"),
    ("12月1日下午", "01 12:00", "01 17:00"),
    ("尽快", "26 12:00", "26 14:00"),
    ("after lunch", "26 13:00", "26 17:00"),
    ("after work", "26 17:00", "26 20:00"),
    ("tomorrow at lunchtime", "27 12:00", "27 14:00"),
    ("Tuesday morning", "01 09:00", "01 12:00"),
    ("tues morning", "01 09:00", "01 12:00"),
    ("Wednesday", "02 09:00", "02 17:00"),
    ("Sunday afternoon", "29 12:00", "29 17:00"),
    ("at 3:30pm", "26 15:30", "26 16:00"),
    ("at 3 p.m. tomorrow", "27 15:00", "27 15:30"),
    ("tomorrow before noon", "27 09:00", "27 12:00"),
    ("on 26 November at 3pm", "26 15:00", "26 15:30"),  # today's date: today
    ("my number is 555 0199, call after 5", "26 17:00", "26 20:00"),
    ("tomorrow asap", "27 09:00", "27 17:00"),
    ("星期天上午", "29 09:00", "29 12:00"),
    ("下周三上午", "02 09:00", "02 12:00"),
    ("下午两点", "26 14:00", "26 14:30"),
    ("下午三点前", "26 12:00", "26 15:00"),
    ("明天十二点", "27 12:00", "27 12:30"),
    ("tomorrow at 12pm", "27 12:00", "27 12:30"),
    ("tomorrow at 7am", "27 07:00", "27 07:30"),
    ("tomorrow after 1", "27 13:00", "27 16:00"),  # nobody means one in the morning
    ("tomorrow after 7", "27 19:00", "27 21:00"),
    ("tomorrow after 10am", "27 10:00", "27 13:00"),
    ("tomorrow before 2pm", "27 11:00", "27 14:00"),
    ("tomorrow evening at 7", "27 19:00", "27 19:30"),
    ("tomorrow at 23:59", "27 23:59", "28 00:29"),
    ("tomorrow at 24:00", "27 09:00", "27 17:00"),  # no clock time: just tomorrow
    ("tomorrow at 23:60", "27 09:00", "27 17:00"),
    ("tomorrow 11-1", "27 11:00", "27 13:00"),
    ("tomorrow 1 to 3pm", "27 13:00", "27 15:00"),
    ("明天下午两点到四点", "27 14:00", "27 16:00"),
    # Not understood: the words are kept as they are and a person reads them.
    ("this morning", None, None),  # already over
    ("after the school run", None, None),
    ("yes", None, None),
    ("in 1-2 days", None, None),
    ("email me instead", None, None),
    ("11-27", None, None),
    ("at 3:75", None, None),
    ("", None, None),
]


@pytest.mark.parametrize("words,start,end", CASES, ids=[c[0] or "empty" for c in CASES])
def test_words_become_a_window(words: str, start: str | None, end: str | None) -> None:
    window = parse_time_window(words, NOW, UTC)
    if start is None:
        assert window is None
        return
    assert window is not None
    assert (f"{window.start:%d %H:%M}", f"{window.end:%d %H:%M}") == (start, end)
    assert window.start >= NOW and window.end > window.start


def test_the_window_is_in_the_shop_s_time_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")  # noon UTC is 20:00 there
    window = parse_time_window("明天上午", NOW, shanghai)
    assert window is not None
    assert window.start == datetime(2026, 11, 27, 9, 0, tzinfo=shanghai)
    # The evening is still ahead in London's zone, and over in Shanghai's.
    assert parse_time_window("this evening", NOW, ZoneInfo("Europe/London")) is not None
    assert parse_time_window("this evening", NOW, shanghai) is None


def test_a_weekday_named_on_that_day_means_next_week() -> None:
    window = parse_time_window("Thursday morning", NOW, UTC)
    assert window is not None and window.start.day == 3 and window.start.month == 12


@pytest.mark.parametrize(
    "words,said",
    [
        ("tomorrow morning", "tomorrow (Friday 27 November) between 9:00 and 12:00 (UTC)"),
        ("after 5pm", "today (Thursday 26 November) between 17:00 and 20:00 (UTC)"),
        ("Monday afternoon", "Monday 30 November between 12:00 and 17:00 (UTC)"),
    ],
)
def test_the_bot_says_the_window_in_its_own_words(words: str, said: str) -> None:
    window = parse_time_window(words, NOW, UTC)
    assert window is not None
    assert time_window(window, NOW) == said


@pytest.mark.parametrize(
    "words,named",
    [("this morning", True), ("今晚", True), ("after 5", True), ("asap", True),
     ("yes", False), ("hi there", False), ("my number is +1 555 0199", False)],
)  # fmt: skip
def test_names_a_time_even_one_already_past(words: str, named: bool) -> None:
    assert names_a_time(words) is named


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


@pytest.mark.parametrize("month", range(1, 13))
def test_a_date_is_the_next_one_with_that_month_and_day(month: int) -> None:
    name = MONTHS[month - 1]
    year = 2026 if month == 12 else 2027  # 2 November 2026 is past on 26 November
    for words in (f"on 2 {name} at 10", f"{name[:3]} 2nd at 10"):
        window = parse_time_window(words, NOW, UTC)
        assert window is not None, words
        assert window.start == datetime(year, month, 2, 10, 0, tzinfo=UTC), words


def test_workdays_skip_the_weekend() -> None:
    friday_night = datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc)
    window = parse_time_window("weekdays after 5pm", friday_night, UTC)
    assert window is not None
    assert (window.start, window.end) == (
        datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 20, 0, tzinfo=UTC),
    )


def test_the_weekend_said_on_a_saturday_is_today() -> None:
    saturday_morning = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
    window = parse_time_window("the weekend", saturday_morning, UTC)
    assert window is not None
    assert window.start == saturday_morning


def test_as_soon_as_possible_starts_at_the_next_quarter_hour() -> None:
    window = parse_time_window("asap", datetime(2026, 11, 26, 12, 7, tzinfo=timezone.utc), UTC)
    assert window is not None
    assert (window.start, window.end) == (
        datetime(2026, 11, 26, 12, 15, tzinfo=UTC),
        datetime(2026, 11, 26, 14, 15, tzinfo=UTC),
    )
