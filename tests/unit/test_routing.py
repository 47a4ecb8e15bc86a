import pytest

from desk.routing import (
    ASSISTANT_UNAVAILABLE,
    BOT_OWES_NOTHING_AFTER,
    Event,
    InvalidTransition,
    Status,
    bot_answers,
    bot_takes_back,
    needs_a_person,
    next_status,
)

S, E = Status, Event

# The state machine as README.md and desk/routing.py's diagram describe it, written out
# here rather than read from desk.routing.TRANSITIONS, so a transition added to (or
# dropped from) the table under test makes a test fail.
EXPECTED = {
    (S.BOT, E.HANDOFF): S.WAITING,
    (S.BOT, E.BOT_UNAVAILABLE): S.WAITING,
    (S.WAITING, E.CLAIM): S.WITH_AGENT,
    (S.WAITING, E.HAND_BACK): S.BOT,
    (S.WAITING, E.LEAVE_QUEUE): S.BOT,  # the customer stops waiting
    (S.WAITING, E.RESOLVE): S.RESOLVED,
    (S.WITH_AGENT, E.HAND_BACK): S.BOT,
    (S.WITH_AGENT, E.RESOLVE): S.RESOLVED,
    (S.RESOLVED, E.REOPEN): S.BOT,
}
EVERY_PAIR = [(s, e) for s in S for e in E]
FORBIDDEN = [pair for pair in EVERY_PAIR if pair not in EXPECTED]


def test_the_expected_table_names_every_status_and_event() -> None:
    # 4 statuses x 8 events; guards against the enums growing without this table.
    assert {s.value for s in S} == {"bot", "waiting", "with_agent", "resolved"}
    assert {e.value for e in E} == {
        "handoff",
        "bot_unavailable",
        "claim",
        "hand_back",
        "resolve",
        "reopen",
        "leave_queue",
        "bot_recovered",
    }
    # bot_recovered is allowed only for a conversation the bot failed (tested below).
    assert len(FORBIDDEN) == 4 * 8 - 9


@pytest.mark.parametrize(
    "status,event,after",
    [(s, e, a) for (s, e), a in EXPECTED.items()],
    ids=[f"{s.value}-{e.value}" for s, e in EXPECTED],
)
def test_allowed_transitions(status, event, after) -> None:
    assert next_status(status, event) is after


@pytest.mark.parametrize(
    "status,event", FORBIDDEN, ids=[f"{s.value}-{e.value}" for s, e in FORBIDDEN]
)
def test_everything_else_is_refused(status, event) -> None:
    with pytest.raises(InvalidTransition) as refused:
        next_status(status, event)
    assert (refused.value.status, refused.value.event) == (status, event)


@pytest.mark.parametrize(
    "status,event",
    [
        (S.BOT, E.RESOLVE),  # nobody took it over: there is nothing for a person to close
        (S.BOT, E.CLAIM),  # only a conversation in the queue can be claimed
        (S.BOT, E.REOPEN),
        (S.RESOLVED, E.RESOLVE),
        (S.RESOLVED, E.HAND_BACK),
        (S.WITH_AGENT, E.HANDOFF),  # a person has it: the bot cannot queue it again
        (S.WITH_AGENT, E.LEAVE_QUEUE),  # only a waiting customer can leave the queue
    ],
)
def test_notable_transitions_are_refused(status, event) -> None:
    with pytest.raises(InvalidTransition):
        next_status(status, event)


def test_a_claimed_conversation_cannot_be_claimed_again() -> None:
    with pytest.raises(InvalidTransition, match="cannot claim a conversation that is with_agent"):
        next_status(S.WITH_AGENT, E.CLAIM)


def test_the_bot_gets_nothing_while_a_person_owns_the_conversation() -> None:
    assert {s for s in S if bot_answers(s)} == {S.BOT, S.RESOLVED}
    assert {s for s in S if needs_a_person(s)} == {S.WAITING, S.WITH_AGENT}


def test_every_status_can_get_back_to_the_bot() -> None:
    for status in S:
        reachable, frontier = {status}, [status]
        while frontier:
            current = frontier.pop()
            for event in E:
                try:
                    target = next_status(current, event)
                except InvalidTransition:
                    continue
                if target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        assert S.BOT in reachable, status


def test_the_bot_takes_back_only_conversations_it_failed() -> None:
    assert next_status(S.WAITING, E.BOT_RECOVERED, ASSISTANT_UNAVAILABLE) is S.BOT
    for reason in (None, "customer_request", "needs_staff"):
        with pytest.raises(InvalidTransition, match="bot_recovered"):
            next_status(S.WAITING, E.BOT_RECOVERED, reason)
    for status in (S.BOT, S.WITH_AGENT, S.RESOLVED):
        with pytest.raises(InvalidTransition):
            next_status(status, E.BOT_RECOVERED, ASSISTANT_UNAVAILABLE)
    assert bot_takes_back(S.WAITING, ASSISTANT_UNAVAILABLE)
    assert not bot_takes_back(S.WITH_AGENT, ASSISTANT_UNAVAILABLE)
    assert not bot_takes_back(S.WAITING, "customer_request")


def test_the_bot_owes_nothing_once_a_person_or_a_fresh_start_takes_over() -> None:
    expected = {E.HANDOFF, E.CLAIM, E.HAND_BACK, E.RESOLVE, E.LEAVE_QUEUE}
    assert expected == BOT_OWES_NOTHING_AFTER


def test_a_refusal_says_what_was_refused_and_why() -> None:
    """Staff see this text in a 409: it names the action, the state and a wrong reason."""
    with pytest.raises(InvalidTransition) as refused:
        next_status(S.RESOLVED, E.CLAIM)
    assert (refused.value.status, refused.value.event) == (S.RESOLVED, E.CLAIM)
    assert "claim" in str(refused.value) and "resolved" in str(refused.value)
    with pytest.raises(InvalidTransition) as refused:
        next_status(S.WAITING, E.BOT_RECOVERED, "customer_request")
    assert "customer_request" in str(refused.value)
