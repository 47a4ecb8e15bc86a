"""Rasa's FallbackClassifier with thresholds per language.

English and Chinese messages are scored by different encoders and classifiers
(addons/embedding_classifier.py), so their confidences are not on one scale: the gap
between the two best intents that signals real doubt differs between them. ``languages``
overrides ``threshold`` and ``ambiguity_threshold`` for the messages of one language
(``model_language``); other messages use the component's own values, as in Rasa.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from addons.language import model_language


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), "languages": {}}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageFallbackClassifier:
        return cls(config)

    def config_for(self, message: Message) -> dict[str, Any]:
        base = self.component_config
        return {**base, **(base.get("languages") or {}).get(model_language(message), {})}

    def process(self, messages: list[Message]) -> list[Message]:
        base = self.component_config
        try:
            for message in messages:  # synchronous: nothing else sees the swapped config
                self.component_config = self.config_for(message)
                super().process([message])
        finally:
            self.component_config = base
        return messages
