"""Whole conversations in Chinese over the REST channel with the real servers: every demo
order reaches its payment_cause and every reply, button and formatted amount or date is
Chinese; the rules stay as strict; a customer can switch language; card numbers typed with
full-width digits are masked."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy.engine import make_url

from payhelp.contracts import Language
from payhelp.core.causes import MONEY_MAY_BE_TAKEN, PaymentCause
from payhelp.core.remedies import RemedyStep, Step
from payhelp.core.time_window import parse_time_window
from payhelp.messages import callback_when, pick_variation
from payhelp.settings import PROJECT_ROOT
from tests.e2e.conftest import Bot, texts
from tests.e2e.test_rest_channel import DEMO, STAFF_CAUSES
from tests.language_checks import foreign_words, is_chinese

pytestmark = pytest.mark.slow

RESPONSES: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]


def said(name: str, language: Language = Language.ZH, **values: str) -> str:
    """A response's text in ``language``, as Rasa fills it."""
    variation = pick_variation(RESPONSES[name], language)
    assert variation is not None
    return str(variation["text"]).format(**values)


def assert_all_chinese(replies: list[dict[str, Any]]) -> None:
    for message in replies:
        if "text" in message:
            assert is_chinese(message["text"]), (message["text"], foreign_words(message["text"]))
        for button in message.get("buttons") or []:
            assert is_chinese(button["title"]), button["title"]


# Steps that would have the customer pay again, in Chinese.
NEW_PAYMENT_STEPS = [said(RemedyStep(s).response, other_methods="") for s in Step
                     if RemedyStep(s).asks_new_payment]  # fmt: skip


@pytest.mark.parametrize("order_id,contact,cause", DEMO, ids=[d[0] for d in DEMO])
def test_each_demo_order_reaches_its_payment_cause_in_chinese(
    bot: Bot, order_id: str, contact: str, cause: str
) -> None:
    sender, replies = bot.conversation("我的付款失败了", f"订单号是 {order_id}", contact)
    tracker = bot.tracker(sender)
    assert tracker["slots"]["payment_cause"] == cause
    assert tracker["slots"]["language"] == "zh"
    for reply in replies:
        assert reply, "the bot answered"
        assert_all_chinese(reply)
    last = texts(replies[-1])
    assert f"我找到了订单 {order_id}" in last  # the order's status comes first
    handoff = [m["custom"]["handoff"] for m in replies[-1] if "custom" in m]
    assert bool(handoff) == (cause in STAFF_CAUSES or order_id == "ORD-10008")
    if PaymentCause(cause) in MONEY_MAY_BE_TAKEN:
        asked = [step for step in NEW_PAYMENT_STEPS if step.split("，")[0] in last]
        assert asked == [], "no new payment is asked for when money may be taken"
    if cause == "suspected_fraud":
        for secret in ("盗", "欺诈", "挂失", "可疑", "stolen", "fraud"):
            assert secret not in last


def test_amounts_and_dates_are_written_the_chinese_way(bot: Bot) -> None:
    _, replies = bot.conversation("我的付款失败了", "ORD-10002", "jane@example.com")
    last = texts(replies[-1])
    assert "我找到了订单 ORD-10002（US$24.50）" in last  # the order's currency, zh_CN style
    assert re.search(r"（银行卡，\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} UTC）", last), last
    assert said("utter_remedy_check_cvc") in last


def test_nothing_about_the_order_before_the_identity_check_in_chinese(bot: Bot) -> None:
    wrong, wrong_replies = bot.conversation("付款失败", "ORD-10002", "amara@example.com")
    _, unknown_replies = bot.conversation("付款失败", "ORD-99999", "amara@example.com")
    assert texts(wrong_replies[-1]) == texts(unknown_replies[-1])
    assert texts(wrong_replies[-1]).startswith(said("utter_identity_mismatch"))
    for secret in ("24.50", "US$", "等待付款", "安全码"):
        assert secret not in texts(wrong_replies[-1])
    assert bot.tracker(wrong)["slots"]["payment_cause"] is None


def test_a_customer_switches_language_and_back(bot: Bot) -> None:
    sender, replies = bot.conversation("my payment didn't go through", "请说中文")
    first, switched = replies
    assert texts(first) == said("utter_ask_order_id", Language.EN)
    assert texts(switched) == f"{said('utter_language_changed')}\n{said('utter_ask_order_id')}"
    assert_all_chinese(switched)
    diagnosis = bot.say(sender, "ORD-10002")
    diagnosis += bot.say(sender, "jane@example.com")
    assert_all_chinese(diagnosis)
    assert said("utter_remedy_check_cvc") in texts(diagnosis)
    back = bot.say(sender, "English please")
    assert texts(back).startswith(said("utter_language_changed", Language.EN))
    assert texts(bot.say(sender, "yes that worked")) == said("utter_glad_it_worked", Language.EN)


def test_a_chinese_customer_asking_for_a_person_is_handed_over_in_chinese(bot: Bot) -> None:
    sender, replies = bot.conversation("你好", "转人工")
    assert_all_chinese(replies[0])
    assert texts(replies[1]).strip() == said("utter_handoff")
    assert replies[1][-1]["custom"]["handoff"]["reason"] == "customer_request"
    assert bot.tracker(sender)["paused"] is True


def test_a_card_number_in_full_width_digits_is_masked_and_the_warning_is_chinese(
    bot: Bot,
) -> None:
    card = "４２４２ ４２４２ ４２４２ ４２４２"
    sender, replies = bot.conversation(f"我的卡号是{card}，安全码７３７，付款失败了")
    assert said("utter_card_data_warning") in texts(replies[0])
    assert_all_chinese(replies[0])
    path = make_url(bot.settings.tracker_store_url).database
    with sqlite3.connect(path) as connection:
        stored = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    ascii_card = "4242424242424242"
    for secret in (card, card.replace(" ", ""), ascii_card, "７３７", "\\uff14\\uff12"):
        assert secret not in stored
    for log in Path(bot.log_dir).glob("*.log"):
        text = log.read_text(errors="replace")
        assert card not in text and card.replace(" ", "") not in text and ascii_card not in text
    assert bot.tracker(sender)["slots"]["language"] == "zh"


def test_a_callback_in_chinese_is_read_back_and_booked_in_chinese(bot: Bot) -> None:
    sender, [readback] = bot.conversation("明天上午给我回电话吧，我的号码是 +86 138 0013 8000")
    now = datetime.now(timezone.utc)
    window = parse_time_window("明天上午", now, ZoneInfo("UTC"))
    when = callback_when(window, "明天上午", now, Language.ZH)
    assert when.startswith("明天（") and "9:00至12:00" in when
    assert_all_chinese(readback)
    assert when in texts(readback) and "+86 138 0013 8000" in texts(readback)
    booked = bot.say(sender, "好的")
    assert texts(booked).startswith(f"已预约：我们会在{when}拨打 +86 138 0013 8000 联系您。")
    assert_all_chinese(booked)
