"""Typed text is text: only a button payload is read as an intent.

Rasa 3.6 takes any message shaped like ``/intent{"entity": "value"}`` as that intent
(``RegexMessageHandler`` runs after the NLU and overrides it), so a customer who types
``/request_human`` or ``/inform{"order_id": "ORD-1"}`` would skip the NLU and set
entities at will. With this installed, a message is unpacked as a payload only when
its metadata says it is one (``{"payload": true}``); the desk sets that flag only for
a button the bot offered in its last message. Everything else goes through the NLU
like any other text.

Rasa loads this through addons/masking_rest.py at start-up.
"""

from __future__ import annotations

from typing import Any

from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

PAYLOAD_FLAG = "payload"


def is_button_payload(message: Message) -> bool:
    metadata = message.get("metadata") or {}
    return isinstance(metadata, dict) and metadata.get(PAYLOAD_FLAG) is True


def _process(
    self: RegexMessageHandler, messages: list[Message], domain: Any = None
) -> list[Message]:
    return [
        YAMLStoryReader.unpack_regex_message(message, domain, entity_extractor_name=self.name)
        if is_button_payload(message)
        else message
        for message in messages
    ]


def apply() -> None:
    """Install the guard (idempotent)."""
    RegexMessageHandler.process = _process  # type: ignore[method-assign]


def is_applied() -> bool:
    return RegexMessageHandler.process is _process
