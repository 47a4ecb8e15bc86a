"""Order check, remedies, guidance and the way actions fail."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from actions.guidance import ActionPaymentMethods, ActionPaymentTips
from actions.order_check import ActionCheckOrder
from actions.remedies import ActionCloseRemedies, ActionNextRemedyStep, ActionRemedyWorked
from actions.runtime import Services, use_services
from payhelp.settings import Settings
from tests.actions.conftest import DOMAIN, make_tracker, run, verified
from tests.conftest import DEMO_NOW

CHECK = ActionCheckOrder()

DEMO_CAUSES = {
    "ORD-10001": ("paid", "no_problem", False),
    "ORD-10002": ("awaiting_payment", "input_error", False),
    "ORD-10003": ("awaiting_payment", "account_problem", False),
    "ORD-10004": ("awaiting_payment", "card_unusable", False),
    "ORD-10005": ("awaiting_payment", "bank_processing", False),
    "ORD-10006": ("awaiting_payment", "bank_outage", False),
    "ORD-10007": ("awaiting_payment", "platform_fault", False),
    "ORD-10008": ("awaiting_payment", "platform_fault", True),
    "ORD-10009": ("paid", "transaction_anomaly", True),
    "ORD-10010": ("awaiting_payment", "charged_not_recorded", True),
    "ORD-10011": ("awaiting_payment", "suspected_fraud", True),
    "ORD-10012": ("awaiting_payment", "unknown", False),
    "ORD-10013": ("refunded", "bank_processing", False),
}


@pytest.mark.parametrize("order_id,expected", sorted(DEMO_CAUSES.items()))
def test_check_order_states_status_then_diagnosis(services, order_id, expected) -> None:
    status, cause, needs_staff = expected
    outcome = run(CHECK, make_tracker(verified(order_id)))
    assert outcome.slots["payment_cause"] == cause
    assert outcome.slots["needs_staff"] is needs_staff
    # The order's status comes first, before the customer is asked to do anything.
    assert outcome.responses[0] == f"utter_order_status_{status}"
    assert outcome.responses[1].startswith("utter_diagnosis_")
    assert outcome.messages[0]["order_id"] == order_id
    assert len(outcome.messages) == 2


def test_check_order_refuses_an_unverified_conversation(services) -> None:
    outcome = run(CHECK, make_tracker({"order_id": "ORD-10002", "verified_order": None}))
    assert outcome.responses == ["utter_technical_problem"]
    assert "payment_cause" not in outcome.slots


def test_check_order_refuses_a_verified_flag_for_another_order(services) -> None:
    slots = {"identity_status": "retry", "verified_order": "ORD-10002", "order_id": "ORD-10003"}
    outcome = run(CHECK, make_tracker(slots))
    assert outcome.responses == ["utter_technical_problem"]


def test_fraud_is_explained_as_a_plain_decline(services) -> None:
    outcome = run(CHECK, make_tracker(verified("ORD-10011")))
    assert outcome.responses[1] == "utter_diagnosis_declined"
    text = DOMAIN["responses"]["utter_diagnosis_declined"][0]["text"].lower()
    for word in ("fraud", "stolen", "lost", "blacklist", "suspicious"):
        assert word not in text


def test_outage_plan_starts_with_another_method_and_leaves_out_the_one_down(services) -> None:
    outcome = run(CHECK, make_tracker(verified("ORD-10006")))
    assert outcome.slots["remedy_plan"][0] == "other_method"
    step = run(NEXT, make_tracker({**outcome.slots, "remedy_step": 0.0}))
    assert step.responses == ["utter_remedy_other_method", "utter_did_that_work"]
    assert "WeChat Pay" not in step.messages[0]["other_methods"]
    assert "Alipay" in step.messages[0]["other_methods"]


def test_a_reported_double_charge_changes_the_plan(services) -> None:
    outcome = run(CHECK, make_tracker(verified("ORD-10003", reported_problem="duplicate_charge")))
    assert outcome.slots["remedy_plan"][0] == "hold_explained"


def test_pending_payment_tells_how_long_to_wait(services) -> None:
    outcome = run(CHECK, make_tracker(verified("ORD-10005")))
    assert outcome.slots["wait_minutes"] > 0
    assert outcome.messages[1]["wait_left"].endswith("minutes")


NEXT = ActionNextRemedyStep()


def test_remedies_are_given_one_at_a_time_then_help_is_offered(services) -> None:
    use_services(replace(services, settings=Settings(payment_methods=("paypal", "alipay"))))
    slots = {"remedy_plan": ["check_cvc", "other_method"]}
    first = run(NEXT, make_tracker({**slots, "remedy_step": 0.0}))
    assert first.responses == ["utter_remedy_check_cvc", "utter_did_that_work"]
    assert first.slots == {"remedy_step": 1.0, "remedy_status": "awaiting_feedback"}
    second = run(NEXT, make_tracker({**slots, "remedy_step": 1.0}))
    assert second.responses == ["utter_remedy_other_method", "utter_did_that_work"]
    assert second.messages[0]["other_methods"] == "PayPal or Alipay"
    done = run(NEXT, make_tracker({**slots, "remedy_step": 2.0}))
    assert done.responses == ["utter_remedies_exhausted"]
    assert done.slots == {"remedy_status": "exhausted"}


def test_information_steps_need_no_answer(services) -> None:
    outcome = run(NEXT, make_tracker({"remedy_plan": ["already_paid"], "remedy_step": 0.0}))
    assert outcome.responses == ["utter_remedy_already_paid", "utter_anything_else"]
    assert outcome.slots["remedy_status"] is None


def test_an_information_step_runs_into_the_next_real_step(services) -> None:
    plan = {"remedy_plan": ["hold_explained", "check_balance"], "remedy_step": 0.0}
    outcome = run(NEXT, make_tracker(plan))
    assert outcome.responses == [
        "utter_remedy_hold_explained",
        "utter_remedy_check_balance",
        "utter_did_that_work",
    ]
    assert outcome.slots["remedy_step"] == 2.0


def test_remedy_worked_and_closed(services) -> None:
    assert run(ActionRemedyWorked(), make_tracker()).responses == ["utter_glad_it_worked"]
    closed = run(ActionCloseRemedies(), make_tracker({"remedy_status": "exhausted"}))
    assert closed.responses == ["utter_remedies_closed"] and closed.slots == {"remedy_status": None}


def test_payment_methods_are_the_shop_s_minus_the_one_down_for_everyone(services) -> None:
    # The demo's WeChat Pay outage is on at DEMO_NOW: nobody is offered WeChat Pay,
    # whatever their own order (here: none at all).
    down = run(ActionPaymentMethods(), make_tracker())
    assert "WeChat Pay" not in down.messages[0]["methods"]
    assert down.responses == ["utter_payment_methods", "utter_payment_method_down"]
    assert down.messages[1]["method"] == "WeChat Pay"
    # Two hours later the wave of failures has left the window: it is offered again.
    use_services(replace(services, clock=lambda: DEMO_NOW + timedelta(hours=2)))
    everything = run(ActionPaymentMethods(), make_tracker())
    assert "WeChat Pay" in everything.messages[0]["methods"]
    assert everything.responses == ["utter_payment_methods"]


def test_asking_about_the_method_that_is_down_gets_the_others(services) -> None:
    tracker = make_tracker({}, "can I pay with wechat pay")
    tracker.latest_message["entities"] = [{"entity": "payment_method", "value": "wechat_pay"}]
    outcome = run(ActionPaymentMethods(), tracker)
    assert outcome.responses == ["utter_payment_method_accepted_but_down"]
    assert outcome.messages[0]["method"] == "WeChat Pay"
    assert "WeChat Pay" not in outcome.messages[0]["methods"]


def test_a_question_about_one_method_gets_a_straight_answer(services) -> None:
    use_services(
        Services(Settings(payment_methods=("card", "alipay")), services.orders, services.records)
    )
    accepted = make_tracker({}, "can I pay with alipay")
    accepted.latest_message["entities"] = [{"entity": "payment_method", "value": "alipay"}]
    refused = make_tracker({}, "do you take paypal")
    refused.latest_message["entities"] = [{"entity": "payment_method", "value": "paypal"}]
    assert run(ActionPaymentMethods(), accepted).responses == ["utter_payment_method_accepted"]
    outcome = run(ActionPaymentMethods(), refused)
    assert outcome.responses == ["utter_payment_method_not_accepted"]
    assert outcome.messages[0]["method"] == "PayPal"
    assert outcome.messages[0]["methods"] == "a credit or debit card or Alipay"


def test_payment_methods_follow_the_configured_list(services) -> None:
    use_services(
        Services(Settings(payment_methods=("card", "paypal")), services.orders, services.records)
    )
    outcome = run(ActionPaymentMethods(), make_tracker())
    assert outcome.messages[0]["methods"] == "a credit or debit card or PayPal"


@pytest.mark.parametrize(
    "slots,text,responses",
    [
        ({"tip_topic": "cvc"}, "", ["utter_tip_cvc"]),
        ({}, "where do I find the CVV", ["utter_tip_cvc"]),
        ({"cause_detail": "authentication"}, "any tips?", ["utter_tip_three_d_secure"]),
        ({}, "how do I stop payments failing", ["utter_tip_avoid_failures", "utter_ask_tip_topic"]),
    ],
)
def test_payment_tips(services, slots, text, responses) -> None:
    assert run(ActionPaymentTips(), make_tracker(slots, text)).responses == responses


def test_a_database_failure_is_a_polite_line_not_a_stack_trace(tmp_path) -> None:
    broken = Services.from_settings(Settings(database_url=f"sqlite:///{tmp_path}/missing/none.db"))
    use_services(broken)
    try:
        outcome = run(CHECK, make_tracker(verified("ORD-10002")))
    finally:
        use_services(None)
    assert outcome.responses == ["utter_technical_problem"]
    assert outcome.events == []


@pytest.mark.parametrize("order_id", ["ORD-10002", "ORD-10003"])
def test_a_card_customer_is_not_offered_the_method_that_is_down(services, order_id) -> None:
    # Their own failure was on a card; WeChat Pay is down for everyone at DEMO_NOW.
    checked = run(CHECK, make_tracker(verified(order_id)))
    assert checked.slots["payment_cause"] in ("input_error", "account_problem")
    slots = {**checked.slots, "remedy_step": 1.0}  # the first step did not work
    other = run(NEXT, make_tracker(slots))
    assert other.responses == ["utter_remedy_other_method", "utter_did_that_work"]
    offered = other.messages[0]["other_methods"]
    assert "WeChat Pay" not in offered
    assert offered.startswith("a credit or debit card, PayPal") and "Alipay" in offered
