"""Which remedies fit a diagnosis, in the order the bot walks the customer through them.

Each step names a response in ``domain.yml`` (``utter_remedy_<key>``). A step that
would have the customer pay again is flagged, and a plan for a cause where money
may already be taken never contains one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from payhelp.core.causes import MONEY_MAY_BE_TAKEN, Detail, PaymentCause
from payhelp.core.diagnosis import Diagnosis
from payhelp.core.orders import PaymentMethod


class Step(str, Enum):
    ALREADY_PAID = "already_paid"
    ORDER_CANCELLED = "order_cancelled"
    CHECK_CARD_NUMBER = "check_card_number"
    CHECK_CVC = "check_cvc"
    CHECK_EXPIRY = "check_expiry"
    CHECK_POSTCODE = "check_postcode"
    COMPLETE_AUTHENTICATION = "complete_authentication"
    COMPLETE_IN_APP = "complete_in_app"
    CHECK_BALANCE = "check_balance"
    ASK_BANK_ABOUT_LIMIT = "ask_bank_about_limit"
    CONTACT_BANK = "contact_bank"
    USE_ANOTHER_CARD = "use_another_card"
    OTHER_METHOD = "other_method"
    WAIT_FOR_BANK = "wait_for_bank"
    CHECK_BANK_APP = "check_bank_app"
    REFUND_ON_ITS_WAY = "refund_on_its_way"
    RETRY_LATER = "retry_later"
    RETRY_ONCE = "retry_once"
    TRY_AGAIN_SAFELY = "try_again_safely"
    HOLD_EXPLAINED = "hold_explained"


# Steps that ask the customer to pay (again).
_NEW_PAYMENT_STEPS = frozenset(
    {
        Step.CHECK_CARD_NUMBER,
        Step.CHECK_CVC,
        Step.CHECK_EXPIRY,
        Step.CHECK_POSTCODE,
        Step.COMPLETE_AUTHENTICATION,
        Step.COMPLETE_IN_APP,
        Step.CHECK_BALANCE,
        Step.ASK_BANK_ABOUT_LIMIT,
        Step.CONTACT_BANK,
        Step.USE_ANOTHER_CARD,
        Step.OTHER_METHOD,
        Step.RETRY_LATER,
        Step.RETRY_ONCE,
        Step.TRY_AGAIN_SAFELY,
        Step.ORDER_CANCELLED,
    }
)
# Steps that only inform; the bot does not ask "did that work?" after them.
_INFORMATION_STEPS = frozenset({Step.ALREADY_PAID, Step.ORDER_CANCELLED, Step.HOLD_EXPLAINED})

_FIRST_STEP_BY_DETAIL: dict[Detail, Step] = {
    Detail.CARD_NUMBER: Step.CHECK_CARD_NUMBER,
    Detail.CVC: Step.CHECK_CVC,
    Detail.EXPIRY: Step.CHECK_EXPIRY,
    Detail.POSTCODE: Step.CHECK_POSTCODE,
    Detail.AUTHENTICATION: Step.COMPLETE_AUTHENTICATION,
    Detail.NOT_COMPLETED: Step.COMPLETE_IN_APP,
    Detail.FUNDS: Step.CHECK_BALANCE,
    Detail.LIMIT: Step.ASK_BANK_ABOUT_LIMIT,
    Detail.BANK_DECLINED: Step.CONTACT_BANK,
    Detail.ISSUER_UNAVAILABLE: Step.RETRY_LATER,
    Detail.PROCESSING: Step.RETRY_ONCE,
    Detail.GATEWAY_ERROR: Step.RETRY_ONCE,
    Detail.TRADE_CLOSED: Step.RETRY_ONCE,
    Detail.NO_ATTEMPTS: Step.TRY_AGAIN_SAFELY,
    Detail.UNRECOGNISED_CODE: Step.TRY_AGAIN_SAFELY,
}


@dataclass(frozen=True)
class RemedyStep:
    step: Step

    @property
    def response(self) -> str:
        return f"utter_remedy_{self.step.value}"

    @property
    def detail_response(self) -> str:
        """The same step in other words, with more detail (when it wasn't understood)."""
        return f"utter_remedy_{self.step.value}_detail"

    @property
    def asks_new_payment(self) -> bool:
        return self.step in _NEW_PAYMENT_STEPS

    @property
    def asks_feedback(self) -> bool:
        return self.step not in _INFORMATION_STEPS


@dataclass(frozen=True)
class RemedyPlan:
    """The steps to walk through, whether a person must take over, and what else to pay with."""

    steps: tuple[RemedyStep, ...]
    needs_staff: bool
    other_methods: tuple[str, ...]


def other_methods(
    methods: Sequence[str], unavailable: PaymentMethod | None = None
) -> tuple[str, ...]:
    """``methods`` minus the one the diagnosis found down, in the same order."""
    down = unavailable.value if unavailable else None
    return tuple(m for m in methods if m != down)


def plan_remedies(
    diagnosis: Diagnosis, offered_methods: Sequence[str], customer_saw_charge: bool = False
) -> RemedyPlan:
    """The remedy plan for ``diagnosis``; ``offered_methods`` are the methods usable now
    (:meth:`payhelp.core.channels.ChannelBoard.usable` of the shop's list).

    ``customer_saw_charge`` is the customer's own report that money left their
    account (duplicate charge, charged but unpaid). With no record of any attempt
    that claim cannot be checked here, so a person takes over; where attempts
    failed, the plan first explains authorisation holds.
    """
    methods = other_methods(offered_methods, diagnosis.unavailable_method)
    unverifiable_charge = customer_saw_charge and diagnosis.detail is Detail.NO_ATTEMPTS
    if diagnosis.needs_staff or unverifiable_charge:
        return RemedyPlan((), True, methods)
    steps = _steps_for(diagnosis)
    if customer_saw_charge and diagnosis.cause is not PaymentCause.NO_PROBLEM:
        steps.insert(0, Step.HOLD_EXPLAINED)
    planned = tuple(RemedyStep(s) for s in steps)
    if diagnosis.cause in MONEY_MAY_BE_TAKEN and any(s.asks_new_payment for s in planned):
        raise AssertionError(f"plan for {diagnosis.cause.value} asks for a new payment")
    return RemedyPlan(planned, False, methods)


def _steps_for(diagnosis: Diagnosis) -> list[Step]:
    cause, detail = diagnosis.cause, diagnosis.detail
    if cause is PaymentCause.NO_PROBLEM:
        return [Step.ORDER_CANCELLED if detail is Detail.CANCELLED_UNPAID else Step.ALREADY_PAID]
    if cause is PaymentCause.BANK_PROCESSING:
        if detail is Detail.REFUND_ISSUED:
            return [Step.REFUND_ON_ITS_WAY]
        return [Step.WAIT_FOR_BANK, Step.CHECK_BANK_APP]
    if cause is PaymentCause.CARD_UNUSABLE:
        return [Step.USE_ANOTHER_CARD, Step.OTHER_METHOD]
    if cause is PaymentCause.BANK_OUTAGE and detail is Detail.CHANNEL_DOWN:
        return [Step.OTHER_METHOD, Step.RETRY_LATER]
    first = _FIRST_STEP_BY_DETAIL.get(detail)
    if first is None:
        raise ValueError(f"no remedies for {cause.value}/{detail.value}")
    return [first, Step.OTHER_METHOD]
