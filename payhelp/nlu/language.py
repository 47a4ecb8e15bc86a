"""Which language a customer's message is in: ``detect_language(text) -> "en" | "zh" | None``.

The assistant speaks English and Simplified Chinese. A message decides the language only
when that is clear, so a Chinese conversation is not flipped to English by what Chinese
customers type in Latin letters anyway:

- an explicit request for a language wins ("English please", "请说英文", "用中文");
- any Han character means Chinese ("我的order ORD-10002 付款失败");
- English needs at least two real English words: order numbers, emails, digits, payment
  method names (WeChat, Alipay) and one-word messages ("ok", "hi", "yes") decide nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from payhelp.contracts import Language

ENGLISH = Language.EN.value
CHINESE = Language.ZH.value
LANGUAGES = (ENGLISH, CHINESE)

# CJK unified ideographs, extension A and the compatibility block (traditional forms too).
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_CHINESE_NAMES = r"中文|汉语|漢語|普通话|普通話|华语|華語|国语|國語|简体|簡體"
_ENGLISH_NAMES = r"英文|英语|英語"
_ZH_VERBS = r"说|說|讲|講|用|改用|换成|換成|换到|切换到|切换成|切換到|改成|回复|回覆|要"
_EN_REQUEST_WORDS = (
    r"speak|talk|write|reply|respond|answer|continue|chat|switch(?:\s+back)?\s+to|"
    r"change\s+to|go\s+back\s+to|prefer|use"
)
# "I don't speak English", "我不会说英语" are not requests for that language.
_NOT_EN = r"(?<!n't )(?<!not )(?<!never )"
_NOT_ZH = r"(?<!不会)(?<!不能)(?<!不要)(?<!不懂)(?<![不别没])"


def _requests(english_names: str, chinese_names: str) -> re.Pattern[str]:
    """A request for one language, asked in English or in Chinese."""
    return re.compile(
        rf"(?:{_NOT_EN}\b(?:{_EN_REQUEST_WORDS})\s+(?:in\s+)?(?:{english_names})\b"
        rf"|\b(?:{english_names})\s*(?:please|pls|plz)\b"
        rf"|^\W*(?:{english_names})\W*$"
        rf"|{_NOT_ZH}(?:{_ZH_VERBS})\s*(?:{chinese_names})"
        rf"|(?:{chinese_names})\s*(?:服务|服務|回复|回覆|交流|沟通|溝通|吧|可以吗|好吗|谢谢)"
        rf"|^\W*(?:{chinese_names})\W*$)",
        re.IGNORECASE,
    )


_ASKS_FOR = {
    CHINESE: _requests(r"chinese|mandarin", _CHINESE_NAMES),
    ENGLISH: _requests(r"english", _ENGLISH_NAMES),
}

# Latin-letter text that says nothing about the language: ids, emails, links, numbers.
_NEUTRAL_SPANS = re.compile(
    r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+"  # emails
    r"|https?://\S+|www\.\S+"  # links
    r"|\b[A-Za-z]{1,4}[-#]?\d[\w-]*"  # order numbers and other codes: ORD-10002, CB-12
    r"|\d[\d\s.,:/-]*",  # numbers, dates, times
    re.IGNORECASE,
)
# Words Chinese customers type in Latin letters too.
_NEUTRAL_WORDS = frozenset(
    """
    ok okay okey k kk hi hello hey bye byebye thx thanks ty yes yep no nope lol haha hmm emm
    wechat weixin alipay zhifubao paypal visa mastercard amex unionpay applepay apple google
    gpay pay pal cvv cvc otp id app ios android iphone sms vip
    """.split()
)
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_MIN_ENGLISH_WORDS = 2


@dataclass(frozen=True)
class Detection:
    """The language a message decides, and whether the customer asked for it."""

    language: str | None
    requested: bool = False


def requested_language(text: str) -> str | None:
    """The language the customer explicitly asks for, if exactly one."""
    asked = [code for code, pattern in _ASKS_FOR.items() if pattern.search(text)]
    return asked[0] if len(asked) == 1 else None


def english_words(text: str) -> list[str]:
    """The real English words in ``text`` (ids, emails, numbers and neutral words left out)."""
    stripped = _NEUTRAL_SPANS.sub(" ", text)
    return [w for w in _WORD.findall(stripped) if len(w) > 1 and w.lower() not in _NEUTRAL_WORDS]


def detect(text: str | None) -> Detection:
    """The language ``text`` decides (see the module docstring), or ``Detection(None)``."""
    if not text or not text.strip():
        return Detection(None)
    asked = requested_language(text)
    if asked:
        return Detection(asked, requested=True)
    if _HAN.search(text):
        return Detection(CHINESE)
    if len(english_words(text)) >= _MIN_ENGLISH_WORDS:
        return Detection(ENGLISH)
    return Detection(None)


def detect_language(text: str | None) -> str | None:
    """``"en"``, ``"zh"`` or None when the message does not make the language clear."""
    return detect(text).language


def has_han(text: str | None) -> bool:
    """Whether ``text`` contains a Chinese character."""
    return bool(text) and bool(_HAN.search(text))
