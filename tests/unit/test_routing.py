import pytest

from desk.routing import (
    ASSISTANT_UNAVAILABLE,
    BOT_OWES_NOTHING_AFTER,
    TRANSITIONS,
    Event,
    InvalidTransition,
    Status,
    bot_answers,
    bot_takes_back,
    next_status,
)

S, E = Status, Event


@pytest.mark.parametrize(
    "status,event,after",
    [
        (S.BOT, E.HANDOFF, S.WAITING),
        (S.BOT, E.BOT_UNAVAILABLE, S.WAITING),
        (S.WAITING, E.CLAIM, S.WITH_AGENT),
        (S.WITH_AGENT, E.HAND_BACK, S.BOT),
        (S.WAITING, E.HAND_BACK, S.BOT),
        (S.WITH_AGENT, E.RESOLVE, S.RESOLVED),
        (S.WAITING, E.RESOLVE, S.RESOLVED),
        (S.RESOLVED, E.REOPEN, S.BOT),
    ],
)
def test_allowed_transitions(status, event, after) -> None:
    assert next_status(status, event) is after


FORBIDDEN = [(s, e) for s in Status for e in Event if (s, e) not in TRANSITIONS]


@pytest.mark.parametrize(
    "status,event", FORBIDDEN, ids=[f"{s.value}-{e.value}" for s, e in FORBIDDEN]
)
def test_everything_else_is_refused(status, event) -> None:
    with pytest.raises(InvalidTransition):
        next_status(status, event)


def test_a_claimed_conversation_cannot_be_claimed_again() -> None:
    with pytest.raises(InvalidTransition, match="cannot claim a conversation that is with_agent"):
        next_status(S.WITH_AGENT, E.CLAIM)


def test_the_bot_gets_nothing_while_a_person_owns_the_conversation() -> None:
    assert [s for s in Status if bot_answers(s)] == [S.BOT, S.RESOLVED]


def test_every_status_can_get_back_to_the_bot() -> None:
    for status in Status:
        reachable, frontier = {status}, [status]
        while frontier:
            current = frontier.pop()
            for (source, _), target in TRANSITIONS.items():
                if source is current and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        assert S.BOT in reachable


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
