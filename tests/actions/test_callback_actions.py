"""A callback request is taken from what the customer says, read back, then booked."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import (
    ActionAskCallbackConfirmed,
    ActionCancelCallback,
    ActionSubmitCallback,
    ValidateCallbackForm,
)
from actions.runtime import use_services
from payhelp.settings import Settings
from tests.actions.conftest import DOMAIN, make_tracker, run, verified

FORM = ValidateCallbackForm()
# DEMO_NOW is Wednesday 25 November 2026, 12:00 UTC.
TOMORROW_MORNING = ["2026-11-26T09:00:00+00:00", "2026-11-26T12:00:00+00:00"]
PHONE_READY = {
    "callback_channel": "phone",
    "callback_contact": "+1 555 0199",
    "callback_time": "tomorrow morning",
    "callback_window": TOMORROW_MORNING,
}


def fill(
    text: str,
    intent: str = "inform",
    asked: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    **slots: Any,
) -> tuple[dict[str, Any], list[str]]:
    """What the form's validation makes of one message: slots set, responses uttered."""
    tracker = make_tracker(
        {**slots, "requested_slot": asked},
        text,
        intent,
        entities=entities,
        active_loop="callback_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(FORM.run(dispatcher, tracker, DOMAIN))
    return (
        {e["name"]: e["value"] for e in events if e["event"] == "slot"},
        [m["response"] for m in dispatcher.messages],
    )


def test_one_message_fills_channel_number_and_time(services) -> None:
    slots, said = fill(
        "Can you call me back tomorrow morning? My number is +1 555 0199", "request_callback"
    )
    assert said == []
    assert slots["callback_channel"] == "phone"
    assert slots["callback_contact"] == "+1 555 0199"
    assert slots["callback_window"] == TOMORROW_MORNING
    assert "tomorrow morning" in slots["callback_time"]  # the words are kept too
    assert "callback_confirmed" not in slots  # read back first


def test_chinese_time_words_fill_the_window(services) -> None:
    slots, _ = fill("明天上午", "inform", "callback_time", callback_channel="phone")
    assert slots["callback_window"] == TOMORROW_MORNING


@pytest.mark.parametrize("intent", ["greet", "inform", "nlu_fallback", "out_of_scope"])
def test_a_time_is_understood_whatever_the_nlu_made_of_it(services, intent) -> None:
    # "this evening" can look like a greeting ("good evening") to the classifier.
    slots, said = fill("this evening", intent, "callback_time", callback_channel="phone",
                       callback_contact="+1 555 0199")  # fmt: skip
    assert said == []
    assert slots["callback_window"] == ["2026-11-25T17:00:00+00:00", "2026-11-25T20:00:00+00:00"]


def test_yes_to_the_number_question_is_asked_again_not_taken_to_the_menu(services) -> None:
    slots, said = fill("yes", "affirm", "callback_contact", callback_channel="phone")
    assert slots == {"callback_contact": None}
    assert said == ["utter_invalid_callback_phone"]


@pytest.mark.parametrize("text,intent", [("yes", "affirm"), ("hi", "greet"), ("?", "nlu_fallback")])
def test_a_reply_that_is_no_time_is_asked_again(services, text, intent) -> None:
    slots, said = fill(text, intent, "callback_time", callback_channel="phone")
    assert slots["callback_time"] is None and said == ["utter_invalid_callback_time"]


def test_words_that_name_no_known_time_are_kept_verbatim_and_flagged(services) -> None:
    slots, said = fill("after the school run", "inform", "callback_time", callback_channel="email")
    assert said == []
    assert slots["callback_time"] == "after the school run"
    assert slots["callback_window"] is None


def test_actually_email_me_switches_channel_and_asks_for_the_address(services) -> None:
    slots, said = fill("actually email me", "request_callback", "callback_confirmed", **PHONE_READY)
    assert slots["callback_channel"] == "email"
    assert slots["callback_contact"] is None  # the number does not fit an email
    assert "callback_confirmed" not in slots and said == []


def test_a_correction_at_the_read_back_replaces_the_time_and_is_read_back_again(services) -> None:
    slots, _ = fill(
        "yes but make it Monday afternoon", "affirm", "callback_confirmed", **PHONE_READY
    )
    assert slots["callback_window"] == ["2026-11-30T12:00:00+00:00", "2026-11-30T17:00:00+00:00"]
    assert "callback_confirmed" not in slots


def test_yes_at_the_read_back_books_it(services) -> None:
    slots, _ = fill("yes", "affirm", "callback_confirmed", **PHONE_READY)
    assert slots == {"callback_confirmed": True}


@pytest.mark.parametrize("intent", ["clarify", "request_human", "payment_methods", "deny"])
def test_questions_and_a_plain_no_are_left_to_the_rules(services, intent) -> None:
    slots, said = fill("hmm", intent, "callback_time", callback_channel="phone")
    assert slots == {} and said == []  # the form is rejected; data/rules.yml answers


def test_the_call_me_button_sets_the_channel(services) -> None:
    entity = [{"entity": "callback_channel", "value": "email"}]
    slots, _ = fill('/inform{"callback_channel": "email"}', "inform", "callback_channel", entity)
    assert slots["callback_channel"] == "email"


def test_the_read_back_is_in_the_bot_s_own_words(services) -> None:
    tracker = make_tracker({**PHONE_READY, "requested_slot": "callback_confirmed"})
    outcome = run(ActionAskCallbackConfirmed(), tracker)
    assert outcome.responses == ["utter_callback_readback_phone"]
    assert outcome.messages[0]["contact"] == "+1 555 0199"
    assert outcome.messages[0]["when"] == (
        "tomorrow (Thursday 26 November) between 9:00 and 12:00 (UTC)"
    )


def test_a_time_not_understood_is_read_back_as_said(services) -> None:
    slots = {**PHONE_READY, "callback_time": "after the school run", "callback_window": None}
    outcome = run(ActionAskCallbackConfirmed(), make_tracker(slots))
    assert '"after the school run"' in outcome.messages[0]["when"]


def test_the_window_is_read_in_the_shop_s_time_zone(services) -> None:
    use_services(replace(services, settings=Settings(shop_timezone="Asia/Shanghai")))
    slots, _ = fill("tomorrow morning", "inform", "callback_time", callback_channel="phone")
    assert slots["callback_window"] == [
        "2026-11-26T09:00:00+08:00",
        "2026-11-26T12:00:00+08:00",
    ]


def test_the_booking_stores_the_words_and_the_window(services) -> None:
    outcome = run(ActionSubmitCallback(), make_tracker(verified("ORD-10003", **PHONE_READY)))
    assert outcome.responses == ["utter_callback_confirmed_phone"]
    stored = services.records.callback_request(outcome.messages[0]["reference"])
    assert stored is not None and stored.time_understood
    assert stored.window_start.isoformat() == TOMORROW_MORNING[0]
    assert stored.window_end.isoformat() == TOMORROW_MORNING[1]
    assert (stored.preferred_time, stored.order_id) == ("tomorrow morning", "ORD-10003")
    assert outcome.messages[0]["when"].startswith("tomorrow (Thursday 26 November)")
    assert all(outcome.slots[s] is None for s in ("callback_window", "callback_confirmed"))


def test_a_cancelled_request_is_forgotten(services) -> None:
    outcome = run(ActionCancelCallback(), make_tracker(PHONE_READY))
    assert outcome.responses == ["utter_callback_cancelled"]
    assert {k: v for k, v in outcome.slots.items() if k.startswith("callback")} == {
        "callback_channel": None,
        "callback_contact": None,
        "callback_time": None,
        "callback_window": None,
        "callback_confirmed": None,
    }


def test_a_detail_given_at_another_question_fills_it_and_is_not_misread(services) -> None:
    # A time given when the number was asked: the time is taken, the number asked again.
    slots, said = fill("Monday afternoon please", "inform", "callback_contact",
                       callback_channel="phone")  # fmt: skip
    assert slots["callback_window"] == ["2026-11-30T12:00:00+00:00", "2026-11-30T17:00:00+00:00"]
    assert "callback_contact" not in slots and said == []
    # A number given when the time was asked: the number changes, it is not a time.
    slots, said = fill("+1 555 0123", "inform", "callback_time", callback_channel="phone",
                       callback_contact="+1 555 0199")  # fmt: skip
    assert slots == {"callback_contact": "+1 555 0123"} and said == []


def test_a_time_already_past_is_kept_as_said_for_a_person(services) -> None:
    late = services.clock().replace(hour=21)  # "this evening" is over
    use_services(replace(services, clock=lambda: late))
    slots, said = fill("this evening", "greet", "callback_time", callback_channel="phone")
    assert said == []
    assert (slots["callback_time"], slots["callback_window"]) == ("this evening", None)
