"""A Rasa component: the language of each message (payhelp/nlu/language.py decides).

- Adds the entity ``language`` (``en`` or ``zh``) when the message makes its language
  clear or asks for one; the slot ``language`` follows it (domain.yml). Training examples
  get no entity: their annotations stay as written.
- Marks every message with the model that reads it (``MODEL_LANGUAGE``): the Chinese one
  for text with any Han character, otherwise the English one. The sentence featurizer and
  the intent classifier route on it (training examples, which Rasa does not pass through
  this component, are routed by the same rule in ``model_language``).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from payhelp.nlu.language import CHINESE, ENGLISH, detect, has_han

ENTITY = "language"
MODEL_LANGUAGE = "model_language"


def model_language(message: Message) -> str:
    """Which language's model reads ``message`` (``zh`` for any Han character, else ``en``)."""
    marked = message.get(MODEL_LANGUAGE)
    if marked in (ENGLISH, CHINESE):
        return marked
    return CHINESE if has_han(message.get(TEXT)) else ENGLISH


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(execution_context.node_name)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            message.set(MODEL_LANGUAGE, model_language(message))
            language = detect(text).language
            if language is None:
                continue
            entity = {
                ENTITY_ATTRIBUTE_TYPE: ENTITY,
                ENTITY_ATTRIBUTE_VALUE: language,
                ENTITY_ATTRIBUTE_START: 0,
                ENTITY_ATTRIBUTE_END: len(text),
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name([entity]),
                add_to_output=True,
            )
        return messages
