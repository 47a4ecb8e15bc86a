"""Who owns a conversation now: one explicit state machine, asked by every route.

    bot ──handoff / bot unavailable──► waiting ──claim──► with_agent ──resolve──► resolved
     ▲ ▲                                 │ │                  │                      │
     │ └────── bot recovered ────────────┤ │                  │                      │
     ├──── customer leaves the queue ────┘ │                  │                      │
     └──────────── hand back ──────────────┴──────────────────┘◄──── customer writes ┘

A transition is an event with a reason, never a flag set somewhere. "Bot recovered"
only takes back conversations that wait because the bot failed (ASSISTANT_UNAVAILABLE),
never ones the bot or the customer sent to a person.
"""

from __future__ import annotations

from enum import Enum

from payhelp.contracts import HandoffReason


class Status(str, Enum):
    BOT = "bot"
    WAITING = "waiting"
    WITH_AGENT = "with_agent"
    RESOLVED = "resolved"


# Why a conversation waits when the bot failed it (down, too slow, a broken answer).
ASSISTANT_UNAVAILABLE = HandoffReason.ASSISTANT_UNAVAILABLE.value


class Event(str, Enum):
    HANDOFF = "handoff"  # the bot asked for a person
    BOT_UNAVAILABLE = "bot_unavailable"  # no usable answer from the bot: fail open to people
    BOT_RECOVERED = "bot_recovered"  # the bot answers again: back from the queue to it
    CLAIM = "claim"
    HAND_BACK = "hand_back"
    RESOLVE = "resolve"
    REOPEN = "reopen"  # the customer writes after the conversation was resolved
    LEAVE_QUEUE = "leave_queue"  # the customer stops waiting and goes back to the bot


# How a round with people ended when nobody resolved it (a resolution records its outcome).
HANDED_BACK = "handed_back"
LEFT_QUEUE = "left_queue"


class InvalidTransition(ValueError):
    def __init__(self, status: Status, event: Event, reason: str | None = None) -> None:
        why = f" for {reason or 'no reason'}" if event in REQUIRED_REASON else ""
        super().__init__(f"cannot {event.value} a conversation that is {status.value}{why}")
        self.status = status
        self.event = event


TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (Status.BOT, Event.HANDOFF): Status.WAITING,
    (Status.BOT, Event.BOT_UNAVAILABLE): Status.WAITING,
    (Status.WAITING, Event.CLAIM): Status.WITH_AGENT,
    (Status.WAITING, Event.BOT_RECOVERED): Status.BOT,
    (Status.WAITING, Event.HAND_BACK): Status.BOT,
    (Status.WAITING, Event.LEAVE_QUEUE): Status.BOT,
    (Status.WAITING, Event.RESOLVE): Status.RESOLVED,
    (Status.WITH_AGENT, Event.HAND_BACK): Status.BOT,
    (Status.WITH_AGENT, Event.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Event.REOPEN): Status.BOT,
}


# Events allowed only while the conversation waits for this reason.
REQUIRED_REASON: dict[Event, str] = {Event.BOT_RECOVERED: ASSISTANT_UNAVAILABLE}


def next_status(status: Status, event: Event, reason: str | None = None) -> Status:
    """The status after ``event``; :class:`InvalidTransition` if it cannot happen now.

    ``reason`` is why the conversation is where it is (it matters for BOT_RECOVERED).
    """
    required = REQUIRED_REASON.get(event)
    if (status, event) not in TRANSITIONS or (required is not None and reason != required):
        raise InvalidTransition(status, event, reason)
    return TRANSITIONS[(status, event)]


def bot_answers(status: Status) -> bool:
    """Whether a customer message goes to the bot (after reopening a resolved one)."""
    return status in (Status.BOT, Status.RESOLVED)


def needs_a_person(status: Status) -> bool:
    return status in (Status.WAITING, Status.WITH_AGENT)


# After these, messages the bot had not answered yet are never sent to it later: a
# person answers them, or the customer left the queue to start over with the bot.
BOT_OWES_NOTHING_AFTER = frozenset(
    {Event.HANDOFF, Event.CLAIM, Event.HAND_BACK, Event.RESOLVE, Event.LEAVE_QUEUE}
)


def bot_takes_back(status: Status, reason: str | None) -> bool:
    """Whether the bot answers this conversation again once it is back (BOT_RECOVERED)."""
    return status is Status.WAITING and reason == ASSISTANT_UNAVAILABLE
