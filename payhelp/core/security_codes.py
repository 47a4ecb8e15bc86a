"""Find a card's security code (CVC/CVV/CVN) in a customer's message, in English or Chinese.

A security code is 3 or 4 digits (or those digits in words: "nine one three", 九一三):

* after a card number, optionally with an expiry date and labels in between
  ("[card] / 05/29 / 318", "[card] exp 05/29 cvc 318", "[card] 有效期05/29 安全码318");
* after words that name it ("my cvv is 913", "the 3 digits on the back are 913",
  "卡背面三位数是913"), or before them ("913 is my cvv", "913是安全码");
* as a bare reply while the conversation is about the security code: the last thing said
  to the customer, or their previous message, mentioned it, or that message ended with a
  card number.

The functions take text whose card numbers are already masked with ``card_mask``.
"""

from __future__ import annotations

import re

CVC_MASK = "[security code removed]"

_EN_NUMBER = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_ZH_NUMBER = r"[零〇一二三四五六七八九幺两]"
# 3-4 digits, possibly spaced out ("9 1 3"), or the same in words.
CODE = (
    r"(?:(?<![\d.,])\d(?:[ \-]?\d){2,3}(?![\d]|[.,]\d)"
    rf"|\b{_EN_NUMBER}(?:[\s,\-]+{_EN_NUMBER}){{2,3}}\b"
    rf"|(?<!{_ZH_NUMBER}){_ZH_NUMBER}{{3,4}}(?!{_ZH_NUMBER}|位))"
)
_EN_MENTION = (
    r"(?<![A-Za-z\[])(?:cvc2?|cvv2?|cvn2?|csc|cid|security\s*(?:code|number)|card\s*code"
    r"|(?:card\s*)?verification\s*(?:code|number|value)"
    r"|(?:(?:three|3|four|4)[\s-]*)?(?:digits?|numbers?)(?:\s+(?:code|number))?"
    r"\s+(?:on|at|from)\s+(?:the\s+)?back(?:\s+of\s+(?:the|my|your)\s+card)?"
    r"|back\s+of\s+(?:the|my|your)\s+card)(?![A-Za-z])"
)
_ZH_MENTION = (
    r"(?:安全码|安全碼|验证码|驗證碼|校验码|校驗碼|卡验证|"
    r"(?:卡)?背(?:面|后|後)(?:的)?(?:最?后|最?後)?(?:[三四34]位)?(?:数字|數字|数|數|号码|號碼|码|碼)?)"
)
MENTION = rf"(?:{_EN_MENTION}|{_ZH_MENTION})"
_MENTION = re.compile(MENTION, re.IGNORECASE)

_SEP = r"[\s,;:/|\-.，；：、。／｜－]"
_LABEL = (
    r"(?:exp(?:iry|ires|iration)?(?:\s*date)?|valid\s*(?:thru|through|until)|"
    rf"有效期(?:至|到)?|到期(?:日)?|{MENTION}|is|是|为)"
)
_EXPIRY = r"(?:(?:0?[1-9]|1[0-2])\s*[/\-.／－]\s*(?:\d{4}|\d{2})|(?:0[1-9]|1[0-2])\d{2})(?!\d)"
_AFTER_MENTION_WINDOW = 40


def _after_card(card_mask: str) -> re.Pattern[str]:
    gap = rf"(?:{_SEP}|{_LABEL}){{0,8}}?"
    return re.compile(
        rf"({re.escape(card_mask)}{gap}(?:{_EXPIRY}{gap})?)"
        rf"(?<!\d)(\d{{3,4}})(?![\d/])(?!{_SEP}{{1,3}}\d)",  # not the start of more digits
        re.IGNORECASE,
    )


_CODE = re.compile(CODE, re.IGNORECASE)
_BEFORE_MENTION = re.compile(
    rf"(?<!\d)(\d{{3,4}})(?!\d)(\s*(?:is\s+|是|为|就是)?(?:my\s+|the\s+|我的)?(?:card'?s?\s+|卡的?)?{MENTION})",
    re.IGNORECASE,
)
_EXPIRY_ANYWHERE = re.compile(_EXPIRY)
_BARE_REST_CHARS = 24


def mentions_security_code(text: str | None) -> bool:
    """Whether ``text`` talks about a card's security code."""
    return bool(text) and _MENTION.search(text or "") is not None


def mask_security_codes(text: str, card_mask: str, in_context: bool) -> tuple[str, int]:
    """``text`` with security codes replaced by :data:`CVC_MASK`, and how many."""
    found = 0
    text, count = _after_card(card_mask).subn(lambda m: m.group(1) + CVC_MASK, text)
    found += count
    text, count = _mask_after_mentions(text)
    found += count
    text, count = _BEFORE_MENTION.subn(lambda m: CVC_MASK + m.group(2), text)
    found += count
    if in_context and not found:
        text, count = _mask_bare_reply(text)
        found += count
    return text, found


def _mask_after_mentions(text: str) -> tuple[str, int]:
    """Mask every code within a short window after each mention of the security code."""
    pieces: list[str] = []
    found = 0
    position = 0
    for mention in _MENTION.finditer(text):
        if mention.start() < position:
            continue
        window_end = min(len(text), mention.end() + _AFTER_MENTION_WINDOW)
        newline = text.find("\n", mention.end(), window_end)
        window_end = newline if newline != -1 else window_end
        pieces.append(text[position : mention.end()])
        window, count = _CODE.subn(CVC_MASK, text[mention.end() : window_end])
        pieces.append(window)
        found += count
        position = window_end
    pieces.append(text[position:])
    return "".join(pieces), found


def _mask_bare_reply(text: str) -> tuple[str, int]:
    """A reply that is little more than one code ("913", "it's 913", "是913")."""
    codes = list(_CODE.finditer(text))
    if len(codes) != 1:
        return text, 0
    code = codes[0]
    rest = _EXPIRY_ANYWHERE.sub("", text[: code.start()] + text[code.end() :])
    rest = re.sub(r"[\W_]+", "", rest)
    if any(ch.isdigit() for ch in rest) or len(rest) > _BARE_REST_CHARS:
        return text, 0
    return text[: code.start()] + CVC_MASK + text[code.end() :], 1
