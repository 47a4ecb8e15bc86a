"""Remedy plans, with every expected plan written out (not computed by the code under test)."""

import re

import pytest
import yaml

from payhelp.core.causes import MONEY_MAY_BE_TAKEN, Detail, PaymentCause
from payhelp.core.diagnosis import Diagnosis, diagnose
from payhelp.core.orders import PaymentMethod
from payhelp.core.remedies import RemedyStep, Step, other_methods, plan_remedies
from payhelp.settings import DEFAULT_PAYMENT_METHODS, PROJECT_ROOT
from tests.builders import NOW
from tests.unit.test_diagnosis import SCENARIOS

C, D = PaymentCause, Detail
PLANS = {name: diagnose(o, NOW, ch) for name, o, ch, _cause, _detail in SCENARIOS}

STAFF = "a person takes over"
HOLD = "hold_explained"
# Each scenario's plan without and with the customer saying money left their account.
EXPECTED_PLANS: dict[str, tuple[object, object]] = {
    "paid once": (["already_paid"], ["already_paid"]),
    "shipped": (["already_paid"], ["already_paid"]),
    "failed then paid": (["already_paid"], ["already_paid"]),
    "paid by other means": (["already_paid"], ["already_paid"]),
    "cancelled, nothing taken": (["order_cancelled"], ["order_cancelled"]),
    "wrong cvc": (["check_cvc", "other_method"], [HOLD, "check_cvc", "other_method"]),
    "wrong number": (
        ["check_card_number", "other_method"],
        [HOLD, "check_card_number", "other_method"],
    ),
    "wrong expiry": (["check_expiry", "other_method"], [HOLD, "check_expiry", "other_method"]),
    "wrong postcode": (
        ["check_postcode", "other_method"],
        [HOLD, "check_postcode", "other_method"],
    ),
    "3-D Secure not done": (
        ["complete_authentication", "other_method"],
        [HOLD, "complete_authentication", "other_method"],
    ),
    "customer cancelled the payment": (
        ["complete_in_app", "other_method"],
        [HOLD, "complete_in_app", "other_method"],
    ),
    "no funds": (["check_balance", "other_method"], [HOLD, "check_balance", "other_method"]),
    "alipay balance": (
        ["check_balance", "other_method"],
        [HOLD, "check_balance", "other_method"],
    ),
    "limit": (
        ["ask_bank_about_limit", "other_method"],
        [HOLD, "ask_bank_about_limit", "other_method"],
    ),
    "bank says no": (["contact_bank", "other_method"], [HOLD, "contact_bank", "other_method"]),
    "expired card": (
        ["use_another_card", "other_method"],
        [HOLD, "use_another_card", "other_method"],
    ),
    "do not try again": (
        ["use_another_card", "other_method"],
        [HOLD, "use_another_card", "other_method"],
    ),
    "pending 5 minutes": (
        ["wait_for_bank", "check_bank_app"],
        [HOLD, "wait_for_bank", "check_bank_app"],
    ),
    "pending 2 hours": (STAFF, STAFF),
    "bank transfer pending a day is normal": (
        ["wait_for_bank", "check_bank_app"],
        [HOLD, "wait_for_bank", "check_bank_app"],
    ),
    "bank transfer pending four days is stuck": (STAFF, STAFF),
    "pending beats an earlier failure": (
        ["wait_for_bank", "check_bank_app"],
        [HOLD, "wait_for_bank", "check_bank_app"],
    ),
    "bank timeout": (
        ["wait_for_bank", "check_bank_app"],
        [HOLD, "wait_for_bank", "check_bank_app"],
    ),
    "issuer down": (["retry_later", "other_method"], [HOLD, "retry_later", "other_method"]),
    "our processing error": (
        ["retry_once", "other_method"],
        [HOLD, "retry_once", "other_method"],
    ),
    "wechat system error": (
        ["retry_once", "other_method"],
        [HOLD, "retry_once", "other_method"],
    ),
    "a wave of wechat failures means the channel is down": (
        ["other_method", "retry_later"],
        [HOLD, "other_method", "retry_later"],
    ),
    "a few failures on one order are not a wave": (
        ["retry_once", "other_method"],
        [HOLD, "retry_once", "other_method"],
    ),
    "failures among many successes are not a wave": (
        ["retry_once", "other_method"],
        [HOLD, "retry_once", "other_method"],
    ),
    "an outage does not explain the customer's own wrong cvc": (
        ["check_cvc", "other_method"],
        [HOLD, "check_cvc", "other_method"],
    ),
    "an outage on another channel is irrelevant": (
        ["retry_once", "other_method"],
        [HOLD, "retry_once", "other_method"],
    ),
    "unknown code during an outage is the outage": (
        ["other_method", "retry_later"],
        [HOLD, "other_method", "retry_later"],
    ),
    "charged twice": (STAFF, STAFF),
    "gateway says duplicate": (STAFF, STAFF),
    "paid then cancelled": (STAFF, STAFF),
    "amount mismatch": (STAFF, STAFF),
    "currency mismatch": (STAFF, STAFF),
    "succeeded but unpaid": (STAFF, STAFF),
    "succeeded after failures but unpaid": (STAFF, STAFF),
    "stolen card": (STAFF, STAFF),
    "fraud on an earlier attempt still flags the order": (STAFF, STAFF),
    "merchant blacklist": (STAFF, STAFF),
    "refund issued two days ago": (["refund_on_its_way"], [HOLD, "refund_on_its_way"]),
    "refund issued three weeks ago": (STAFF, STAFF),
    "duplicate already refunded": (["refund_on_its_way"], [HOLD, "refund_on_its_way"]),
    # A charge the customer reports with no attempt on record cannot be checked by the bot.
    "nothing attempted yet": (["try_again_safely", "other_method"], STAFF),
    "unrecognised code": (
        ["try_again_safely", "other_method"],
        [HOLD, "try_again_safely", "other_method"],
    ),
    "failure without a code": (
        ["try_again_safely", "other_method"],
        [HOLD, "try_again_safely", "other_method"],
    ),
}

# Steps that would have the customer pay (again), named independently of remedies.py.
ASKS_NEW_PAYMENT = {
    "check_card_number",
    "check_cvc",
    "check_expiry",
    "check_postcode",
    "complete_authentication",
    "complete_in_app",
    "check_balance",
    "ask_bank_about_limit",
    "contact_bank",
    "use_another_card",
    "other_method",
    "retry_later",
    "retry_once",
    "try_again_safely",
    "order_cancelled",
}
INFORMATION_ONLY = {"already_paid", "order_cancelled", "hold_explained"}
# PRODUCT.md: never ask to pay again for these causes.
MONEY_TAKEN_CAUSES = {C.CHARGED_NOT_RECORDED, C.TRANSACTION_ANOMALY, C.BANK_PROCESSING}
MONEY_TAKEN_SCENARIOS = [
    "pending 5 minutes",
    "pending 2 hours",
    "bank transfer pending a day is normal",
    "bank transfer pending four days is stuck",
    "pending beats an earlier failure",
    "bank timeout",
    "charged twice",
    "gateway says duplicate",
    "paid then cancelled",
    "amount mismatch",
    "currency mismatch",
    "succeeded but unpaid",
    "succeeded after failures but unpaid",
    "refund issued two days ago",
    "refund issued three weeks ago",
    "duplicate already refunded",
]


def shown(plan) -> object:
    return STAFF if plan.needs_staff else [s.step.value for s in plan.steps]


def test_every_scenario_has_an_expected_plan() -> None:
    assert set(EXPECTED_PLANS) == set(PLANS), "add the new scenario's plan to EXPECTED_PLANS"


@pytest.mark.parametrize("name", sorted(EXPECTED_PLANS))
@pytest.mark.parametrize("saw_charge", [False, True], ids=["as recorded", "customer saw a charge"])
def test_each_scenario_gets_its_plan(name: str, saw_charge: bool) -> None:
    plan = plan_remedies(PLANS[name], DEFAULT_PAYMENT_METHODS, saw_charge)
    assert shown(plan) == EXPECTED_PLANS[name][saw_charge]
    assert not (plan.needs_staff and plan.steps)


def test_money_may_be_taken_is_the_product_s_list() -> None:
    assert set(MONEY_MAY_BE_TAKEN) == MONEY_TAKEN_CAUSES


def test_the_money_taken_scenarios_are_exactly_those_causes() -> None:
    # So the invariant test below runs on every such scenario, and only on those.
    assert {n for n, d in PLANS.items() if d.cause in MONEY_TAKEN_CAUSES} == set(
        MONEY_TAKEN_SCENARIOS
    )
    assert {PLANS[n].cause for n in MONEY_TAKEN_SCENARIOS} == MONEY_TAKEN_CAUSES


@pytest.mark.parametrize("name", MONEY_TAKEN_SCENARIOS)
@pytest.mark.parametrize("saw_charge", [False, True], ids=["as recorded", "customer saw a charge"])
def test_never_ask_for_a_new_payment_when_money_may_be_taken(name: str, saw_charge: bool) -> None:
    plan = plan_remedies(PLANS[name], DEFAULT_PAYMENT_METHODS, saw_charge)
    asked = [s.step.value for s in plan.steps if s.step.value in ASKS_NEW_PAYMENT]
    assert asked == []
    assert not any(s.asks_new_payment for s in plan.steps)


@pytest.mark.parametrize("step", list(Step), ids=[s.value for s in Step])
def test_which_steps_ask_for_a_payment_or_an_answer(step: Step) -> None:
    remedy = RemedyStep(step)
    assert remedy.asks_new_payment is (step.value in ASKS_NEW_PAYMENT)
    assert remedy.asks_feedback is (step.value not in INFORMATION_ONLY)


@pytest.mark.parametrize(
    "cause,detail,first",
    [
        (C.INPUT_ERROR, D.CVC, Step.CHECK_CVC),
        (C.INPUT_ERROR, D.CARD_NUMBER, Step.CHECK_CARD_NUMBER),
        (C.INPUT_ERROR, D.EXPIRY, Step.CHECK_EXPIRY),
        (C.INPUT_ERROR, D.POSTCODE, Step.CHECK_POSTCODE),
        (C.INPUT_ERROR, D.AUTHENTICATION, Step.COMPLETE_AUTHENTICATION),
        (C.INPUT_ERROR, D.NOT_COMPLETED, Step.COMPLETE_IN_APP),
        (C.ACCOUNT_PROBLEM, D.FUNDS, Step.CHECK_BALANCE),
        (C.ACCOUNT_PROBLEM, D.LIMIT, Step.ASK_BANK_ABOUT_LIMIT),
        (C.ACCOUNT_PROBLEM, D.BANK_DECLINED, Step.CONTACT_BANK),
        (C.CARD_UNUSABLE, D.EXPIRED, Step.USE_ANOTHER_CARD),
        (C.CARD_UNUSABLE, D.NOT_SUPPORTED, Step.USE_ANOTHER_CARD),
        (C.CARD_UNUSABLE, D.CURRENCY, Step.USE_ANOTHER_CARD),
        (C.CARD_UNUSABLE, D.RESTRICTED, Step.USE_ANOTHER_CARD),
        (C.CARD_UNUSABLE, D.DO_NOT_RETRY, Step.USE_ANOTHER_CARD),
        (C.BANK_PROCESSING, D.PENDING, Step.WAIT_FOR_BANK),
        (C.BANK_PROCESSING, D.REFUND_ISSUED, Step.REFUND_ON_ITS_WAY),
        (C.BANK_OUTAGE, D.CHANNEL_DOWN, Step.OTHER_METHOD),
        (C.BANK_OUTAGE, D.ISSUER_UNAVAILABLE, Step.RETRY_LATER),
        (C.PLATFORM_FAULT, D.PROCESSING, Step.RETRY_ONCE),
        (C.PLATFORM_FAULT, D.GATEWAY_ERROR, Step.RETRY_ONCE),
        (C.PLATFORM_FAULT, D.TRADE_CLOSED, Step.RETRY_ONCE),
        (C.NO_PROBLEM, D.PAID, Step.ALREADY_PAID),
        (C.NO_PROBLEM, D.CANCELLED_UNPAID, Step.ORDER_CANCELLED),
        (C.UNKNOWN, D.NO_ATTEMPTS, Step.TRY_AGAIN_SAFELY),
        (C.UNKNOWN, D.UNRECOGNISED_CODE, Step.TRY_AGAIN_SAFELY),
    ],
)
def test_first_step_fits_the_detail(cause: PaymentCause, detail: Detail, first: Step) -> None:
    plan = plan_remedies(Diagnosis(cause, detail, ("evidence",)), DEFAULT_PAYMENT_METHODS)
    assert plan.steps[0].step is first


def test_other_methods_leave_out_the_channel_that_is_down() -> None:
    down = Diagnosis(
        C.BANK_OUTAGE, D.CHANNEL_DOWN, ("x",), unavailable_method=PaymentMethod.WECHAT_PAY
    )
    plan = plan_remedies(down, ["card", "wechat_pay", "alipay"])
    assert plan.other_methods == ("card", "alipay")
    assert [s.step for s in plan.steps] == [Step.OTHER_METHOD, Step.RETRY_LATER]


def test_other_methods_keep_the_shop_s_order() -> None:
    assert other_methods(["paypal", "card", "alipay"], PaymentMethod.CARD) == ("paypal", "alipay")
    assert other_methods(["paypal", "card"]) == ("paypal", "card")


def test_do_not_try_again_never_suggests_retrying_the_same_card() -> None:
    diagnosis = Diagnosis(C.CARD_UNUSABLE, D.DO_NOT_RETRY, ("x",))
    steps = [s.step for s in plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS).steps]
    assert steps == [Step.USE_ANOTHER_CARD, Step.OTHER_METHOD]


def test_a_reported_charge_with_no_record_goes_to_a_person() -> None:
    nothing = Diagnosis(C.UNKNOWN, D.NO_ATTEMPTS, ("no payment attempts on record",))
    assert not plan_remedies(nothing, DEFAULT_PAYMENT_METHODS).needs_staff
    assert plan_remedies(nothing, DEFAULT_PAYMENT_METHODS, customer_saw_charge=True).needs_staff


def test_a_reported_charge_on_a_failed_attempt_explains_holds_first() -> None:
    failed = Diagnosis(C.ACCOUNT_PROBLEM, D.FUNDS, ("x",))
    plan = plan_remedies(failed, DEFAULT_PAYMENT_METHODS, customer_saw_charge=True)
    assert [s.step for s in plan.steps] == [Step.HOLD_EXPLAINED, Step.CHECK_BALANCE,
                                            Step.OTHER_METHOD]  # fmt: skip
    assert not plan.steps[0].asks_feedback


@pytest.mark.parametrize(
    "diagnosis",
    [
        Diagnosis(C.CHARGED_NOT_RECORDED, D.CHARGED_UNPAID, ("x",)),
        Diagnosis(C.SUSPECTED_FRAUD, D.DECLINED, ("x",)),
        Diagnosis(C.TRANSACTION_ANOMALY, D.DUPLICATE, ("x",)),
        Diagnosis(C.PLATFORM_FAULT, D.PROCESSING, ("x",), persisting=True),
    ],
    ids=["charged_not_recorded", "suspected_fraud", "transaction_anomaly", "persisting fault"],
)
def test_staff_causes_have_no_bot_steps(diagnosis: Diagnosis) -> None:
    plan = plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS)
    assert plan.needs_staff and plan.steps == ()


def test_every_step_has_its_response_in_the_domain() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for step in Step:
        assert RemedyStep(step).response in domain["responses"], step
    assert RemedyStep(Step.CHECK_CVC).response == "utter_remedy_check_cvc"


RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]
_ASKS_TO_PAY = re.compile(r'choose "pay"|\bpay again\b|\btry (?:the payment )?again\b|\band pay\b')


@pytest.mark.parametrize("step", [s for s in Step if not RemedyStep(s).asks_new_payment])
def test_steps_that_ask_no_payment_ask_for_none_even_in_detail(step: Step) -> None:
    # These are the only steps of plans where money may already be taken.
    for name in (RemedyStep(step).response, RemedyStep(step).detail_response):
        text = re.sub(r"(?:don't|do not|never) pay again", "", RESPONSES[name][0]["text"].lower())
        assert not _ASKS_TO_PAY.search(text), name


def test_no_response_speaks_of_fraud() -> None:
    for name, variants in RESPONSES.items():
        text = variants[0].get("text", "").lower()
        assert not re.search(r"fraud|stolen|blacklist|suspicious", text), name
