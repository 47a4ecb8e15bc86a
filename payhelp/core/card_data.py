"""Mask card numbers and CVCs typed into the chat before anything stores or logs them.

A card number is a Luhn-valid run of 13 to 19 digits, optionally grouped with
spaces or dashes. A CVC is 3 or 4 digits next to a word that names it, or straight
after a card number (with or without an expiry date in between).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CARD_MASK = "[card number removed]"
CVC_MASK = "[security code removed]"

# Runs of digit groups separated by single spaces or dashes ("4242 4242 ...").
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:[ -]\d+)*(?!\d)")
_CVC_WORD = r"(?:cvc2?|cvv2?|csc|cid|security\s*code|card\s*code|verification\s*code)"
_CVC_AFTER_WORD = re.compile(
    rf"(\b{_CVC_WORD}\b\W{{0,3}}(?:(?:is|was|=|:)\W{{0,3}})?)(\d{{3,4}})(?!\d)", re.IGNORECASE
)
_CVC_BEFORE_WORD = re.compile(
    rf"(?<!\d)(\d{{3,4}})(\s*(?:is\s+)?(?:my\s+|the\s+)?{_CVC_WORD}\b)", re.IGNORECASE
)
_CVC_AFTER_CARD = re.compile(
    rf"({re.escape(CARD_MASK)}[\s,;]*(?:(?:exp\w*\s*)?\d{{1,2}}\s*/\s*\d{{2,4}}[\s,;]*)?)"
    r"(\d{3,4})(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MaskedText:
    text: str
    card_numbers: int = 0
    security_codes: int = 0

    @property
    def found_card_data(self) -> bool:
        return bool(self.card_numbers or self.security_codes)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_card_data(text: str) -> MaskedText:
    """``text`` with card numbers and CVCs replaced by placeholders, and counts of each."""
    cards = 0

    def mask_run(match: re.Match[str]) -> str:
        nonlocal cards
        masked_run, found = _mask_cards_in_run(match.group(0))
        cards += found
        return masked_run

    masked = _DIGIT_RUN.sub(mask_run, text)
    codes = 0
    for pattern, keep, code in (
        (_CVC_AFTER_WORD, 1, 2),
        (_CVC_BEFORE_WORD, 2, 1),
        (_CVC_AFTER_CARD, 1, 2),
    ):
        masked, found = _mask_groups(pattern, masked, keep, code)
        codes += found
    return MaskedText(masked, cards, codes)


def _mask_cards_in_run(run: str) -> tuple[str, int]:
    """Mask each longest span of whole groups in ``run`` that is a card number."""
    groups = re.split(r"([ -])", run)  # digits, separator, digits, ...
    numbers = groups[::2]
    out: list[str] = []
    found = 0
    start = 0
    while start < len(numbers):
        end = _card_span_end(numbers, start)
        if end is None:
            out.append(numbers[start])
            if start + 1 < len(numbers):
                out.append(groups[2 * start + 1])
            start += 1
            continue
        out.append(CARD_MASK)
        found += 1
        if end < len(numbers):
            out.append(groups[2 * end - 1])
        start = end
    return "".join(out), found


def _card_span_end(numbers: list[str], start: int) -> int | None:
    """The end of the longest span of groups from ``start`` that is a card number."""
    for end in range(len(numbers), start, -1):
        digits = "".join(numbers[start:end])
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return end
    return None


def _mask_groups(pattern: re.Pattern[str], text: str, keep: int, code: int) -> tuple[str, int]:
    def replace(match: re.Match[str]) -> str:
        parts = {keep: match.group(keep), code: CVC_MASK}
        return "".join(parts[i] for i in sorted(parts))

    return pattern.subn(replace, text)
