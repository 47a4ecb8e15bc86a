"""The desk's tables: conversations, their messages, staff accounts and sessions.

They share the product's database and migration history (ops/migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from payhelp.store.tables import Base, UTCDateTime, utc_now


class StaffRow(Base):
    __tablename__ = "staff"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    # "agent", or "admin": an agent who also operates (desk.staff_accounts.Role).
    role = Column(String(16), nullable=False, default="agent", server_default="agent")
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    token_hash = Column(String(64), primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    expires_at = Column(UTCDateTime, nullable=False)


class ConversationRow(Base):
    __tablename__ = "conversations"

    # Also the Rasa sender id. The customer's key is the token; only its hash is kept.
    id = Column(String(64), primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    status = Column(String(16), nullable=False)
    agent_id = Column(Integer, ForeignKey("staff.id"), nullable=True)
    escalation_id = Column(Integer, nullable=True)
    reason = Column(String(40), nullable=True)
    order_id = Column(String(64), nullable=True)
    outcome = Column(String(40), nullable=True)
    rating = Column(Integer, nullable=True)
    rating_requested = Column(Boolean, nullable=False, default=False)
    # en/zh (payhelp.contracts.Language); NULL until the widget or the customer says.
    language = Column(String(8), nullable=True)
    waiting_since = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now)

    __table_args__ = (Index("ix_conversations_status_waiting", "status", "waiting_since"),)


class MessageRow(Base):
    __tablename__ = "messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False)
    sender = Column(String(16), nullable=False)  # customer, bot, agent, system, note
    author = Column(String(80), nullable=True)
    text = Column(Text, nullable=False)
    buttons = Column(JSON, nullable=True)
    client_id = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    # What the bot still has to be sent for this customer message (its text, or the
    # button payload the customer pressed); NULL once the bot answered it, or when it
    # was never the bot's to answer. Set in the same insert as the message.
    bot_input = Column(Text, nullable=True)
    # Whether bot_input is a button payload the bot offered (Rasa may read it as an
    # intent) rather than typed text (always through the NLU).
    bot_payload = Column(Boolean, nullable=False, default=False)

    __table_args__ = (
        # A resent message (same client id) is stored once.
        UniqueConstraint("conversation_id", "client_id", name="uq_messages_client_id"),
        Index("ix_messages_conversation_id", "conversation_id", "id"),
        Index(
            "ix_messages_awaiting_bot",
            "conversation_id",
            sqlite_where=bot_input.isnot(None),
            postgresql_where=bot_input.isnot(None),
        ),
    )


class RateHitRow(Base):
    """One hit on a rate limit or one failed login (desk/limits.py)."""

    __tablename__ = "rate_hits"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(200), nullable=False)
    at = Column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_rate_hits_key_at", "key", "at"),)


class ConversationEventRow(Base):
    """Every routing transition of a conversation, when it happened (impact analytics:
    handoffs by reason, time to the first agent reply and to resolution)."""

    __tablename__ = "conversation_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False)
    event = Column(String(24), nullable=False)
    status = Column(String(16), nullable=False)
    reason = Column(String(40), nullable=True)
    agent_id = Column(Integer, nullable=True)
    at = Column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_conversation_events_conversation", "conversation_id", "id"),
        Index("ix_conversation_events_at", "at"),
    )
