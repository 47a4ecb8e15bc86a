"""The desk's mail jobs: without SMTP each queued email is logged once and stays queued;
with SMTP the notice job's email reaches the server."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from desk.mail_jobs import MailJobs
from payhelp.settings import Settings
from payhelp.store.records import AssistantRecords
from payhelp.store.tables import OutboundMessageRow
from tests.notices.test_notice_job import document
from tests.notices.test_smtp_delivery import Inbox, smtp  # noqa: F401 - the fixture


def test_without_smtp_each_email_is_logged_once_and_kept(
    sqlite_sessions: sessionmaker, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = MailJobs(Settings(smtp_host=""), sqlite_sessions)
    records = AssistantRecords(sqlite_sessions)
    first = records.queue_message("email", "a@example.com", "Your order numbers", "ORD-1")
    with caplog.at_level(logging.INFO, logger="desk.mail_jobs"):
        jobs.deliver()
        jobs.deliver()
        records.queue_message("email", "b@example.com", "Second", "ORD-2")
        jobs.deliver()
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2
    assert f"email {first} queued, not sent" in logged[0] and "To: a@example.com" in logged[0]
    assert "To: b@example.com" in logged[1]
    with sqlite_sessions() as session:
        assert session.get(OutboundMessageRow, first).sent_at is None


def test_with_smtp_the_notice_reaches_the_server(
    sqlite_sessions: sessionmaker,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    from payhelp.imports.orders_json import import_document

    inbox, port = smtp
    failed_at = datetime.now(timezone.utc) - timedelta(minutes=6)
    import_document(sqlite_sessions, document([("failed", "incorrect_cvc", failed_at)]))
    settings = replace(Settings(), smtp_host="127.0.0.1", smtp_port=port, shop_email="s@shop.io")
    jobs = MailJobs(settings, sqlite_sessions)
    jobs.notices()
    jobs.deliver()
    [received] = inbox.received
    assert received["To"] == "c-3001@example.com"
    assert "安全码（CVC）与银行卡不符" in received.get_payload(decode=True).decode()
