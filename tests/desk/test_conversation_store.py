"""Conversations in SQL (SQLite and PostgreSQL): transitions, claims, dedupe, the queue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

import desk.tables  # noqa: F401  (the desk's tables)
from desk.conversations import Conflict, ConversationStore, token_hash
from desk.routing import ASSISTANT_UNAVAILABLE, Event, InvalidTransition, Status
from desk.staff_accounts import AccountError, StaffAccounts
from desk.views import outcome_label
from tests.conftest import load_demo


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
    assert not store.rate(conversation.id, 5)  # nobody asked this new conversation for one
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
    assert not reopened.rating_requested  # the next rating is asked after the next round


def test_a_round_with_people_that_ends_unresolved_records_how_it_ended(
    store: ConversationStore, agents
) -> None:
    alex, _ = agents
    handed, _ = store.start()
    store.transition(handed.id, Event.HANDOFF, reason="customer_request")
    store.transition(handed.id, Event.CLAIM, agent_id=alex.id)
    handed = store.transition(handed.id, Event.HAND_BACK)
    left, _ = store.start()
    store.transition(left.id, Event.HANDOFF, reason="customer_request")
    left = store.transition(left.id, Event.LEAVE_QUEUE)
    assert (handed.status, handed.outcome, handed.agent_id) == (Status.BOT, "handed_back", None)
    assert (left.status, left.outcome) == (Status.BOT, "left_queue")
    assert outcome_label(handed.outcome) == "Handed back to the assistant"
    assert outcome_label(left.outcome) == "The customer left the queue"


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


def test_a_conflict_tells_who_got_there_first(store: ConversationStore, agents) -> None:
    alex, sam = agents
    conversation, _ = store.start()
    store.transition(conversation.id, Event.HANDOFF, reason="customer_request")
    stale = store.get(conversation.id)  # Sam's view, read before Alex claims
    store.transition(conversation.id, Event.CLAIM, agent_id=alex.id)
    reads = iter([stale])
    real_get = store.get
    store.get = lambda conversation_id: next(reads, None) or real_get(conversation_id)
    with pytest.raises(Conflict) as lost:
        store.transition(conversation.id, Event.CLAIM, agent_id=sam.id)
    assert (lost.value.conversation.status, lost.value.conversation.agent_name) == (
        Status.WITH_AGENT,
        "Alex",
    )


def test_the_bot_takes_back_nothing_that_waits_for_a_new_reason(store: ConversationStore) -> None:
    """Read while the bot had failed it; by the write, the customer asked for a person."""
    conversation, _ = store.start()
    store.transition(conversation.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE)
    stale = store.get(conversation.id)
    store.transition(conversation.id, Event.LEAVE_QUEUE)
    store.transition(conversation.id, Event.HANDOFF, reason="customer_request")
    reads = iter([stale])
    real_get = store.get
    store.get = lambda conversation_id: next(reads, None) or real_get(conversation_id)
    with pytest.raises(Conflict):
        store.transition(conversation.id, Event.BOT_RECOVERED)
    now = store.get(conversation.id)
    assert (now.status, now.reason) == (Status.WAITING, "customer_request")


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
    store.add_message(conversation.id, "system", "Alex joined the chat.")
    store.add_message(conversation.id, "agent", "Hi, Alex here.", author="Alex")
    visible = ["customer", "bot", "system", "agent"]
    assert [m.sender for m in store.messages(conversation.id)] == visible
    assert [m.sender for m in store.recent(conversation.id)] == visible
    assert store.last_messages([conversation.id]) == {conversation.id: "Hi, Alex here."}
    assert [m.sender for m in store.messages(conversation.id, include_notes=True)] == [
        "customer",
        "note",
        "bot",
        "system",
        "agent",
    ]
    first = store.messages(conversation.id)[0]
    assert [m.text for m in store.messages(conversation.id, after=first.id)][0] == "Hello!"
    sent = first.as_json()  # what the customer's socket and history get
    assert "conversation_id" not in sent and sent["text"] == "hi"
    assert datetime.fromisoformat(sent["created_at"]) == first.created_at
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


def test_messages_the_bot_owes_are_kept_in_order_until_answered(store: ConversationStore) -> None:
    conversation, _ = store.start()
    first, _ = store.add_message(conversation.id, "customer", "hi", bot_input="hi")
    store.add_message(conversation.id, "system", "notice")
    second, _ = store.add_message(conversation.id, "customer", "Yes", bot_input="/affirm")
    assert [(o.message_id, o.text) for o in store.awaiting_bot(conversation.id)] == [
        (first.id, "hi"),
        (second.id, "/affirm"),
    ]
    store.answered_by_bot(first.id)
    assert [o.message_id for o in store.awaiting_bot(conversation.id)] == [second.id]
    assert store.owed_by_bot() == [conversation.id]  # the bot has it, and owes an answer
    store.answered_by_bot(second.id)
    assert store.awaiting_bot(conversation.id) == [] and store.owed_by_bot() == []


def test_the_bot_takes_back_only_what_waits_because_it_failed(
    store: ConversationStore, agents
) -> None:
    failed, _ = store.start()
    asked, _ = store.start()
    store.transition(failed.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE)
    store.transition(asked.id, Event.HANDOFF, reason="customer_request")
    assert store.owed_by_bot() == [failed.id]
    with pytest.raises(InvalidTransition, match="for customer_request"):
        store.transition(asked.id, Event.BOT_RECOVERED)
    back = store.transition(failed.id, Event.BOT_RECOVERED)
    assert (back.status, back.waiting_since, back.agent_id) == (Status.BOT, None, None)
    assert store.owed_by_bot() == []


def test_a_person_taking_over_clears_what_the_bot_owed(store: ConversationStore, agents) -> None:
    alex, _ = agents
    conversation, _ = store.start()
    store.add_message(conversation.id, "customer", "hello?", bot_input="hello?")
    store.transition(conversation.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE)
    assert len(store.awaiting_bot(conversation.id)) == 1  # failing open keeps it for the bot
    store.transition(conversation.id, Event.CLAIM, agent_id=alex.id)
    assert store.awaiting_bot(conversation.id) == []
    with pytest.raises(InvalidTransition):  # and the bot cannot take it from Alex
        store.transition(conversation.id, Event.BOT_RECOVERED)


def test_bot_recovered_is_a_compare_and_set_with_the_claim(
    store: ConversationStore, agents
) -> None:
    alex, _ = agents
    for _ in range(5):
        conversation, _ = store.start()
        store.transition(conversation.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE)

        def move(event, conversation_id=conversation.id):
            changes = {"agent_id": alex.id} if event is Event.CLAIM else {}
            try:
                return store.transition(conversation_id, event, **changes)
            except (Conflict, InvalidTransition):
                return None

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(move, [Event.CLAIM, Event.BOT_RECOVERED]))
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert store.get(conversation.id).status is winners[0].status


def test_history_search_by_order_email_or_name_in_any_case(
    store: ConversationStore, sessions, agents
) -> None:
    load_demo(sessions)
    alex, _ = agents
    with_bot, _ = store.start()  # never reached people: never in the history
    jane, _ = store.start()
    store.transition(jane.id, Event.HANDOFF, reason="customer_request", order_id="ORD-10002")
    store.transition(jane.id, Event.CLAIM, agent_id=alex.id)
    amara, _ = store.start()
    amara = store.transition(amara.id, Event.HANDOFF, reason="needs_staff", order_id="ORD-10003")
    jane = store.get(jane.id)

    def ids(**query) -> list[str]:
        return [c.id for c in store.search(**query)]

    assert ids() == [amara.id, jane.id]  # newest first
    assert ids(text=" ord-10002 ") == ids(text="JANE@example") == [jane.id]
    assert ids(text="okafor") == [amara.id]
    assert ids(text="%") == ids(text="_") == []  # typed characters, not wildcards
    assert [c.agent_name for c in store.search(text="jane")] == ["Alex"]
    # Active between since (inclusive) and until (exclusive).
    assert ids(since=amara.updated_at) == [amara.id]
    assert ids(until=amara.created_at) == [jane.id]
    assert ids(since=jane.updated_at, until=amara.created_at) == [jane.id]
    assert store.customers(["ORD-10002", "ORD-10003"]) == {
        "ORD-10002": ("Jane Doe", "jane@example.com"),
        "ORD-10003": ("Amara Okafor", "amara@example.com"),
    }
    assert store.customers([]) == {}
    queue = store.queue()
    assert [c.id for c in queue] == [amara.id, jane.id]  # waiting first, then with a person
    assert [c.agent_name for c in queue] == [None, "Alex"]
    assert with_bot.id not in [c.id for c in queue]


def test_the_bot_s_debts_are_paid_oldest_first(store: ConversationStore) -> None:
    started = [store.start()[0] for _ in range(5)]
    for conversation in reversed(started):  # the last one started fails first
        store.transition(conversation.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE)
    assert store.owed_by_bot() == [c.id for c in reversed(started)]


def test_every_transition_is_logged_for_the_impact_figures(
    store: ConversationStore, agents, sessions
) -> None:
    from sqlalchemy import select

    from desk.tables import ConversationEventRow

    alex, _ = agents
    conversation, _ = store.start()
    store.transition(conversation.id, Event.HANDOFF, reason="customer_request")
    store.transition(conversation.id, Event.CLAIM, agent_id=alex.id)
    with pytest.raises(InvalidTransition):  # a refused change leaves no trace
        store.transition(conversation.id, Event.CLAIM, agent_id=alex.id)
    store.transition(conversation.id, Event.RESOLVE, outcome="paid")
    with sessions() as session:
        rows = session.execute(
            select(ConversationEventRow).order_by(ConversationEventRow.id)
        ).scalars()
        logged = [(r.event, r.status, r.reason, r.agent_id) for r in rows]
    assert logged == [
        ("handoff", "waiting", "customer_request", None),
        ("claim", "with_agent", "customer_request", alex.id),
        ("resolve", "resolved", "customer_request", alex.id),
    ]
