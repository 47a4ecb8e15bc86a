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
