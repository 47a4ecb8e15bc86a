"""Customer education: which tip fits a question or a diagnosis.

The tips themselves are responses in ``domain.yml`` (``utter_tip_<topic>``).
"""

from __future__ import annotations

import re
from enum import Enum

from payhelp.core.causes import Detail


class Topic(str, Enum):
    CARD_DETAILS = "card_details"
    CVC = "cvc"
    EXPIRY = "expiry"
    POSTCODE = "postcode"
    THREE_D_SECURE = "three_d_secure"
    BALANCE_AND_LIMITS = "balance_and_limits"
    PAYING_TWICE = "paying_twice"
    AVOID_FAILURES = "avoid_failures"

    @property
    def response(self) -> str:
        return f"utter_tip_{self.value}"


# What customers call each topic; the NLU's `tip_topic` entity uses these as
# synonyms, and free text falls back to the same words.
# fmt: off
TOPIC_WORDS: dict[Topic, tuple[str, ...]] = {
    Topic.CVC: (
        "cvc", "cvv", "cvv2", "cvc2", "security code", "3 digit code", "three digit code",
        "安全码", "安全碼", "验证码后三位", "卡背面三位数",
    ),
    Topic.EXPIRY: (
        "expiry", "expiration", "expiry date", "expiration date", "valid thru", "有效期", "过期",
    ),
    Topic.POSTCODE: (
        "postcode", "post code", "zip", "zip code", "postal code", "billing address",
        "邮编", "邮政编码", "账单地址",
    ),
    Topic.THREE_D_SECURE: (
        "3d secure",
        "3-d secure",
        "3ds",
        "verified by visa",
        "mastercard securecode",
        "one-time code",
        "one time password",
        "otp",
        "sms code",
        "verification code",
        "短信验证码",
        "验证码",
        "安全验证",
    ),
    Topic.BALANCE_AND_LIMITS: (
        "balance",
        "limit",
        "spending limit",
        "daily limit",
        "funds",
        "credit limit",
        "余额",
        "限额",
        "额度",
    ),
    Topic.PAYING_TWICE: (
        "pay twice", "paying twice", "pay again", "double payment", "重复付款", "再付一次",
    ),
    Topic.CARD_DETAILS: (
        "card details", "card number", "fill in", "enter my card", "卡号", "银行卡信息", "填写",
    ),
}
# fmt: on

_HAN = re.compile(r"[\u4e00-\u9fff]")

_TOPIC_BY_DETAIL: dict[Detail, Topic] = {
    Detail.CARD_NUMBER: Topic.CARD_DETAILS,
    Detail.CVC: Topic.CVC,
    Detail.EXPIRY: Topic.EXPIRY,
    Detail.POSTCODE: Topic.POSTCODE,
    Detail.AUTHENTICATION: Topic.THREE_D_SECURE,
    Detail.FUNDS: Topic.BALANCE_AND_LIMITS,
    Detail.LIMIT: Topic.BALANCE_AND_LIMITS,
    Detail.PENDING: Topic.PAYING_TWICE,
    Detail.STUCK_PENDING: Topic.PAYING_TWICE,
    Detail.CHARGED_UNPAID: Topic.PAYING_TWICE,
    Detail.DUPLICATE: Topic.PAYING_TWICE,
}


def topic_named(text: str | None) -> Topic | None:
    """The topic a customer's words name ("where is the CVV?" -> CVC), if any."""
    if not text:
        return None
    folded = " ".join(text.lower().split())
    try:
        return Topic(folded)
    except ValueError:
        pass
    # Longest phrase first, so "card number" is not read as a bare "card".
    phrases = sorted(
        ((word, topic) for topic, words in TOPIC_WORDS.items() for word in words),
        key=lambda pair: -len(pair[0]),
    )
    for word, topic in phrases:
        # Chinese has no spaces: a Chinese phrase counts wherever it appears.
        pattern = re.escape(word) if _HAN.search(word) else rf"(?<!\w){re.escape(word)}(?!\w)"
        if re.search(pattern, folded):
            return topic
    return None


def topic_for_detail(detail: Detail | None) -> Topic:
    """The tip that fits a diagnosis detail; general advice when none is specific."""
    if detail is None:
        return Topic.AVOID_FAILURES
    return _TOPIC_BY_DETAIL.get(detail, Topic.AVOID_FAILURES)
