"""Live payment events: a signed request carrying one import document.

The shop's payment system signs each request the way payment providers sign their
webhooks: ``Payhelp-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``
with the shared key ``PAYMENT_EVENTS_SECRET``. The body is ``{"id": "evt_..",
"document": {<the import format>}}``; the document goes through the same checks and
upsert as ``make import-orders``, in one transaction with the event id, so a
repeated id changes nothing and a rejected event writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from payhelp.imports.orders_json import (
    ImportRejected,
    ImportSummary,
    check_document,
    write_document,
)
from payhelp.store.database import transaction
from payhelp.store.tables import PaymentEventRow

SIGNATURE_HEADER = "Payhelp-Signature"
# How far a signature's timestamp may be from now, either way (replayed or skewed).
TOLERANCE_S = 300
MAX_EVENT_ID = 128


class EventRefused(ValueError):
    """The event was not taken in: ``status`` 401 (signature) or 400 (body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class EventOutcome:
    event_id: str
    duplicate: bool
    summary: ImportSummary | None = None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Payhelp-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify_signature(secret: str, header: str | None, body: bytes, now: datetime) -> None:
    """Raise :class:`EventRefused` (401) unless ``header`` signs ``body`` recently enough."""
    if not header:
        raise EventRefused(401, f"missing {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value.strip())
    if timestamp is None or not signatures:
        raise EventRefused(401, f"{SIGNATURE_HEADER} needs t=<unix seconds>,v1=<hex digest>")
    if abs(now.timestamp() - timestamp) > TOLERANCE_S:
        raise EventRefused(
            401, f"the signature's timestamp is more than {TOLERANCE_S // 60} minutes from now"
        )
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise EventRefused(401, "the signature does not match the body")


def read_event(body: bytes) -> tuple[str, Any]:
    """The event id and its document, or :class:`EventRefused` (400) saying what is wrong."""
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventRefused(400, f"the body is not valid JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise EventRefused(400, 'the body must be an object: {"id": ..., "document": ...}')
    unknown = sorted(set(event) - {"id", "document"})
    if unknown:
        raise EventRefused(400, f"unknown field {', '.join(repr(u) for u in unknown)}")
    event_id = event.get("id")
    if not isinstance(event_id, str) or not 0 < len(event_id.strip()) <= MAX_EVENT_ID:
        raise EventRefused(400, f"id: expected a string of 1 to {MAX_EVENT_ID} characters")
    if not isinstance(event.get("document"), dict):
        raise EventRefused(400, "document: expected an import document (an object)")
    return event_id.strip(), event["document"]


def take_event(
    sessions: sessionmaker, secret: str, header: str | None, body: bytes, now: datetime
) -> EventOutcome:
    """Verify, check and import one event; a repeated id is acknowledged and ignored."""
    verify_signature(secret, header, body, now)
    event_id, document = read_event(body)
    try:
        checked = check_document(document)
    except ImportRejected as rejected:
        raise EventRefused(400, _in_document(rejected)) from rejected
    try:
        with transaction(sessions) as session:
            if session.get(PaymentEventRow, event_id) is not None:
                return EventOutcome(event_id, duplicate=True)
            session.add(PaymentEventRow(id=event_id, received_at=now))
            session.flush()
            summary = write_document(session, checked, now)
    except ImportRejected as rejected:
        raise EventRefused(400, _in_document(rejected)) from rejected
    except IntegrityError:
        return EventOutcome(event_id, duplicate=True)  # the same event, taken in meanwhile
    return EventOutcome(event_id, duplicate=False, summary=summary)


def _in_document(rejected: ImportRejected) -> str:
    return "; ".join(p if p.startswith("document") else f"document.{p}" for p in rejected.problems)
