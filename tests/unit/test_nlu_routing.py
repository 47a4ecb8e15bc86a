"""Each message is embedded and classified by its own language's model."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.embedding_classifier import EmbeddingIntentClassifier
from addons.fallback import LanguageFallbackClassifier
from addons.language import MODEL_LANGUAGE
from addons.sentence_embeddings import SentenceEmbeddingFeaturizer

TRAINING = {
    "payment_failed": ["付款失败", "付不了款", "支付不成功", "刷卡被拒了"],
    "greet": ["你好", "您好", "hello there", "good morning"],
    "refund_status": ["where is my refund", "my refund has not arrived", "refund status"],
}


@pytest.fixture(scope="module")
def featurizer() -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer(
        SentenceEmbeddingFeaturizer.get_default_config(), "featurizer"
    )


def _sentence_width(message: Message) -> int | None:
    _, sentence = message.get_dense_features(TEXT)
    return None if sentence is None else sentence.features.shape[-1]


def test_each_language_has_its_encoder(featurizer: SentenceEmbeddingFeaturizer) -> None:
    english, chinese, mixed = (
        Message({TEXT: "my card was declined"}),
        Message({TEXT: "付款失败"}),
        Message({TEXT: "我的order ORD-10002 付款失败"}),
    )
    featurizer.process([english, chinese, mixed])
    assert [_sentence_width(m) for m in (english, chinese, mixed)] == [384, 512, 512]


def test_a_button_payload_is_not_encoded(featurizer: SentenceEmbeddingFeaturizer) -> None:
    button = Message({TEXT: "/deny", "metadata": {"payload": True}})
    typed = Message({TEXT: "/deny"})
    featurizer.process([button, typed])
    assert _sentence_width(button) is None
    assert _sentence_width(typed) == 384


@pytest.fixture(scope="module")
def trained(
    featurizer: SentenceEmbeddingFeaturizer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LocalModelStorage, Resource]:
    examples = [
        Message({TEXT: text, INTENT: intent})
        for intent, texts in TRAINING.items()
        for text in texts
    ]
    data = featurizer.process_training_data(TrainingData(examples))
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("storage")))
    resource = Resource("classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = EmbeddingIntentClassifier.create({}, storage, resource, context)
    classifier.train(data)
    return storage, resource


def _classify(
    classifier: EmbeddingIntentClassifier, featurizer: SentenceEmbeddingFeaturizer, text: str
) -> Message:
    message = Message({TEXT: text})
    featurizer.process([message])
    classifier.process([message])
    return message


def test_messages_go_to_their_language_model(
    trained: tuple[LocalModelStorage, Resource], featurizer: SentenceEmbeddingFeaturizer
) -> None:
    storage, resource = trained
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = EmbeddingIntentClassifier.load({}, storage, resource, context)
    chinese = _classify(classifier, featurizer, "我付不了钱")
    english = _classify(classifier, featurizer, "has my refund come back yet")
    assert chinese.get(INTENT)["name"] == "payment_failed"
    assert english.get(INTENT)["name"] == "refund_status"
    # the Chinese model knows only the intents it was taught in Chinese
    assert {r["name"] for r in chinese.get("intent_ranking")} == {"payment_failed", "greet"}
    assert {r["name"] for r in english.get("intent_ranking")} == {"refund_status", "greet"}


def test_an_unencoded_message_gets_no_intent(
    trained: tuple[LocalModelStorage, Resource],
) -> None:
    storage, resource = trained
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = EmbeddingIntentClassifier.load({}, storage, resource, context)
    message = Message({TEXT: "/deny", "metadata": {"payload": True}})
    classifier.process([message])
    assert message.get(INTENT)["name"] is None


CHINESE_ONLY = {
    "payment_failed": ["付款失败", "付不了款", "支付不成功", "刷卡被拒了"],
    "duplicate_charge": ["扣了两次钱", "重复扣款", "被扣了两遍", "同一笔扣了两次"],
    "refund_status": ["退款还没到", "退款去哪了", "什么时候退款", "退款进度"],
}


def test_the_character_model_is_trained_saved_and_blended(
    featurizer: SentenceEmbeddingFeaturizer, tmp_path: Path
) -> None:
    config = {"char_ngrams": {"zh": {"weight": 1.0, "C": 30}}}
    examples = [Message({TEXT: t, INTENT: i}) for i, ts in CHINESE_ONLY.items() for t in ts]
    examples += [Message({TEXT: t, INTENT: i}) for i, ts in TRAINING.items() for t in ts]
    data = featurizer.process_training_data(TrainingData(examples))
    storage, resource = LocalModelStorage(tmp_path), Resource("classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    EmbeddingIntentClassifier.create(config, storage, resource, context).train(data)
    loaded = EmbeddingIntentClassifier.load(config, storage, resource, context)
    # only the configured language gets one; English stays embeddings only
    assert "char_terms" in loaded._state["zh"] and "char_terms" not in loaded._state["en"]
    # weight 1: the character model alone decides, from characters shared with examples
    message = _classify(loaded, featurizer, "怎么又扣了两次")
    assert message.get(INTENT)["name"] == "duplicate_charge"
    ranking = message.get("intent_ranking")
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-5)


def _ranked(language: str, first: float, second: float) -> Message:
    message = Message({TEXT: "x", MODEL_LANGUAGE: language})
    ranking = [{"name": "payment_failed", "confidence": first},
               {"name": "duplicate_charge", "confidence": second}]  # fmt: skip
    message.set(INTENT, ranking[0])
    message.set("intent_ranking", ranking)
    return message


@pytest.mark.parametrize(
    ("language", "first", "second", "expected"),
    [
        ("en", 0.50, 0.45, "nlu_fallback"),  # English keeps Rasa's 0.1 ambiguity gap
        ("zh", 0.50, 0.45, "payment_failed"),  # Chinese has its own, smaller one
        ("zh", 0.50, 0.49, "nlu_fallback"),
        ("zh", 0.29, 0.10, "nlu_fallback"),  # the confidence threshold still holds
        ("en", 0.60, 0.40, "payment_failed"),
    ],
)
def test_fallback_thresholds_follow_the_message_language(
    language: str, first: float, second: float, expected: str
) -> None:
    config = {
        **LanguageFallbackClassifier.get_default_config(),
        "threshold": 0.3,
        "ambiguity_threshold": 0.1,
        "languages": {"zh": {"ambiguity_threshold": 0.02}},
    }
    classifier = LanguageFallbackClassifier(config)
    message = _ranked(language, first, second)
    classifier.process([message])
    assert message.get(INTENT)["name"] == expected
    assert classifier.component_config == config  # the per-message swap is undone
