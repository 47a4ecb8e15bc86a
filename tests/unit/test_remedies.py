import re

import pytest
import yaml

from payhelp.core.causes import MONEY_MAY_BE_TAKEN, Detail, PaymentCause
from payhelp.core.diagnosis import diagnose
from payhelp.core.orders import PaymentMethod
from payhelp.core.remedies import RemedyStep, Step, other_methods, plan_remedies
from payhelp.settings import DEFAULT_PAYMENT_METHODS, PROJECT_ROOT
from tests.builders import NOW
from tests.unit.test_diagnosis import SCENARIOS

PLANS = [(name, diagnose(o, NOW, ch)) for name, o, ch, _cause, _detail in SCENARIOS]


@pytest.mark.parametrize("name,diagnosis", PLANS, ids=[p[0] for p in PLANS])
@pytest.mark.parametrize("saw_charge", [False, True])
def test_every_scenario_gets_a_plan_or_a_person(name, diagnosis, saw_charge) -> None:
    plan = plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS, saw_charge)
    assert plan.needs_staff or plan.steps
    assert not (plan.needs_staff and plan.steps)


@pytest.mark.parametrize("name,diagnosis", PLANS, ids=[p[0] for p in PLANS])
@pytest.mark.parametrize("saw_charge", [False, True])
def test_never_ask_for_a_new_payment_when_money_may_be_taken(name, diagnosis, saw_charge) -> None:
    plan = plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS, saw_charge)
    if diagnosis.cause in MONEY_MAY_BE_TAKEN:
        assert not any(step.asks_new_payment for step in plan.steps)


@pytest.mark.parametrize(
    "detail,first",
    [
        (Detail.CVC, Step.CHECK_CVC),
        (Detail.CARD_NUMBER, Step.CHECK_CARD_NUMBER),
        (Detail.EXPIRY, Step.CHECK_EXPIRY),
        (Detail.POSTCODE, Step.CHECK_POSTCODE),
        (Detail.AUTHENTICATION, Step.COMPLETE_AUTHENTICATION),
        (Detail.FUNDS, Step.CHECK_BALANCE),
        (Detail.LIMIT, Step.ASK_BANK_ABOUT_LIMIT),
        (Detail.BANK_DECLINED, Step.CONTACT_BANK),
        (Detail.EXPIRED, Step.USE_ANOTHER_CARD),
        (Detail.DO_NOT_RETRY, Step.USE_ANOTHER_CARD),
        (Detail.PENDING, Step.WAIT_FOR_BANK),
        (Detail.CHANNEL_DOWN, Step.OTHER_METHOD),
        (Detail.ISSUER_UNAVAILABLE, Step.RETRY_LATER),
        (Detail.PROCESSING, Step.RETRY_ONCE),
        (Detail.PAID, Step.ALREADY_PAID),
        (Detail.REFUND_ISSUED, Step.REFUND_ON_ITS_WAY),
        (Detail.NO_ATTEMPTS, Step.TRY_AGAIN_SAFELY),
    ],
)
def test_first_step_fits_the_detail(detail: Detail, first: Step) -> None:
    diagnosis = next(d for _, d in PLANS if d.detail is detail)
    assert plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS).steps[0].step is first


def test_other_methods_leave_out_the_channel_that_is_down() -> None:
    down = next(d for _, d in PLANS if d.detail is Detail.CHANNEL_DOWN)
    plan = plan_remedies(down, ["card", "wechat_pay", "alipay"])
    assert plan.other_methods == ("card", "alipay")
    assert plan.steps[0].step is Step.OTHER_METHOD


def test_other_methods_keep_the_shop_s_order() -> None:
    assert other_methods(["paypal", "card", "alipay"], PaymentMethod.CARD) == ("paypal", "alipay")
    assert other_methods(["paypal", "card"]) == ("paypal", "card")


def test_do_not_try_again_never_suggests_retrying_the_same_card() -> None:
    diagnosis = next(d for _, d in PLANS if d.detail is Detail.DO_NOT_RETRY)
    steps = [s.step for s in plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS).steps]
    assert Step.RETRY_ONCE not in steps and Step.RETRY_LATER not in steps
    assert steps[0] is Step.USE_ANOTHER_CARD


def test_a_reported_charge_with_no_record_goes_to_a_person() -> None:
    nothing = next(d for _, d in PLANS if d.detail is Detail.NO_ATTEMPTS)
    assert not plan_remedies(nothing, DEFAULT_PAYMENT_METHODS).needs_staff
    assert plan_remedies(nothing, DEFAULT_PAYMENT_METHODS, customer_saw_charge=True).needs_staff


def test_a_reported_charge_on_a_failed_attempt_explains_holds_first() -> None:
    failed = next(d for _, d in PLANS if d.detail is Detail.FUNDS)
    plan = plan_remedies(failed, DEFAULT_PAYMENT_METHODS, customer_saw_charge=True)
    assert plan.steps[0].step is Step.HOLD_EXPLAINED
    assert not plan.steps[0].asks_feedback


def test_staff_causes_have_no_bot_steps() -> None:
    for _, diagnosis in PLANS:
        if diagnosis.cause in (
            PaymentCause.CHARGED_NOT_RECORDED,
            PaymentCause.SUSPECTED_FRAUD,
        ):
            plan = plan_remedies(diagnosis, DEFAULT_PAYMENT_METHODS)
            assert plan.needs_staff and plan.steps == ()


def test_response_names_follow_the_domain_convention() -> None:
    for step in Step:
        assert plan_step_response(step) == f"utter_remedy_{step.value}"


def plan_step_response(step: Step) -> str:
    from payhelp.core.remedies import RemedyStep

    return RemedyStep(step).response


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
