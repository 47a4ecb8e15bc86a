"""POST /api/payment-events over real HTTP: signature, timestamp window, replay, bad
bodies (nothing written), and the upsert with its failure-notice schedule."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from payhelp.imports.events import sign
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.tables import (
    CustomerRow,
    FailureNoticeRow,
    OrderRow,
    PaymentEventRow,
    PaymentRow,
)
from tests.desk.conftest import LiveDesk

SECRET = "whsec_test_0123456789"
NOW_ISO = "2026-11-26T10:00:00Z"


def event_body(event_id: str = "evt_1", **changes: Any) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    payment = {
        "id": f"pay_{event_id}",
        "method": "card",
        "status": "failed",
        "amount": "24.50",
        "currency": "USD",
        "failure_code": "incorrect_cvc",
        "created_at": now,
    }
    document = {
        "customers": [
            {"id": "cus_live", "name": "Wang Fang", "email": "wang@example.com", "language": "zh"}
        ],
        "orders": [
            {
                "id": "ORD-20001",
                "customer_id": "cus_live",
                "status": "awaiting_payment",
                "total": "24.50",
                "currency": "USD",
                "created_at": now,
                "payments": [payment],
            }
        ],
    }
    return {"id": event_id, "document": document, **changes}


def counts(settings: Settings) -> dict[str, int]:
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as session:
        return {
            table.__tablename__: session.execute(select(func.count()).select_from(table)).scalar()
            for table in (CustomerRow, OrderRow, PaymentRow, PaymentEventRow, FailureNoticeRow)
        }


async def post(
    desk: LiveDesk,
    body: bytes,
    header: str | None = "sign",
    secret: str = SECRET,
    skew: int = 0,
) -> tuple[int, dict[str, Any]]:
    """POST ``body`` signed with ``secret`` at now + ``skew`` seconds (or with ``header``)."""
    headers = {"Content-Type": "application/json"}
    if header == "sign":
        headers["Payhelp-Signature"] = sign(secret, int(time.time()) + skew, body)
    elif header is not None:
        headers["Payhelp-Signature"] = header
    async with desk.http.post(f"{desk.base}/api/payment-events", data=body, headers=headers) as r:
        return r.status, await r.json()


@pytest.fixture
def live_settings(desk_settings: Settings) -> Settings:
    return replace(desk_settings, payment_events_secret=SECRET)


def test_a_signed_event_is_imported_once_and_a_replay_changes_nothing(
    run_desk: Any, live_settings: Settings
) -> None:
    before = counts(live_settings)
    body = json.dumps(event_body()).encode()

    async def scenario(desk: LiveDesk) -> list[tuple[int, dict[str, Any]]]:
        return [await post(desk, body), await post(desk, body)]

    (first, reply1), (second, reply2) = run_desk(scenario, live_settings)
    assert (first, reply1["status"], reply1["notices_scheduled"]) == (200, "imported", 1)
    assert (second, reply2["status"]) == (200, "duplicate")
    after = counts(live_settings)
    assert after["orders"] == before["orders"] + 1
    assert after["payments"] == before["payments"] + 1
    assert after["payment_events"] == before["payment_events"] + 1
    assert after["failure_notices"] == before["failure_notices"] + 1
    sessions = make_session_factory(make_engine(live_settings.database_url))
    with sessions() as session:
        assert session.get(CustomerRow, "cus_live").language == "zh"


def test_a_new_event_id_for_the_same_attempt_schedules_no_second_notice(
    run_desk: Any, live_settings: Settings
) -> None:
    first = event_body("evt_a")
    again = {**first, "id": "evt_b"}

    async def scenario(desk: LiveDesk) -> list[Any]:
        return [
            await post(desk, json.dumps(first).encode()),
            await post(desk, json.dumps(again).encode()),
        ]

    (s1, r1), (s2, r2) = run_desk(scenario, live_settings)
    assert (s1, r1["notices_scheduled"]) == (200, 1)
    assert (s2, r2["status"], r2["notices_scheduled"]) == (200, "imported", 0)


def _refused(
    run_desk: Any, settings: Settings, body: bytes, **how: Any
) -> tuple[int, dict[str, Any]]:
    before = counts(settings)

    async def scenario(desk: LiveDesk) -> Any:
        return await post(desk, body, **how)

    status, reply = run_desk(scenario, settings)
    assert counts(settings) == before, "a refused event must write nothing"
    return status, reply


GOOD = json.dumps(event_body()).encode()


@pytest.mark.parametrize(
    "how,status,says",
    [
        ({"header": None}, 401, "missing Payhelp-Signature"),
        ({"header": "t=abc,v1=00"}, 401, "t=<unix seconds>"),
        ({"secret": "someone else's key"}, 401, "does not match"),
        ({"skew": -302}, 401, "more than 5 minutes"),
        ({"skew": 302}, 401, "more than 5 minutes"),
    ],
    ids=["no header", "garbled header", "wrong key", "too old", "from the future"],
)
def test_signature_problems_are_refused_and_write_nothing(
    run_desk: Any, live_settings: Settings, how: dict[str, Any], status: int, says: str
) -> None:
    code, reply = _refused(run_desk, live_settings, GOOD, **how)
    assert code == status
    assert says in reply["error"]


def test_a_body_changed_after_signing_is_refused(run_desk: Any, live_settings: Settings) -> None:
    header = sign(SECRET, int(time.time()), GOOD)
    tampered = GOOD.replace(b"24.50", b"0.01")
    code, reply = _refused(run_desk, live_settings, tampered, header=header)
    assert (code, reply["error"]) == (401, "the signature does not match the body")


def test_a_timestamp_inside_the_window_is_accepted(run_desk: Any, live_settings: Settings) -> None:
    async def scenario(desk: LiveDesk) -> Any:
        return await post(desk, GOOD, skew=-280)

    assert run_desk(scenario, live_settings)[0] == 200


def _bad_document(**customer: Any) -> bytes:
    body = event_body()
    body["document"]["customers"][0].update(customer)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    "body,says",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (json.dumps({"document": {}}).encode(), "id: expected a string"),
        (json.dumps({"id": "evt_9"}).encode(), "document: expected an import document"),
        (_bad_document(language="fr"), "document.customers[0].language: 'fr' is not one of"),
        (_bad_document(email="nobody"), "document.customers[0].email"),
        (
            json.dumps(event_body(extra=1)).encode(),
            "unknown field 'extra'",
        ),
    ],
    ids=["bad json", "not an object", "no id", "no document", "bad language", "bad email", "extra"],
)
def test_bad_bodies_get_400_naming_the_field_and_write_nothing(
    run_desk: Any, live_settings: Settings, body: bytes, says: str
) -> None:
    code, reply = _refused(run_desk, live_settings, body)
    assert code == 400
    assert says in reply["error"]


def test_an_order_for_an_unknown_customer_is_refused_whole(
    run_desk: Any, live_settings: Settings
) -> None:
    body = event_body()
    body["document"]["customers"] = []
    body["document"]["orders"][0]["customer_id"] = "cus_nobody"
    code, reply = _refused(run_desk, live_settings, json.dumps(body).encode())
    assert code == 400
    assert "document.orders[0].customer_id" in reply["error"]


def test_without_a_secret_the_endpoint_is_off(run_desk: Any, desk_settings: Settings) -> None:
    assert desk_settings.payment_events_secret == ""
    code, _ = _refused(run_desk, desk_settings, GOOD)
    assert code == 404
