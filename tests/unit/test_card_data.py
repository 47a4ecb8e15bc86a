import pytest

from payhelp.core.card_data import CARD_MASK, CVC_MASK, luhn_valid, mask_card_data

CARDS = [
    "4242424242424242",
    "4111 1111 1111 1111",
    "5555-5555-5555-4444",
    "378282246310005",
    "6011111111111117",
]


@pytest.mark.parametrize("card", CARDS)
def test_card_numbers_are_masked(card: str) -> None:
    masked = mask_card_data(f"my card is {card} and it failed")
    assert masked.text == f"my card is {CARD_MASK} and it failed"
    assert masked.card_numbers == 1
    assert not any(ch.isdigit() for ch in masked.text)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cvc 123", f"cvc {CVC_MASK}"),
        ("my CVV is 1234", f"my CVV is {CVC_MASK}"),
        ("security code: 987", f"security code: {CVC_MASK}"),
        ("321 is the cvv", f"{CVC_MASK} is the cvv"),
        ("4242 4242 4242 4242 12/27 123", f"{CARD_MASK} 12/27 {CVC_MASK}"),
        ("4242424242424242, 321", f"{CARD_MASK}, {CVC_MASK}"),
    ],
)
def test_security_codes_are_masked(text: str, expected: str) -> None:
    masked = mask_card_data(text)
    assert masked.text == expected
    assert masked.security_codes == 1


@pytest.mark.parametrize(
    "text",
    [
        "order ORD-10002 for 59.90 USD",
        "call me on +1 555 0100",
        "4242424242424241",  # fails the Luhn check
        "I paid 123 dollars",
        "ref 1234567890",
        "",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    masked = mask_card_data(text)
    assert masked.text == text and not masked.found_card_data


def test_two_cards_in_one_message() -> None:
    masked = mask_card_data("tried 4242424242424242 then 5555555555554444")
    assert masked.text == f"tried {CARD_MASK} then {CARD_MASK}"
    assert masked.card_numbers == 2


@pytest.mark.parametrize(
    "number,valid", [("4242424242424242", True), ("4242424242424241", False), ("79927398713", True)]
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid
