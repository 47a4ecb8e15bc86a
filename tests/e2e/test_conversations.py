"""Whole conversations over the REST channel on demo orders: the bot explains a step again,
comes back to it after a side question, never offers a payment method that is down,
takes a callback from what the customer says, and greets a new conversation."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy.engine import make_url

from ops.launch import prepare_databases
from payhelp.contracts import Language
from payhelp.core.time_window import parse_time_window
from payhelp.messages import callback_when, pick_variation
from payhelp.settings import PROJECT_ROOT
from tests.e2e.conftest import Bot, texts

pytestmark = pytest.mark.slow

RESPONSES: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]
MENU = ["/payment_failed", "/duplicate_charge", "/payment_pending", "/refund_status",
        "/request_human"]  # fmt: skip


def response(name: str, **values: str) -> str:
    return RESPONSES[name][0]["text"].format(**values)


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in replies for b in m.get("buttons") or []]


@pytest.fixture
def outage_now(bot: Bot) -> None:
    """The demo data re-anchored to now, so its WeChat Pay outage is under way."""
    prepare_databases(bot.settings)


def verified(bot: Bot, order_id: str, contact: str) -> tuple[str, list[dict[str, Any]]]:
    sender, replies = bot.conversation("my payment didn't go through", order_id, contact)
    return sender, replies[-1]


def test_a_step_not_understood_is_explained_again_and_the_plan_stays(bot: Bot) -> None:
    sender, first = verified(bot, "ORD-10002", "jane@example.com")
    assert response("utter_remedy_check_cvc") in texts(first)
    again = bot.say(sender, "what do you mean?")
    assert response("utter_remedy_check_cvc_detail") in texts(again)
    assert buttons(again) == ["/affirm", "/deny", "/clarify"]
    slots = bot.tracker(sender)["slots"]
    assert (slots["remedy_step"], slots["remedy_status"]) == (1.0, "awaiting_feedback")
    still = bot.say(sender, "how do I do that?")
    assert texts(still) == response("utter_remedy_still_unclear")
    assert "/request_human" in buttons(still)
    assert bot.tracker(sender)["slots"]["remedy_step"] == 1.0
    assert texts(bot.say(sender, "yes it worked")) == response("utter_glad_it_worked")


def test_i_dont_understand_in_chinese_is_explained_again_in_chinese(bot: Bot) -> None:
    sender, _ = verified(bot, "ORD-10004", "carlos@example.com")
    again = bot.say(sender, "我不明白")
    # Chinese words make the conversation Chinese: the step comes again in Chinese.
    chinese = pick_variation(RESPONSES["utter_remedy_use_another_card_detail"], Language.ZH)
    assert chinese and chinese["text"] in texts(again)
    assert bot.tracker(sender)["slots"]["remedy_step"] == 1.0


def test_side_questions_lead_back_to_the_pending_step(bot: Bot, outage_now: None) -> None:
    sender, _ = verified(bot, "ORD-10003", "amara@example.com")
    step = response("utter_remedy_check_balance")
    tip = bot.say(sender, "where is the CVC?")
    said = texts(tip)
    assert said.index(response("utter_tip_cvc")) < said.index(response("utter_back_to_step"))
    assert said.index(response("utter_back_to_step")) < said.index(step)
    assert tip[-1]["text"] == "Did that work?" and buttons(tip) == ["/affirm", "/deny", "/clarify"]
    methods = bot.say(sender, "which payment methods do you accept")
    assert methods[0]["text"].startswith("You can pay with") and "WeChat" not in methods[0]["text"]
    assert methods[1]["text"] == response("utter_payment_method_down", method="WeChat Pay")
    assert step in texts(methods) and buttons(methods) == ["/affirm", "/deny", "/clarify"]
    # The plan moves only on an answer to the step.
    assert bot.tracker(sender)["slots"]["remedy_step"] == 1.0
    other = bot.say(sender, "no, still a problem")
    assert "You can also pay with" in texts(other)
    assert "WeChat Pay" not in texts(other)


@pytest.mark.parametrize("order_id,contact", [("ORD-10002", "jane@example.com"),
                                              ("ORD-10003", "amara@example.com")])  # fmt: skip
def test_a_card_customer_is_never_offered_wechat_pay_during_its_outage(
    bot: Bot, outage_now: None, order_id: str, contact: str
) -> None:
    sender, _ = verified(bot, order_id, contact)
    offered = bot.say(sender, "no, still a problem")
    said = texts(offered)
    assert "You can also pay with" in said and "Alipay" in said and "PayPal" in said
    assert "WeChat Pay" not in said
    assert "WeChat Pay" not in texts(bot.say(sender, "I don't understand"))  # nor in more detail
    general = bot.conversation("what payment methods do you take")[1][0]
    assert general[0]["text"].startswith("You can pay with") and "WeChat" not in general[0]["text"]
    assert general[1]["text"] == response("utter_payment_method_down", method="WeChat Pay")


def callbacks(bot: Bot) -> list[tuple[Any, ...]]:
    path = make_url(bot.settings.database_url).database
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT conversation_id, channel, contact, preferred_time, window_start, window_end "
            "FROM callback_requests"
        ).fetchall()


def expected_when(words: str) -> str:
    now = datetime.now(timezone.utc)
    return callback_when(parse_time_window(words, now, ZoneInfo("UTC")), words, now)


def test_a_callback_is_taken_from_one_message_read_back_and_booked(bot: Bot) -> None:
    sentence = "Can you call me back tomorrow morning? My number is +1 555 0199"
    sender, [readback] = bot.conversation(sentence)
    when = expected_when("tomorrow morning")
    assert when.startswith("tomorrow (") and "between 9:00 and 12:00" in when
    assert texts(readback) == response(
        "utter_callback_readback_phone", contact="+1 555 0199", when=when
    )
    assert buttons(readback) == ["/affirm", "/deny"]
    booked = bot.say(sender, "yes")
    [row] = [r for r in callbacks(bot) if r[0] == sender]
    assert row[1:4] == ("phone", "+1 555 0199", sentence)
    assert row[4].endswith("09:00:00.000000") and row[5].endswith("12:00:00.000000")
    assert texts(booked).startswith(f"Booked - we'll call you on +1 555 0199 {when}.")
    assert "Your reference is CB-" in texts(booked)
    assert bot.tracker(sender)["slots"]["callback_window"] is None  # forgotten once booked


def test_off_script_answers_in_the_callback_form_are_understood_or_asked_again(bot: Bot) -> None:
    sender, [asked] = bot.conversation("call me back please")
    assert texts(asked) == response("utter_ask_callback_phone")
    again = bot.say(sender, "yes")  # to "What number should we call?"
    assert texts(again) == "\n".join(
        [response("utter_invalid_callback_phone"), response("utter_ask_callback_phone")]
    )
    assert not set(buttons(again)) & set(MENU)  # never back to the opening menu
    assert texts(bot.say(sender, "+1 555 0123")) == response("utter_ask_callback_time")
    evening = bot.say(sender, "this evening")
    assert texts(evening) == response(
        "utter_callback_readback_phone", contact="+1 555 0123", when=expected_when("this evening")
    )
    switched = bot.say(sender, "actually email me")
    assert texts(switched) == response("utter_ask_callback_email")
    readback = bot.say(sender, "sam@example.com")
    assert texts(readback).startswith("Let me check I have it right: we'll email you at sam@")
    assert texts(bot.say(sender, "no")) == response("utter_callback_cancelled")
    assert [r for r in callbacks(bot) if r[0] == sender] == []


def test_a_question_inside_the_callback_form_is_explained_and_asked_again(bot: Bot) -> None:
    sender, _ = bot.conversation("please email me")
    explained = bot.say(sender, "what do you mean?")
    assert texts(explained) == "\n".join(
        [response("utter_explain_callback_email"), response("utter_ask_callback_email")]
    )
    assert bot.tracker(sender)["active_loop"]["name"] == "callback_form"


def test_a_new_conversation_opens_with_the_greeting_and_nothing_else(bot: Bot) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:10]}"
    status, reply = bot.post(
        f"/conversations/{sender}/trigger_intent?token={bot.settings.rasa_token}",
        json.dumps({"name": "greet"}).encode(),
    )
    assert status == 200
    [greeting] = reply["messages"]
    assert greeting["text"] == response("utter_greet")
    assert [b["payload"] for b in greeting["buttons"]] == MENU
    tracker = bot.tracker(sender)
    assert tracker["paused"] is False and not tracker["active_loop"]
    # No side effects: every slot still has its initial value.
    initial = {
        "identity_failures": 0.0, "remedy_step": 0.0, "misunderstandings": 0.0, "language": "en",
    }  # fmt: skip
    assert {k: v for k, v in tracker["slots"].items() if v is not None} == initial
    # A quick reply (sent by the desk as a button payload) starts that path.
    body = {"sender": sender, "message": "/payment_pending", "metadata": {"payload": True}}
    status, pressed = bot.post("/webhooks/rest/webhook", json.dumps(body).encode())
    assert status == 200 and texts(pressed) == response("utter_ask_order_id")
