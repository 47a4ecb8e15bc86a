"""What the staff console reads: the queue and one conversation with its order, payments,
diagnosis and canned replies, shaped as the staff API's JSON. Read-only: state changes
live in :mod:`desk.service`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desk import messages
from desk.canned import canned_replies
from desk.conversations import Conversation, ConversationStore
from desk.routing import Status
from desk.service import DeskError
from payhelp.lookup import find_and_diagnose
from payhelp.settings import Settings
from payhelp.store.orders import OrderRepository
from payhelp.store.records import AssistantRecords
from payhelp.store.tables import utc_now


@dataclass
class StaffViews:
    settings: Settings
    conversations: ConversationStore
    orders: OrderRepository
    records: AssistantRecords
    responses: dict[str, Any]

    async def _db(self, function: Any, *args: Any) -> Any:
        return await asyncio.to_thread(function, *args)

    async def _conversation(self, conversation_id: str) -> Conversation:
        found = await self._db(self.conversations.get, conversation_id)
        if found is None:
            raise DeskError("no such conversation", status=404)
        return found

    async def queue(self) -> list[dict[str, Any]]:
        return await self._summaries(await self._db(self.conversations.queue))

    async def summary(self, conversation_id: str) -> dict[str, Any]:
        """One conversation as the queue shows it (after a claim, resolve, hand-back)."""
        [found] = await self._summaries([await self._conversation(conversation_id)])
        return found

    async def _summaries(self, found: list[Conversation]) -> list[dict[str, Any]]:
        latest = await self._db(self.conversations.last_messages, [c.id for c in found])
        escalations = [c.escalation_id for c in found if c.escalation_id is not None]
        causes = await self._db(self.records.payment_causes, escalations)
        return [self._summary(c, latest.get(c.id), causes.get(c.escalation_id)) for c in found]

    async def details(self, conversation_id: str) -> dict[str, Any]:
        conversation = await self._conversation(conversation_id)
        history = await self._db(self.conversations.messages, conversation_id, 0, True)
        escalation = (
            await self._db(self.records.escalation, conversation.escalation_id)
            if conversation.escalation_id is not None
            else None
        )
        findings = None
        if conversation.order_id:
            findings = await self._db(
                find_and_diagnose, self.orders, conversation.order_id, utc_now(),
                self.settings.diagnosis,
            )  # fmt: skip
        order = payments = diagnosis = None
        if findings is not None:
            found = findings.record.order
            order = {
                "id": found.id, "status": found.status.value, "total": str(found.total),
                "currency": found.currency, "created_at": found.created_at.isoformat(),
                "customer": findings.record.customer.name,
            }  # fmt: skip
            payments = [
                {
                    "id": p.id, "method": p.method.value, "status": p.status.value,
                    "amount": str(p.amount), "currency": p.currency,
                    "failure_code": p.failure_code, "failure_message": p.failure_message,
                    "created_at": p.created_at.isoformat(),
                }
                for p in found.payments
            ]  # fmt: skip
            diagnosis = {
                "cause": findings.diagnosis.cause.value,
                "detail": findings.diagnosis.detail.value,
                "evidence": list(findings.diagnosis.evidence),
                "tried": [messages.STEP_TITLES.get(t, t) for t in escalation.tried]
                if escalation
                else [],
            }
        return {
            "conversation": (await self._summaries([conversation]))[0],
            "messages": [m.as_json() for m in history],
            "order": order,
            "payments": payments or [],
            "diagnosis": diagnosis,
            "canned_replies": canned_replies(
                findings, self.responses, self.settings.payment_methods
            ),
        }

    @staticmethod
    def _summary(
        conversation: Conversation, last_message: str | None, cause: str | None
    ) -> dict[str, Any]:
        waiting = None
        if conversation.status is Status.WAITING and conversation.waiting_since:
            waiting = int((utc_now() - conversation.waiting_since).total_seconds())
        return {
            "id": conversation.id,
            "status": conversation.status.value,
            "agent": conversation.agent_name,
            "agent_id": conversation.agent_id,
            "reason": conversation.reason,
            "order_id": conversation.order_id,
            "payment_cause": cause,
            "waiting_seconds": waiting,
            "last_message": last_message,
            "rating": conversation.rating,
            "outcome": conversation.outcome,
            "updated_at": _iso(conversation.updated_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
