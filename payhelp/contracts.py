"""Names the assistant, the desk and domain.yml share: one definition of each.

Slot names, the values of the categorical slots the dialogue branches on, and why a
conversation goes to a person. ``tests/rasa/test_project.py`` checks that domain.yml
declares exactly these slots and values.
"""

from __future__ import annotations

from enum import Enum


class Slot(str, Enum):
    """Every slot in domain.yml."""

    ORDER_ID = "order_id"
    CONTACT = "contact"
    ORDER_ID_UNKNOWN = "order_id_unknown"
    VERIFIED_ORDER = "verified_order"
    IDENTITY_STATUS = "identity_status"
    IDENTITY_FAILURES = "identity_failures"
    REPORTED_PROBLEM = "reported_problem"
    PAYMENT_CAUSE = "payment_cause"
    CAUSE_DETAIL = "cause_detail"
    NEEDS_STAFF = "needs_staff"
    REMEDY_PLAN = "remedy_plan"
    WAIT_MINUTES = "wait_minutes"
    REMEDY_STEP = "remedy_step"
    REMEDY_STATUS = "remedy_status"
    PAYMENT_METHOD = "payment_method"
    TIP_TOPIC = "tip_topic"
    CALLBACK_CHANNEL = "callback_channel"
    CALLBACK_CONTACT = "callback_contact"
    CALLBACK_TIME = "callback_time"
    CALLBACK_WINDOW = "callback_window"
    CALLBACK_CONFIRMED = "callback_confirmed"
    MISUNDERSTANDINGS = "misunderstandings"
    LANGUAGE = "language"


# Rasa's own slot: which form slot is being asked for.
REQUESTED_SLOT = "requested_slot"


class IdentityStatus(str, Enum):
    """Where the identity check stands (slot ``identity_status``)."""

    VERIFIED = "verified"
    RETRY = "retry"
    LOCKED = "locked"
    REMINDER_SENT = "reminder_sent"


class RemedyStatus(str, Enum):
    """Where the walk through the remedies stands (slot ``remedy_status``)."""

    AWAITING_FEEDBACK = "awaiting_feedback"
    EXHAUSTED = "exhausted"


class CallbackChannel(str, Enum):
    """How the customer wants to be contacted back (slot ``callback_channel``)."""

    PHONE = "phone"
    EMAIL = "email"


class Language(str, Enum):
    """The conversation's language (slot ``language``): every reply exists in both."""

    EN = "en"
    ZH = "zh"

    @classmethod
    def parse(cls, value: object, default: Language | None = None) -> Language:
        """A language from a slot, a header or a request; anything else is ``default``
        (English unless given)."""
        try:
            return cls(value)
        except ValueError:
            return default or cls.EN


class HandoffReason(str, Enum):
    """Why a conversation went to a person: recorded on the escalation and the desk's queue."""

    CUSTOMER_REQUEST = "customer_request"
    NEEDS_STAFF = "needs_staff"
    REMEDIES_EXHAUSTED = "remedies_exhausted"
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed"
    REPEATED_MISUNDERSTANDING = "repeated_misunderstanding"
    # Set by the desk, not the bot: Rasa or the action server did not answer properly.
    ASSISTANT_UNAVAILABLE = "assistant_unavailable"

    @classmethod
    def parse(cls, value: object) -> HandoffReason:
        """A reason from the bot's handoff payload; anything unknown is a customer request."""
        try:
            return cls(value)
        except ValueError:
            return cls.CUSTOMER_REQUEST


# Categorical slots and the enum holding their values.
CATEGORICAL_SLOTS: dict[Slot, type[Enum]] = {
    Slot.IDENTITY_STATUS: IdentityStatus,
    Slot.REMEDY_STATUS: RemedyStatus,
    Slot.CALLBACK_CHANNEL: CallbackChannel,
    Slot.LANGUAGE: Language,
}
