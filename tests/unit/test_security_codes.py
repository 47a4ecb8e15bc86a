"""Security codes (CVC/CVV): the words that name one, the window after them, bare replies.

Direct tests of ``payhelp.core.security_codes`` at its limits; the formats customers type
are in test_card_masking_formats.py and the properties in test_card_masking_properties.py.
"""

from __future__ import annotations

import pytest

from payhelp.core.card_data import CARD_MASK
from payhelp.core.security_codes import CVC_MASK, mask_security_codes


def mask(text: str, in_context: bool = False) -> tuple[str, int]:
    return mask_security_codes(text, CARD_MASK, in_context)


@pytest.mark.parametrize(
    "text",
    ["card verification code 913", "verification value: 482", "the verification number is 7301"],
)
def test_verification_words_name_the_code(text: str) -> None:
    masked, count = mask(text)
    assert count == 1 and CVC_MASK in masked
    assert not any(ch.isdigit() for ch in masked.replace(CVC_MASK, ""))


def test_every_code_after_a_mention_counts() -> None:
    text = "cvv 123, and on my other card, the one I use for travel, the cvc is 456"
    masked, count = mask(text)
    assert count == 2 and masked.count(CVC_MASK) == 2


def test_a_mention_inside_another_s_window_does_not_end_the_search() -> None:
    # "cvv" falls in the window after "cvc"; the last mention is far past both.
    text = "cvc 123 or was it the cvv? Let me look again at the card. OK: my cvv is 456"
    masked, count = mask(text)
    assert count == 2 and "123" not in masked and "456" not in masked


def test_the_window_after_a_mention_is_40_characters() -> None:
    # The window ends 40 characters after the mention: a code must fit inside it.
    words = " printed on the back, which reads"
    inside = "cvv" + words.ljust(37) + "913"  # the code's last digit is the 40th character
    outside = "cvv" + words.ljust(38) + "913"
    assert mask(inside) == ("cvv" + words.ljust(37) + CVC_MASK, 1)
    assert mask(outside) == (outside, 0)


def test_the_window_ends_at_a_new_line() -> None:
    text = "where is the cvv on this card\n123 Main Street is my address"
    assert mask(text) == (text, 0)


@pytest.mark.parametrize(
    "reply,masked",
    [
        ("913 it's exp 05/29, thank you so much dear", True),  # 24 letters besides the code
        ("913 it's exp 05/29, thank you so much dears", False),  # 25: a sentence, not a reply
        ("913 or 914", False),  # two codes: not a reply with one
    ],
)
def test_a_bare_reply_is_little_more_than_one_code(reply: str, masked: bool) -> None:
    text, count = mask(reply, in_context=True)
    assert (count, CVC_MASK in text, "913" in text) == (int(masked), masked, not masked)
    assert mask(reply, in_context=False) == (reply, 0)  # only when the code was asked about
