"""The actions' thresholds, exactly at the limit and one under: identity attempts per
conversation, failed checks per order per hour, and misunderstandings before a person."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from actions.fallback import ActionDefaultFallback
from actions.identity import ActionVerifyIdentity
from actions.runtime import Services, use_services
from payhelp.store.tables import IdentityFailureRow
from tests.actions.conftest import make_tracker, run
from tests.conftest import DEMO_NOW

VERIFY = ActionVerifyIdentity()
FALLBACK = ActionDefaultFallback()


def with_settings(services: Services, **changes) -> None:
    use_services(replace(services, settings=replace(services.settings, **changes)))


@pytest.mark.parametrize(
    "failures_before,status,response",
    [
        (0.0, "retry", "utter_identity_mismatch"),
        (1.0, "retry", "utter_identity_mismatch"),  # the 2nd wrong answer of 3
        (2.0, "locked", "utter_identity_locked"),  # the 3rd
    ],
)
def test_identity_attempts_at_the_default_three(services, failures_before, status, response):
    slots = {"order_id": "ORD-10002", "contact": "amara@example.com"}
    outcome = run(VERIFY, make_tracker({**slots, "identity_failures": failures_before}))
    assert (outcome.slots["identity_status"], outcome.responses) == (status, [response])
    assert outcome.slots["identity_failures"] == failures_before + 1


@pytest.mark.parametrize("failures_before,status", [(3.0, "retry"), (4.0, "locked")])
def test_identity_attempts_follow_the_setting(services, failures_before, status) -> None:
    with_settings(services, identity_max_attempts=5)
    slots = {"order_id": "ORD-10002", "contact": "amara@example.com"}
    outcome = run(VERIFY, make_tracker({**slots, "identity_failures": failures_before}))
    assert outcome.slots["identity_status"] == status


def earlier_failures(sessions, *minutes_ago: float, order_id: str = "ORD-10002") -> None:
    """Failed checks on ``order_id`` from other conversations, at DEMO_NOW minus each."""
    with sessions() as session:
        for n, minutes in enumerate(minutes_ago):
            session.add(
                IdentityFailureRow(
                    order_id=order_id,
                    conversation_id=f"other-{n}",
                    created_at=DEMO_NOW - timedelta(minutes=minutes),
                )
            )
        session.commit()


def right_contact_verifies() -> bool:
    outcome = run(VERIFY, make_tracker({"order_id": "ORD-10002", "contact": "jane@example.com"}))
    return outcome.slots.get("identity_status") == "verified"


@pytest.mark.parametrize(
    "minutes_ago,verifies",
    [
        ((1, 10, 20, 59), True),  # 4 in the last hour: one under the default 5
        ((1, 10, 20, 30, 59), False),  # 5: checks on this order stop
        ((1, 10, 20, 30, 60), False),  # exactly an hour ago still counts
        ((1, 10, 20, 30, 61), True),  # older than an hour does not
    ],
)
def test_failed_checks_per_order_per_hour_at_the_default_five(
    services, sqlite_sessions, minutes_ago, verifies
) -> None:
    earlier_failures(sqlite_sessions, *minutes_ago)
    earlier_failures(sqlite_sessions, *range(1, 9), order_id="ORD-10003")  # another order
    assert right_contact_verifies() is verifies


@pytest.mark.parametrize("count,verifies", [(1, True), (2, False)])
def test_failed_checks_per_order_follow_the_setting(
    services, sqlite_sessions, count, verifies
) -> None:
    with_settings(services, identity_order_failures_per_hour=2)
    earlier_failures(sqlite_sessions, *range(1, count + 1))
    assert right_contact_verifies() is verifies


@pytest.mark.parametrize(
    "misses_before,hands_over",
    [(0.0, False), (1.0, False), (2.0, True)],  # the default: the 3rd miss goes to a person
)
def test_misunderstandings_at_the_default_three(services, misses_before, hands_over) -> None:
    outcome = run(FALLBACK, make_tracker({"misunderstandings": misses_before}, "blorp"))
    if hands_over:
        assert outcome.messages[-1]["custom"]["handoff"]["reason"] == "repeated_misunderstanding"
        assert outcome.events[-1]["event"] == "pause"
    else:
        assert outcome.responses == ["utter_default"]
        assert outcome.slots["misunderstandings"] == misses_before + 1
        assert outcome.events[0]["event"] == "rewind"


@pytest.mark.parametrize("misses_before,hands_over", [(3.0, False), (4.0, True)])
def test_misunderstandings_follow_the_setting(services, misses_before, hands_over) -> None:
    with_settings(services, misunderstandings_before_handoff=5)
    outcome = run(FALLBACK, make_tracker({"misunderstandings": misses_before}, "blorp"))
    assert (outcome.events[-1]["event"] == "pause") is hands_over
