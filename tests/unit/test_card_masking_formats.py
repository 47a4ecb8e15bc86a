"""Card masking for today's documented formats, at every length from 13 to 19 digits.

PRODUCT.md: a card number is a Luhn-valid run of 13-19 digits; card_data.py accepts it
plain or grouped with single spaces or dashes, and masks a CVC after a card number or
after a word naming it. MESSAGES is shared with the tracker-store and desk tests.
"""

import re

import pytest

from payhelp.core.card_data import CARD_MASK, CVC_MASK, mask_card_data

# Luhn-valid numbers of each length (test numbers of Visa, Diners, Amex, Discover,
# and 17-19-digit UnionPay/Maestro-style numbers).
CARDS_BY_LENGTH = {
    13: "4222222222222",
    14: "30569309025904",
    15: "378282246310005",
    16: "6011111111111117",
    17: "62123456789012347",
    18: "621234567890123457",
    19: "6212345678901234569",
}


def grouped(number: str, separator: str) -> str:
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


FORMATS = {
    "plain": lambda n: n,
    "spaced": lambda n: grouped(n, " "),
    "dashed": lambda n: grouped(n, "-"),
}

# (typed, what may be stored): today's formats, exact.
MESSAGES = [
    ("my card 4242 4242 4242 4242 failed", f"my card {CARD_MASK} failed"),
    ("card 5555-5555-5555-4444 declined", f"card {CARD_MASK} declined"),
    ("it is 4222222222222", f"it is {CARD_MASK}"),
    ("number 6212 3456 7890 1234 7 please", f"number {CARD_MASK} please"),
    ("number 6212-3456-7890-1234-57 please", f"number {CARD_MASK} please"),
    ("card 6212 3456 7890 1234 569 failed", f"card {CARD_MASK} failed"),
    ("6212345678901234569 was refused", f"{CARD_MASK} was refused"),
    ("card 4242 4242 4242 4242 cvc 737", f"card {CARD_MASK} cvc {CVC_MASK}"),
    ("6011-1111-1111-1117, 123", f"{CARD_MASK}, {CVC_MASK}"),
    ("4222 2222 2222 2 exp 05/29 318", f"{CARD_MASK} exp 05/29 {CVC_MASK}"),
    ("my CVC is 4321", f"my CVC is {CVC_MASK}"),
    ("cvc: 987 thanks", f"cvc: {CVC_MASK} thanks"),
]


def card_numbers_in(typed: str) -> list[str]:
    """The card numbers in a message as typed and as bare digits (to search storage for)."""
    found = re.findall(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)", typed)
    return found + [re.sub(r"\D", "", number) for number in found]


@pytest.mark.parametrize("length", sorted(CARDS_BY_LENGTH))
@pytest.mark.parametrize("style", sorted(FORMATS))
def test_every_card_length_is_masked_in_every_format(length: int, style: str) -> None:
    number = CARDS_BY_LENGTH[length]
    assert len(number) == length
    masked = mask_card_data(f"my card is {FORMATS[style](number)} thanks")
    assert masked.text == f"my card is {CARD_MASK} thanks"
    assert (masked.card_numbers, masked.security_codes) == (1, 0)


@pytest.mark.parametrize("typed,stored", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_documented_formats_are_masked_exactly(typed: str, stored: str) -> None:
    masked = mask_card_data(typed)
    assert masked.text == stored
    assert masked.found_card_data


def test_card_numbers_in_finds_what_the_storage_tests_search_for() -> None:
    assert card_numbers_in("card 6011-1111-1111-1117, 123") == [
        "6011-1111-1111-1117",
        "6011111111111117",
    ]
    assert card_numbers_in("my CVC is 4321") == []


@pytest.mark.parametrize(
    "text",
    [
        "ref 411111111117",  # Luhn-valid but 12 digits: too short to be a card
        "4222222222223",  # 13 digits, not Luhn-valid
        "6212 3456 7890 1234 568",  # 19 digits, not Luhn-valid
        "ref 62123456789012345676",  # Luhn-valid but 20 digits: too long to be a card
    ],
)
def test_numbers_outside_the_definition_survive(text: str) -> None:
    masked = mask_card_data(text)
    assert masked.text == text and not masked.found_card_data
