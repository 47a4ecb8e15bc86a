"""A Rasa intent classifier over sentence embeddings: logistic regression blended with
nearest neighbours.

The logistic regression learns where intents lie; the k nearest training sentences
(cosine similarity, softmax-weighted) catch phrasings close to one we wrote even when
the linear boundary misses them. On customer messages written outside the project the
blend was measurably better than either alone (see reports/nlu-eval.md). It reads the
dense sentence features of addons.sentence_embeddings.SentenceEmbeddingFeaturizer.
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
        state: dict[str, np.ndarray] | None = None,
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
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        pairs = [(v, e.get(INTENT)) for e in examples if (v := _sentence_vector(e)) is not None]
        if not pairs:
            logger.warning("EmbeddingIntentClassifier: no sentence features to train on")
            return self._resource
        vectors = np.vstack([v for v, _ in pairs]).astype(np.float32)
        classes = np.array(sorted({label for _, label in pairs}))
        labels = np.searchsorted(classes, [label for _, label in pairs])
        regression = LogisticRegression(
            max_iter=self.config["max_iter"], class_weight="balanced", random_state=42
        ).fit(vectors * self.config["lr_scale"], labels)
        weights, bias = regression.coef_, regression.intercept_
        if len(classes) == 2:  # sklearn keeps one row for two classes
            weights, bias = np.vstack([-weights, weights]), np.array([-bias[0], bias[0]])
        self._state = {
            "classes": classes,
            "weights": weights.astype(np.float32),
            "bias": bias.astype(np.float32),
            "memory": vectors,
            "memory_labels": labels.astype(np.int32),
        }
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / _FILE, **self._state)
        return self._resource

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
                state = {name: saved[name] for name in saved.files}
        except (ValueError, FileNotFoundError):
            logger.warning("EmbeddingIntentClassifier: no trained state found")
            state = None
        return cls(config, model_storage, resource, state)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            vector = _sentence_vector(message)
            if self._state is None or vector is None:
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    add_to_output=True,
                )
                continue
            classes = self._state["classes"]
            probabilities = blend_probabilities(
                vector.reshape(1, -1),
                self._state["weights"],
                self._state["bias"],
                self._state["memory"],
                self._state["memory_labels"],
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
