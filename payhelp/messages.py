"""Customer-facing words that code has to assemble (lists, amounts, dates, labels), in
English and Simplified Chinese.

Whole sentences live in ``domain.yml`` responses (a Chinese variation on the slot
``language`` for each); this module only supplies the pieces that go into their
``{placeholders}``, in the conversation's language, in one place for review and
translation. Every word table has both languages (``tests/unit/test_bilingual.py``
checks :data:`WORD_TABLES`). Amounts and dates are formatted for the locale with Babel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from payhelp.contracts import Language
from payhelp.core.time_window import TimeWindow

EN, ZH = Language.EN, Language.ZH
# Babel's locale for each language.
LOCALES = {EN: "en", ZH: "zh_CN"}

# A method as something to pay with: "You can pay with a credit or debit card, PayPal ...".
METHOD_LABELS: dict[str, dict[Language, str]] = {
    "card": {EN: "a credit or debit card", ZH: "信用卡或借记卡"},
    "paypal": {EN: "PayPal", ZH: "PayPal"},
    "apple_pay": {EN: "Apple Pay", ZH: "Apple Pay"},
    "google_pay": {EN: "Google Pay", ZH: "Google Pay"},
    "alipay": {EN: "Alipay", ZH: "支付宝"},
    "wechat_pay": {EN: "WeChat Pay", ZH: "微信支付"},
    "bank_transfer": {EN: "bank transfer", ZH: "银行转账"},
}
# The method on its own, as in "WeChat Pay (25 Nov, 10:01)".
METHOD_NAMES: dict[str, dict[Language, str]] = {
    **METHOD_LABELS,
    "card": {EN: "card", ZH: "银行卡"},
}

# Single words and short phrases that fill placeholders.
WORDS: dict[str, dict[Language, str]] = {
    "unknown_method": {EN: "the payment method", ZH: "该支付方式"},
    "another_method": {EN: "another payment method", ZH: "其他支付方式"},
    "recently": {EN: "recently", ZH: "最近"},
    "today": {EN: "today ({date})", ZH: "今天（{date}）"},
    "tomorrow": {EN: "tomorrow ({date})", ZH: "明天（{date}）"},
    "window": {EN: "{day} between {start} and {end} ({zone})", ZH: "{day}{start}至{end}（{zone}）"},
    "words_as_said": {
        EN: 'at a time you described as "{words}" (a colleague will confirm the exact time)',
        ZH: "您说的“{words}”这个时间（同事会与您确认具体时间）",
    },
    "minutes": {EN: "{n} minutes", ZH: "{n}分钟"},
    "minute": {EN: "{n} minute", ZH: "{n}分钟"},
    "hours": {EN: "{n} hours", ZH: "{n}小时"},
    "days": {EN: "{n} days", ZH: "{n}天"},
}
# How a list of alternatives is joined: "a, b or c" / "a、b或c".
LIST_JOINERS: dict[str, dict[Language, str]] = {
    "separator": {EN: ", ", ZH: "、"},
    "last": {EN: " or ", ZH: "或"},
}
# Date and time patterns (Babel/CLDR syntax).
PATTERNS: dict[str, dict[Language, str]] = {
    "moment": {EN: "d MMM, HH:mm", ZH: "y年M月d日 HH:mm"},
    "date": {EN: "d MMMM y", ZH: "y年M月d日"},
    "window_date": {EN: "EEEE d MMMM", ZH: "M月d日 EEEE"},
}

# Every table above: the bilingual check reads this.
WORD_TABLES: dict[str, Mapping[str, Mapping[Language, str]]] = {
    "METHOD_LABELS": METHOD_LABELS,
    "METHOD_NAMES": METHOD_NAMES,
    "WORDS": WORDS,
    "LIST_JOINERS": LIST_JOINERS,
    "PATTERNS": PATTERNS,
}


def word(key: str, language: Language = EN, **values: object) -> str:
    text = WORDS[key][language]
    return text.format(**values) if values else text


def maintenance_values(
    method: str, ends_at: datetime, note: str, language: str | None
) -> dict[str, str]:
    """Placeholders of ``utter_channel_maintenance`` in the customer's language."""
    chosen = ZH if language == ZH.value else EN
    return {
        "method": method_name(method, chosen),
        "until": short_time(ends_at, chosen),
        "note": note,
    }


def method_name(method: str | None, language: Language = EN) -> str:
    names = METHOD_NAMES.get(method or "")
    if names:
        return names[language]
    return method or word("unknown_method", language)


def list_methods(methods: Sequence[str], language: Language = EN) -> str:
    """``["card", "paypal", "alipay"]`` -> "a credit or debit card, PayPal or Alipay"
    (信用卡或借记卡、PayPal或支付宝)."""
    labels = [METHOD_LABELS[m][language] if m in METHOD_LABELS else m for m in methods]
    if not labels:
        return word("another_method", language)
    if len(labels) == 1:
        return labels[0]
    separator = LIST_JOINERS["separator"][language]
    return f"{separator.join(labels[:-1])}{LIST_JOINERS['last'][language]}{labels[-1]}"


def money(amount: Decimal | str | float, currency: str, language: Language = EN) -> str:
    """An amount in the order's currency as the customer's locale writes it: "€59.90",
    "¥1,299.00"; an unknown currency code is written after the number."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency}"
    try:
        return format_currency(value, currency.upper(), locale=LOCALES[language])
    except (ValueError, KeyError):
        return f"{value} {currency}"


def short_time(moment: datetime | None, language: Language = EN) -> str:
    """A timestamp as customers read it: "25 Nov, 10:01 UTC", "2026年11月25日 10:01 UTC"."""
    if moment is None:
        return word("recently", language)
    shown = format_datetime(moment, PATTERNS["moment"][language], locale=LOCALES[language])
    return f"{shown} {moment:%Z}".rstrip()


def short_date(moment: datetime | None, language: Language = EN) -> str:
    if moment is None:
        return word("recently", language)
    return format_date(moment, PATTERNS["date"][language], locale=LOCALES[language])


def duration(minutes: float | None, language: Language = EN) -> str:
    """A wait as customers read it: "25 minutes", "2 hours", "3 days" (25分钟, 2小时, 3天)."""
    whole = max(1, int(round(minutes or 0)))
    if whole < 90:
        return word("minute" if whole == 1 else "minutes", language, n=whole)
    if whole < 36 * 60:
        return word("hours", language, n=round(whole / 60))
    return word("days", language, n=round(whole / (24 * 60)))


def time_window(window: TimeWindow, now: datetime, language: Language = EN) -> str:
    """A callback window as the bot confirms it, in the window's own time zone:
    "tomorrow (Friday 27 November) between 9:00 and 12:00 (UTC)",
    "明天（11月27日 星期五）9:00至12:00（UTC）"."""
    start, end = window.start, window.end
    today = now.astimezone(start.tzinfo).date()
    date = format_date(start, PATTERNS["window_date"][language], locale=LOCALES[language])
    if start.date() == today:
        day = word("today", language, date=date)
    elif start.date() == today + timedelta(days=1):
        day = word("tomorrow", language, date=date)
    else:
        day = date
    return word(
        "window", language, day=day, start=_clock(start), end=_clock(end), zone=f"{start:%Z}"
    )


def callback_when(
    window: TimeWindow | None, words: str, now: datetime, language: Language = EN
) -> str:
    """When the shop will get in touch, to follow "we'll call you on <number>": the window
    as understood, or the customer's own words when they could not be placed."""
    if window is not None:
        return time_window(window, now, language)
    return word("words_as_said", language, words=words)


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def reminder_email(
    shop_name: str, order_ids: Sequence[str], language: Language = EN
) -> tuple[str, str]:
    """Subject and body of the email that reminds a customer of their order numbers, in
    the conversation's language."""
    lines = "\n".join(f"  - {order_id}" for order_id in order_ids)
    if language == ZH:
        body = (
            "您好：\n\n"
            f"您刚才在{shop_name}的付款助手中查询了订单号。您最近的订单是：\n{lines}\n\n"
            "在对话中输入其中一个订单号即可继续。如果这不是您本人的操作，请忽略这封邮件。\n"
        )
        return f"您在{shop_name}的订单号", body
    body = (
        "Hello,\n\n"
        f"You asked our payment assistant for your order numbers at {shop_name}. "
        f"Your recent orders are:\n{lines}\n\n"
        "Type one of these numbers in the chat to carry on. If you didn't ask for this, "
        "you can ignore this email.\n"
    )
    return f"Your order numbers at {shop_name}", body


def pick_variation(
    variations: Sequence[Mapping[str, object]], language: Language = EN
) -> Mapping[str, object] | None:
    """The variation of a domain.yml response that Rasa would choose in ``language``: the one
    conditioned on the slot ``language`` having that value, else the unconditioned one."""
    plain = None
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            plain = plain or variation
            continue
        for condition in conditions:  # type: ignore[union-attr]
            if condition.get("name") == "language" and condition.get("value") == language.value:
                return variation
    return plain
