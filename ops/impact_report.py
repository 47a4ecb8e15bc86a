"""``make impact-report``: the impact figures for the last 7 days (or SINCE/UNTIL) as a
table on the terminal, and as ``reports/impact.json`` for operators who script."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desk.impact import ImpactAnalytics, parse_range
from desk.views import impact_tables
from ops.schema import upgrade_database
from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.database import make_engine
from payhelp.store.tables import utc_now

DEFAULT_OUTPUT = PROJECT_ROOT / "reports" / "impact.json"


def render(report: dict[str, Any]) -> str:
    """The report's tables as plain text, one under the other."""
    lines = [f"Impact from {report['range']['since']} to {report['range']['until']}"]
    failed, talks, recovered = (
        report["failed_payments"],
        report["conversations"],
        report["recovered"],
    )
    reply, csat = report["first_agent_reply_seconds"], report["csat"]
    lines += [
        "",
        f"failed payments      {failed['total']}",
        f"conversations        {talks['started']} started, {talks['contained']} contained, "
        f"{talks['handed_off']} handed off",
        f"recovered            {recovered['orders']} orders, "
        + (", ".join(f"{a} {c}" for c, a in recovered["amount"].items()) or "0"),
        f"first agent reply    p50 {reply['p50']} s, p90 {reply['p90']} s ({reply['count']})",
        f"CSAT                 {csat['average']} ({csat['count']} ratings)",
    ]
    for name, (header, rows) in impact_tables(report).items():
        lines += ["", name, *_table(header, rows)]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    out = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out if rows else [*out, "(nothing in this range)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops.impact_report", description=__doc__)
    parser.add_argument("--since", help="first day, e.g. 2026-11-01 (default: 7 days ago)")
    parser.add_argument("--until", help="last day, included, e.g. 2026-11-30 (default: now)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        span = parse_range(args.since or None, args.until or None, utc_now())
    except ValueError as problem:
        print(f"impact-report: {problem}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    upgrade_database(settings.database_url)
    engine, tracker = make_engine(settings.database_url), make_engine(settings.tracker_store_url)
    try:
        report = ImpactAnalytics(engine, tracker).report(span)
    finally:
        engine.dispose()
        tracker.dispose()
    print(render(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"\nwritten: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
