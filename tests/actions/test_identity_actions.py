"""The identity check: order data only for the right contact; failures reveal nothing."""

from __future__ import annotations

import asyncio
import re

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.identity import ActionAskOrderId, ActionVerifyIdentity, ValidateIdentityForm
from payhelp.store.tables import IdentityFailureRow, OutboundMessageRow
from tests.actions.conftest import DOMAIN, make_tracker, run

VERIFY = ActionVerifyIdentity()


@pytest.mark.parametrize(
    "order_id,contact",
    [
        ("ORD-10002", "jane@example.com"),
        ("ORD-10002", "15550100"),  # Jane's phone, +1 555 0100, as digits
        ("ORD-10006", "li.wei@example.com"),
        ("ORD-10012", "sam@example.com"),
    ],
)
def test_the_right_contact_verifies_the_order(services, order_id, contact) -> None:
    outcome = run(VERIFY, make_tracker({"order_id": order_id, "contact": contact}))
    assert outcome.slots == {"verified_order": order_id, "identity_status": "verified"}
    assert outcome.messages == []  # the order check speaks next, not the identity check


def test_every_kind_of_mismatch_gets_the_same_answer(services) -> None:
    wrong_email = run(
        VERIFY, make_tracker({"order_id": "ORD-10002", "contact": "amara@example.com"})
    )
    unknown_order = run(
        VERIFY, make_tracker({"order_id": "ORD-99999", "contact": "jane@example.com"})
    )
    both_wrong = run(VERIFY, make_tracker({"order_id": "ORD-99998", "contact": "x@example.com"}))
    assert wrong_email.messages == unknown_order.messages == both_wrong.messages
    assert wrong_email.responses == ["utter_identity_mismatch"]
    for outcome in (wrong_email, unknown_order, both_wrong):
        assert outcome.slots["identity_status"] == "retry"
        assert outcome.slots["order_id"] is None and outcome.slots["contact"] is None
        assert "verified_order" not in outcome.slots


def test_attempts_are_limited_then_a_person_is_offered(services) -> None:
    slots = {"order_id": "ORD-10002", "contact": "amara@example.com", "identity_failures": 2.0}
    outcome = run(VERIFY, make_tracker(slots))
    assert outcome.slots["identity_status"] == "locked"
    assert outcome.responses == ["utter_identity_locked"]
    buttons = (
        outcome.messages[0].get("buttons")
        or DOMAIN["responses"]["utter_identity_locked"][0]["buttons"]
    )
    assert any(b["payload"] == "/request_human" for b in buttons)


def test_a_locked_conversation_is_not_checked_again(services) -> None:
    slots = {"identity_status": "locked", "order_id": "ORD-10002", "contact": "jane@example.com"}
    outcome = run(VERIFY, make_tracker(slots))
    assert outcome.slots == {"identity_status": "locked"}
    assert outcome.responses == ["utter_identity_locked"]


def test_guessing_at_one_order_from_many_conversations_is_throttled(services) -> None:
    for n in range(services.settings.identity_order_failures_per_hour):
        run(
            VERIFY,
            make_tracker({"order_id": "ORD-10002", "contact": f"guess{n}@x.org"}, sender=f"c{n}"),
        )
    # Even the right contact is refused for now; the customer is offered a person.
    outcome = run(VERIFY, make_tracker({"order_id": "ORD-10002", "contact": "jane@example.com"}))
    assert outcome.slots["identity_status"] == "retry"
    with services.records._sessions() as session:
        assert len(session.scalars(select(IdentityFailureRow)).all()) == 6


def test_an_unknown_order_number_gets_the_numbers_emailed_to_the_owner(services) -> None:
    known = run(VERIFY, make_tracker({"order_id_unknown": True, "contact": "jane@example.com"}))
    stranger = run(
        VERIFY, make_tracker({"order_id_unknown": True, "contact": "nobody@example.com"})
    )
    assert known.messages == stranger.messages  # a stranger learns nothing
    assert known.responses == ["utter_order_reminder_sent"]
    assert known.slots["identity_status"] == "reminder_sent"
    with services.records._sessions() as session:
        sent = session.scalars(select(OutboundMessageRow)).all()
    assert [m.recipient for m in sent] == ["jane@example.com"]
    assert "ORD-10002" in sent[0].body and "ORD-10001" in sent[0].body


def test_the_reminder_email_is_in_the_conversation_s_language(services) -> None:
    slots = {"order_id_unknown": True, "contact": "jane@example.com", "language": "zh"}
    run(VERIFY, make_tracker(slots))
    with services.records._sessions() as session:
        [sent] = session.scalars(select(OutboundMessageRow)).all()
    assert sent.subject.startswith("您在") and "订单号" in sent.subject
    assert "ORD-10002" in sent.body and "您最近的订单是" in sent.body
    words = sent.body.replace(services.settings.shop_name, "")  # a name, not English
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", words)  # no English sentence


FORM = ValidateIdentityForm()


def validate(slots, text, intent="inform", requested="order_id", events=None):
    tracker = make_tracker({**slots, "requested_slot": requested}, text, intent, events)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(FORM.run(dispatcher, tracker, DOMAIN))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


@pytest.mark.parametrize(
    "text,expected",
    [("ORD-10002", "ORD-10002"), ("10002", "ORD-10002"), ("it's ord 10002", "ORD-10002")],
)
def test_the_form_reads_the_order_number(text, expected) -> None:
    slots, messages = validate({}, text)
    assert slots["order_id"] == expected and messages == []


def test_the_form_reads_an_email_even_unasked() -> None:
    slots, _ = validate({}, "my order ORD-10002 failed, I'm jane@example.com")
    assert slots["order_id"] == "ORD-10002" and slots["contact"] == "jane@example.com"


def test_unasked_digits_are_not_a_phone_or_an_order() -> None:
    slots, _ = validate({"order_id": "ORD-10002"}, "5550100", requested=None)
    assert "contact" not in slots and slots.get("order_id", "ORD-10002") == "ORD-10002"


def test_a_customer_without_the_order_number_is_asked_for_their_email() -> None:
    slots, _ = validate({}, "I don't know it", intent="deny")
    assert slots["order_id_unknown"] is True
    assert slots["requested_slot"] == "contact"


def test_the_reminder_path_accepts_only_an_email() -> None:
    slots, messages = validate({"order_id_unknown": True}, "+1 555 0100", requested="contact")
    assert slots["contact"] is None
    assert [m["response"] for m in messages] == ["utter_invalid_reminder_email"]


def test_an_invalid_contact_is_explained() -> None:
    slots, messages = validate({"order_id": "ORD-10002"}, "my name is Jane", requested="contact")
    assert slots["contact"] is None
    assert [m["response"] for m in messages] == ["utter_invalid_contact"]


def test_an_invalid_order_number_is_explained() -> None:
    slots, messages = validate({}, "it's the blue shoes", requested="order_id")
    assert slots["order_id"] is None
    assert [m["response"] for m in messages] == ["utter_invalid_order_id"]


def test_a_change_of_topic_is_left_to_the_dialogue() -> None:
    slots, messages = validate({}, "let me talk to a person", intent="request_human")
    assert "order_id" not in slots and messages == []


def test_the_message_that_failed_is_not_read_again_after_a_mismatch() -> None:
    history = [
        {"event": "user", "text": "bob@example.com", "parse_data": {}},
        {"event": "action", "name": "action_verify_identity"},
    ]
    tracker = make_tracker({"requested_slot": "order_id"}, "bob@example.com", "inform", history)
    tracker.events = history  # the latest user message precedes the check
    dispatcher = CollectingDispatcher()
    events = asyncio.run(FORM.run(dispatcher, tracker, DOMAIN))
    assert not any(e.get("name") == "contact" and e.get("value") for e in events)


def test_the_order_number_question_changes_after_a_mismatch(services) -> None:
    first = run(ActionAskOrderId(), make_tracker({}))
    again = run(ActionAskOrderId(), make_tracker({"identity_status": "retry"}))
    assert first.responses == ["utter_ask_order_id"] and again.responses == [
        "utter_ask_order_id_again"
    ]
