"""Chat-link and shop-page tokens: a good one names its order and email; a tampered,
expired, over-long, wrongly signed or foreign one names nothing (no error)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from payhelp.chat_tokens import (
    CHAT_LINK,
    SHOP_PAGE,
    ChatIdentity,
    issue_token,
    read_token,
)
from tests.builders import NOW

SECRET = "chat-token-secret-for-tests-" + "0123456789" * 4


def test_a_fresh_link_names_its_order_and_email() -> None:
    token = issue_token(SECRET, "ORD-10002", "jane@example.com", NOW)
    assert read_token(SECRET, token, NOW + timedelta(hours=71, minutes=59)) == ChatIdentity(
        "ORD-10002", "jane@example.com", CHAT_LINK
    )


def test_a_link_expires_after_72_hours() -> None:
    token = issue_token(SECRET, "ORD-10002", "jane@example.com", NOW)
    assert read_token(SECRET, token, NOW + timedelta(hours=72)) is None


def _tamper(token: str, **claims: object) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(claims)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


@pytest.mark.parametrize(
    "make",
    [
        lambda t: _tamper(t, order_id="ORD-10003"),
        lambda t: _tamper(t, exp=2_000_000_000),
        lambda t: t[:-3] + ("abc" if not t.endswith("abc") else "xyz"),
        lambda t: issue_token("another key, just as long as ours: 0123456789", "ORD-10002", "jane@example.com", NOW),
        lambda t: jwt.encode(
            {"order_id": "ORD-10002", "email": "jane@example.com", "aud": CHAT_LINK,
             "iat": 0, "exp": 2_000_000_000}, SECRET, algorithm="HS512"),
        lambda t: jwt.encode({"order_id": "ORD-10002", "email": "x@y.z"}, SECRET, algorithm="HS256"),
        lambda t: jwt.encode(
            {"order_id": "ORD-10002", "email": "x@y.z", "aud": "someone-else",
             "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 60}, SECRET),
        lambda t: "not a token",
        lambda t: "",
    ],
    ids=["order changed", "expiry changed", "signature changed", "other key", "other algorithm",
         "no expiry", "other audience", "garbage", "empty"],
)  # fmt: skip
def test_anything_wrong_reads_as_no_token(make) -> None:  # noqa: ANN001
    token = make(issue_token(SECRET, "ORD-10002", "jane@example.com", NOW))
    assert read_token(SECRET, token, NOW + timedelta(minutes=1)) is None


def test_no_secret_means_no_token_is_trusted() -> None:
    token = issue_token(SECRET, "ORD-10002", "jane@example.com", NOW)
    assert read_token("", token, NOW) is None


def test_a_shop_page_token_may_live_a_day_at_most() -> None:
    day = issue_token(SECRET, "ORD-10002", "j@x.io", NOW, SHOP_PAGE, timedelta(hours=24))
    week = issue_token(SECRET, "ORD-10002", "j@x.io", NOW, SHOP_PAGE, timedelta(days=7))
    assert read_token(SECRET, day, NOW) == ChatIdentity("ORD-10002", "j@x.io", SHOP_PAGE)
    assert read_token(SECRET, week, NOW) is None


def test_a_token_from_the_future_is_refused() -> None:
    token = issue_token(SECRET, "ORD-10002", "j@x.io", NOW + timedelta(hours=1))
    assert read_token(SECRET, token, NOW) is None
