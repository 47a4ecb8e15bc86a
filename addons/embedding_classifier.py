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
        by_language: dict[str, list[tuple[np.ndarray, str]]] = {}
        for example in training_data.intent_examples:
            vector = _sentence_vector(example)
            if example.get(INTENT) and example.get(TEXT) and vector is not None:
                by_language.setdefault(model_language(example), []).append(
                    (vector, example.get(INTENT))
                )
        models = {
            language: model
            for language, pairs in sorted(by_language.items())
            if (model := self._fit(pairs)) is not None
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

    def _fit(self, pairs: list[tuple[np.ndarray, str]]) -> dict[str, np.ndarray] | None:
        """One language's regression and neighbour memory; None with fewer than 2 intents."""
        vectors = np.vstack([v for v, _ in pairs]).astype(np.float32)
        classes = np.array(sorted({label for _, label in pairs}))
        if len(classes) < 2:
            return None
        labels = np.searchsorted(classes, [label for _, label in pairs])
        regression = LogisticRegression(
            max_iter=self.config["max_iter"], class_weight="balanced", random_state=42
        ).fit(vectors * self.config["lr_scale"], labels)
        weights, bias = regression.coef_, regression.intercept_
        if len(classes) == 2:  # sklearn keeps one row for two classes
            weights, bias = np.vstack([-weights, weights]), np.array([-bias[0], bias[0]])
        return {
            "classes": classes,
            "weights": weights.astype(np.float32),
            "bias": bias.astype(np.float32),
            "memory": vectors,
            "memory_labels": labels.astype(np.int32),
        }

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
