import pytest

from payhelp.core.causes import Detail
from payhelp.core.education import Topic, topic_for_detail, topic_named


@pytest.mark.parametrize(
    "text,topic",
    [
        ("where is the CVV?", Topic.CVC),
        ("what's a security code", Topic.CVC),
        ("my bank wants an OTP", Topic.THREE_D_SECURE),
        ("what is 3D Secure", Topic.THREE_D_SECURE),
        ("which zip code do I use", Topic.POSTCODE),
        ("how do I enter my card number", Topic.CARD_DETAILS),
        ("is there a daily limit", Topic.BALANCE_AND_LIMITS),
        ("should I pay again?", Topic.PAYING_TWICE),
        ("cvc", Topic.CVC),
        ("three_d_secure", Topic.THREE_D_SECURE),
        ("unlimited zipper", None),
        ("hello", None),
        (None, None),
    ],
)
def test_topics_from_words(text, topic) -> None:
    assert topic_named(text) is topic


@pytest.mark.parametrize(
    "detail,topic",
    [
        (Detail.CVC, Topic.CVC),
        (Detail.AUTHENTICATION, Topic.THREE_D_SECURE),
        (Detail.FUNDS, Topic.BALANCE_AND_LIMITS),
        (Detail.PENDING, Topic.PAYING_TWICE),
        (Detail.EXPIRED, Topic.AVOID_FAILURES),
        (None, Topic.AVOID_FAILURES),
    ],
)
def test_topic_for_a_diagnosis(detail, topic) -> None:
    assert topic_for_detail(detail) is topic
