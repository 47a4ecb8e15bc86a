"""Language detection: which messages decide the conversation's language, and which don't."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.language import ENTITY, MODEL_LANGUAGE, LanguageDetector, model_language
from payhelp.nlu.language import detect, detect_language, english_words, requested_language


@pytest.mark.parametrize(
    "text,language",
    [
        # any Han character is Chinese, mixed messages included
        ("付款失败", "zh"),
        ("付不了款", "zh"),
        ("我的order ORD-10002 付款失败", "zh"),
        ("退款怎麼還沒到", "zh"),  # traditional characters
        ("ok 好的", "zh"),
        ("13800138000 谢谢", "zh"),
        # English needs two real English words
        ("my payment failed", "en"),
        ("card declined", "en"),
        ("I was charged twice for ORD-10009", "en"),
        ("where is my refund?", "en"),
        # nothing decides: ids, emails, numbers, method names, one-word replies
        ("ORD-10002", None),
        ("ord-10002", None),
        ("jane@example.com", None),
        ("+86 138 0013 8000", None),
        ("13800138000", None),
        ("2026-11-26 10:00", None),
        ("WeChat", None),
        ("WeChat Pay", None),
        ("Alipay", None),
        ("PayPal", None),
        ("ok", None),
        ("OK!", None),
        ("hi", None),
        ("yes", None),
        ("no thanks", None),
        ("refund", None),
        ("", None),
        ("   ", None),
        ("？？？", None),
        (None, None),
    ],
)
def test_the_language_a_message_decides(text: str | None, language: str | None) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text,language",
    [
        ("English please", "en"),
        ("english", "en"),
        ("can you speak English?", "en"),
        ("switch to English", "en"),
        ("in English please", "en"),
        ("请说英文", "en"),
        ("用英语", "en"),
        ("换成英文", "en"),
        ("我想用英语交流", "en"),
        ("用中文", "zh"),
        ("说中文", "zh"),
        ("请用中文回复", "zh"),
        ("中文", "zh"),
        ("中文服务", "zh"),
        ("can you speak Chinese", "zh"),
        ("do you speak Chinese?", "zh"),
        ("Mandarin please", "zh"),
        ("can we talk in Mandarin", "zh"),
        ("I don't understand English, Chinese please", "zh"),
    ],
)
def test_an_explicit_request_sets_the_requested_language(text: str, language: str) -> None:
    detection = detect(text)
    assert (detection.language, detection.requested) == (language, True)


@pytest.mark.parametrize(
    "text",
    [
        "我不会说英语",  # "I can't speak English": Chinese, not a request for English
        "pay in chinese yuan",
        "I don't speak English",
        "my payment failed",
        "付款失败",
    ],
)
def test_mentions_and_negations_are_not_requests(text: str) -> None:
    assert requested_language(text) is None


def test_english_words_leave_out_what_decides_nothing() -> None:
    assert english_words("ORD-10002 jane@example.com WeChat Pay 42 ok") == []
    assert english_words("my WeChat payment failed") == ["my", "payment", "failed"]


def _processed(text: str) -> Message:
    message = Message({TEXT: text})
    LanguageDetector("language_detector").process([message])
    return message


def test_the_component_adds_the_language_entity() -> None:
    message = _processed("请说英文")
    entities = [e for e in message.get(ENTITIES) if e["entity"] == ENTITY]
    assert [e["value"] for e in entities] == ["en"]
    assert entities[0]["extractor"] == "language_detector"
    assert message.get(MODEL_LANGUAGE) == "zh"  # the Chinese model reads the request


def test_the_component_adds_no_entity_when_nothing_is_clear() -> None:
    message = _processed("ORD-10002")
    assert not [e for e in message.get(ENTITIES, []) if e["entity"] == ENTITY]
    assert message.get(MODEL_LANGUAGE) == "en"


@pytest.mark.parametrize(
    "text,model", [("付款失败", "zh"), ("my order ORD-1 付款失败", "zh"), ("ok", "en"), ("", "en")]
)
def test_which_model_reads_a_message(text: str, model: str) -> None:
    assert model_language(Message({TEXT: text})) == model
