"""A Rasa intent classifier over sentence embeddings: logistic regression blended with
nearest neighbours.

The logistic regression learns where intents lie; the k nearest training sentences
(cosine similarity, softmax-weighted) catch phrasings close to one we wrote even when
the linear boundary misses them. On customer messages written outside the project the
blend was measurably better than either alone (see reports/nlu-eval.md). It reads the
dense sentence features of addons.sentence_embeddings.SentenceEmbeddingFeaturizer.

English and Chinese messages are embedded by different encoders, so each language has its
own regression and neighbours, trained on that language's examples; a message goes to
the model of its language (addons/language.py).

A language may also get a character n-gram model (``char_ngrams``): TF-IDF over 1-3
character n-grams and a logistic regression, blended in with a small weight. Chinese is
written without spaces, and short customer phrasings (扣了两次, 花呗付不了) share
characters with our examples even where the multilingual encoder puts them apart; on the
Chinese data this raised cross-validated accuracy and the dev figures (bench/results.md).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from addons.language import model_language

logger = logging.getLogger(__name__)
_FILE = "embedding_classifier.npz"


def _sentence_vector(message: Message) -> np.ndarray | None:
    _, sentence = message.get_dense_features(TEXT)
    if sentence is None:
        return None
    vector = np.asarray(sentence.features, dtype=np.float32).reshape(-1)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def blend_probabilities(
    vectors: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray,
    memory: np.ndarray,
    memory_labels: np.ndarray,
    n_classes: int,
    config: dict[str, Any],
) -> np.ndarray:
    """Class probabilities for unit ``vectors``: blend of LR and k-nearest-neighbour votes."""
    logits = (vectors * config["lr_scale"]) @ weights.T + bias
    logits -= logits.max(1, keepdims=True)
    linear = np.exp(logits)
    linear /= linear.sum(1, keepdims=True)
    similarity = vectors @ memory.T
    k = min(int(config["k"]), memory.shape[0])
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    votes = np.zeros((len(vectors), n_classes), dtype=np.float64)
    for row, neighbours in enumerate(nearest):
        scores = similarity[row, neighbours] / config["temperature"]
        w = np.exp(scores - scores.max())
        np.add.at(votes[row], memory_labels[neighbours], w / w.sum())
    blend = float(config["blend"])
    return blend * linear + (1 - blend) * votes


def _char_vectorizer(vocabulary: list[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), sublinear_tf=True, vocabulary=vocabulary
    )


def _fit_char_ngrams(
    texts: list[str], labels: np.ndarray, config: dict[str, Any]
) -> dict[str, np.ndarray]:
    """The character n-gram model as plain arrays (saved without pickle)."""
    vectorizer = _char_vectorizer()
    features = vectorizer.fit_transform(texts)
    regression = LogisticRegression(
        max_iter=3000, class_weight="balanced", C=float(config.get("C", 30.0)), random_state=42
    ).fit(features, labels)
    terms = vectorizer.get_feature_names_out()
    return {
        "char_terms": np.asarray(terms, dtype=str),
        "char_idf": vectorizer.idf_.astype(np.float32),
        "char_weights": regression.coef_.astype(np.float32),
        "char_bias": regression.intercept_.astype(np.float32),
    }


def _char_ngram_probabilities(text: str, model: dict[str, Any]) -> np.ndarray:
    if "char_vectorizer" not in model:  # built once per process from the saved arrays
        vectorizer = _char_vectorizer([str(t) for t in model["char_terms"]])
        vectorizer.idf_ = model["char_idf"]
        model["char_vectorizer"] = vectorizer
    features = model["char_vectorizer"].transform([text])
    logits = np.asarray(features @ model["char_weights"].T).reshape(-1) + model["char_bias"]
    logits -= logits.max()
    probabilities = np.exp(logits)
    return probabilities / probabilities.sum()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmbeddingIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Weight of the logistic regression; the rest goes to the neighbours' vote.
            "blend": 0.5,
            "k": 10,
            "temperature": 0.05,
            # Multiplies the unit embeddings for the regression (sklearn's C stays 1).
            "lr_scale": 3.0,
            "max_iter": 2000,
            "ranking_length": 10,
            # Per language: {"weight": w, "C": c}; w of the probabilities then come from a
            # character 1-3-gram TF-IDF regression. Empty: sentence embeddings only.
            "char_ngrams": {},
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        state: dict[str, dict[str, np.ndarray]] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._state = state

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmbeddingIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        by_language: dict[str, list[tuple[np.ndarray, str, str]]] = {}
        for example in training_data.intent_examples:
            vector = _sentence_vector(example)
            if example.get(INTENT) and example.get(TEXT) and vector is not None:
                by_language.setdefault(model_language(example), []).append(
                    (vector, example.get(INTENT), example.get(TEXT))
                )
        models = {
            language: model
            for language, examples in sorted(by_language.items())
            if (model := self._fit(language, examples)) is not None
        }
        if not models:
            logger.warning("EmbeddingIntentClassifier: no sentence features to train on")
            return self._resource
        self._state = models
        with self._storage.write_to(self._resource) as directory:
            np.savez(
                directory / _FILE,
                **{
                    f"{lang}.{key}": v for lang, model in models.items() for key, v in model.items()
                },
            )
        return self._resource

    def _fit(
        self, language: str, examples: list[tuple[np.ndarray, str, str]]
    ) -> dict[str, np.ndarray] | None:
        """One language's regression and neighbour memory; None with fewer than 2 intents."""
        vectors = np.vstack([v for v, _, _ in examples]).astype(np.float32)
        classes = np.array(sorted({label for _, label, _ in examples}))
        if len(classes) < 2:
            return None
        labels = np.searchsorted(classes, [label for _, label, _ in examples])
        regression = LogisticRegression(
            max_iter=self.config["max_iter"], class_weight="balanced", random_state=42
        ).fit(vectors * self.config["lr_scale"], labels)
        weights, bias = regression.coef_, regression.intercept_
        if len(classes) == 2:  # sklearn keeps one row for two classes
            weights, bias = np.vstack([-weights, weights]), np.array([-bias[0], bias[0]])
        model = {
            "classes": classes,
            "weights": weights.astype(np.float32),
            "bias": bias.astype(np.float32),
            "memory": vectors,
            "memory_labels": labels.astype(np.int32),
        }
        char_config = self.config["char_ngrams"].get(language)
        if char_config and len(classes) > 2:
            model.update(_fit_char_ngrams([t for _, _, t in examples], labels, char_config))
        return model

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmbeddingIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                saved = np.load(directory / _FILE, allow_pickle=False)
                state: dict[str, dict[str, np.ndarray]] | None = {}
                for name in saved.files:
                    language, key = name.split(".", 1)
                    state.setdefault(language, {})[key] = saved[name]
        except (ValueError, FileNotFoundError):
            logger.warning("EmbeddingIntentClassifier: no trained state found")
            state = None
        return cls(config, model_storage, resource, state)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = _sentence_vector(message)
            model = (self._state or {}).get(model_language(message))
            if model is None or vector is None or vector.shape[0] != model["memory"].shape[1]:
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    add_to_output=True,
                )
                continue
            classes = model["classes"]
            probabilities = blend_probabilities(
                vector.reshape(1, -1),
                model["weights"],
                model["bias"],
                model["memory"],
                model["memory_labels"],
                len(classes),
                self.config,
            )[0]
            if "char_terms" in model:
                weight = float(self.config["char_ngrams"][model_language(message)]["weight"])
                char = _char_ngram_probabilities(message.get(TEXT) or "", model)
                probabilities = (1 - weight) * probabilities + weight * char
            order = np.argsort(-probabilities)[: self.config["ranking_length"]]
            ranking = [
                {
                    INTENT_NAME_KEY: str(classes[i]),
                    PREDICTED_CONFIDENCE_KEY: float(probabilities[i]),
                }
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
