"""What "a Chinese reply contains no English sentence" means in the tests: every Latin-letter
word left after ids, emails, numbers and placeholders is a name or a code."""

from __future__ import annotations

import re

from payhelp.nlu.language import english_words, has_han

# Names and codes a Chinese reply may carry in Latin letters.
LATIN_NAMES = frozenset(
    """
    PayPal Apple Google Pay CVC CVV Secure UTC CST GMT BST CET ORD CB name example com
    """.split()
)
_PLACEHOLDER = re.compile(r"\{\w+\}")
# Amounts as the locale writes them carry the currency's symbol or code: US$24.50, CHF 12.00.
_MONEY = re.compile(r"\b[A-Z]{1,3}\s?[$¥€£]?\s?\d[\d,.]*")


def foreign_words(text: str) -> list[str]:
    """The English words in a Chinese text that are no name or code (should be none)."""
    stripped = _MONEY.sub(" ", _PLACEHOLDER.sub(" ", text))
    return [w for w in english_words(stripped) if w not in LATIN_NAMES]


def is_chinese(text: str) -> bool:
    """Chinese text, with at most names and codes in Latin letters."""
    return has_han(text) and not foreign_words(text)
