"""The code the Rasa server loads: tracker-store masking and the action-reply check."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import SlotSet, UserUttered

from addons import speedups
from addons.tracker_store import masked


def test_user_messages_are_masked_before_storage() -> None:
    event = UserUttered("my card 4242 4242 4242 4242 failed", {"name": "payment_failed"},
                        parse_data={"text": "my card 4242 4242 4242 4242 failed"})  # fmt: skip
    stored = masked(event)
    assert "4242" not in stored.text and "4242" not in stored.parse_data["text"]
    assert stored.intent == event.intent


def test_other_events_are_untouched() -> None:
    slot = SlotSet("order_id", "4242424242424242")
    assert masked(slot) is slot
    plain = UserUttered("hello")
    assert masked(plain) is plain


def test_the_faster_reply_check_still_rejects_bad_replies() -> None:
    speedups.apply()
    assert speedups.is_applied()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(
        {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []}
    )
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": 42}], "responses": []})


def test_action_calls_share_one_http_session() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    speedups.apply()

    async def borrow_twice():
        endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
        async with endpoint.session() as first:
            pass
        async with endpoint.session() as second:
            pass
        open_after_use = not first.closed
        await first.close()
        return first is second, open_after_use

    same, still_open = asyncio.run(borrow_twice())
    assert same and still_open


def _handled(text: str, metadata: dict | None = None) -> dict:
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    from rasa.shared.core.domain import Domain
    from rasa.shared.nlu.training_data.message import Message

    from addons import typed_text

    typed_text.apply()
    domain = Domain.from_dict(
        {"intents": ["request_human", "inform", "nlu_fallback"], "entities": ["order_id"]}
    )
    nlu_said = {"name": "nlu_fallback", "confidence": 0.2}
    message = Message(data={"text": text, "metadata": metadata, "intent": nlu_said})
    [handled] = RegexMessageHandler().process([message], domain)
    return {"intent": handled.get("intent"), "entities": handled.get("entities") or []}


@pytest.mark.parametrize("text", ["/request_human", '/inform{"order_id": "ORD-10009"}', "/inform"])
def test_typed_slash_text_keeps_what_the_nlu_said(text: str) -> None:
    for metadata in (None, {}, {"payload": "yes"}, {"payload": 1}):
        handled = _handled(text, metadata)
        assert handled["intent"]["name"] == "nlu_fallback", (text, metadata)
        assert handled["entities"] == []


def test_a_button_payload_is_read_as_its_intent() -> None:
    handled = _handled('/inform{"order_id": "ORD-10009"}', {"payload": True})
    assert handled["intent"]["name"] == "inform"
    assert [(e["entity"], e["value"]) for e in handled["entities"]] == [("order_id", "ORD-10009")]
