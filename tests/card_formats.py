"""Card numbers as customers really type them, for the property tests (hypothesis).

A drawn :class:`TypedCard` is a Luhn-valid number of 13 to 19 digits, grouped in a real
card layout or any split into groups, joined by one separator style (spaces, several
spaces, dots, dashes, underscores, slashes, newlines, tabs, commas, full-width and
Chinese punctuation), in ASCII or full-width digits, with English or Chinese text around
it; and the same number split over two messages.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from hypothesis import strategies as st

from payhelp.core.card_data import CARD_LAYOUTS, luhn_valid

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def examples(count: int) -> int:
    """``count`` examples in ``make test``; many more in ``make fuzz``."""
    return count * 25 if FUZZ else count


SEPARATORS = [
    " ", "  ", "   ", "-", " - ", ".", "_", "/", " / ", "\n", "\r\n", "\t", ",", ", ",
    "\u3000", "，", "。", "、", "－", "／", "．", "＿", " \n",
]  # fmt: skip
LAYOUTS = CARD_LAYOUTS
WORDS = [
    "my card is", "card number", "卡号是", "我的银行卡", "here you go:", "付款失败了", "thanks",
    "谢谢", "it got declined", "please check", "order ORD-10002", "paid 59.90", "帮我看看",
    "call me on +1 555 0100", "please", "ok", "?", "!", "。", "，",
]  # fmt: skip
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class TypedCard:
    digits: str  # the card number, ASCII digits only
    groups: tuple[str, ...]  # as typed, digits possibly full-width
    separator: str
    before: str
    after: str

    @property
    def in_a_real_layout(self) -> bool:
        """Grouped as cards are printed (4-4-4-4, 4-6-5, ...) or in one piece."""
        sizes = tuple(len(g) for g in self.groups)
        return len(sizes) == 1 or sizes in LAYOUTS[len(self.digits)]

    @property
    def splittable(self) -> bool:
        """Grouped so that a split over messages is recognised: a real layout or equal groups."""
        sizes = tuple(len(g) for g in self.groups)
        equal = len(set(sizes[:-1])) == 1 and sizes[-1] <= sizes[0]
        return len(sizes) >= 2 and (self.in_a_real_layout or equal)

    def first_message_is_clean(self, stored_first: str) -> bool:
        """For a real layout: the stored first message keeps no digit of the card."""
        kept = digits_only(stored_first)
        return not self.in_a_real_layout or digits_only(self.before).startswith(kept)

    @property
    def number(self) -> str:
        return self.separator.join(self.groups)

    @property
    def text(self) -> str:
        return f"{self.before}{self.number}{self.after}"

    def split(self, at: int) -> tuple[str, str]:
        """Two messages: the text up to group ``at``, and the rest."""
        first = self.separator.join(self.groups[:at])
        second = self.separator.join(self.groups[at:])
        return f"{self.before}{first}", f"{second}{self.after}"


def with_check_digit(body: str) -> str:
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return with_check_digit(body)


@st.composite
def groupings(draw: st.DrawFn, length: int) -> tuple[int, ...]:
    """A real layout for that length, the number in one piece, or any split."""
    choice = draw(st.sampled_from(["layout", "whole", "any"]))
    if choice == "layout":
        return draw(st.sampled_from(LAYOUTS[length]))
    if choice == "whole":
        return (length,)
    cuts = draw(st.sets(st.integers(1, length - 1), max_size=length - 1))
    edges = [0, *sorted(cuts), length]
    return tuple(b - a for a, b in zip(edges, edges[1:], strict=False))


def _surrounding(draw: st.DrawFn) -> tuple[str, str]:
    words = st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join)
    before, after = draw(words), draw(words)
    # Text touches the number directly or through a space; digits never touch it (they
    # would be part of the number), nor does "+" (a phone number) or "ORD-" (an order id).
    joins = ["", " ", ": ", "\n"]
    before += draw(st.sampled_from(joins[1:] if before[-1:].isdigit() else joins)) if before else ""
    after = (draw(st.sampled_from(joins)) + after) if after else ""
    return before, after


@st.composite
def typed_cards(draw: st.DrawFn) -> TypedCard:
    digits = draw(card_numbers())
    sizes = draw(groupings(len(digits)))
    full_width = draw(st.booleans())
    groups: list[str] = []
    position = 0
    for size in sizes:
        group = digits[position : position + size]
        groups.append(group.translate(_FULL_WIDTH) if full_width else group)
        position += size
    before, after = _surrounding(draw)
    return TypedCard(digits, tuple(groups), draw(st.sampled_from(SEPARATORS)), before, after)


def digits_only(text: str) -> str:
    """The ASCII digits of ``text``, full-width ones included, in order."""
    return "".join(str(int(ch)) for ch in re.findall(r"\d", text))
