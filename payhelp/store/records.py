"""What the assistant writes down: callback requests, escalations, failed identity
checks and messages for the shop's mailer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from payhelp.store.database import transaction
from payhelp.store.tables import (
    CallbackRequestRow,
    EscalationRow,
    IdentityFailureRow,
    OutboundMessageRow,
)


@dataclass(frozen=True)
class CallbackRequest:
    conversation_id: str
    channel: str  # "phone" or "email"
    contact: str
    preferred_time: str
    order_id: str | None = None


@dataclass(frozen=True)
class Escalation:
    conversation_id: str
    reason: str
    order_id: str | None = None
    payment_cause: str | None = None
    detail: str | None = None
    evidence: tuple[str, ...] = ()
    tried: tuple[str, ...] = field(default_factory=tuple)


class AssistantRecords:
    """Writes the assistant's records; each call is its own transaction."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add_callback_request(self, request: CallbackRequest) -> int:
        with transaction(self._sessions) as session:
            row = CallbackRequestRow(
                conversation_id=request.conversation_id,
                order_id=request.order_id,
                channel=request.channel,
                contact=request.contact,
                preferred_time=request.preferred_time,
                status="open",
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def add_escalation(self, escalation: Escalation) -> int:
        with transaction(self._sessions) as session:
            row = EscalationRow(
                conversation_id=escalation.conversation_id,
                reason=escalation.reason,
                order_id=escalation.order_id,
                payment_cause=escalation.payment_cause,
                detail=escalation.detail,
                evidence=list(escalation.evidence),
                tried=list(escalation.tried),
                status="open",
            )
            session.add(row)
            session.flush()
            return int(row.id)

    def add_identity_failure(self, order_id: str, conversation_id: str) -> None:
        with transaction(self._sessions) as session:
            session.add(IdentityFailureRow(order_id=order_id, conversation_id=conversation_id))

    def identity_failures_since(self, order_id: str, since: datetime) -> int:
        """Failed identity checks on ``order_id`` from any conversation since ``since``."""
        query = select(func.count(IdentityFailureRow.id)).where(
            IdentityFailureRow.order_id == order_id, IdentityFailureRow.created_at >= since
        )
        with transaction(self._sessions) as session:
            return int(session.execute(query).scalar_one())

    def queue_message(self, channel: str, recipient: str, subject: str, body: str) -> int:
        """Put a message in the outbox for the shop's mailer to deliver."""
        with transaction(self._sessions) as session:
            row = OutboundMessageRow(
                channel=channel, recipient=recipient, subject=subject, body=body
            )
            session.add(row)
            session.flush()
            return int(row.id)
