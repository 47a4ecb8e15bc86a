import pytest

from payhelp.core.card_data import (
    CARD_MASK,
    CVC_MASK,
    Rewrite,
    is_masking_of,
    luhn_valid,
    mask_card_data,
    mask_in_context,
)

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


# --- real-world formats (issue 8, item 5; issue 9: full-width digits) -----------------

NAMED_FORMATS = [
    ("dots", "4000.0566.5566.5556"),
    ("double spaces", "5105  1051  0510  5100"),
    ("underscores", "4000_0027_6000_3184"),
    ("dashes", "5555-5555-5555-4444"),
    ("slashes", "4242/4242/4242/4242"),
    ("spaced dashes", "4000 - 0566 - 5566 - 5556"),
    ("newlines", "4242\n4242\n4242\n4242"),
    ("windows newlines", "4242\r\n4242\r\n4242\r\n4242"),
    ("tabs", "4242\t4242\t4242\t4242"),
    ("full-width digits", "４２４２ ４２４２ ４２４２ ４２４２"),
    ("full-width dashes", "４２４２－４２４２－４２４２－４２４２"),
    ("chinese commas", "4242，4242，4242，4242"),
    ("ideographic commas", "4242、4242、4242、4242"),
    ("ideographic full stops", "4242。4242。4242。4242"),
    ("ideographic spaces", "4242\u30004242\u30004242\u30004242"),
    ("amex 4-6-5", "3782 822463 10005"),
    ("diners 4-6-4", "3056 930902 5904"),
    ("unionpay 19 digits", "6212 3456 7890 1234 569"),
    ("13 digits", "4222222222222"),
]


@pytest.mark.parametrize("name,card", NAMED_FORMATS, ids=[n for n, _ in NAMED_FORMATS])
def test_named_formats_are_masked_in_english_and_chinese(name: str, card: str) -> None:
    for before, after in [("my card is ", " and it failed"), ("我的卡号是", "，付款失败了")]:
        masked = mask_card_data(f"{before}{card}{after}")
        assert masked.text == f"{before}{CARD_MASK}{after}", name
        assert masked.card_numbers == 1


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4242 4242 4242 4242 / 05/29 / 318", f"{CARD_MASK} / 05/29 / {CVC_MASK}"),
        ("card 4242424242424242 exp 05/29 cvc 318", f"card {CARD_MASK} exp 05/29 cvc {CVC_MASK}"),
        (
            "卡号4242 4242 4242 4242 有效期05/29 安全码318",
            f"卡号{CARD_MASK} 有效期05/29 安全码{CVC_MASK}",
        ),
        ("4242-4242-4242-4242, 0529, 318", f"{CARD_MASK}, 0529, {CVC_MASK}"),
        ("4242 4242 4242 4242\n05/2029\n318", f"{CARD_MASK}\n05/2029\n{CVC_MASK}"),
        ("the 3 digits on the back are 913", f"the 3 digits on the back are {CVC_MASK}"),
        ("my cvv is nine one three", f"my cvv is {CVC_MASK}"),
        (
            "the numbers on the back of my card: 9 1 3",
            f"the numbers on the back of my card: {CVC_MASK}",
        ),
        ("卡背面三位数是913", f"卡背面三位数是{CVC_MASK}"),
        ("安全码是913", f"安全码是{CVC_MASK}"),
        ("CVV是９１３", f"CVV是{CVC_MASK}"),
        ("背面的数字是九一三", f"背面的数字是{CVC_MASK}"),
        ("913是安全码", f"{CVC_MASK}是安全码"),
    ],
)
def test_expiry_stays_and_security_codes_go(text: str, expected: str) -> None:
    assert mask_card_data(text).text == expected


FALSE_POSITIVES = [
    "ORD-10002",
    "my orders are ORD-10002, ORD-10003 and ORD-10009",
    "ORD-10002 13800138000",
    "+1 555 0100",
    "+86 138 0013 8000",
    "13800138000",
    "138-0013-8000, 139 0013 9000",
    "59.90",
    "1,299.00",
    "I was charged 1,299.00, 1,299.00 and 59.90",
    "2026-11-26 11:55",
    "2024-05-01 10:30:15",
    "2024-05-01 - 2024-06-01",
    "05/01/2024 - 06/01/2024",
    "2026年11月26日 11:55",
    "transaction 4200001234202311261234567890",
    "the cvc is on the back",
    "where do I find the security code?",
    "订单ORD-10002付款失败，金额59.90元",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_order_ids_phones_amounts_dates_and_times_survive(text: str) -> None:
    assert mask_card_data(text).text == text


def test_a_card_split_over_two_messages_is_masked_in_both() -> None:
    result = mask_in_context("1111 1117", ["6011 1111"])
    assert result.current.text == CARD_MASK and result.current.card_numbers == 1
    assert result.earlier == (Rewrite(0, CARD_MASK),)


def test_a_split_keeps_the_words_around_each_part() -> None:
    result = mask_in_context("1111 1117 is the rest", ["hi", "my card: 6011 1111"])
    assert result.current.text == f"{CARD_MASK} is the rest"
    assert result.earlier == (Rewrite(1, f"my card: {CARD_MASK}"),)


def test_a_card_over_four_messages_is_masked_in_all() -> None:
    result = mask_in_context("1117", ["6011", "1111", "1111"])
    assert result.current.text == CARD_MASK
    assert [r.index for r in result.earlier] == [0, 1, 2]


@pytest.mark.parametrize(
    "previous,current",
    [
        (["my order is ORD-10002"], "4242 4242"),  # an order id never starts a card
        (["call me on +86 138"], "0013 8000"),
        (["6011 1111 thanks"], "1111 1117"),  # words after the first part end it
        (["6011 1111"], "and 1111 1117"),
    ],
)
def test_unrelated_numbers_in_consecutive_messages_are_not_joined(
    previous: list[str], current: str
) -> None:
    result = mask_in_context(current, previous)
    assert result.current.text == current and result.earlier == ()


@pytest.mark.parametrize(
    "bot_said,previous,reply,expected",
    [
        ("Please check the security code on the back of your card.", [], "318", CVC_MASK),
        (
            "The security code (CVC or CVV) is the 3-digit number",
            [],
            "it's 318",
            f"it's {CVC_MASK}",
        ),
        ("请核对卡背面的安全码", [], "是318", f"是{CVC_MASK}"),
        (None, ["do you need my cvv?"], "318", CVC_MASK),
        (None, [CARD_MASK], "05/29 318", f"05/29 {CVC_MASK}"),
        (None, ["安全码在哪里"], "九一三", CVC_MASK),
    ],
)
def test_a_bare_code_is_a_cvc_when_the_conversation_is_about_it(
    bot_said: str | None, previous: list[str], reply: str, expected: str
) -> None:
    assert mask_in_context(reply, previous, bot_said).current.text == expected


@pytest.mark.parametrize("reply", ["318", "ORD-10002", "it was 59.90"])
def test_a_bare_number_is_left_alone_out_of_context(reply: str) -> None:
    said = "Which order is it? Please give me the order number."
    assert mask_in_context(reply, ["my payment failed"], said).current.text == reply


def test_only_one_code_in_a_long_reply_is_not_taken_for_a_cvc() -> None:
    said = "Never share your security code."
    reply = "ok, I will call the bank about order 1234 tomorrow morning"
    assert mask_in_context(reply, [], said).current.text == reply


def test_masking_twice_changes_nothing() -> None:
    for text in ["cvc 123", "4242 4242 4242 4242 12/27 123", "卡背面三位数是913"]:
        once = mask_card_data(text).text
        assert mask_card_data(once).text == once


@pytest.mark.parametrize(
    "original,claimed,ok",
    [
        ("6011 1111", CARD_MASK, True),
        ("my card: 6011 1111", f"my card: {CARD_MASK}", True),
        ("cvv nine one three", f"cvv {CVC_MASK}", True),
        ("hello there", CARD_MASK, False),  # only digits may be hidden
        ("my card: 6011 1111", f"your card: {CARD_MASK}", False),
    ],
)
def test_is_masking_of(original: str, claimed: str, ok: bool) -> None:
    assert is_masking_of(original, claimed) is ok
