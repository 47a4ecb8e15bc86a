"""Conversations in SQL (SQLite and PostgreSQL): transitions, claims, dedupe, the queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import desk.tables  # noqa: F401  (the desk's tables)
from desk.conversations import Conflict, ConversationStore, token_hash
from desk.routing import Event, InvalidTransition, Status
from desk.staff_accounts import AccountError, StaffAccounts


@pytest.fixture
def store(sessions) -> ConversationStore:
    return ConversationStore(sessions)


@pytest.fixture
def agents(sessions):
    accounts = StaffAccounts(sessions)
    return accounts.create("alex", "Alex", "correct horse battery"), accounts.create(
        "sam", "Sam", "another long password"
    )


def test_a_conversation_is_found_by_its_token_only(store: ConversationStore) -> None:
    conversation, token = store.start()
    assert conversation.status is Status.BOT
    assert store.by_token(token).id == conversation.id
    assert store.by_token(token + "x") is None
    assert len(token) >= 40 and token_hash(token) != token


def test_the_happy_path_through_the_states(store: ConversationStore, agents) -> None:
    alex, _ = agents
    conversation, _ = store.start()
    waiting = store.transition(
        conversation.id, Event.HANDOFF, reason="customer_request", escalation_id=7
    )
    assert (waiting.status, waiting.reason, waiting.escalation_id) == (
        Status.WAITING,
        "customer_request",
        7,
    )
    assert waiting.waiting_since is not None
    claimed = store.transition(conversation.id, Event.CLAIM, agent_id=alex.id)
    assert (claimed.status, claimed.agent_name) == (Status.WITH_AGENT, "Alex")
    resolved = store.transition(conversation.id, Event.RESOLVE, outcome="paid")
    assert (resolved.status, resolved.outcome, resolved.rating_requested) == (
        Status.RESOLVED,
        "paid",
        True,
    )
    assert store.rate(conversation.id, 5) and not store.rate(conversation.id, 1)
    assert store.get(conversation.id).rating == 5
    reopened = store.transition(conversation.id, Event.REOPEN)
    assert reopened.status is Status.BOT and reopened.agent_id is None


def test_an_impossible_transition_is_refused(store: ConversationStore) -> None:
    conversation, _ = store.start()
    with pytest.raises(InvalidTransition):
        store.transition(conversation.id, Event.CLAIM, agent_id=1)


def test_two_agents_can_never_claim_the_same_conversation(store: ConversationStore, agents) -> None:
    alex, sam = agents
    for _ in range(5):
        conversation, _ = store.start()
        store.transition(conversation.id, Event.HANDOFF, reason="customer_request")

        def claim(agent, conversation_id=conversation.id):
            try:
                return store.transition(conversation_id, Event.CLAIM, agent_id=agent.id)
            except (Conflict, InvalidTransition):
                return None

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(claim, [alex, sam]))
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert store.get(conversation.id).agent_id == winners[0].agent_id


def test_a_resent_message_is_stored_once(store: ConversationStore) -> None:
    conversation, _ = store.start()
    first, new = store.add_message(conversation.id, "customer", "hello", client_id="c-1")
    again, new_again = store.add_message(conversation.id, "customer", "hello", client_id="c-1")
    assert new and not new_again and again.id == first.id
    assert [m.text for m in store.messages(conversation.id)] == ["hello"]


def test_notes_are_kept_from_the_customer(store: ConversationStore) -> None:
    conversation, _ = store.start()
    store.add_message(conversation.id, "customer", "hi")
    store.add_message(conversation.id, "note", "VIP customer", author="Alex")
    store.add_message(
        conversation.id, "bot", "Hello!", buttons=[{"title": "Yes", "payload": "/affirm"}]
    )
    assert [m.sender for m in store.messages(conversation.id)] == ["customer", "bot"]
    assert [m.sender for m in store.messages(conversation.id, include_notes=True)] == [
        "customer",
        "note",
        "bot",
    ]
    first = store.messages(conversation.id)[0]
    assert [m.text for m in store.messages(conversation.id, after=first.id)] == ["Hello!"]
    assert store.latest_from(conversation.id, "bot").buttons == [
        {"title": "Yes", "payload": "/affirm"}
    ]


def test_queue_positions_follow_waiting_time(store: ConversationStore, agents) -> None:
    alex, _ = agents
    ids = []
    for _ in range(3):
        conversation, _ = store.start()
        store.transition(conversation.id, Event.HANDOFF, reason="customer_request")
        ids.append(conversation.id)
    assert [store.queue_position(store.get(i)) for i in ids] == [1, 2, 3]
    store.transition(ids[0], Event.CLAIM, agent_id=alex.id)
    assert [store.queue_position(store.get(i)) for i in ids] == [None, 1, 2]
    queue = store.queue()
    assert [c.id for c in queue][:2] == ids[1:]
    assert store.last_messages(ids) == {}


def test_staff_accounts(sessions) -> None:
    accounts = StaffAccounts(sessions)
    agent = accounts.create("Alex", "Alex", "correct horse battery")
    assert agent.username == "alex"
    with pytest.raises(AccountError, match="taken"):
        accounts.create("alex", "Other", "another long password")
    with pytest.raises(AccountError, match="at least"):
        accounts.create("kim", "Kim", "short")
    assert accounts.authenticate("ALEX", "correct horse battery") == agent
    assert accounts.authenticate("alex", "wrong password!") is None
    assert accounts.authenticate("nobody", "correct horse battery") is None
    token, csrf = accounts.open_session(agent, hours=1)
    assert accounts.session(token).agent == agent and accounts.session(token).csrf_token == csrf
    accounts.close_session(token)
    assert accounts.session(token) is None
    expired, _ = accounts.open_session(agent, hours=0)
    assert accounts.session(expired) is None
