"""What the assistant writes down: callback requests, escalations, failed identity
checks and messages for the shop's mailer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from payhelp.store.database import transaction
from payhelp.store.tables import (
    ESCALATION_STATUS_LENGTH,
    CallbackRequestRow,
    EscalationRow,
    IdentityFailureRow,
    OrderCheckRow,
    OutboundMessageRow,
)

RESOLVED_PREFIX = "resolved:"


@dataclass(frozen=True)
class CallbackRequest:
    conversation_id: str
    channel: str  # "phone" or "email"
    contact: str
    # The customer's own words about the time, always kept.
    preferred_time: str
    order_id: str | None = None
    # The window those words were understood as; None: not understood, a person reads them.
    window_start: datetime | None = None
    window_end: datetime | None = None

    @property
    def time_understood(self) -> bool:
        return self.window_start is not None and self.window_end is not None


@dataclass(frozen=True)
class Escalation:
    conversation_id: str
    reason: str
    order_id: str | None = None
    payment_cause: str | None = None
    detail: str | None = None
    evidence: tuple[str, ...] = ()
    tried: tuple[str, ...] = field(default_factory=tuple)
    status: str = "open"


class AssistantRecords:
    """Writes the assistant's records; each call is its own transaction."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def _insert(self, row: Any) -> int:
        """Insert one row in its own transaction; its new id."""
        with transaction(self._sessions) as session:
            session.add(row)
            session.flush()
            return int(row.id)

    def add_callback_request(self, request: CallbackRequest) -> int:
        return self._insert(
            CallbackRequestRow(
                conversation_id=request.conversation_id,
                order_id=request.order_id,
                channel=request.channel,
                contact=request.contact,
                preferred_time=request.preferred_time,
                window_start=request.window_start,
                window_end=request.window_end,
                status="open",
            )
        )

    def callback_request(self, request_id: int) -> CallbackRequest | None:
        with transaction(self._sessions) as session:
            row = session.get(CallbackRequestRow, request_id)
            if row is None:
                return None
            return CallbackRequest(
                row.conversation_id, row.channel, row.contact, row.preferred_time,
                row.order_id, row.window_start, row.window_end,
            )  # fmt: skip

    def add_escalation(self, escalation: Escalation) -> int:
        return self._insert(
            EscalationRow(
                conversation_id=escalation.conversation_id,
                reason=escalation.reason,
                order_id=escalation.order_id,
                payment_cause=escalation.payment_cause,
                detail=escalation.detail,
                evidence=list(escalation.evidence),
                tried=list(escalation.tried),
                status="open",
            )
        )

    def escalation(self, escalation_id: int) -> Escalation | None:
        with transaction(self._sessions) as session:
            row = session.get(EscalationRow, escalation_id)
            if row is None:
                return None
            return Escalation(
                row.conversation_id, row.reason, row.order_id, row.payment_cause, row.detail,
                tuple(row.evidence or ()), tuple(row.tried or ()), row.status,
            )  # fmt: skip

    def diagnoses(self, escalation_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        """The diagnosed cause and detail of each escalation, in one query."""
        if not escalation_ids:
            return {}
        query = select(EscalationRow.id, EscalationRow.payment_cause, EscalationRow.detail).where(
            EscalationRow.id.in_(escalation_ids)
        )
        with transaction(self._sessions) as session:
            return {row_id: (cause, detail) for row_id, cause, detail in session.execute(query)}

    def close_escalation(self, escalation_id: int, outcome: str) -> None:
        """Mark an escalation as dealt with (``outcome`` is the staff's resolution, kept whole)."""
        status = f"{RESOLVED_PREFIX}{outcome}"
        if len(status) > ESCALATION_STATUS_LENGTH:
            raise ValueError(f"outcome {outcome!r} does not fit the escalation's status")
        with transaction(self._sessions) as session:
            row = session.get(EscalationRow, escalation_id)
            if row is not None:
                row.status = status

    def add_order_check(
        self, conversation_id: str, order_id: str, cause: str, detail: str, at: datetime
    ) -> int:
        """The bot checked a verified order and diagnosed it at ``at``."""
        return self._insert(
            OrderCheckRow(
                conversation_id=conversation_id, order_id=order_id,
                payment_cause=cause, detail=detail, created_at=at,
            )
        )  # fmt: skip

    def add_identity_failure(self, order_id: str, conversation_id: str) -> None:
        self._insert(IdentityFailureRow(order_id=order_id, conversation_id=conversation_id))

    def identity_failures_since(self, order_id: str, since: datetime) -> int:
        """Failed identity checks on ``order_id`` from any conversation since ``since``."""
        query = select(func.count(IdentityFailureRow.id)).where(
            IdentityFailureRow.order_id == order_id, IdentityFailureRow.created_at >= since
        )
        with transaction(self._sessions) as session:
            return int(session.execute(query).scalar_one())

    def queue_message(self, channel: str, recipient: str, subject: str, body: str) -> int:
        """Put a message in the outbox for the shop's mailer to deliver."""
        return self._insert(
            OutboundMessageRow(channel=channel, recipient=recipient, subject=subject, body=body)
        )
