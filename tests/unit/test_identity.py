import pytest

from payhelp.core.identity import (
    Contact,
    contact_matches,
    normalise_order_id,
    parse_contact,
    says_order_id_unknown,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ORD-10002", "ORD-10002"),
        ("ord-10002", "ORD-10002"),
        ("my order is ORD10002 thanks", "ORD-10002"),
        ("order #10002", "ORD-10002"),
        ("order number 10002", "ORD-10002"),
        ("10002", "ORD-10002"),
        ("#10002.", "ORD-10002"),
        ("my payment failed", None),
        ("", None),
        (None, None),
        ("call me on 555 0100", None),
        ("ORD-12", None),
    ],
)
def test_order_ids_are_recognised_and_normalised(text, expected) -> None:
    assert normalise_order_id(text) == expected


def test_bare_digits_count_only_when_asked_for() -> None:
    assert normalise_order_id("5550100", allow_bare=False) is None
    assert normalise_order_id("ORD-5550100", allow_bare=False) == "ORD-5550100"


@pytest.mark.parametrize(
    "text,kind,value",
    [
        ("jane@example.com", "email", "jane@example.com"),
        ("It's Jane.Doe+shop@Example.COM", "email", "jane.doe+shop@example.com"),
        ("+1 555 0100", "phone", "15550100"),
        ("555 0100", "phone", "5550100"),  # 7 digits: the shortest phone number taken
        ("call (555) 010-0100 please", "phone", "5550100100"),
        ("ORD-10002 and +44 20 7946 0011", "phone", "442079460011"),
    ],
)
def test_contacts_are_parsed(text, kind, value) -> None:
    contact = parse_contact(text)
    assert contact is not None and (contact.kind, contact.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    ["", None, "no idea", "order 10002345", "123", "a@b", "55 50 10"],  # 6 digits
)
def test_non_contacts_are_rejected(text) -> None:
    assert parse_contact(text) is None


def test_emails_only_ignores_phone_numbers() -> None:
    assert parse_contact("+1 555 0100", emails_only=True) is None
    assert parse_contact("x@y.org", emails_only=True) == Contact("email", "x@y.org", "x@y.org")


@pytest.mark.parametrize(
    "given,email,phone,matches",
    [
        (Contact("email", "jane@example.com"), "Jane@Example.com", None, True),
        (Contact("email", "jane@example.com"), "john@example.com", "+1 555 0100", False),
        (Contact("email", "jane@example.com"), None, "+1 555 0100", False),
        (Contact("phone", "15550100"), None, "+1 555 0100", True),
        (Contact("phone", "5550100"), None, "+1 555 0100", True),  # without country code
        (Contact("phone", "447700900123"), None, "07700 900123", False),
        (Contact("phone", "0100"), None, "+1 555 0100", False),  # too short to count
        (Contact("phone", "15550199"), None, "+1 555 0100", False),
        (Contact("phone", "15550100"), "jane@example.com", None, False),
    ],
)
def test_contact_matching(given, email, phone, matches) -> None:
    assert contact_matches(given, email, phone) is matches


@pytest.mark.parametrize(
    "text,unknown",
    [
        ("I don't know it", True),
        ("dont have it", True),
        ("no idea", True),
        ("I lost the email", True),
        ("can't find it", True),
        ("ORD-10002", False),
        ("yes", False),
    ],
)
def test_saying_the_order_number_is_unknown(text, unknown) -> None:
    assert says_order_id_unknown(text) is unknown


@pytest.mark.parametrize(
    "text,expected",
    [
        ("订单号是ORD-10002", "ORD-10002"),
        ("ORD-10002付款失败", "ORD-10002"),
        ("我的order ORD-10002 付款失败", "ORD-10002"),
        ("订单号：10002", "ORD-10002"),
        ("我的订单10002扣了两次钱", "ORD-10002"),
        ("record 12345", None),  # "ord" inside a word is not an order number
        ("ORD-100021234567", None),  # too many digits
        ("我的手机13800138000", None),
    ],
)
def test_order_ids_inside_chinese_text(text: str, expected: str | None) -> None:
    assert normalise_order_id(text, allow_bare=False) == expected


@pytest.mark.parametrize("text", ["我不知道订单号", "订单号忘了", "找不到订单号", "记不得了"])
def test_saying_the_order_number_is_unknown_in_chinese(text: str) -> None:
    assert says_order_id_unknown(text)


def test_asking_for_the_order_number_is_not_saying_it_is_unknown() -> None:
    assert not says_order_id_unknown("订单号是多少")
