"""The order import on SQLite and PostgreSQL: upsert, idempotence, all-or-nothing."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from payhelp.imports.demo import DEMO_FILE
from payhelp.imports.orders_json import ImportRejected, import_document, parse_file
from payhelp.store.tables import CustomerRow, OrderRow, PaymentRow

SPEC_EXAMPLE = {
    "customers": [
        {"id": "C-1001", "name": "Jane Doe", "email": "jane@example.com", "phone": "+1 555 0100"}
    ],
    "orders": [
        {
            "id": "ORD-20417",
            "customer_id": "C-1001",
            "status": "awaiting_payment",
            "total": "59.90",
            "currency": "USD",
            "created_at": "2026-11-20T10:00:00Z",
            "payments": [
                {
                    "id": "pay_1",
                    "method": "card",
                    "status": "failed",
                    "amount": "59.90",
                    "currency": "USD",
                    "failure_code": "insufficient_funds",
                    "failure_message": "Your card has insufficient funds.",
                    "created_at": "2026-11-20T10:01:00Z",
                }
            ],
        }
    ],
}


def snapshot(sessions: sessionmaker) -> dict[str, list[tuple]]:
    """Every row of the three imported tables, for before/after comparisons."""
    with sessions() as session:
        return {
            "customers": sorted(
                (c.id, c.name, c.email, c.phone) for c in session.scalars(select(CustomerRow))
            ),
            "orders": sorted(
                (o.id, o.customer_id, o.status, o.total, o.currency, o.created_at)
                for o in session.scalars(select(OrderRow))
            ),
            "payments": sorted(
                (p.id, p.order_id, p.method, p.status, p.amount, p.failure_code, p.created_at)
                for p in session.scalars(select(PaymentRow))
            ),
        }


def test_the_spec_example_imports_exactly(sessions: sessionmaker) -> None:
    summary = import_document(sessions, SPEC_EXAMPLE)
    assert (summary.customers, summary.orders, summary.payments) == (1, 1, 1)
    with sessions() as session:
        payment = session.get(PaymentRow, "pay_1")
        assert payment.amount == Decimal("59.90") and str(payment.amount) == "59.90"
        assert payment.created_at.isoformat() == "2026-11-20T10:01:00+00:00"
        assert payment.order.customer.email == "jane@example.com"


def test_importing_twice_changes_nothing(sessions: sessionmaker) -> None:
    import_document(sessions, SPEC_EXAMPLE)
    before = snapshot(sessions)
    import_document(sessions, SPEC_EXAMPLE)
    assert snapshot(sessions) == before


def test_upsert_updates_by_id(sessions: sessionmaker) -> None:
    import_document(sessions, SPEC_EXAMPLE)
    changed = copy.deepcopy(SPEC_EXAMPLE)
    changed["orders"][0]["status"] = "paid"
    changed["orders"][0]["payments"].append(
        {"id": "pay_2", "method": "paypal", "status": "succeeded", "amount": "59.90",
         "currency": "usd", "created_at": "2026-11-20T11:00:00+01:00"}
    )  # fmt: skip
    import_document(sessions, changed)
    with sessions() as session:
        assert session.get(OrderRow, "ORD-20417").status == "paid"
        assert session.scalar(select(func.count(PaymentRow.id))) == 2
        second = session.get(PaymentRow, "pay_2")
        assert second.currency == "USD"
        assert second.created_at.isoformat() == "2026-11-20T10:00:00+00:00"


def test_a_list_of_documents_is_accepted(sessions: sessionmaker) -> None:
    customers_only = {"customers": SPEC_EXAMPLE["customers"]}
    orders_only = {"orders": SPEC_EXAMPLE["orders"]}
    summary = import_document(sessions, [customers_only, orders_only])
    assert (summary.customers, summary.orders) == (1, 1)


def test_the_demo_file_imports(sessions: sessionmaker) -> None:
    summary = import_document(sessions, json.loads(DEMO_FILE.read_text()))
    assert summary.orders >= 11


BAD = [
    ("status", lambda d: d["orders"][0].update(status="payed"), "orders[0].status"),
    (
        "amount",
        lambda d: d["orders"][0]["payments"][0].update(amount="59,90"),
        "orders[0].payments[0].amount",
    ),
    ("negative", lambda d: d["orders"][0].update(total="-1"), "orders[0].total"),
    ("timestamp", lambda d: d["orders"][0].update(created_at="yesterday"), "orders[0].created_at"),
    (
        "no zone",
        lambda d: d["orders"][0].update(created_at="2026-11-20T10:00:00"),
        "orders[0].created_at",
    ),
    (
        "bad date",
        lambda d: d["orders"][0].update(created_at="2026-13-45T10:00:00Z"),
        "orders[0].created_at",
    ),
    ("missing", lambda d: d["orders"][0].pop("currency"), "orders[0]: missing field 'currency'"),
    (
        "unknown field",
        lambda d: d["orders"][0]["payments"][0].update(failure_cod="x"),
        "unknown field 'failure_cod'",
    ),
    (
        "method",
        lambda d: d["orders"][0]["payments"][0].update(method="cash"),
        "orders[0].payments[0].method",
    ),
    (
        "no contact",
        lambda d: d["customers"][0].pop("email") and d["customers"][0].pop("phone"),
        "customers[0]: needs 'email' or 'phone'",
    ),
    (
        "customer",
        lambda d: d["orders"][0].update(customer_id="C-404"),
        "customer 'C-404' is neither",
    ),
    (
        "duplicate",
        lambda d: d["orders"].append(copy.deepcopy(d["orders"][0])),
        "'ORD-20417' appears twice",
    ),
    ("type", lambda d: d["orders"][0].update(total=59.9), "orders[0].total: expected string"),
    (
        "card number",
        lambda d: d["customers"][0].update(card_number="4242424242424242"),
        "unknown field 'card_number'",
    ),
]


@pytest.mark.parametrize("name,break_it,message", BAD, ids=[b[0] for b in BAD])
def test_a_bad_document_is_rejected_whole_naming_the_field(
    sessions, name, break_it, message
) -> None:
    import_document(
        sessions, {"customers": [{"id": "C-0", "name": "Zero", "email": "z@example.com"}]}
    )
    before = snapshot(sessions)
    document = copy.deepcopy(SPEC_EXAMPLE)
    document["orders"].append(
        {"id": "ORD-20418", "customer_id": "C-1001", "status": "paid", "total": "1.00",
         "currency": "USD", "created_at": "2026-11-20T10:00:00Z"}
    )  # fmt: skip
    break_it(document)
    with pytest.raises(ImportRejected) as rejected:
        import_document(sessions, document)
    assert any(message in problem for problem in rejected.value.problems), rejected.value.problems
    assert snapshot(sessions) == before, "nothing may be half-written"


def test_a_payment_cannot_move_to_another_order(sessions: sessionmaker) -> None:
    import_document(sessions, SPEC_EXAMPLE)
    moved = copy.deepcopy(SPEC_EXAMPLE)
    moved["orders"][0]["id"] = "ORD-99999"
    with pytest.raises(ImportRejected, match="already belongs to order 'ORD-20417'"):
        import_document(sessions, moved)


@pytest.mark.parametrize("document", [[], "orders", 42, None, {"orders": "x"}, {}])
def test_wrong_shapes_are_rejected(sessions: sessionmaker, document) -> None:
    with pytest.raises(ImportRejected):
        import_document(sessions, document)


@pytest.mark.parametrize(
    "content,message",
    [
        (b'{"orders": [', "is not valid JSON"),
        (b"\xff\xfe\x00binary", "is not UTF-8"),
        (b"", "is not valid JSON"),
    ],
)
def test_unreadable_files_are_rejected_with_a_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "orders.json"
    path.write_bytes(content)
    with pytest.raises(ImportRejected, match=message):
        parse_file(path)


def test_many_orders_import_in_one_go(sessions: sessionmaker) -> None:
    orders = [
        {"id": f"ORD-{30000 + i}", "customer_id": "C-1001", "status": "paid", "total": "10.00",
         "currency": "USD", "created_at": "2026-11-20T10:00:00Z",
         "payments": [{"id": f"pay_bulk_{i}", "method": "card", "status": "succeeded",
                       "amount": "10.00", "currency": "USD", "created_at": "2026-11-20T10:00:05Z"}]}
        for i in range(1200)
    ]  # fmt: skip
    summary = import_document(sessions, {"customers": SPEC_EXAMPLE["customers"], "orders": orders})
    assert summary.payments == 1200
    with sessions() as session:
        assert session.scalar(select(func.count(OrderRow.id))) == 1200
