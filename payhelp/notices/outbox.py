"""Delivering the outbox (``outbound_messages``) by email over SMTP, with retries.

A row is never deleted: ``sent_at`` says it went, ``attempts``/``next_attempt_at``/
``last_error`` say how delivery is going. A refused or failed send is tried again with
a doubling back-off (30 s, 1 min, 2 min, ... at most an hour apart), so a server that
refuses and recovers gets the message once it recovers. Each message carries a
Message-ID made from its row id, so a receiving server can recognise a repeat if the
process stopped between the server's "accepted" and our ``sent_at``.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql import Select

from payhelp.store.database import transaction
from payhelp.store.tables import OutboundMessageRow

EMAIL = "email"
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SMTP_TIMEOUT_S = 30


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to a mail server; raise if it was not accepted."""


@dataclass(frozen=True)
class SmtpMailer:
    """smtplib, in the caller's thread: STARTTLS when the server offers it, then login."""

    host: str
    port: int = 25
    user: str = ""
    password: str = ""
    timeout_s: float = SMTP_TIMEOUT_S
    # Whom to trust for STARTTLS (default: the system's certificate authorities).
    tls: ssl.SSLContext | None = None

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as server:
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=self.tls or ssl.create_default_context())
                server.ehlo()
            if self.user:
                server.login(self.user, self.password)
            server.send_message(message)


@dataclass(frozen=True)
class Outgoing:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def build_email(item: Outgoing, sender: str, shop_name: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((shop_name, sender))
    message["To"] = item.recipient
    message["Subject"] = item.subject
    message["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "payhelp.invalid"
    message["Message-ID"] = f"<outbox-{item.id}@{domain}>"
    message.set_content(item.body)  # UTF-8, so Chinese text travels as it is
    return message


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def due_messages(sessions: sessionmaker, now: datetime, limit: int = 50) -> list[Outgoing]:
    """Unsent emails whose next try is due, oldest first."""
    query = (
        select(OutboundMessageRow)
        .where(
            OutboundMessageRow.channel == EMAIL,
            OutboundMessageRow.sent_at.is_(None),
            or_(
                OutboundMessageRow.next_attempt_at.is_(None),
                OutboundMessageRow.next_attempt_at <= now,
            ),
        )
        .order_by(OutboundMessageRow.id)
        .limit(limit)
    )
    return _outgoing(sessions, query)


def _outgoing(sessions: sessionmaker, query: Select) -> list[Outgoing]:
    with transaction(sessions) as session:
        return [
            Outgoing(r.id, r.recipient, r.subject, r.body, r.attempts or 0)
            for r in session.execute(query).scalars()
        ]


@dataclass(frozen=True)
class DeliveryReport:
    sent: tuple[int, ...]
    failed: tuple[int, ...]


def deliver_due(
    sessions: sessionmaker,
    mailer: Mailer,
    sender: str,
    shop_name: str,
    now: Callable[[], datetime],
) -> DeliveryReport:
    """Try every due email once; record each outcome in its row as soon as it is known."""
    sent: list[int] = []
    failed: list[int] = []
    for item in due_messages(sessions, now()):
        try:
            mailer.send(build_email(item, sender, shop_name, now()))
        except (smtplib.SMTPException, OSError) as problem:
            _record_failure(sessions, item, f"{problem.__class__.__name__}: {problem}", now())
            failed.append(item.id)
            continue
        _record_sent(sessions, item.id, now())
        sent.append(item.id)
    return DeliveryReport(tuple(sent), tuple(failed))


def _record_sent(sessions: sessionmaker, message_id: int, now: datetime) -> None:
    with transaction(sessions) as session:
        row = session.get(OutboundMessageRow, message_id)
        row.sent_at = now
        row.attempts = (row.attempts or 0) + 1
        row.next_attempt_at = None


def _record_failure(sessions: sessionmaker, item: Outgoing, error: str, now: datetime) -> None:
    with transaction(sessions) as session:
        row = session.get(OutboundMessageRow, item.id)
        row.attempts = (row.attempts or 0) + 1
        row.next_attempt_at = now + retry_delay(row.attempts)
        row.last_error = error[:1000]


def queued_since(sessions: sessionmaker, after_id: int, limit: int = 50) -> list[Outgoing]:
    """Unsent emails with an id above ``after_id`` (what a log without SMTP shows)."""
    query = (
        select(OutboundMessageRow)
        .where(OutboundMessageRow.sent_at.is_(None), OutboundMessageRow.id > after_id)
        .order_by(OutboundMessageRow.id)
        .limit(limit)
    )
    return _outgoing(sessions, query)
