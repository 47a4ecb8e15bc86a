import pytest

from desk.routing import (
    Event,
    InvalidTransition,
    Status,
    bot_answers,
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
    # 4 statuses x 7 events; guards against the enums growing without this table.
    assert {s.value for s in S} == {"bot", "waiting", "with_agent", "resolved"}
    assert {e.value for e in E} == {
        "handoff",
        "bot_unavailable",
        "claim",
        "hand_back",
        "resolve",
        "reopen",
        "leave_queue",
    }
    assert len(FORBIDDEN) == 4 * 7 - 9


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
