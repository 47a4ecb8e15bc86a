"""Import orders and payments from the JSON format in PRODUCT.md.

The whole file is checked before anything is written: the JSON schema first
(shapes, enums, formats), then what a schema cannot say (ids unique, customers
exist, a payment does not move between orders). Any problem rejects the whole
file with messages naming the fields. A valid file is upserted by id in one
transaction, so importing it twice changes nothing. Failed attempts in it are
handed to the notice schedule in the same transaction (payhelp/store/notices.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from payhelp.store.database import transaction
from payhelp.store.notices import FailedAttempt, schedule_failure_notices
from payhelp.store.tables import CustomerRow, OrderRow, PaymentRow, utc_now

SCHEMA_PATH = Path(__file__).with_name("orders.schema.json")
MAX_PROBLEMS = 25
_CHUNK = 500
_FRACTION = re.compile(r"\.(\d{1,6})(?=\D|$)")


class ImportRejected(ValueError):
    """The document was not imported; ``problems`` name each bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"import rejected, nothing was written:\n{shown}")


@dataclass(frozen=True)
class ImportSummary:
    customers: int
    orders: int
    payments: int
    # Failed attempts newly scheduled for a failure notice (payhelp/notices).
    notices_scheduled: int = 0


Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class CheckedDocument:
    """A document that passed the schema, as rows for the three tables."""

    customers: Rows
    orders: Rows
    payments: Rows


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def parse_file(path: Path) -> Any:
    """The JSON in ``path``; unreadable or malformed files are rejected, not raised raw."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRejected([f"cannot read {path}: {exc.strerror or exc}"]) from exc
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportRejected([f"{path} is not UTF-8 text (byte {exc.start})"]) from exc
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from exc


def import_document(
    sessions: sessionmaker, document: Any, now: datetime | None = None
) -> ImportSummary:
    """Validate ``document`` (one import document or a list) and upsert it, all or nothing."""
    checked = check_document(document)
    with transaction(sessions) as session:
        return write_document(session, checked, now)


def check_document(document: Any) -> CheckedDocument:
    """The document's rows, or :class:`ImportRejected` naming every field the schema refuses."""
    documents = _as_documents(document)
    problems = list(_schema_problems(documents))
    if problems:
        raise ImportRejected(problems[:MAX_PROBLEMS])
    return CheckedDocument(*_flatten(documents))


def write_document(
    session: Session, checked: CheckedDocument, now: datetime | None = None
) -> ImportSummary:
    """Upsert a checked document inside the caller's transaction (after the checks that
    need the database), and schedule failure notices for its failed attempts."""
    customers, orders, payments = checked.customers, checked.orders, checked.payments
    problems = list(_reference_problems(session, customers, orders, payments))
    if problems:
        raise ImportRejected(problems[:MAX_PROBLEMS])
    _upsert(session, CustomerRow, customers)
    _upsert(session, OrderRow, orders)
    _upsert(session, PaymentRow, payments)
    unpaid = {o["id"] for o in orders if o["status"] == "awaiting_payment"}
    failed = [
        FailedAttempt(p["id"], p["order_id"], p["created_at"])
        for p in payments
        if p["status"] == "failed" and p["order_id"] in unpaid
    ]
    scheduled = schedule_failure_notices(session, failed, now or utc_now())
    return ImportSummary(len(customers), len(orders), len(payments), scheduled)


def _as_documents(document: Any) -> list[tuple[str, Any]]:
    if isinstance(document, list):
        if not document:
            raise ImportRejected(["the file holds an empty list: nothing to import"])
        return [(f"[{i}]", d) for i, d in enumerate(document)]
    return [("", document)]


def _schema_problems(documents: list[tuple[str, Any]]) -> Iterator[str]:
    for prefix, document in documents:
        errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            yield _describe(prefix, error)


def _field_path(prefix: str, parts: Iterable[Any]) -> str:
    path = prefix
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "document"


def _describe(prefix: str, error: ValidationError) -> str:
    where = _field_path(prefix, error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        return f"{where}: missing field '{missing}'"
    if kind == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{where}: unknown field {', '.join(repr(u) for u in unknown)}"
    if kind == "anyOf" and all("required" in alt for alt in error.validator_value):
        options = " or ".join(repr(alt["required"][0]) for alt in error.validator_value)
        return f"{where}: needs {options}"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{where}: {error.instance!r} is not one of {allowed}"
    if kind in ("pattern", "oneOf") and error.schema.get("description"):
        return f"{where}: {error.instance!r} is not {error.schema['description']}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}"
    return f"{where}: {error.message}"


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp with a zone (``Z`` or an offset) as an aware datetime."""
    value = _FRACTION.sub(lambda m: "." + m.group(1).ljust(6, "0"), text.strip())
    if value[-1] in "Zz":
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
        value = value[:-2] + ":" + value[-2:]  # "+0100" -> "+01:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return parsed.astimezone(timezone.utc)


def _flatten(documents: list[tuple[str, Any]]) -> tuple[Rows, Rows, Rows]:
    """Rows for the three tables, each row carrying ``_where`` for error messages."""
    customers: Rows = []
    orders: Rows = []
    payments: Rows = []
    for prefix, document in documents:
        base = f"{prefix}." if prefix else ""
        for i, c in enumerate(document.get("customers", [])):
            customers.append(
                {
                    "_where": f"{base}customers[{i}]",
                    "id": c["id"],
                    "name": c["name"],
                    "email": c.get("email"),
                    "phone": c.get("phone"),
                    "language": c.get("language"),
                }
            )
        for i, o in enumerate(document.get("orders", [])):
            where = f"{base}orders[{i}]"
            orders.append(
                {
                    "_where": where,
                    "id": o["id"],
                    "customer_id": o["customer_id"],
                    "status": o["status"],
                    "total": Decimal(o["total"]),
                    "currency": o["currency"].upper(),
                    "created_at": o["created_at"],
                }
            )
            for j, p in enumerate(o.get("payments", [])):
                payments.append(
                    {
                        "_where": f"{where}.payments[{j}]",
                        "id": p["id"],
                        "order_id": o["id"],
                        "method": p["method"],
                        "status": p["status"],
                        "amount": Decimal(p["amount"]),
                        "currency": p["currency"].upper(),
                        "failure_code": p.get("failure_code"),
                        "failure_message": p.get("failure_message"),
                        "created_at": p["created_at"],
                        "updated_at": p.get("updated_at"),
                    }
                )
    return customers, orders, payments


def _reference_problems(
    session: Session, customers: Rows, orders: Rows, payments: Rows
) -> Iterator[str]:
    for rows in (customers, orders, payments):
        yield from _duplicate_ids(rows)
    for rows in (orders, payments):
        for row in rows:
            for name in ("created_at", "updated_at"):
                if row.get(name) is None:
                    continue
                try:
                    row[name] = parse_timestamp(row[name])
                except ValueError:
                    yield f"{row['_where']}.{name}: {row[name]!r} is not a valid date and time"
    known = {c["id"] for c in customers}
    missing = {o["customer_id"] for o in orders} - known
    missing -= set(_lookup(session, CustomerRow.id, CustomerRow.id, missing))
    for order in orders:
        if order["customer_id"] in missing:
            yield (
                f"{order['_where']}.customer_id: customer {order['customer_id']!r} "
                "is neither in this file nor already imported"
            )
    owners = _lookup(session, PaymentRow.id, PaymentRow.order_id, [p["id"] for p in payments])
    for payment in payments:
        owner = owners.get(payment["id"])
        if owner is not None and owner != payment["order_id"]:
            yield (
                f"{payment['_where']}.id: payment {payment['id']!r} already belongs "
                f"to order {owner!r}"
            )


def _duplicate_ids(rows: Rows) -> Iterator[str]:
    seen: dict[str, str] = {}
    for row in rows:
        if row["id"] in seen:
            yield f"{row['_where']}.id: {row['id']!r} appears twice (also at {seen[row['id']]})"
        seen.setdefault(row["id"], row["_where"])


def _lookup(session: Session, key: Any, value: Any, ids: Iterable[str]) -> dict[str, Any]:
    """``{key: value}`` for the stored rows whose ``key`` is in ``ids`` (queried in chunks)."""
    wanted = list(ids)
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = select(key, value).where(key.in_(wanted[start : start + _CHUNK]))
        found.update(dict(session.execute(query).all()))
    return found


def _upsert(session: Session, table: Any, rows: Rows) -> None:
    """Insert rows, or update the ones whose id already exists."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
    columns = [c for c in values[0] if c != "id"]
    for start in range(0, len(values), _CHUNK):
        statement = insert(table.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={c: statement.excluded[c] for c in columns},
        )
        session.execute(statement, values[start : start + _CHUNK])
