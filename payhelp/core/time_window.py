"""When a customer wants to be called back, from their own words: a time window.

``parse_time_window("tomorrow morning", now, zone)`` is tomorrow 9:00-12:00 in the
shop's time zone; English and Chinese ("明天上午", "下午三点以后", "今晚"). Words it cannot
place give ``None``: the caller keeps them verbatim and flags them for a person.
Pure: the current time and the zone are arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from payhelp.core.identity import EMAIL_PATTERN, PHONE_PATTERN


@dataclass(frozen=True)
class TimeWindow:
    """A window in the shop's time zone (aware datetimes); ``end`` is after ``start``."""

    start: datetime
    end: datetime


# Spans are minutes since the start of the day: (start, end).
Span = tuple[int, int]


def _hours(start: int, end: int) -> Span:
    return start * 60, end * 60


_MORNING, _LUNCH, _AFTERNOON = _hours(9, 12), _hours(12, 14), _hours(12, 17)
_EVENING, _DAYTIME = _hours(17, 20), _hours(9, 17)
_LATEST = 21 * 60  # "after 7pm" ends here
_EARLIEST = 9 * 60  # "before 11am" starts here

_PERIODS: list[tuple[re.Pattern[str], Span]] = [
    (re.compile(r"\bafter lunch\b"), _hours(13, 17)),
    (re.compile(r"\bbefore lunch\b"), _MORNING),
    (re.compile(r"\bafter work\b"), _EVENING),
    (re.compile(r"\bmorning\b|早上|早晨|上午|[明今]早"), _MORNING),
    (re.compile(r"\b(?:lunch ?time|lunch|midday|noon)\b|中午"), _LUNCH),
    (re.compile(r"\bafternoon\b|下午|午后"), _AFTERNOON),
    (re.compile(r"\b(?:evening|tonight)\b|晚上|傍晚|晚间|[今明]晚"), _EVENING),
]
_SOON = re.compile(
    r"\b(?:asap|as soon as possible|right away|right now|straight away|immediately)\b"
    r"|^now\W*$|尽快|马上|现在"
)
_ANY_TIME = re.compile(r"\b(?:any ?time|whenever)\b|随时|什么时候都")

_WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_EN = re.compile(
    r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\b"
)
_WEEKDAY_ZH = re.compile(r"(下个?)?(?:周|星期|礼拜)([一二三四五六日天])")
_ZH_WEEKDAY_INDEX = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? {_MONTH}")
_DATE_MONTH_DAY = re.compile(rf"\b{_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?\b")
_DATE_ZH = re.compile(r"(\d{1,2})月(\d{1,2})[日号號]")
_RELATIVE_DAYS = [
    (re.compile(r"\bday after tomorrow\b|后天|後天"), 2),
    (re.compile(r"\b(?:tomorrow|tmrw?|tmr)\b|明天|明日|明[早晚]"), 1),
    (re.compile(r"\b(?:today|tonight|this (?:morning|afternoon|evening))\b|今天|今日|今[早晚]"), 0),
]
_WORKDAYS = re.compile(r"\b(?:weekdays?|workdays?|working days?)\b|工作日")
_WEEKEND = re.compile(r"\bweekend\b|周末")

# English clock times need a cue (am/pm, a colon, o'clock or a preposition), so the
# "27" in "27 November" or "in 2 days" is never an hour.
_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|o'?clock|h\b)?"
_EN_RANGE = re.compile(rf"(between |from )?\b{_CLOCK}\s*(?:-|–|to|and|until|till)\s*{_CLOCK}")
_EN_RELATIONS = [
    (re.compile(rf"\b(?:after|from|since|later than|not before)\s+{_CLOCK}"), "after"),
    (re.compile(rf"\b(?:before|until|till|by|no later than|not after)\s+{_CLOCK}"), "before"),
    (re.compile(rf"\b(?:around|about|approx\.?|approximately|roughly)\s+{_CLOCK}"), "around"),
    (re.compile(rf"\bat\s+{_CLOCK}"), "at"),
]
_EN_BARE = re.compile(
    r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|o'?clock)|\b(\d{1,2}):(\d{2})\b"
)
_COUNTED = re.compile(r"\s*(?:days?|weeks?|hours?|hrs?|min|mins|minutes?|months?)\b")
_NOON = re.compile(r"\b(after|before|at|around) (?:noon|midday)\b")
# Chinese clock times, once numerals are digits: "3点", "3点半", "3点15分", "15:30".
_ZH_CLOCK = r"(\d{1,2})[点點时時:：](?:(半)|(\d{1,2})分?)?"
_ZH_RANGE = re.compile(
    rf"(\d{{1,2}})(?:[点點时時:：](?:(半)|(\d{{1,2}})分?)?)?\s*(?:到|至|-|~|–)\s*{_ZH_CLOCK}"
)
_ZH_RELATIONS = [
    (re.compile(rf"{_ZH_CLOCK}\s*(?:以后|之后|以後|之後|后|後)"), "after"),
    (re.compile(rf"{_ZH_CLOCK}\s*(?:以前|之前|前)"), "before"),
    (re.compile(rf"{_ZH_CLOCK}\s*(?:左右|前后|上下)"), "around"),
    (re.compile(_ZH_CLOCK), "at"),
]
_ZH_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十]+(?=[点點时時分])")
_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


@dataclass(frozen=True)
class _Heard:
    """What a message says about time, before it is placed on the calendar."""

    day: date | None
    workdays: bool
    period: Span | None
    clock: Span | None
    soon: bool
    any_time: bool

    @property
    def names_a_time(self) -> bool:
        return bool(
            self.day or self.workdays or self.period or self.clock or self.soon or self.any_time
        )


def _hear(text: str, today: date) -> _Heard:
    day, words = _find_day(_normalise(text), today)
    period = _find_period(words)
    return _Heard(
        day=day,
        workdays=bool(_WORKDAYS.search(words)),
        period=period,
        clock=_find_clock(words, period),
        soon=bool(_SOON.search(words)),
        any_time=bool(_ANY_TIME.search(words)),
    )


def names_a_time(text: str) -> bool:
    """Whether ``text`` speaks of a day or a time at all, even one already past."""
    return _hear(text, date(2000, 1, 3)).names_a_time


def parse_time_window(text: str, now: datetime, zone: tzinfo) -> TimeWindow | None:
    """The window ``text`` describes, relative to ``now``; None if it names no time, or
    only one already past ("this morning" said in the afternoon)."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    heard = _hear(text, today)
    if not heard.names_a_time:
        return None
    if heard.soon and not (heard.day or heard.workdays or heard.period or heard.clock):
        start = _round_up(local_now)
        return TimeWindow(start, start + timedelta(hours=2))
    start, end = heard.clock or heard.period or _DAYTIME
    days = [heard.day] if heard.day else [today + timedelta(days=n) for n in range(8)]
    for day in days:
        if heard.workdays and day.weekday() >= 5:
            continue
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        window = TimeWindow(midnight + timedelta(minutes=start), midnight + timedelta(minutes=end))
        if window.end > local_now:
            return _from_now_on(window, local_now)
    return None


def _normalise(text: str) -> str:
    """Lower-case, contacts blanked out (their digits are not hours), Chinese numerals
    before 点/分 as digits."""
    folded = EMAIL_PATTERN.sub(" ", text.lower())
    folded = PHONE_PATTERN.sub(_blank_phone, folded)
    folded = _ZH_NUMERALS.sub(lambda m: str(_chinese_number(m.group(0))), folded)
    return " ".join(folded.split())


def _blank_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return " " if len(digits) >= 7 else match.group(0)


def _chinese_number(numeral: str) -> int:
    """ "三" -> 3, "十" -> 10, "十二" -> 12, "二十一" -> 21."""
    if "十" not in numeral:
        return int("".join(str(_ZH_DIGITS[c]) for c in numeral))
    tens, _, ones = numeral.partition("十")
    return _ZH_DIGITS.get(tens, 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _find_day(words: str, today: date) -> tuple[date | None, str]:
    """The day named in ``words`` (None if none), and the words without a date in them."""
    for pattern in (_DATE_DAY_MONTH, _DATE_MONTH_DAY, _DATE_ZH):
        match = pattern.search(words)
        if match is None:
            continue
        a, b = match.group(1), match.group(2)
        if pattern is _DATE_DAY_MONTH:
            month, day_of_month = _MONTHS.index(b) + 1, int(a)
        elif pattern is _DATE_MONTH_DAY:
            month, day_of_month = _MONTHS.index(a) + 1, int(b)
        else:
            month, day_of_month = int(a), int(b)
        found = _next_date(today, month, day_of_month)
        if found:
            return found, f"{words[: match.start()]} {words[match.end() :]}"
    english = _WEEKDAY_EN.search(words)
    if english:
        return _next_weekday(today, _WEEKDAYS_EN.index(english.group(1)[:3])), words
    chinese = _WEEKDAY_ZH.search(words)
    if chinese:
        index = _ZH_WEEKDAY_INDEX[chinese.group(2)]
        if chinese.group(1):  # 下周三: the Wednesday of next week
            next_monday = today + timedelta(days=7 - today.weekday())
            return next_monday + timedelta(days=index), words
        return _next_weekday(today, index), words
    for pattern, days in _RELATIVE_DAYS:
        if pattern.search(words):
            return today + timedelta(days=days), words
    if _WEEKEND.search(words):
        return _next_weekday(today, 5, allow_today=True), words
    return None, words


def _next_date(today: date, month: int, day_of_month: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day_of_month)
        except ValueError:
            return None
        if found >= today:
            return found
    return None


def _next_weekday(today: date, index: int, allow_today: bool = False) -> date:
    """The next such weekday; "Monday" said on a Monday means next week's."""
    ahead = (index - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead or allow_today else 7)


def _find_period(words: str) -> Span | None:
    return next((span for pattern, span in _PERIODS if pattern.search(words)), None)


def _find_clock(words: str, period: Span | None) -> Span | None:
    """The span a clock time in ``words`` gives ("after 5pm": 17:00-20:00), if any."""
    words = _NOON.sub(lambda m: f"{m.group(1)} 12:00", words)

    def minutes(hour: str, minute: str | None, marker: str | None, half: str | None = None) -> int:
        of_day = _hour_of_day(int(hour), (marker or "").replace(".", ""), period)
        return of_day * 60 + (30 if half else int(minute or 0))

    english = _EN_RANGE.search(words)
    if english and _is_clock(
        english.group(2), english.group(3), english.group(5), english.group(6)
    ):
        cue, h1, m1, a1, h2, m2, a2 = english.groups()
        counted = _COUNTED.match(words, english.end())  # "in 1-2 days" is no clock time
        if cue or a1 or a2 or m1 or m2 or not counted:
            # "2-4pm": the first hour shares the second's am/pm.
            return _ordered(minutes(h1, m1, a1 or a2), minutes(h2, m2, a2))
    chinese = _ZH_RANGE.search(words)
    if chinese and _is_clock(
        chinese.group(1), chinese.group(3), chinese.group(4), chinese.group(6)
    ):
        h1, half1, m1, h2, half2, m2 = chinese.groups()
        return _ordered(minutes(h1, m1, None, half1), minutes(h2, m2, None, half2))
    for pattern, kind in _EN_RELATIONS:
        match = pattern.search(words)
        if match and _is_clock(match.group(1), match.group(2)):
            return _around(minutes(*match.groups()), kind, period)
    bare = _EN_BARE.search(words)
    if bare:
        h, m, marker, h24, m24 = bare.groups()
        if _is_clock(h or h24, m or m24):
            return _around(minutes(h, m, marker) if h else minutes(h24, m24, None), "at", period)
    for pattern, kind in _ZH_RELATIONS:
        match = pattern.search(words)
        if match and _is_clock(match.group(1), match.group(3)):
            h, half, m = match.groups()
            return _around(minutes(h, m, None, half), kind, period)
    return None


def _is_clock(*hours_and_minutes: str | None) -> bool:
    """Whether the (hour, minute, hour, minute ...) strings found can be a time of day."""
    limits = (23, 59) * (len(hours_and_minutes) // 2)
    return all(
        v is None or int(v) <= limit for v, limit in zip(hours_and_minutes, limits, strict=True)
    )


def _hour_of_day(hour: int, marker: str, period: Span | None) -> int:
    if marker.startswith("p") and hour < 12:
        return hour + 12
    if marker.startswith("a"):
        return 0 if hour == 12 else hour
    if hour >= 12 or marker == "h":
        return hour
    if period is not None and period[0] >= 12 * 60:
        return hour + 12  # "this evening at 7", "下午三点"
    if period is None and 1 <= hour <= 7:
        return hour + 12  # "after 5": nobody means five in the morning
    return hour


def _ordered(start: int, end: int) -> Span:
    if end <= start:  # "between 10 and 2" is 10:00-14:00
        end += 12 * 60 if end + 12 * 60 > start else 24 * 60
    return start, end


def _around(at: int, kind: str, period: Span | None) -> Span:
    if kind == "after":
        end = period[1] if period and period[1] > at else min(at + 180, _LATEST)
        return at, max(end, at + 60)
    if kind == "before":
        start = period[0] if period and period[0] < at else max(at - 180, _EARLIEST)
        return min(start, at - 60), at
    if kind == "around":
        return at - 30, at + 30
    return at, at + 30


def _from_now_on(window: TimeWindow, now: datetime) -> TimeWindow:
    """A window already under way starts now (rounded up to the quarter hour)."""
    if window.start >= now:
        return window
    return TimeWindow(min(_round_up(now), window.end), window.end)


def _round_up(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    return moment + timedelta(minutes=-moment.minute % 15)
