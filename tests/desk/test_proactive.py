"""The chat opened on an order the shop vouches for (desk/proactive.py), over real HTTP:
a valid token sets the verified order in the bot and triggers EXTERNAL_payment_failed;
anything wrong with it opens the normal chat; the demo order page carries a token."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from payhelp.chat_tokens import SHOP_PAGE, issue_token, read_token
from payhelp.settings import Settings
from payhelp.store.tables import utc_now
from tests.desk.conftest import LiveDesk, ScriptedBot, next_event
from tests.desk.test_customer_routes import GREETING, history_of

SECRET = "chat-secret-for-desk-tests-" + "x" * 20
OPENING = [
    {"text": "Hello Jane Doe! Your payment for order ORD-10002 (24.50 USD) didn't go through."},
    {
        "text": "Please try again with the security code.",
        "buttons": [{"title": "Yes, it worked", "payload": "/affirm"}],
    },
]
VERIFIED = {
    "order_id": "ORD-10002",
    "verified_order": "ORD-10002",
    "identity_status": "verified",
    "language": "en",
}


@pytest.fixture
def settings(desk_settings: Settings) -> Settings:
    return replace(desk_settings, chat_token_secret=SECRET)


def link(order_id: str = "ORD-10002", email: str = "jane@example.com", **kw: Any) -> str:
    return issue_token(kw.pop("secret", SECRET), order_id, email, kw.pop("at", utc_now()), **kw)


async def start(desk: LiveDesk, body: dict[str, Any]) -> dict[str, Any]:
    async with desk.http.post(f"{desk.base}/api/chat/start", json=body) as reply:
        assert reply.status == 201
        return await reply.json()


def test_a_valid_link_opens_the_chat_on_its_order(
    run_desk: Any, bot: ScriptedBot, settings: Settings
) -> None:
    bot.intents["EXTERNAL_payment_failed"] = OPENING
    bot.intents["greet"] = GREETING

    async def scenario(desk: LiveDesk) -> Any:
        started = await start(desk, {"identity": link()})
        async with desk.socket(started["token"]) as ws:
            await next_event(ws, "state")
        return started, await history_of(desk, started["token"])

    started, history = run_desk(scenario, settings)
    assert started["identity"] == "accepted"
    conversation = bot.slots_set[0][0]
    assert bot.slots_set == [(conversation, VERIFIED)]
    assert bot.triggered == [(conversation, "EXTERNAL_payment_failed")]  # and no greeting
    assert [m["text"] for m in history] == [m["text"] for m in OPENING]
    assert history[-1]["buttons"] == [{"title": "Yes, it worked", "payload": "/affirm"}]


def test_a_chinese_customer_s_bot_speaks_chinese(
    run_desk: Any, bot: ScriptedBot, settings: Settings
) -> None:
    async def scenario(desk: LiveDesk) -> Any:
        return await start(desk, {"identity": link("ORD-10018", "zhang.min@example.com")})

    assert run_desk(scenario, settings)["identity"] == "accepted"
    assert bot.slots_set[0][1]["language"] == "zh"
    assert bot.slots_set[0][1]["verified_order"] == "ORD-10018"


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    return f"{head}.{body}.{signature[::-1]}"


@pytest.mark.parametrize(
    "token",
    [
        lambda: _tampered(link()),
        lambda: link(at=utc_now() - timedelta(hours=73)),
        lambda: link(email="someone.else@example.com"),
        lambda: link(order_id="ORD-99999"),
        lambda: link(secret="a different key of the same length, 0123456789"),
        lambda: "garbage",
    ],
    ids=["tampered", "expired", "another email", "unknown order", "another key", "garbage"],
)
def test_a_bad_token_opens_the_normal_chat(
    run_desk: Any, bot: ScriptedBot, settings: Settings, token: Any
) -> None:
    bot.intents["greet"] = GREETING

    async def scenario(desk: LiveDesk) -> Any:
        started = await start(desk, {"identity": token()})
        async with desk.socket(started["token"]) as ws:
            await next_event(ws, "state")
            greeting = await next_event(ws, "message")
        return started, greeting

    started, greeting = run_desk(scenario, settings)
    assert started["identity"] == "refused"
    assert bot.slots_set == []
    assert [intent for _, intent in bot.triggered] == ["greet"]
    assert greeting["message"]["text"] == GREETING[0]["text"]


def test_without_a_secret_no_token_is_trusted(
    run_desk: Any, bot: ScriptedBot, desk_settings: Settings
) -> None:
    async def scenario(desk: LiveDesk) -> Any:
        return await start(desk, {"identity": link()})

    assert run_desk(scenario, desk_settings)["identity"] == "refused"
    assert bot.slots_set == []


def test_a_fraud_flagged_order_goes_to_a_person_without_a_word_about_why(
    run_desk: Any, bot: ScriptedBot, settings: Settings
) -> None:
    bot.intents["EXTERNAL_payment_failed"] = [
        {"text": "A member of our team will look into this with you."},
        {"custom": {"handoff": {"escalation_id": None, "reason": "needs_staff",
                                "order_id": "ORD-10011"}}},
    ]  # fmt: skip

    async def scenario(desk: LiveDesk) -> Any:
        return await start(desk, {"identity": link("ORD-10011", "mia@example.com")})

    started = run_desk(scenario, settings)
    assert started["identity"] == "accepted"
    assert started["state"]["status"] == "waiting"


def test_with_the_bot_away_the_chat_opens_as_usual(
    run_desk: Any, bot: ScriptedBot, settings: Settings
) -> None:
    bot.down = True

    async def scenario(desk: LiveDesk) -> Any:
        return await start(desk, {"identity": link()})

    started = run_desk(scenario, settings)
    assert started["identity"] == "ignored"
    assert started["state"]["status"] == "bot"


# --- the demo shop's order page -------------------------------------------------------


async def page(desk: LiveDesk, path: str) -> tuple[int, str]:
    async with desk.http.get(f"{desk.base}{path}") as reply:
        return reply.status, await reply.text()


def test_the_demo_order_page_is_off_unless_asked_for(run_desk: Any, settings: Settings) -> None:
    async def scenario(desk: LiveDesk) -> Any:
        return await page(desk, "/shop/orders/ORD-10002")

    assert run_desk(scenario, settings)[0] == 404


def test_the_demo_order_page_signs_a_token_for_its_customer(
    run_desk: Any, settings: Settings
) -> None:
    demo = replace(settings, demo_shop_pages=True)

    async def scenario(desk: LiveDesk) -> Any:
        return [
            await page(desk, "/shop/orders/ORD-10018"),
            await page(desk, "/shop/orders/ORD-99999"),
            await page(desk, "/"),
        ]

    (status, html), (missing, _), (_, shop) = run_desk(scenario, demo)
    assert (status, missing) == (200, 404)
    assert 'Your order <span data-order="id">ORD-10018</span>' in html
    assert '<dd data-order="total">CN¥268.00</dd>' in html
    token = re.search(r'data-payhelp-identity="([^"]+)"', html)[1]
    identity = read_token(SECRET, token, utc_now())
    assert (identity.order_id, identity.email, identity.audience) == (
        "ORD-10018", "zhang.min@example.com", SHOP_PAGE,
    )  # fmt: skip
    assert "data-payhelp-identity" not in shop  # the plain shop page vouches for nobody
