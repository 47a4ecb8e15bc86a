"""Rasa's REST channel, with card data masked before Rasa sees the message.

Same URL and replies as the stock ``rest`` channel (``POST /webhooks/rest/webhook``
with ``{"sender": ..., "message": ...}``), but:

* a card number or security code is masked before the message reaches the NLU,
  the tracker store or any log, and the reply starts with a warning not to share
  card details. The conversation so far is read from the tracker store, so a card
  number split over two messages, or a bare "913" after the bot mentioned the security
  code, is masked too; the earlier message is named (masked) in the message metadata
  for the tracker store to store again;
* a malformed request gets a 400 with a plain explanation, not a stack trace;
* a message needs a sender (no shared "default" conversation) and has a size limit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from addons import speedups, typed_text
from addons.tracker_store import REMASK_KEY, recent_texts
from payhelp import redaction
from payhelp.contracts import Language, Slot
from payhelp.core.card_data import MaskedInContext, mask_in_context, may_hold_card_data
from payhelp.messages import pick_variation
from payhelp.nlu.language import detect_language

# Rasa imports this module at start-up; see addons/speedups.py and addons/typed_text.py.
speedups.apply()
typed_text.apply()
redaction.install()  # and from here on no log line of the Rasa server holds a card number
logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
WARNING_RESPONSE = "utter_card_data_warning"


class RequestProblem(ValueError):
    """What is wrong with a request, in words fit for the caller."""


def parse_request(body: Any) -> tuple[str, str, dict[str, Any]]:
    """``(sender, text, metadata)`` from a webhook body, or :class:`RequestProblem`."""
    if not isinstance(body, dict):
        raise RequestProblem('send a JSON object: {"sender": "...", "message": "..."}')
    sender = body.get("sender")
    text = body.get("message")
    metadata = body.get("metadata") or {}
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise RequestProblem(
            f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters"
        )
    if not isinstance(text, str) or not text.strip():
        raise RequestProblem("'message' must be a non-empty string")
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestProblem(f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
    if not isinstance(metadata, dict):
        raise RequestProblem("'metadata' must be a JSON object")
    return sender.strip(), text, metadata


async def _warning_text(request: Request, sender: str, text: str) -> str | None:
    """The card-data warning in the conversation's language: the message's own, else the
    slot's (read only here, when card data was found)."""
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    variants = domain.responses.get(WARNING_RESPONSE) if domain else None
    if not variants:
        return None
    said = detect_language(text)
    if said is None:
        store = getattr(agent, "tracker_store", None)
        tracker = await store.retrieve(sender) if store is not None else None
        said = tracker.get_slot(Slot.LANGUAGE) if tracker is not None else None
    chosen = pick_variation(variants, Language.parse(said))
    return str(chosen.get("text")) if chosen else None


async def _masked_in_context(request: Request, sender: str, text: str) -> MaskedInContext:
    if not may_hold_card_data(text):
        return mask_in_context(text)
    agent = getattr(request.app.ctx, "agent", None)
    previous, bot_last = await recent_texts(getattr(agent, "tracker_store", None), sender)
    return mask_in_context(text, previous, bot_last)


def _remask_claims(metadata: dict[str, Any]) -> list[str]:
    """Earlier messages the desk says to store masked (the tracker store checks each)."""
    claims = metadata.get(REMASK_KEY)
    if not isinstance(claims, list):
        return []
    return [c for c in claims if isinstance(c, str) and len(c) <= MAX_MESSAGE_CHARS][:5]


class MaskingRestInput(RestInput):
    """Registered in credentials.yml as ``addons.masking_rest.MaskingRestInput``."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # Sanic raises on a body that is not JSON
                body = None
            try:
                sender, text, metadata = parse_request(body)
            except RequestProblem as problem:
                return response.json({"error": str(problem)}, status=400)
            context = await _masked_in_context(request, sender, text)
            masked = context.current
            remask = _remask_claims(metadata) + [r.text for r in context.earlier]
            if masked.found_card_data or context.earlier:
                metadata = {**metadata, "card_data_masked": True}
            if remask:
                metadata = {**metadata, REMASK_KEY: remask}
            collector = CollectingOutputChannel()
            if masked.found_card_data:
                warning = await _warning_text(request, sender, masked.text)
                if warning:
                    await collector.send_text_message(sender, warning)
            try:
                await on_new_message(
                    UserMessage(
                        masked.text,
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except Exception:
                logger.exception("message handling failed for conversation %s", sender)
                return response.json(
                    {"error": "the assistant could not handle this message; please try again"},
                    status=500,
                )
            return response.json(collector.messages)

        return webhook
