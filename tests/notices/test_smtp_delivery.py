"""Delivering the outbox to a real SMTP server (aiosmtpd on a free local port): a
message goes once; a server that refuses and then recovers gets it exactly once, with
the row keeping count of the tries; a server that is down loses nothing."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import sessionmaker

from payhelp.notices.outbox import SmtpMailer, deliver_due, retry_delay
from payhelp.store.records import AssistantRecords
from payhelp.store.tables import OutboundMessageRow

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@dataclass
class Inbox:
    """An SMTP server's handler: refuses the first ``refuse`` messages with a 451."""

    refuse: int = 0
    received: list[Message] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def queue(sessions: sessionmaker, body: str = "你好，您的订单 ORD-10018 付款没有成功。") -> int:
    return AssistantRecords(sessions).queue_message(
        "email", "zhang.min@example.com", "订单 ORD-10018 付款未成功", body
    )


def row(sessions: sessionmaker, message_id: int) -> OutboundMessageRow:
    with sessions() as session:
        return session.get(OutboundMessageRow, message_id)


def deliver(sessions: sessionmaker, port: int, at: datetime) -> Any:
    mailer = SmtpMailer("127.0.0.1", port, timeout_s=5)
    return deliver_due(sessions, mailer, "shop@northwind.example", "Northwind Shop", lambda: at)


def test_a_queued_email_is_delivered_once_in_utf8(
    sqlite_sessions: sessionmaker, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    message_id = queue(sqlite_sessions)
    assert deliver(sqlite_sessions, port, T0).sent == (message_id,)
    assert deliver(sqlite_sessions, port, T0 + timedelta(hours=2)).sent == ()
    assert len(inbox.received) == 1
    got = inbox.received[0]
    assert got["To"] == "zhang.min@example.com"
    assert str(email.header.make_header(email.header.decode_header(got["Subject"]))) == (
        "订单 ORD-10018 付款未成功"
    )
    assert "付款没有成功" in got.get_payload(decode=True).decode("utf-8")
    assert got["Message-ID"] == f"<outbox-{message_id}@northwind.example>"
    stored = row(sqlite_sessions, message_id)
    assert (stored.sent_at, stored.attempts) == (T0.replace(tzinfo=timezone.utc), 1)


def test_a_server_that_refuses_then_recovers_gets_the_message_exactly_once(
    sqlite_sessions: sessionmaker, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse = 2
    message_id = queue(sqlite_sessions)

    first = deliver(sqlite_sessions, port, T0)
    assert first.failed == (message_id,)
    stored = row(sqlite_sessions, message_id)
    assert stored.sent_at is None and stored.attempts == 1
    assert "451" in stored.last_error
    assert stored.next_attempt_at == T0 + retry_delay(1)

    # Not due again before its back-off is over: the server is not asked meanwhile.
    assert deliver(sqlite_sessions, port, T0 + retry_delay(1) - timedelta(seconds=1)).failed == ()
    assert inbox.refused == 1

    second_try = T0 + retry_delay(1)
    assert deliver(sqlite_sessions, port, second_try).failed == (message_id,)
    assert row(sqlite_sessions, message_id).attempts == 2
    third_try = second_try + retry_delay(2)
    assert deliver(sqlite_sessions, port, third_try).sent == (message_id,)
    for later in range(1, 4):
        deliver(sqlite_sessions, port, third_try + timedelta(hours=later))

    assert inbox.refused == 2
    assert len(inbox.received) == 1
    stored = row(sqlite_sessions, message_id)
    assert stored.sent_at is not None and stored.attempts == 3


def test_a_server_that_is_down_loses_nothing(sqlite_sessions: sessionmaker) -> None:
    message_id = queue(sqlite_sessions)
    report = deliver(sqlite_sessions, free_port(), T0)  # nobody listens there
    assert report.failed == (message_id,)
    stored = row(sqlite_sessions, message_id)
    assert stored.sent_at is None and stored.attempts == 1
    assert "ConnectionRefusedError" in stored.last_error


def test_back_off_doubles_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(30) == timedelta(hours=1)


def test_make_outbox_lists_what_waits_and_why(sqlite_sessions: sessionmaker) -> None:
    from ops.cli import render_outbox

    waiting = queue(sqlite_sessions)
    deliver(sqlite_sessions, free_port(), T0)  # refused: one failed try
    listed = render_outbox(sqlite_sessions, include_sent=False, limit=20)
    assert f"#{waiting}  email to zhang.min@example.com  [1 failed tries" in listed
    assert "Subject: 订单 ORD-10018 付款未成功" in listed and "付款没有成功" in listed
    with sqlite_sessions() as session:
        session.get(OutboundMessageRow, waiting).sent_at = T0
        session.commit()
    assert render_outbox(sqlite_sessions, include_sent=False, limit=20) == (
        "no email is waiting to be sent"
    )
    assert "[sent 2026-11-26 10:00 UTC]" in render_outbox(sqlite_sessions, True, 20)


def _self_signed(tmp_path: Any) -> tuple[Any, Any]:
    """A certificate for 127.0.0.1 and its key, made here (no network, no openssl CLI)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(timezone.utc) - timedelta(days=1))
        .not_valid_after(datetime.now(timezone.utc) + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_is_used_when_offered_and_the_login_travels_inside_it(
    sqlite_sessions: sessionmaker, tmp_path: Any
) -> None:
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert_file, key_file = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    logins: list[tuple[bytes, bool]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any):  # noqa: ANN202
        logins.append((auth.login, session.ssl is not None))
        return AuthResult(success=auth.login == b"shop" and auth.password == b"s3cret")

    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_tls,
        require_starttls=True, auth_required=True, authenticator=authenticator,
    )  # fmt: skip
    controller.start()
    try:
        message_id = queue(sqlite_sessions)
        client_tls = ssl.create_default_context(cafile=str(cert_file))
        mailer = SmtpMailer("127.0.0.1", port, "shop", "s3cret", timeout_s=5, tls=client_tls)
        report = deliver_due(sqlite_sessions, mailer, "s@shop.io", "Shop", lambda: T0)
    finally:
        controller.stop()
    assert report.sent == (message_id,)
    assert logins == [(b"shop", True)]  # the password went over TLS only
    assert len(inbox.received) == 1
