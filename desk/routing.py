"""Who owns a conversation now: one explicit state machine, asked by every route.

    bot ──handoff / bot unavailable──► waiting ──claim──► with_agent ──resolve──► resolved
     ▲                                   │                    │                      │
     ├──── customer leaves the queue ────┤                    │                      │
     └──────────── hand back ────────────┴────────────────────┘◄──── customer writes ┘

A transition is an event with a reason, never a flag set somewhere.
"""

from __future__ import annotations

from enum import Enum


class Status(str, Enum):
    BOT = "bot"
    WAITING = "waiting"
    WITH_AGENT = "with_agent"
    RESOLVED = "resolved"


class Event(str, Enum):
    HANDOFF = "handoff"  # the bot asked for a person
    BOT_UNAVAILABLE = "bot_unavailable"  # Rasa down or too slow: fail open to people
    CLAIM = "claim"
    HAND_BACK = "hand_back"
    RESOLVE = "resolve"
    REOPEN = "reopen"  # the customer writes after the conversation was resolved
    LEAVE_QUEUE = "leave_queue"  # the customer stops waiting and goes back to the bot


# How a round with people ended when nobody resolved it (a resolution records its outcome).
HANDED_BACK = "handed_back"
LEFT_QUEUE = "left_queue"


class InvalidTransition(ValueError):
    def __init__(self, status: Status, event: Event) -> None:
        super().__init__(f"cannot {event.value} a conversation that is {status.value}")
        self.status = status
        self.event = event


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.BOT, Event.HANDOFF): Status.WAITING,
    (Status.BOT, Event.BOT_UNAVAILABLE): Status.WAITING,
    (Status.WAITING, Event.CLAIM): Status.WITH_AGENT,
    (Status.WAITING, Event.HAND_BACK): Status.BOT,
    (Status.WAITING, Event.LEAVE_QUEUE): Status.BOT,
    (Status.WAITING, Event.RESOLVE): Status.RESOLVED,
    (Status.WITH_AGENT, Event.HAND_BACK): Status.BOT,
    (Status.WITH_AGENT, Event.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Event.REOPEN): Status.BOT,
}


def next_status(status: Status, event: Event) -> Status:
    """The status after ``event``; :class:`InvalidTransition` if it cannot happen now."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise InvalidTransition(status, event) from None


def bot_answers(status: Status) -> bool:
    """Whether a customer message goes to the bot (after reopening a resolved one)."""
    return status in (Status.BOT, Status.RESOLVED)


def needs_a_person(status: Status) -> bool:
    return status in (Status.WAITING, Status.WITH_AGENT)
