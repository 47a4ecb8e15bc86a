"""The scheduled job that turns due failed attempts into notices in the outbox.

Runs every ``CHECK_EVERY_S`` in the desk (blocking: call it off the event loop). Each
scheduled row whose ``NOTICE_DELAY_MINUTES`` are over is decided on by the flood rules
(payhelp/core/notice_rules.py) against the order as it is now; a notice is put in the
outbox and the row marked sent in one transaction, so a crash sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import sessionmaker

from payhelp.chat_tokens import LINK_LIFETIME, issue_token
from payhelp.core.diagnosis import diagnose
from payhelp.core.notice_rules import NoticeOutcome, NoticePolicy, decide_notice
from payhelp.lookup import channel_board
from payhelp.notices.compose import NoticeContext, compose_notice
from payhelp.notices.outbox import EMAIL
from payhelp.settings import Settings
from payhelp.store.database import transaction
from payhelp.store.notices import (
    DueNotice,
    NoticeState,
    due_notices,
    last_notice_sent,
    record_decision,
)
from payhelp.store.orders import OrderRecord, OrderRepository
from payhelp.store.tables import OutboundMessageRow

logger = logging.getLogger(__name__)
CHECK_EVERY_S = 30
# The query parameter of the shop page that carries a chat link's token (widget.js).
LINK_PARAMETER = "payhelp_chat"


class _Lost(Exception):
    """Another run settled the row first: undo this one's outbox insert."""


@dataclass(frozen=True)
class Decided:
    payment_id: str
    order_id: str
    outcome: NoticeOutcome
    message_id: int | None = None


def chat_link(settings: Settings, order_id: str, email: str, now: datetime) -> str | None:
    """The link that opens the chat on this order, or None without CHAT_TOKEN_SECRET."""
    if not settings.chat_token_secret:
        return None
    token = issue_token(settings.chat_token_secret, order_id, email, now)
    return f"{settings.public_url}/?{LINK_PARAMETER}={token}"


def run_notice_job(sessions: sessionmaker, settings: Settings, now: datetime) -> list[Decided]:
    """Decide every due notice; what was decided (rows left waiting are not listed)."""
    policy = NoticePolicy(settings.notice_min_hours, settings.notice_delay_minutes)
    with transaction(sessions) as session:
        due = due_notices(session, now - timedelta(minutes=policy.delay_minutes))
    orders = OrderRepository(sessions)
    decided: list[Decided] = []
    for notice in due:
        outcome = _decide(sessions, orders, notice, now, policy, settings)
        if outcome is not None:
            decided.append(outcome)
    return decided


def _decide(
    sessions: sessionmaker,
    orders: OrderRepository,
    notice: DueNotice,
    now: datetime,
    policy: NoticePolicy,
    settings: Settings,
) -> Decided | None:
    record = orders.find(notice.order_id)
    with transaction(sessions) as session:
        last = last_notice_sent(session, notice.order_id)
    if record is None:
        outcome = NoticeOutcome.ATTEMPT_GONE
    else:
        has_email = bool(record.customer.email)
        outcome = decide_notice(record.order, notice.payment_id, now, last, policy, has_email)
    if outcome is NoticeOutcome.WAIT:
        return None
    if outcome is not NoticeOutcome.SEND or record is None:
        with transaction(sessions) as session:
            record_decision(session, notice.id, NoticeState.SKIPPED, outcome.value, now)
        return Decided(notice.payment_id, notice.order_id, outcome)
    return _send(sessions, orders, record, notice, now, settings)


def _send(
    sessions: sessionmaker,
    orders: OrderRepository,
    record: OrderRecord,
    notice: DueNotice,
    now: datetime,
    settings: Settings,
) -> Decided | None:
    policy = settings.diagnosis
    board = channel_board(orders, now, policy)
    failed = next(p for p in record.order.payments if p.id == notice.payment_id)
    email = record.customer.email or ""
    context = NoticeContext(
        order=record.order,
        failed=failed,
        diagnosis=diagnose(record.order, now, board, policy),
        channels=board,
        customer_name=record.customer.name,
        language=record.customer.language,
    )
    composed = compose_notice(
        context,
        settings.payment_methods,
        settings.shop_name,
        settings.shop_zone,
        settings.shop_timezone,
        chat_link(settings, record.order.id, email, now),
        int(LINK_LIFETIME.total_seconds() // 3600),
    )
    try:
        with transaction(sessions) as session:
            row = OutboundMessageRow(
                channel=EMAIL,
                recipient=email,
                subject=composed.subject,
                body=composed.body,
                created_at=now,
                attempts=0,
            )
            session.add(row)
            session.flush()
            message_id = int(row.id)
            if not record_decision(
                session, notice.id, NoticeState.SENT, NoticeOutcome.SEND.value, now, message_id
            ):
                raise _Lost
    except _Lost:
        return None
    logger.info("failure notice for %s queued as outbox message %s", record.order.id, message_id)
    return Decided(notice.payment_id, notice.order_id, NoticeOutcome.SEND, message_id)
