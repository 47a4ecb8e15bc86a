"""Handoff to a person, hand-back, fallback and callbacks."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.callback import ActionSubmitCallback, ValidateCallbackForm
from actions.fallback import ActionDefaultFallback
from actions.handoff import ActionHandback, ActionHandoff
from payhelp.store.tables import CallbackRequestRow, EscalationRow
from tests.actions.conftest import DOMAIN, make_tracker, run, verified

HANDOFF = ActionHandoff()


def escalations(services) -> list[EscalationRow]:
    with services.records._sessions() as session:
        return session.scalars(select(EscalationRow)).all()


def test_handoff_records_tells_pauses_and_ends_with_the_payload(services) -> None:
    slots = verified("ORD-10010", needs_staff=True)
    outcome = run(HANDOFF, make_tracker(slots, "", "inform"))
    assert outcome.responses[0] == "utter_handoff_charged"  # money taken: don't pay again
    payload = outcome.messages[-1]["custom"]["handoff"]
    assert payload["reason"] == "needs_staff" and payload["order_id"] == "ORD-10010"
    assert outcome.events[-1]["event"] == "pause"
    [row] = escalations(services)
    assert row.id == payload["escalation_id"]
    assert (row.reason, row.order_id, row.payment_cause) == (
        "needs_staff",
        "ORD-10010",
        "charged_not_recorded",
    )
    assert any("pay_10010_1" in line for line in row.evidence)


def test_a_fraud_handoff_tells_the_customer_nothing_about_fraud(services) -> None:
    fraud = run(HANDOFF, make_tracker(verified("ORD-10011", needs_staff=True)))
    other = run(HANDOFF, make_tracker(verified("ORD-10008", needs_staff=True)))
    # Same words and the same shape of payload as any other staff case.
    assert fraud.responses == other.responses == ["utter_handoff", None]
    payload = fraud.messages[-1]["custom"]["handoff"]
    assert set(payload) == {"escalation_id", "reason", "order_id", "language"}
    assert "fraud" not in str(fraud.messages).lower()
    # Staff see it.
    assert escalations(services)[0].payment_cause == "suspected_fraud"


def test_a_customer_request_before_any_check_reveals_no_order(services) -> None:
    outcome = run(HANDOFF, make_tracker({"order_id": "ORD-10002"}, "human please", "request_human"))
    payload = outcome.messages[-1]["custom"]["handoff"]
    assert payload == {
        "escalation_id": payload["escalation_id"],
        "reason": "customer_request",
        "order_id": None,
        "language": "en",
    }
    [row] = escalations(services)
    assert row.order_id is None and row.payment_cause is None


def test_handoff_reasons(services) -> None:
    locked = run(HANDOFF, make_tracker({"identity_status": "locked"}, "person", "request_human"))
    exhausted = run(
        HANDOFF,
        make_tracker(
            verified(
                "ORD-10002", remedy_status="exhausted", remedy_plan=["check_cvc"], remedy_step=1.0
            ),
            "yes",
            "affirm",
        ),
    )
    assert locked.messages[-1]["custom"]["handoff"]["reason"] == "identity_not_confirmed"
    assert exhausted.messages[-1]["custom"]["handoff"]["reason"] == "remedies_exhausted"
    assert escalations(services)[-1].tried == ["check_cvc"]


def test_handoff_still_happens_when_the_database_is_down(tmp_path) -> None:
    from actions.runtime import Services, use_services
    from payhelp.settings import Settings

    use_services(Services.from_settings(Settings(database_url=f"sqlite:///{tmp_path}/no/such.db")))
    try:
        outcome = run(HANDOFF, make_tracker({}, "human", "request_human"))
    finally:
        use_services(None)
    assert outcome.events[-1]["event"] == "pause"
    assert outcome.messages[-1]["custom"]["handoff"]["escalation_id"] is None


def test_handback_resumes_and_greets(services) -> None:
    outcome = run(ActionHandback(), make_tracker({"remedy_status": "exhausted"}))
    assert outcome.responses == ["utter_handback"]
    assert outcome.events[0]["event"] == "resume"
    assert outcome.slots["remedy_status"] is None


def test_fallback_asks_to_rephrase_then_hands_over(services) -> None:
    first = run(ActionDefaultFallback(), make_tracker({"misunderstandings": 0.0}, "blorp"))
    assert first.responses == ["utter_default"]
    assert first.events[0]["event"] == "rewind" and first.slots["misunderstandings"] == 1.0
    third = run(ActionDefaultFallback(), make_tracker({"misunderstandings": 2.0}, "blorp"))
    assert third.messages[-1]["custom"]["handoff"]["reason"] == "repeated_misunderstanding"
    assert third.events[-1]["event"] == "pause"


FORM = ValidateCallbackForm()


def callback_form(slots, text, requested):
    tracker = make_tracker({**slots, "requested_slot": requested}, text, "inform")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(FORM.run(dispatcher, tracker, DOMAIN))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, [
        m["response"] for m in dispatcher.messages
    ]


def test_callback_form_reads_channel_contact_and_time(services) -> None:
    assert callback_form({}, "please call me", "callback_channel")[0]["callback_channel"] == "phone"
    assert (
        callback_form({}, "an email is better", "callback_channel")[0]["callback_channel"]
        == "email"
    )
    slots, _ = callback_form(
        {"callback_channel": "phone"}, "it's +44 20 7946 0011", "callback_contact"
    )
    assert slots["callback_contact"] == "+44 20 7946 0011"
    slots, _ = callback_form(
        {"callback_channel": "phone", "callback_contact": "+1 555"},
        "tomorrow  morning",
        "callback_time",
    )
    assert slots["callback_time"] == "tomorrow morning"


def test_callback_contact_must_match_the_channel(services) -> None:
    slots, responses = callback_form(
        {"callback_channel": "email"}, "+1 555 0100", "callback_contact"
    )
    assert slots["callback_contact"] is None
    assert responses == ["utter_invalid_callback_email"]


def test_callback_is_stored_and_confirmed(services) -> None:
    slots = verified(
        "ORD-10002",
        callback_channel="email",
        callback_contact="jane@example.com",
        callback_time="after 5pm",
    )
    outcome = run(ActionSubmitCallback(), make_tracker(slots))
    assert outcome.responses == ["utter_callback_confirmed_email"]
    with services.records._sessions() as session:
        [row] = session.scalars(select(CallbackRequestRow)).all()
    assert (row.channel, row.contact, row.preferred_time, row.order_id) == (
        "email",
        "jane@example.com",
        "after 5pm",
        "ORD-10002",
    )
    assert outcome.messages[0]["reference"] == row.id
    assert outcome.slots == {
        "callback_channel": None,
        "callback_contact": None,
        "callback_time": None,
        "callback_window": None,
        "callback_confirmed": None,
        "remedy_status": None,
    }
