"""A step the customer didn't understand is explained again; a side question leads back to it."""

from __future__ import annotations

import pytest

from actions.clarify import ActionExplainAgain
from actions.fallback import ActionDefaultFallback
from actions.remedies import ActionBackToRemedies
from payhelp.core.remedies import Step
from tests.actions.conftest import DOMAIN, make_tracker, run

EXPLAIN = ActionExplainAgain()
BACK = ActionBackToRemedies()
PLAN = {"remedy_plan": ["check_cvc", "other_method"]}
WAITING_ON_CVC = {**PLAN, "remedy_step": 1.0, "remedy_status": "awaiting_feedback"}
STEP_GIVEN = [
    {"event": "action", "name": "action_next_remedy_step"},
    {"event": "bot", "text": "Please try again with the security code ..."},
    {"event": "action", "name": "action_listen"},
]


def test_the_pending_step_is_explained_in_more_detail_and_asked_again(services) -> None:
    outcome = run(EXPLAIN, make_tracker(WAITING_ON_CVC, "what do you mean?", "clarify", STEP_GIVEN))
    assert outcome.responses == ["utter_remedy_check_cvc_detail", "utter_did_that_work"]
    assert outcome.events == []  # the plan stays where it was: same step, same status


def test_a_step_still_unclear_after_its_detail_offers_a_person(services) -> None:
    explained = STEP_GIVEN + [
        {"event": "user", "text": "what do you mean?"},
        {"event": "action", "name": "action_explain_again"},
        {"event": "action", "name": "action_listen"},
    ]
    outcome = run(
        EXPLAIN, make_tracker(WAITING_ON_CVC, "I still don't get it", "clarify", explained)
    )
    assert outcome.responses == ["utter_remedy_still_unclear"]
    buttons = DOMAIN["responses"]["utter_remedy_still_unclear"][0]["buttons"]
    assert {b["payload"] for b in buttons} >= {"/affirm", "/deny", "/request_human"}
    assert outcome.events == []


def test_the_detail_of_another_method_leaves_out_the_one_down(services) -> None:
    slots = {**PLAN, "remedy_step": 2.0, "remedy_status": "awaiting_feedback"}
    outcome = run(EXPLAIN, make_tracker(slots, "how do I do that?", "clarify", STEP_GIVEN))
    assert outcome.responses == ["utter_remedy_other_method_detail", "utter_did_that_work"]
    assert "WeChat Pay" not in outcome.messages[0]["other_methods"]  # down at DEMO_NOW


def test_every_step_has_a_detailed_version_that_differs_from_it() -> None:
    for step in Step:
        short = DOMAIN["responses"][f"utter_remedy_{step.value}"][0]["text"]
        detail = DOMAIN["responses"][f"utter_remedy_{step.value}_detail"][0]["text"]
        assert detail != short and len(detail) > len(short) * 0.8, step


@pytest.mark.parametrize(
    "slots,form,response",
    [
        ({"requested_slot": "order_id"}, "identity_form", "utter_explain_order_id"),
        ({"requested_slot": "contact"}, "identity_form", "utter_explain_contact"),
        (
            {"requested_slot": "contact", "order_id_unknown": True},
            "identity_form",
            "utter_explain_reminder_email",
        ),
        ({"requested_slot": "callback_channel"}, "callback_form", "utter_explain_callback_channel"),
        (
            {"requested_slot": "callback_contact", "callback_channel": "email"},
            "callback_form",
            "utter_explain_callback_email",
        ),
        ({"requested_slot": "callback_time"}, "callback_form", "utter_explain_callback_time"),
        (
            {"requested_slot": "callback_confirmed"},
            "callback_form",
            "utter_explain_callback_confirmed",
        ),
    ],
)
def test_a_form_question_is_explained_and_left_for_the_form_to_ask(
    services, slots, form, response
) -> None:
    # Even with a remedy pending, the open question is the form's.
    tracker = make_tracker({**WAITING_ON_CVC, **slots}, "what?", "clarify", active_loop=form)
    outcome = run(EXPLAIN, tracker)
    assert outcome.responses == [response]
    assert outcome.events == []


def test_the_offer_of_help_is_explained(services) -> None:
    outcome = run(EXPLAIN, make_tracker({"remedy_status": "exhausted"}, "what?", "clarify"))
    assert outcome.responses == ["utter_remedies_exhausted_detail"]


def test_information_just_given_is_said_plainly(services) -> None:
    slots = {"remedy_plan": ["already_paid"], "remedy_step": 1.0, "remedy_status": None}
    outcome = run(EXPLAIN, make_tracker(slots, "I don't understand", "clarify", STEP_GIVEN))
    assert outcome.responses == ["utter_remedy_already_paid_detail"]


def test_with_nothing_said_yet_the_bot_says_what_it_does(services) -> None:
    outcome = run(EXPLAIN, make_tracker({}, "I'm confused", "clarify"))
    assert outcome.responses == ["utter_clarify_general"]


def test_after_a_side_question_the_pending_step_comes_back_with_its_buttons(services) -> None:
    outcome = run(BACK, make_tracker(WAITING_ON_CVC, "where is the CVC?", "payment_tips"))
    assert outcome.responses == [
        "utter_back_to_step",
        "utter_remedy_check_cvc",
        "utter_did_that_work",
    ]
    assert outcome.events == []
    buttons = DOMAIN["responses"]["utter_did_that_work"][0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/affirm", "/deny", "/clarify"]


def test_after_a_side_question_the_offer_of_help_comes_back(services) -> None:
    outcome = run(BACK, make_tracker({"remedy_status": "exhausted"}, "what is 3ds", "payment_tips"))
    assert outcome.responses == ["utter_remedies_exhausted"]


def test_a_message_not_understood_during_the_plan_asks_the_step_again(services) -> None:
    slots = {**WAITING_ON_CVC, "misunderstandings": 0.0}
    outcome = run(ActionDefaultFallback(), make_tracker(slots, "blorp", "nlu_fallback"))
    assert outcome.responses == ["utter_not_understood_short", "utter_did_that_work"]
    assert outcome.events[0]["event"] == "rewind"  # forgotten: the plan resumes where it was
