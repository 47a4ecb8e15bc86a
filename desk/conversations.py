"""Conversations and their messages in SQL. Routing changes go through :meth:`transition`,
a compare-and-set on the status, so two people can never both claim one conversation."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desk.routing import (
    ASSISTANT_UNAVAILABLE,
    BOT_OWES_NOTHING_AFTER,
    HANDED_BACK,
    LEFT_QUEUE,
    REQUIRED_REASON,
    Event,
    Status,
    bot_answers,
    next_status,
)
from desk.tables import ConversationEventRow, ConversationRow, MessageRow, StaffRow
from payhelp.store.database import transaction
from payhelp.store.tables import CustomerRow, OrderRow, utc_now

CUSTOMER_VISIBLE = ("customer", "bot", "agent", "system")


class Conflict(RuntimeError):
    """The conversation changed under us (e.g. another agent claimed it first)."""

    def __init__(self, conversation: Conversation) -> None:
        super().__init__(f"conversation {conversation.id} is now {conversation.status.value}")
        self.conversation = conversation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: str
    sender: str
    author: str | None
    text: str
    buttons: list[dict[str, str]] | None
    client_id: str | None
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        del data["conversation_id"]
        return data


@dataclass(frozen=True)
class BotInput:
    """A customer message the bot has not answered yet, and what to send it."""

    message_id: int
    text: str
    payload: bool  # a button payload the bot offered, not typed text


@dataclass(frozen=True)
class Conversation:
    id: str
    status: Status
    agent_id: int | None
    agent_name: str | None
    escalation_id: int | None
    reason: str | None
    order_id: str | None
    outcome: str | None
    rating: int | None
    rating_requested: bool
    waiting_since: datetime | None
    created_at: datetime
    updated_at: datetime
    language: str | None = None


def _message(row: MessageRow) -> Message:
    return Message(
        row.id, row.conversation_id, row.sender, row.author, row.text, row.buttons,
        row.client_id, row.created_at,
    )  # fmt: skip


def _conversation(row: ConversationRow, agent_name: str | None) -> Conversation:
    return Conversation(
        id=row.id,
        status=Status(row.status),
        agent_id=row.agent_id,
        agent_name=agent_name,
        escalation_id=row.escalation_id,
        reason=row.reason,
        order_id=row.order_id,
        outcome=row.outcome,
        rating=row.rating,
        rating_requested=bool(row.rating_requested),
        waiting_since=row.waiting_since,
        created_at=row.created_at,
        updated_at=row.updated_at,
        language=row.language,
    )


class ConversationStore:
    """Blocking repository; the desk calls it from worker threads."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    # --- conversations ---------------------------------------------------------

    def start(self, language: str | None = None) -> tuple[Conversation, str]:
        """A new conversation with the bot, and the customer's secret token for it."""
        token = secrets.token_urlsafe(32)
        now = utc_now()
        with transaction(self._sessions) as session:
            row = ConversationRow(
                id=f"web-{uuid.uuid4().hex}",
                token_hash=token_hash(token),
                status=Status.BOT.value,
                rating_requested=False,
                language=language,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _conversation(row, None), token

    def by_token(self, token: str) -> Conversation | None:
        return self._find(ConversationRow.token_hash == token_hash(token))

    def get(self, conversation_id: str) -> Conversation | None:
        return self._find(ConversationRow.id == conversation_id)

    def _find(self, condition: Any) -> Conversation | None:
        query = (
            select(ConversationRow, StaffRow.display_name)
            .outerjoin(StaffRow, ConversationRow.agent_id == StaffRow.id)
            .where(condition)
        )
        with transaction(self._sessions) as session:
            found = session.execute(query).first()
            return _conversation(*found) if found else None

    def transition(self, conversation_id: str, event: Event, **changes: Any) -> Conversation:
        """Apply ``event`` if the conversation is still in the status we read.

        Raises :class:`desk.routing.InvalidTransition` if the event cannot happen in
        the current status, and :class:`Conflict` if the status changed meanwhile.
        """
        current = self.get(conversation_id)
        if current is None:
            raise LookupError(conversation_id)
        target = next_status(current.status, event, current.reason)
        values = {**self._changes_for(event, changes), "status": target.value}
        values["updated_at"] = utc_now()
        unchanged = [
            ConversationRow.id == conversation_id,
            ConversationRow.status == current.status.value,
        ]
        if event in REQUIRED_REASON:
            unchanged.append(ConversationRow.reason == current.reason)
        statement = update(ConversationRow).where(and_(*unchanged)).values(**values)
        with transaction(self._sessions) as session:
            moved = session.execute(statement).rowcount
            if moved == 1:  # the log the impact analytics read, in the same transaction
                session.add(
                    ConversationEventRow(
                        conversation_id=conversation_id, event=event.value,
                        status=target.value, reason=values.get("reason", current.reason),
                        agent_id=values.get("agent_id", current.agent_id),
                        at=values["updated_at"],
                    )
                )  # fmt: skip
            if moved == 1 and event in BOT_OWES_NOTHING_AFTER:
                session.execute(
                    update(MessageRow)
                    .where(
                        MessageRow.conversation_id == conversation_id,
                        MessageRow.bot_input.isnot(None),
                    )
                    .values(bot_input=None)
                )
        latest = self.get(conversation_id)
        assert latest is not None
        if moved != 1:
            raise Conflict(latest)
        return latest

    def set_language(self, conversation_id: str, language: str) -> None:
        """The conversation's language changed (the customer's words, or the bot's slot)."""
        with transaction(self._sessions) as session:
            session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(language=language)
            )

    @staticmethod
    def _changes_for(event: Event, changes: dict[str, Any]) -> dict[str, Any]:
        now = utc_now()
        if event in (Event.HANDOFF, Event.BOT_UNAVAILABLE):
            # A new round with people: the last round's outcome no longer describes it.
            return {"waiting_since": now, "agent_id": None, "outcome": None, **changes}
        if event is Event.CLAIM:
            return {"agent_id": changes["agent_id"]}
        if event is Event.BOT_RECOVERED:
            return {"agent_id": None, "waiting_since": None}
        if event is Event.HAND_BACK:
            return {"agent_id": None, "waiting_since": None, "outcome": HANDED_BACK}
        if event is Event.LEAVE_QUEUE:
            return {"waiting_since": None, "outcome": LEFT_QUEUE}
        if event is Event.RESOLVE:
            return {"outcome": changes["outcome"], "rating_requested": True, "waiting_since": None}
        return {"rating_requested": False, "agent_id": None}  # REOPEN

    def rate(self, conversation_id: str, score: int) -> bool:
        """Store a 1-5 rating if one was asked for and none given yet."""
        statement = (
            update(ConversationRow)
            .where(
                ConversationRow.id == conversation_id,
                ConversationRow.rating_requested.is_(True),
                ConversationRow.rating.is_(None),
            )
            .values(rating=score, updated_at=utc_now())
        )
        with transaction(self._sessions) as session:
            return session.execute(statement).rowcount == 1

    def queue_position(self, conversation: Conversation) -> int | None:
        """1 for the longest-waiting conversation; None when not waiting."""
        if conversation.status is not Status.WAITING or conversation.waiting_since is None:
            return None
        query = select(func.count(ConversationRow.id)).where(
            ConversationRow.status == Status.WAITING.value,
            ConversationRow.waiting_since < conversation.waiting_since,
        )
        with transaction(self._sessions) as session:
            return int(session.execute(query).scalar_one()) + 1

    def queue(self, limit: int = 200) -> list[Conversation]:
        """Open conversations (waiting ones first, oldest first), then recent others."""
        order = (
            (ConversationRow.status != Status.WAITING.value),
            ConversationRow.waiting_since,
            ConversationRow.updated_at.desc(),
        )
        query = (
            select(ConversationRow, StaffRow.display_name)
            .outerjoin(StaffRow, ConversationRow.agent_id == StaffRow.id)
            .where(ConversationRow.status != Status.BOT.value)
            .order_by(*order)
            .limit(limit)
        )
        with transaction(self._sessions) as session:
            return [_conversation(*found) for found in session.execute(query).all()]

    def search(
        self,
        text: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
    ) -> list[Conversation]:
        """Conversations that reached people, newest first: by order id, customer email or
        name (any part, any case), active between ``since`` and ``until``."""
        query = (
            select(ConversationRow, StaffRow.display_name)
            .outerjoin(StaffRow, ConversationRow.agent_id == StaffRow.id)
            .outerjoin(OrderRow, ConversationRow.order_id == OrderRow.id)
            .outerjoin(CustomerRow, OrderRow.customer_id == CustomerRow.id)
            .where(ConversationRow.reason.is_not(None))
            .order_by(ConversationRow.updated_at.desc())
            .limit(limit)
        )
        text = text.strip().lower()
        if text:
            query = query.where(
                or_(
                    *(
                        func.lower(column).contains(text, autoescape=True)
                        for column in (
                            ConversationRow.order_id,
                            CustomerRow.email,
                            CustomerRow.name,
                        )
                    )
                )
            )
        if since is not None:
            query = query.where(ConversationRow.updated_at >= since)
        if until is not None:
            query = query.where(ConversationRow.created_at < until)
        with transaction(self._sessions) as session:
            return [_conversation(*found) for found in session.execute(query).all()]

    def customers(self, order_ids: list[str]) -> dict[str, tuple[str, str | None]]:
        """Name and email of the customer behind each (identity-checked) order."""
        if not order_ids:
            return {}
        query = (
            select(OrderRow.id, CustomerRow.name, CustomerRow.email)
            .join(CustomerRow, OrderRow.customer_id == CustomerRow.id)
            .where(OrderRow.id.in_(order_ids))
        )
        with transaction(self._sessions) as session:
            return {order_id: (name, email) for order_id, name, email in session.execute(query)}

    def waiting_ids(self) -> list[str]:
        query = select(ConversationRow.id).where(ConversationRow.status == Status.WAITING.value)
        with transaction(self._sessions) as session:
            return list(session.execute(query).scalars())

    def owed_by_bot(self) -> list[str]:
        """Conversations the bot owes answers: waiting because it failed, or with
        messages it never answered (e.g. the desk stopped mid-way), oldest first."""
        failed = select(ConversationRow.id, ConversationRow.updated_at).where(
            ConversationRow.status == Status.WAITING.value,
            ConversationRow.reason == ASSISTANT_UNAVAILABLE,
        )
        unanswered = (
            select(ConversationRow.id, ConversationRow.updated_at)
            .join(MessageRow, MessageRow.conversation_id == ConversationRow.id)
            .where(
                MessageRow.bot_input.isnot(None),
                ConversationRow.status.in_([s.value for s in Status if bot_answers(s)]),
            )
        )
        with transaction(self._sessions) as session:
            found = session.execute(failed.union(unanswered)).all()
        return [row.id for row in sorted(found, key=lambda row: row.updated_at)]

    # --- messages ----------------------------------------------------------------

    def add_message(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        author: str | None = None,
        buttons: list[dict[str, str]] | None = None,
        client_id: str | None = None,
        bot_input: str | None = None,
        bot_payload: bool = False,
    ) -> tuple[Message, bool]:
        """Store a message; ``(message, False)`` if this client id was stored before.

        ``bot_input`` marks a customer message the bot still has to answer (what to
        send it; ``bot_payload`` if that is a button payload the bot offered).
        """
        if client_id:
            existing = self._by_client_id(conversation_id, client_id)
            if existing is not None:
                return existing, False
        row = MessageRow(
            conversation_id=conversation_id, sender=sender, author=author, text=text,
            buttons=buttons, client_id=client_id, created_at=utc_now(), bot_input=bot_input,
            bot_payload=bot_payload,
        )  # fmt: skip
        try:
            with transaction(self._sessions) as session:
                session.add(row)
                self._touch(session, conversation_id)
                session.flush()
                return _message(row), True
        except IntegrityError:
            # The same client id raced in from a second connection.
            existing = self._by_client_id(conversation_id, client_id or "")
            if existing is None:
                raise
            return existing, False

    def _by_client_id(self, conversation_id: str, client_id: str) -> Message | None:
        query = select(MessageRow).where(
            MessageRow.conversation_id == conversation_id, MessageRow.client_id == client_id
        )
        with transaction(self._sessions) as session:
            row = session.execute(query).scalar_one_or_none()
            return _message(row) if row else None

    def awaiting_bot(self, conversation_id: str) -> list[BotInput]:
        """The customer's messages the bot has not answered yet, oldest first."""
        query = (
            select(MessageRow.id, MessageRow.bot_input, MessageRow.bot_payload)
            .where(MessageRow.conversation_id == conversation_id, MessageRow.bot_input.isnot(None))
            .order_by(MessageRow.id)
        )
        with transaction(self._sessions) as session:
            return [
                BotInput(row.id, row.bot_input, bool(row.bot_payload))
                for row in session.execute(query)
            ]

    def answered_by_bot(self, message_id: int) -> None:
        """The bot answered this message: it is never sent again."""
        with transaction(self._sessions) as session:
            session.execute(
                update(MessageRow).where(MessageRow.id == message_id).values(bot_input=None)
            )

    @staticmethod
    def _touch(session: Session, conversation_id: str) -> None:
        session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(updated_at=utc_now())
        )

    def messages(
        self, conversation_id: str, after: int = 0, include_notes: bool = False
    ) -> list[Message]:
        query = (
            select(MessageRow)
            .where(MessageRow.conversation_id == conversation_id, MessageRow.id > after)
            .order_by(MessageRow.id)
        )
        if not include_notes:
            query = query.where(MessageRow.sender.in_(CUSTOMER_VISIBLE))
        with transaction(self._sessions) as session:
            return [_message(row) for row in session.execute(query).scalars()]

    def has_messages(self, conversation_id: str) -> bool:
        query = select(MessageRow.id).where(MessageRow.conversation_id == conversation_id).limit(1)
        with transaction(self._sessions) as session:
            return session.execute(query).first() is not None

    def latest_from(self, conversation_id: str, sender: str) -> Message | None:
        query = (
            select(MessageRow)
            .where(MessageRow.conversation_id == conversation_id, MessageRow.sender == sender)
            .order_by(MessageRow.id.desc())
            .limit(1)
        )
        with transaction(self._sessions) as session:
            row = session.execute(query).scalar_one_or_none()
            return _message(row) if row else None

    def recent(self, conversation_id: str, limit: int = 12) -> list[Message]:
        """The latest customer-visible messages, oldest first (context for card masking)."""
        query = (
            select(MessageRow)
            .where(
                MessageRow.conversation_id == conversation_id,
                MessageRow.sender.in_(CUSTOMER_VISIBLE),
            )
            .order_by(MessageRow.id.desc())
            .limit(limit)
        )
        with transaction(self._sessions) as session:
            return [_message(row) for row in reversed(session.execute(query).scalars().all())]

    def rewrite_text(self, message_id: int, text: str) -> Message | None:
        """Store ``text`` instead of a message's text (to mask card data found later)."""
        with transaction(self._sessions) as session:
            row = session.get(MessageRow, message_id)
            if row is None:
                return None
            row.text = text
            session.flush()
            return _message(row)

    def last_messages(self, conversation_ids: list[str]) -> dict[str, str]:
        """The latest customer-visible text of each conversation, for the queue."""
        if not conversation_ids:
            return {}
        latest = (
            select(MessageRow.conversation_id, func.max(MessageRow.id).label("last_id"))
            .where(
                MessageRow.conversation_id.in_(conversation_ids),
                MessageRow.sender.in_(CUSTOMER_VISIBLE),
            )
            .group_by(MessageRow.conversation_id)
            .subquery()
        )
        query = select(MessageRow.conversation_id, MessageRow.text).join(
            latest, MessageRow.id == latest.c.last_id
        )
        with transaction(self._sessions) as session:
            return dict(session.execute(query).all())
