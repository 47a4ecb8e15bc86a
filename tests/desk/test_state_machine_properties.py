"""The desk's conversation store under random sequences of customer, bot and staff
events (hypothesis's stateful testing), checked against the state machine as README.md
describes it (tests/unit/test_routing.py's table, written out independently)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from desk.conversations import ConversationStore
from desk.routing import ASSISTANT_UNAVAILABLE, BOT_OWES_NOTHING_AFTER, Event, InvalidTransition
from desk.staff_accounts import StaffAccounts
from ops.schema import upgrade_database
from payhelp.store.database import make_engine, make_session_factory
from tests.card_formats import examples
from tests.unit.test_routing import EXPECTED

pytestmark = pytest.mark.property
REASONS = ["customer_request", "needs_staff", ASSISTANT_UNAVAILABLE]


def _store(directory: Path) -> tuple[ConversationStore, list[int]]:
    url = f"sqlite:///{directory / 'desk.sqlite'}"
    upgrade_database(url)
    sessions = make_session_factory(make_engine(url))
    staff = StaffAccounts(sessions)
    agents = [staff.create(f"agent{n}", f"Agent {n}", "a long password 123").id for n in range(2)]
    return ConversationStore(sessions), agents


class ConversationMachine(RuleBasedStateMachine):
    directory: Path

    def __init__(self) -> None:
        super().__init__()
        self.store, self.agents = SHARED["store"], SHARED["agents"]
        conversation, _ = self.store.start()
        self.id = conversation.id
        self.status = conversation.status
        self.reason: str | None = None
        self.agent: int | None = None
        self.client_ids: set[str] = set()
        self.owed = 0

    @rule(client_id=st.sampled_from(["a", "b", "c", "d", "e"]))
    def customer_writes(self, client_id: str) -> None:
        owed_by_bot = self.status.value == "bot" or (
            self.status.value == "waiting" and self.reason == ASSISTANT_UNAVAILABLE
        )
        _, new = self.store.add_message(
            self.id, "customer", "hello", client_id=client_id,
            bot_input="hello" if owed_by_bot else None,
        )  # fmt: skip
        assert new == (client_id not in self.client_ids)  # a resend is stored once
        if new and owed_by_bot:
            self.owed += 1
        self.client_ids.add(client_id)

    @precondition(lambda self: self.owed > 0)
    @rule()
    def bot_answers_one(self) -> None:
        first = self.store.awaiting_bot(self.id)[0]
        self.store.answered_by_bot(first.message_id)
        self.owed -= 1

    @rule(event=st.sampled_from(list(Event)), reason=st.sampled_from(REASONS), n=st.integers(0, 1))
    def event(self, event: Event, reason: str, n: int) -> None:
        changes: dict = {}
        if event is Event.HANDOFF:
            changes["reason"] = reason
        elif event is Event.BOT_UNAVAILABLE:
            changes["reason"] = ASSISTANT_UNAVAILABLE
        elif event is Event.CLAIM:
            changes["agent_id"] = self.agents[n]
        elif event is Event.RESOLVE:
            changes["outcome"] = "explained"
        allowed = (self.status, event) in EXPECTED or (
            event is Event.BOT_RECOVERED
            and self.status.value == "waiting"
            and self.reason == ASSISTANT_UNAVAILABLE
        )
        before = self.store.get(self.id)
        try:
            after = self.store.transition(self.id, event, **changes)
        except InvalidTransition:
            assert not allowed, (self.status, event)
            assert self.store.get(self.id) == before  # refused: nothing changed
            return
        assert allowed, (self.status, event)
        self.status = after.status
        if "reason" in changes:
            self.reason = changes["reason"]
        if event is Event.CLAIM:
            self.agent = changes["agent_id"]
        if event in BOT_OWES_NOTHING_AFTER:
            self.owed = 0

    @invariant()
    def matches_the_model(self) -> None:
        stored = self.store.get(self.id)
        assert stored is not None and stored.status == self.status
        assert len(self.store.awaiting_bot(self.id)) == self.owed
        assert len(self.store.messages(self.id, 0)) == len(self.client_ids)  # none lost
        assert (stored.agent_id is not None) == (self.status.value == "with_agent") or (
            self.status.value == "resolved"
        )
        if self.status.value == "with_agent":
            assert stored.agent_id == self.agent
        assert (self.id in self.store.waiting_ids()) == (self.status.value == "waiting")


SHARED: dict = {}


def test_random_event_sequences_follow_the_state_machine(tmp_path: Path) -> None:
    SHARED["store"], SHARED["agents"] = _store(tmp_path)
    ConversationMachine.TestCase.settings = settings(
        max_examples=examples(40), stateful_step_count=25, deadline=None
    )
    ConversationMachine.TestCase().runTest()
