"""Every reply exists in English and Chinese: each response in domain.yml has a Chinese
variation chosen by the slot ``language``, and every word table the actions and the desk
fill sentences from has both languages. Generated from the catalogues, so a new English
text without its Chinese fails here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import yaml

from desk import messages as desk_messages
from payhelp import messages
from payhelp.contracts import Language
from payhelp.core.orders import PaymentMethod
from payhelp.core.time_window import TimeWindow
from payhelp.nlu.language import has_han
from payhelp.settings import PROJECT_ROOT
from tests.language_checks import foreign_words, is_chinese

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
ZH_CONDITION = [{"type": "slot", "name": "language", "value": "zh"}]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def variations(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The English (unconditioned) and the Chinese variation of a response."""
    english = [v for v in RESPONSES[name] if not v.get("condition")]
    chinese = [v for v in RESPONSES[name] if v.get("condition") == ZH_CONDITION]
    assert len(english) == 1, f"{name}: one English variation without a condition"
    assert len(chinese) == 1, f"{name}: one Chinese variation on the slot language=zh"
    assert len(RESPONSES[name]) == 2, f"{name}: only the two languages"
    return english[0], chinese[0]


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_has_a_chinese_variation(name: str) -> None:
    english, chinese = variations(name)
    assert not has_han(english["text"]), f"{name}: Chinese in the English variation"
    assert is_chinese(chinese["text"]), (name, foreign_words(chinese["text"]))
    # The same placeholders: an action fills both from the same values.
    assert set(PLACEHOLDER.findall(english["text"])) == set(PLACEHOLDER.findall(chinese["text"]))


@pytest.mark.parametrize("name", sorted(n for n, v in RESPONSES.items() if v[0].get("buttons")))
def test_buttons_are_in_the_same_language_with_the_same_payloads(name: str) -> None:
    english, chinese = variations(name)
    en_buttons, zh_buttons = english["buttons"], chinese.get("buttons") or []
    assert [b["payload"] for b in zh_buttons] == [b["payload"] for b in en_buttons]
    for button in zh_buttons:
        assert is_chinese(button["title"]), (name, button["title"])


def test_rasa_would_pick_the_variation_of_the_conversations_language() -> None:
    greet = RESPONSES["utter_greet"]
    assert messages.pick_variation(greet, Language.EN) is variations("utter_greet")[0]
    assert messages.pick_variation(greet, Language.ZH) is variations("utter_greet")[1]


TABLES = [
    (table, key, texts)
    for table, entries in messages.WORD_TABLES.items()
    for key, texts in entries.items()
]


@pytest.mark.parametrize(("table", "key", "texts"), TABLES, ids=[f"{t}.{k}" for t, k, _ in TABLES])
def test_every_word_the_actions_assemble_has_both_languages(
    table: str, key: str, texts: Mapping[Language, str]
) -> None:
    assert set(texts) == set(Language), f"{table}[{key}]"
    assert all(texts.values()), f"{table}[{key}] is empty in a language"
    if table != "PATTERNS":  # CLDR date patterns are letters by design
        assert not foreign_words(texts[Language.ZH]), texts[Language.ZH]
    assert set(PLACEHOLDER.findall(texts[Language.EN])) == set(
        PLACEHOLDER.findall(texts[Language.ZH])
    )


def test_every_payment_method_has_a_name_in_both_languages() -> None:
    for method in PaymentMethod:
        assert method.value in messages.METHOD_NAMES and method.value in messages.METHOD_LABELS
    assert messages.method_name("wechat_pay", Language.ZH) == "微信支付"
    assert messages.method_name("alipay", Language.ZH) == "支付宝"


NOW = datetime(2026, 11, 26, 11, 55, tzinfo=timezone.utc)


def test_amounts_dates_and_waits_are_formatted_for_the_locale() -> None:
    zh, en = Language.ZH, Language.EN
    assert messages.short_time(NOW, zh) == "2026年11月26日 11:55 UTC"
    assert messages.short_time(NOW, en) == "26 Nov, 11:55 UTC"
    assert messages.short_date(NOW, zh) == "2026年11月26日"
    assert messages.short_date(NOW, en) == "26 November 2026"
    # The currency is the order's, written the locale's way.
    assert messages.money(Decimal("1299.5"), "CNY", zh) == "¥1,299.50"
    assert messages.money(Decimal("1299.5"), "CNY", en) == "CN¥1,299.50"
    assert messages.money("59.90", "EUR", zh) == "€59.90"
    assert messages.money("59.90", "USD", en) == "$59.90"
    assert messages.duration(25, zh) == "25分钟" and messages.duration(25, en) == "25 minutes"
    assert messages.duration(3 * 24 * 60, zh) == "3天"
    methods = ["card", "paypal", "alipay", "wechat_pay"]
    assert messages.list_methods(methods, zh) == "信用卡或借记卡、PayPal、支付宝或微信支付"
    assert messages.list_methods([], zh) == "其他支付方式"


def test_a_callback_window_is_read_back_in_chinese() -> None:
    start = NOW.replace(hour=9, minute=0) + timedelta(days=1)
    window = TimeWindow(start, start.replace(hour=12))
    said = messages.callback_when(window, "明天上午", NOW, Language.ZH)
    assert said == "明天（11月27日 星期五）9:00至12:00（UTC）"
    as_said = messages.callback_when(None, "等我下班", NOW, Language.ZH)
    assert "等我下班" in as_said and is_chinese(as_said)


DESK_LINES = [
    *(("CUSTOMER_LINES", key, texts) for key, texts in desk_messages.CUSTOMER_LINES.items()),
    *(
        (f"STAFF_REPLIES[{cause}]", title, texts)
        for cause, replies in desk_messages.STAFF_REPLIES.items()
        for title, texts in replies
    ),
    *(("GENERAL_REPLIES", title, texts) for title, texts in desk_messages.GENERAL_REPLIES),
]


@pytest.mark.parametrize(
    ("table", "key", "texts"), DESK_LINES, ids=[f"{t}.{k}" for t, k, _ in DESK_LINES]
)
def test_every_line_of_the_desk_a_customer_reads_has_both_languages(
    table: str, key: str, texts: Mapping[Language, str]
) -> None:
    assert set(texts) == set(Language), f"{table}[{key}]"
    assert not has_han(texts[Language.EN]) and is_chinese(texts[Language.ZH]), texts
    assert set(PLACEHOLDER.findall(texts[Language.EN])) == set(
        PLACEHOLDER.findall(texts[Language.ZH])
    )


def widget_texts() -> dict[str, dict[str, str]]:
    """The widget's TEXTS, read from widget.js: each language's keys and their source."""
    source = (PROJECT_ROOT / "desk" / "static" / "widget.js").read_text()
    block = source[source.index("const TEXTS = {") : source.index("function pageLanguage")]
    found: dict[str, dict[str, str]] = {}
    for language, body in re.findall(r"\n    (\w+): \{\n(.*?)\n    \},", block, re.S):
        entries = re.findall(r"^      (\w+): (.+?),?$", body, re.M)
        found[language] = dict(entries)
    return found


def test_every_widget_string_has_both_languages() -> None:
    texts = widget_texts()
    assert set(texts) == {language.value for language in Language}
    assert set(texts["zh"]) == set(texts["en"]) and len(texts["en"]) > 20
    for key, source in texts["zh"].items():
        literal = re.sub(r"\$\{\w+\}|\([\w, ]*\) =>|[`\"?:]", " ", source)
        assert has_han(literal), key
        assert not foreign_words(re.sub(r"\b(position|name|score|who|text)\b", " ", literal)), key
