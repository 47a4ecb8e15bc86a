"""Customer-facing words that code has to assemble (lists, dates, labels).

Whole sentences live in ``domain.yml`` responses; this module only supplies the
pieces that go into their ``{placeholders}``, in one place for review and translation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from payhelp.core.time_window import TimeWindow

METHOD_LABELS = {
    "card": "a credit or debit card",
    "paypal": "PayPal",
    "apple_pay": "Apple Pay",
    "google_pay": "Google Pay",
    "alipay": "Alipay",
    "wechat_pay": "WeChat Pay",
    "bank_transfer": "bank transfer",
}
# The method on its own, as in "WeChat Pay (25 Nov, 10:01)".
METHOD_NAMES = {**METHOD_LABELS, "card": "card"}


# The method's name in Chinese, for the responses that have a Chinese text.
METHOD_NAMES_ZH = {
    "card": "银行卡",
    "paypal": "PayPal",
    "apple_pay": "Apple Pay",
    "google_pay": "Google Pay",
    "alipay": "支付宝",
    "wechat_pay": "微信支付",
    "bank_transfer": "银行转账",
}


def maintenance_values(
    method: str, ends_at: datetime, note: str, language: str | None
) -> dict[str, str]:
    """Placeholders of ``utter_channel_maintenance`` in the customer's language."""
    if language == "zh":
        until = f"{ends_at.month}月{ends_at.day}日 {ends_at:%H:%M} (UTC)"
        return {"method": METHOD_NAMES_ZH.get(method, method), "until": until, "note": note}
    return {"method": method_name(method), "until": short_time(ends_at), "note": note}


def method_name(method: str | None) -> str:
    return METHOD_NAMES.get(method or "", method or "the payment method")


def list_methods(methods: Sequence[str]) -> str:
    """``["card", "paypal", "alipay"]`` -> "a credit or debit card, PayPal or Alipay"."""
    labels = [METHOD_LABELS.get(m, m) for m in methods]
    if not labels:
        return "another payment method"
    if len(labels) == 1:
        return labels[0]
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


def short_time(moment: datetime | None) -> str:
    """A timestamp as customers read it: "25 Nov, 10:01 UTC"."""
    if moment is None:
        return "recently"
    return moment.strftime("%d %b, %H:%M UTC").lstrip("0")


def short_date(moment: datetime | None) -> str:
    return "recently" if moment is None else moment.strftime("%d %B %Y").lstrip("0")


def duration(minutes: float | None) -> str:
    """A wait as customers read it: "25 minutes", "2 hours", "3 days"."""
    whole = max(1, int(round(minutes or 0)))
    if whole < 90:
        return f"{whole} minute{'s' if whole != 1 else ''}"
    if whole < 36 * 60:
        hours = round(whole / 60)
        return f"{hours} hours"
    return f"{round(whole / (24 * 60))} days"


def time_window(window: TimeWindow, now: datetime) -> str:
    """A callback window as the bot confirms it, in the window's own time zone:
    "tomorrow (Friday 27 November) between 9:00 and 12:00 (UTC)"."""
    start, end = window.start, window.end
    today = now.astimezone(start.tzinfo).date()
    date = f"{start:%A} {start.day} {start:%B}"
    if start.date() == today:
        day = f"today ({date})"
    elif start.date() == today + timedelta(days=1):
        day = f"tomorrow ({date})"
    else:
        day = date
    return f"{day} between {_clock(start)} and {_clock(end)} ({start:%Z})"


def callback_when(window: TimeWindow | None, words: str, now: datetime) -> str:
    """When the shop will get in touch, to follow "we'll call you on <number>": the window
    as understood, or the customer's own words when they could not be placed."""
    if window is not None:
        return time_window(window, now)
    return f'at a time you described as "{words}" (a colleague will confirm the exact time)'


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def reminder_email(shop_name: str, order_ids: Sequence[str]) -> tuple[str, str]:
    """Subject and body of the email that reminds a customer of their order numbers."""
    lines = "\n".join(f"  - {order_id}" for order_id in order_ids)
    body = (
        "Hello,\n\n"
        f"You asked our payment assistant for your order numbers at {shop_name}. "
        f"Your recent orders are:\n{lines}\n\n"
        "Type one of these numbers in the chat to carry on. If you didn't ask for this, "
        "you can ignore this email.\n"
    )
    return f"Your order numbers at {shop_name}", body
