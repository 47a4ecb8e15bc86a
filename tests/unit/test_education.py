from pathlib import Path

import pytest
import yaml

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
        ("what's the cvc2 on a Visa", Topic.CVC),
        ("where is the cvv2", Topic.CVC),
        ("what's a cvc", Topic.CVC),
        ("my zip is 10001", Topic.POSTCODE),
        ("where does the card number go", Topic.CARD_DETAILS),
        ("the 3 digit code on the back?", Topic.CVC),
        ("where's the three digit code", Topic.CVC),
        ("which expiration month", Topic.EXPIRY),
        ("expiry is next year", Topic.EXPIRY),
        ("it says valid thru 05/29", Topic.EXPIRY),
        ("is a postcode needed", Topic.POSTCODE),
        ("my post code has a space", Topic.POSTCODE),
        ("postal code?", Topic.POSTCODE),
        ("my billing address changed", Topic.POSTCODE),
        ("3-D Secure popped up", Topic.THREE_D_SECURE),
        ("a 3DS window", Topic.THREE_D_SECURE),
        ("Verified by Visa asked me for a password", Topic.THREE_D_SECURE),
        ("what is Mastercard SecureCode", Topic.THREE_D_SECURE),
        ("no one-time code arrived", Topic.THREE_D_SECURE),
        ("my one time password expired", Topic.THREE_D_SECURE),
        ("the SMS code never came", Topic.THREE_D_SECURE),
        ("which verification code", Topic.THREE_D_SECURE),
        ("how do I check my balance", Topic.BALANCE_AND_LIMITS),
        ("is there a limit", Topic.BALANCE_AND_LIMITS),
        ("not enough funds?", Topic.BALANCE_AND_LIMITS),
        ("will I pay twice", Topic.PAYING_TWICE),
        ("am I paying twice", Topic.PAYING_TWICE),
        ("is this a double payment", Topic.PAYING_TWICE),
        ("where do the card details go", Topic.CARD_DETAILS),
        ("how do I fill in the form", Topic.CARD_DETAILS),
        ("where do I enter my card", Topic.CARD_DETAILS),
        # Two topics named: the longer, more specific phrase wins.
        ("is it my funds or the three digit code?", Topic.CVC),
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


def test_every_topic_has_its_tip_in_the_domain() -> None:
    domain = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))
    for topic in Topic:
        assert topic.response in domain["responses"], topic
