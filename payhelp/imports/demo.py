"""The demo data set, re-anchored so its newest event happened a minute ago.

Diagnosis depends on time (a payment pending for 5 minutes is normal, for 5 hours
it is stuck; an outage is a wave of failures in the last half hour), so the demo
orders keep their spacing but move to the present each time they are loaded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from payhelp.imports.orders_json import parse_timestamp
from payhelp.settings import PROJECT_ROOT

DEMO_FILE = PROJECT_ROOT / "demo" / "orders.json"
_TIME_FIELDS = ("created_at", "updated_at")


def _timestamps(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every dict in the document that carries a time field."""
    holders: list[dict[str, Any]] = []
    for order in document.get("orders", []):
        holders.append(order)
        holders.extend(order.get("payments", []))
    return holders


def reanchor(document: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A copy of ``document`` shifted so its newest timestamp is one minute before ``now``."""
    holders = _timestamps(document)
    times = [parse_timestamp(h[f]) for h in holders for f in _TIME_FIELDS if h.get(f)]
    if not times:
        return document
    shift = (now - timedelta(minutes=1)) - max(times)
    shifted = {
        "customers": [dict(c) for c in document.get("customers", [])],
        "orders": [
            {**o, "payments": [dict(p) for p in o.get("payments", [])]}
            for o in document.get("orders", [])
        ],
    }
    for holder in _timestamps(shifted):
        for name in _TIME_FIELDS:
            if holder.get(name):
                holder[name] = (parse_timestamp(holder[name]) + shift).isoformat()
    return shifted


def demo_document(now: datetime, path: Path = DEMO_FILE) -> dict[str, Any]:
    import json

    return reanchor(json.loads(path.read_text(encoding="utf-8")), now)
