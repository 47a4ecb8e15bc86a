"""The failure notice for one failed attempt, from the same diagnosis and remedy plan
the bot uses, in the customer's language (payhelp/notices/wording.py holds the words).

A suspected-fraud decline is worded exactly as a plain bank decline: the email is the
same, so it gives nothing away. The next step is the bot's first remedy step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from babel.dates import format_datetime
from babel.numbers import format_currency

from payhelp.core.causes import MONEY_MAY_BE_TAKEN, Detail, PaymentCause
from payhelp.core.channels import ChannelBoard
from payhelp.core.diagnosis import Diagnosis
from payhelp.core.orders import Order, PaymentAttempt
from payhelp.core.remedies import plan_remedies
from payhelp.notices import wording as w


@dataclass(frozen=True)
class Notice:
    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class NoticeContext:
    """What the notice is about and for whom."""

    order: Order
    failed: PaymentAttempt
    diagnosis: Diagnosis
    channels: ChannelBoard
    customer_name: str
    language: str | None


def language_of(value: str | None) -> str:
    return value if value in w.LANGUAGES else w.DEFAULT_LANGUAGE


def customer_view(diagnosis: Diagnosis) -> Diagnosis:
    """The diagnosis as the customer may hear it: a fraud flag becomes a bank decline."""
    if diagnosis.cause is not PaymentCause.SUSPECTED_FRAUD:
        return diagnosis
    return Diagnosis(PaymentCause.ACCOUNT_PROBLEM, Detail.BANK_DECLINED, (), diagnosis.attempt)


def money_not_taken(diagnosis: Diagnosis) -> bool:
    """Whether the diagnosis says no money left the customer's account."""
    return diagnosis.cause not in MONEY_MAY_BE_TAKEN and diagnosis.detail is not Detail.PAID


def method_name(method: str, language: str) -> str:
    return w.METHOD_NAMES[language].get(method, method)


def list_methods(methods: Sequence[str], language: str) -> str:
    names = [w.LIST_NAMES[language].get(m) or method_name(m, language) for m in methods]
    if not names:
        return w.NO_OTHER_METHOD[language]
    comma, last = w.LIST_JOINERS[language]
    return names[0] if len(names) == 1 else comma.join(names[:-1]) + last + names[-1]


def compose_notice(
    context: NoticeContext,
    shop_methods: Sequence[str],
    shop_name: str,
    zone: tzinfo,
    zone_name: str,
    link: str | None,
    link_hours: int,
) -> Notice:
    """Subject and plain-text body of the notice."""
    language = language_of(context.language)
    locale = w.LOCALES[language]
    view = customer_view(context.diagnosis)
    plan = plan_remedies(view, context.channels.usable(shop_methods))
    failed = context.failed
    method = method_name(failed.method.value, language)
    fill = {
        "method": method,
        "currency": failed.currency,
        "other_methods": list_methods(plan.other_methods, language),
    }
    reason = w.REASONS[language][view.detail].format(**fill)
    if plan.needs_staff or not plan.steps:
        next_step = w.STAFF_WILL_HELP[language]
    else:
        next_step = w.NEXT_STEPS[language][plan.steps[0].step].format(**fill)
    if money_not_taken(view):
        money = w.NO_MONEY_TAKEN[language]
    elif view.cause in MONEY_MAY_BE_TAKEN:
        money = w.MONEY_MAY_BE_TAKEN[language]
    else:
        money = ""
    if link:
        chat = w.CHAT_LINK[language].format(link=link, hours=link_hours)
    else:
        chat = w.CHAT_WITHOUT_LINK[language].format(order_id=context.order.id)
    when = format_datetime(failed.created_at, w.DATE_PATTERNS[language], tzinfo=zone, locale=locale)
    body = w.BODIES[language].format(
        name=context.customer_name,
        shop=shop_name,
        order_id=context.order.id,
        amount=format_currency(failed.amount, failed.currency, locale=locale),
        method=method,
        time=f"{when} ({zone_name})",
        reason=reason,
        money=money,
        next_step=next_step,
        chat=chat,
    )
    outage = view.detail is Detail.CHANNEL_DOWN
    subject = (w.OUTAGE_SUBJECTS if outage else w.SUBJECTS)[language].format(
        order_id=context.order.id, method=method
    )
    return Notice(language, subject, body)
