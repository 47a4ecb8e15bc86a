"""What the staff console reads: the queue and one conversation with its order, payments,
diagnosis and canned replies, shaped as the staff API's JSON. Read-only: state changes
live in :mod:`desk.service`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk import messages
from desk.canned import canned_replies
from desk.conversations import Conversation, ConversationStore
from desk.routing import Status
from desk.service import DeskError
from desk.staff_accounts import Account
from payhelp.contracts import HandoffReason, Language
from payhelp.core.channels import ChannelBoard, Maintenance
from payhelp.lookup import find_and_diagnose
from payhelp.messages import method_name
from payhelp.settings import Settings
from payhelp.store.channels import CHART_HOURS, RATE_WINDOWS, MethodFigures, StatusChange
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

    async def search(
        self, text: str, since: datetime | None, until: datetime | None
    ) -> list[dict[str, Any]]:
        """Conversations that reached people, closed ones included (see ConversationStore.search)."""
        found = await self._db(self.conversations.search, text, since, until)
        return await self._summaries(found)

    async def summary(self, conversation_id: str) -> dict[str, Any]:
        """One conversation as the queue shows it (after a claim, resolve, hand-back)."""
        [found] = await self._summaries([await self._conversation(conversation_id)])
        return found

    async def _summaries(self, found: list[Conversation]) -> list[dict[str, Any]]:
        latest = await self._db(self.conversations.last_messages, [c.id for c in found])
        escalations = [c.escalation_id for c in found if c.escalation_id is not None]
        diagnoses = await self._db(self.records.diagnoses, escalations)
        orders = sorted({c.order_id for c in found if c.order_id})
        customers = await self._db(self.conversations.customers, orders)
        return [
            self._summary(
                c,
                latest.get(c.id),
                diagnoses.get(c.escalation_id, (None, None)),
                customers.get(c.order_id or "", (None, None)),
            )
            for c in found
        ]

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
                "cause_label": messages.CAUSE_LABELS.get(findings.diagnosis.cause.value),
                "detail_label": messages.DETAIL_LABELS.get(findings.diagnosis.detail.value),
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
            # In the customer's language: staff send them as they are.
            "canned_replies": canned_replies(
                findings,
                self.responses,
                self.settings.payment_methods,
                Language.parse(conversation.language),
            ),
        }

    @staticmethod
    def _summary(
        conversation: Conversation,
        last_message: str | None,
        diagnosis: tuple[str | None, str | None],
        customer: tuple[str | None, str | None],
    ) -> dict[str, Any]:
        waiting = None
        if conversation.status is Status.WAITING and conversation.waiting_since:
            waiting = int((utc_now() - conversation.waiting_since).total_seconds())
        cause, detail = diagnosis
        name, email = customer
        return {
            "id": conversation.id,
            "status": conversation.status.value,
            "status_label": messages.STATUS_LABELS[conversation.status.value],
            "agent": conversation.agent_name,
            "agent_id": conversation.agent_id,
            "reason": conversation.reason,
            "order_id": conversation.order_id,
            "customer_name": name,
            "customer_email": email,
            "payment_cause": cause,
            "cause_detail": detail,
            **labels(conversation.reason, cause, detail),
            "waiting_seconds": waiting,
            "last_message": last_message,
            "rating": conversation.rating,
            "language": conversation.language,
            "language_label": messages.LANGUAGE_LABELS.get(conversation.language or ""),
            "outcome": conversation.outcome,
            "outcome_label": outcome_label(conversation.outcome),
            "created_at": _iso(conversation.created_at),
            "updated_at": _iso(conversation.updated_at),
        }


def labels(reason: str | None, cause: str | None, detail: str | None) -> dict[str, str | None]:
    """What the console shows instead of codes: a headline, and the diagnosis under it.

    A handoff because the case needs staff is best described by its diagnosis
    ("Charged twice: needs a check"); any other reason leads, the diagnosis follows.
    """
    diagnosis = messages.DETAIL_LABELS.get(detail or "") or messages.CAUSE_LABELS.get(cause or "")
    reason_label = messages.REASON_LABELS.get(reason or "")
    if diagnosis and (reason == HandoffReason.NEEDS_STAFF or not reason_label):
        return {"headline": diagnosis, "diagnosis_label": None}
    return {"headline": reason_label, "diagnosis_label": diagnosis}


def outcome_label(outcome: str | None) -> str | None:
    if outcome is None:
        return None
    return messages.OUTCOMES.get(outcome) or messages.ENDED_WITHOUT_RESOLVING.get(outcome, outcome)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# --- the admins' pages -------------------------------------------------------------------


def account_json(account: Account) -> dict[str, Any]:
    agent = account.agent
    return {
        "id": agent.id, "username": agent.username, "name": agent.name,
        "role": agent.role.value, "active": account.active,
        "created_at": account.created_at.isoformat(),
    }  # fmt: skip


def status_change_json(change: StatusChange) -> dict[str, Any]:
    return {
        "id": change.id, "method": change.method, "status": change.status,
        "previous": change.previous, "reason": change.reason, "evidence": change.evidence,
        "at": change.at.isoformat(),
    }  # fmt: skip


def maintenance_json(window_id: int, window: Maintenance, now: datetime) -> dict[str, Any]:
    return {
        "id": window_id,
        "method": window.method.value,
        "method_label": method_name(window.method.value),
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
        "message_en": window.message_en,
        "message_zh": window.message_zh,
        "active": window.active_at(now),
    }


def channel_rows(
    board: ChannelBoard,
    figures: dict[str, MethodFigures],
    shop_methods: tuple[str, ...],
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per shop payment method for /staff/ops: status by the one rule, success
    rates per window, attempts, top failure codes and the hourly chart's points."""
    first_hour = now - timedelta(hours=CHART_HOURS)
    rows = []
    for method in shop_methods:
        found = figures.get(method)
        window = board.maintenance(method)
        hourly = found.hourly if found else [(0, 0)] * CHART_HOURS
        rows.append(
            {
                "method": method,
                "label": method_name(method),
                "status": board.status(method).value,
                "evidence": board.evidence(method),
                "maintenance": maintenance_json(0, window, now) if window else None,
                "success_rate": {w: found.success_rate(w) if found else None for w in RATE_WINDOWS},
                "attempts": {w: found.attempts[w] if found else 0 for w in RATE_WINDOWS},
                "failed": {w: found.failed[w] if found else 0 for w in RATE_WINDOWS},
                "top_failure_codes": [
                    {"code": code, "count": count}
                    for code, count in (found.top_failure_codes if found else [])
                ],
                "hourly": [
                    {
                        "from": (first_hour + timedelta(hours=i)).isoformat(),
                        "finished": finished,
                        "success_rate": succeeded / finished if finished else None,
                    }
                    for i, (succeeded, finished) in enumerate(hourly)
                ],
            }
        )
    return rows


def impact_tables(report: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The impact report as tables (the page's tables and their CSV exports)."""
    failed = report["failed_payments"]
    talks = report["conversations"]
    recovered = report["recovered"]
    timing = [
        ("first agent reply", report["first_agent_reply_seconds"]),
        ("resolution", report["resolution_seconds"]),
    ]
    return {
        "failed_by_method": (
            ["day", "method", "failed"],
            [[r["day"], r["method"], r["count"]] for r in failed["per_day_by_method"]],
        ),
        "failed_by_cause": (
            ["day", "cause", "failed"],
            [[r["day"], r["cause"], r["count"]] for r in failed["per_day_by_cause"]],
        ),
        "conversations": (
            ["figure", "count"],
            [
                [k, talks[k]]
                for k in (
                    "started",
                    "contained",
                    "handed_off",
                    "callbacks_requested",
                    "callbacks_done",
                )
            ]
            + [[f"handed_off:{r}", n] for r, n in talks["handed_off_by_reason"].items()],
        ),  # fmt: skip
        "recovered": (
            ["preceded_by", "orders", "currency", "amount"],
            [
                [kind, part["orders"], currency, amount]
                for kind, part in recovered["by_preceded"].items()
                for currency, amount in (part["amount"].items() or [("", "0")])
            ],
        ),
        "timing": (
            ["measure", "p50_seconds", "p90_seconds", "conversations"],
            [[name, t["p50"], t["p90"], t["count"]] for name, t in timing],
        ),
        "csat": (
            ["agent", "average", "ratings"],
            [["(all)", report["csat"]["average"], report["csat"]["count"]]]
            + [[a["agent"], a["average"], a["count"]] for a in report["csat"]["per_agent"]],
        ),
        "unrecognised": (
            ["text", "count"],
            [[u["text"], u["count"]] for u in report["unrecognised"]],
        ),
    }
