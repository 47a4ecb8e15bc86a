"""Mask card numbers and security codes typed into the chat before anything stores or logs them.

A card number is a Luhn-valid run of 13 to 19 digits (any Unicode digits, so full-width
４２４２ counts), written in one piece or in groups. Groups may be separated by up to five
separator characters: spaces, tabs, newlines, dots, dashes, underscores, slashes, commas,
bars and their full-width and Chinese forms (，。、－／＿ …). Within one card number the
separators must be the same throughout ("4242 4242 4242 4242", "4000.0566.5566.5556"):
that is what keeps "59.90, 12.00" or "2024-05-01 - 2024-06-01" from being read as one number.

A card number may also be split over consecutive customer messages ("6011 1111", then
"1111 1117"): a message that ends in digit groups continues in the next one that starts
with them, when the groups together are in a card layout or of equal size (so that an
order number and then a phone number are not read as one). :func:`mask_in_context` finds those, and says which earlier messages must be
stored again, masked.

What is deliberately *not* a card number, to keep false positives rare:

* digits after a ``+`` when there are at most 15 of them (an international phone number,
  "+86 138 0013 8000");
* the digits of an order id ("ORD-10002");
* a group of more than 19 digits (WeChat Pay and Alipay transaction ids have 28);
* times: a colon is not a separator.

Security codes (CVC/CVV) are found by :mod:`payhelp.core.security_codes`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from payhelp.core.security_codes import (
    CODE,
    CVC_MASK,
    mask_security_codes,
    mentions_security_code,
)

__all__ = [
    "CARD_LAYOUTS",
    "CARD_MASK",
    "CVC_MASK",
    "REMASK_KEY",
    "MaskedInContext",
    "MaskedText",
    "Rewrite",
    "is_masking_of",
    "luhn_valid",
    "mask_card_data",
    "mask_in_context",
    "may_hold_card_data",
]

CARD_MASK = "[card number removed]"
# Message metadata (desk -> Rasa's REST channel -> tracker store) naming earlier customer
# messages to store masked: each item is an earlier message's text, card data masked.
REMASK_KEY = "card_data_remask"
MAX_SPLIT_MESSAGES = 4  # a card number may be spread over at most this many messages
_MIN_DIGITS, _MAX_DIGITS = 13, 19
_PHONE_MAX_DIGITS = 15  # E.164

_SEPARATOR_CHARS = "._/\\,|·•‐‑‒–—―−．。，、－／＿＼｜・-"
_SEPARATOR = rf"[\s{re.escape(_SEPARATOR_CHARS)}]"
_GAP = re.compile(rf"{_SEPARATOR}{{1,5}}")
_EDGE = re.compile(rf"{_SEPARATOR}{{0,5}}")
_GROUP = re.compile(r"\d+")
_ORDER_ID_PREFIX = re.compile(r"(?:^|[^A-Za-z])ORD-?$", re.IGNORECASE)
_KINDS = {
    **dict.fromkeys("-‐‑‒–—―−－", "-"),
    **dict.fromkeys(".·•．。・", "."),
    **dict.fromkeys(",，、", ","),
    **dict.fromkeys("/\\／＼|｜", "/"),
    **dict.fromkeys("_＿", "_"),
}
_MAYBE_CARD_DATA = re.compile(rf"\d|{CODE}", re.IGNORECASE)
# Card layouts people copy from the card or their bank's app; preferred when spans overlap.
CARD_LAYOUTS: dict[int, tuple[tuple[int, ...], ...]] = {
    13: ((4, 4, 4, 1), (4, 3, 3, 3)),
    14: ((4, 6, 4), (4, 4, 4, 2)),
    15: ((4, 6, 5), (4, 4, 4, 3)),
    16: ((4, 4, 4, 4), (8, 8)),
    17: ((4, 4, 4, 4, 1),),
    18: ((4, 4, 4, 4, 2), (6, 12)),
    19: ((4, 4, 4, 4, 3), (6, 13)),
}
_LAYOUTS = {layout for layouts in CARD_LAYOUTS.values() for layout in layouts}
_LENGTH_PREFERENCE = {16: 7, 15: 6, 19: 5, 13: 4, 14: 3, 18: 2, 17: 1}


@dataclass(frozen=True)
class MaskedText:
    text: str
    card_numbers: int = 0
    security_codes: int = 0

    @property
    def found_card_data(self) -> bool:
        return bool(self.card_numbers or self.security_codes)


@dataclass(frozen=True)
class Rewrite:
    """An earlier message that turned out to hold part of a card number."""

    index: int  # position in the ``previous_customer_texts`` given
    text: str  # that message, masked


@dataclass(frozen=True)
class MaskedInContext:
    current: MaskedText
    earlier: tuple[Rewrite, ...] = ()


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


def may_hold_card_data(text: str) -> bool:
    """False when ``text`` has no digit and no number in words: nothing to mask."""
    return _MAYBE_CARD_DATA.search(text) is not None


def mask_card_data(text: str) -> MaskedText:
    """``text`` with card numbers and CVCs replaced by placeholders, and counts of each."""
    return mask_in_context(text).current


def mask_in_context(
    text: str,
    previous_customer_texts: Sequence[str] = (),
    bot_last_text: str | None = None,
) -> MaskedInContext:
    """Mask ``text`` knowing what came before it in the conversation.

    ``previous_customer_texts`` are the customer's earlier messages as stored, oldest
    first; ``bot_last_text`` is the last thing said to the customer (by the bot, a
    person or the system). The result says which earlier messages need storing again.
    """
    if not may_hold_card_data(text):
        return MaskedInContext(MaskedText(text))
    earlier = list(previous_customer_texts)[-(MAX_SPLIT_MESSAGES - 1) :]
    offset = len(previous_customer_texts) - len(earlier)
    segments = [*earlier, text]
    spans = _card_spans(segments) if _GROUP.search(text) else []
    masked = [_replace(segment, i, spans) for i, segment in enumerate(segments)]
    current_cards = sum(1 for span in spans if span[-1].segment == len(earlier))
    rewrites = tuple(
        Rewrite(offset + i, masked[i]) for i in range(len(earlier)) if masked[i] != earlier[i]
    )
    previous = masked[-2] if earlier else None
    after_card = previous is not None and _ends_with_card(previous)
    in_context = after_card or mentions_security_code(bot_last_text)
    in_context = in_context or mentions_security_code(previous)
    current = masked[-1]
    if after_card:  # "4242 …" then "05/29 318": read the reply as if it followed the card
        joined, codes = mask_security_codes(f"{CARD_MASK} {current}", CARD_MASK, True)
        current = joined[len(CARD_MASK) + 1 :]
    else:
        current, codes = mask_security_codes(current, CARD_MASK, in_context)
    return MaskedInContext(MaskedText(current, current_cards, codes), rewrites)


def is_masking_of(original: str, masked: str) -> bool:
    """Whether ``masked`` is ``original`` with only digits (or codes in words) masked."""
    parts = re.split(f"({re.escape(CARD_MASK)}|{re.escape(CVC_MASK)})", masked)
    hidden = f"(?:{re.escape(CARD_MASK)}|{re.escape(CVC_MASK)}|{_SEPARATOR}|\\d|{CODE})+?"
    pattern = "".join(re.escape(p) if i % 2 == 0 else hidden for i, p in enumerate(parts))
    return re.fullmatch(pattern, original, re.IGNORECASE | re.DOTALL) is not None


# --- finding card numbers ------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    segment: int
    start: int
    end: int
    digits: str


@dataclass
class _Run:
    groups: list[_Group]
    gaps: list[str | None]  # the kind of separator before groups[1:]; None: a new message
    after_plus: bool


def _card_spans(segments: list[str]) -> list[list[_Group]]:
    spans: list[list[_Group]] = []
    for run in _runs(segments):
        spans.extend(_best_spans(run))
    return spans


def _runs(segments: list[str]) -> list[_Run]:
    """Digit groups joined by separators, continuing across message boundaries."""
    runs: list[_Run] = []
    run: _Run | None = None
    for index, text in enumerate(segments):
        for match in _GROUP.finditer(text):
            group = _Group(index, match.start(), match.end(), _ascii_digits(match.group()))
            if _ORDER_ID_PREFIX.search(text[max(0, group.start - 5) : group.start]):
                run = None  # an order id: never part of a card number
                continue
            gap = _gap_kind(segments, run.groups[-1], group) if run else False
            if run is not None and gap is not False:
                run.groups.append(group)
                run.gaps.append(gap)
                continue
            run = _Run([group], [], text[group.start - 1 : group.start] in ("+", "＋"))
            runs.append(run)
    return runs


def _gap_kind(segments: list[str], before: _Group, after: _Group) -> str | None | bool:
    """The separator kind joining two groups, None across messages, False if not joined."""
    if before.segment == after.segment:
        gap = segments[after.segment][before.end : after.start]
        return _kind(gap) if _GAP.fullmatch(gap) else False
    if after.segment != before.segment + 1:
        return False
    tail = segments[before.segment][before.end :]
    head = segments[after.segment][: after.start]
    if _EDGE.fullmatch(tail) and _EDGE.fullmatch(head):
        return None
    return False


def _kind(gap: str) -> str:
    """Separators of one kind compare equal: any whitespace run is " ", "－" is "-"."""
    mapped = "".join(" " if ch.isspace() else _KINDS.get(ch, ch) for ch in gap)
    return re.sub(" +", " ", mapped)


def _best_spans(run: _Run) -> list[list[_Group]]:
    """Luhn-valid spans of whole groups, not overlapping; where they overlap, the longest
    one continued from an earlier message, then one in a card layout, of a common length."""
    groups = run.groups
    if run.after_plus and sum(len(g.digits) for g in groups) <= _PHONE_MAX_DIGITS:
        return []
    candidates: list[tuple[tuple[int, ...], int, int]] = []
    for first in range(len(groups)):
        digits = ""
        kinds: set[str] = set()
        crosses = False  # a number the customer went on typing in the next message
        for last in range(first, len(groups)):
            digits += groups[last].digits
            if last > first:
                gap = run.gaps[last - 1]
                crosses = crosses or gap is None
                kinds.update([gap] if gap is not None else [])
            if len(kinds) > 1 or len(digits) > _MAX_DIGITS:
                break
            if len(digits) >= _MIN_DIGITS and luhn_valid(digits):
                layout = tuple(len(g.digits) for g in groups[first : last + 1])
                known = len(layout) == 1 or layout in _LAYOUTS
                if crosses and not _card_shaped(layout, run.gaps[first:last]):
                    continue  # "73446", then "175 9998 6560": an id, then a phone number
                length = _LENGTH_PREFERENCE[len(digits)]
                score = (int(crosses), len(digits) * crosses, int(known), length, -first)
                candidates.append((score, first, last + 1))
    chosen: list[list[_Group]] = []
    taken: set[int] = set()
    for _, first, end in sorted(candidates, reverse=True):
        if taken.isdisjoint(range(first, end)):
            taken.update(range(first, end))
            chosen.append(groups[first:end])
    return chosen


def _card_shaped(layout: tuple[int, ...], gaps: list[str | None]) -> bool:
    """A card layout, or groups of one size (the last perhaps shorter), also when the
    message ended in the middle of a group ("6011 1111 11", then "11 1117")."""
    merged = [layout[0]]
    for size, gap in zip(layout[1:], gaps, strict=True):
        if gap is None:
            merged[-1] += size
        else:
            merged.append(size)
    return any(
        len(sizes) == 1
        or sizes in _LAYOUTS
        or (len(set(sizes[:-1])) == 1 and sizes[-1] <= sizes[0])
        for sizes in (layout, tuple(merged))
    )


def _replace(text: str, segment: int, spans: list[list[_Group]]) -> str:
    ranges = []
    for span in spans:
        inside = [g for g in span if g.segment == segment]
        if inside:
            ranges.append((inside[0].start, inside[-1].end))
    for start, end in sorted(ranges, reverse=True):
        text = text[:start] + CARD_MASK + text[end:]
    return text


def _ends_with_card(text: str) -> bool:
    return text.rstrip(" \t\n\r.,;:/-，。、；：").endswith(CARD_MASK)


def _ascii_digits(digits: str) -> str:
    if digits.isascii():
        return digits
    return "".join(str(unicodedata.decimal(ch)) for ch in digits)
