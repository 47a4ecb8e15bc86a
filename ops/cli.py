"""Operator commands: ``python -m ops.cli <command>``; ``--help`` lists them."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from ops.schema import upgrade_database
from payhelp.imports.demo import demo_document
from payhelp.imports.orders_json import ImportRejected, import_document, parse_file
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory


def _sessions(settings: Settings):  # noqa: ANN202 - a sessionmaker
    upgrade_database(settings.database_url)
    return make_session_factory(make_engine(settings.database_url))


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade_database(settings.database_url)
    print(f"database schema is up to date ({_safe_url(settings.database_url)})")
    return 0


def cmd_import_orders(settings: Settings, args: argparse.Namespace) -> int:
    try:
        document = parse_file(Path(args.file))
        summary = import_document(_sessions(settings), document)
    except ImportRejected as rejected:
        print(str(rejected), file=sys.stderr)
        return 1
    print(
        f"imported {summary.customers} customers, {summary.orders} orders, "
        f"{summary.payments} payments into {_safe_url(settings.database_url)}"
    )
    return 0


def cmd_load_demo(settings: Settings, _args: argparse.Namespace) -> int:
    document = demo_document(datetime.now(timezone.utc))
    summary = import_document(_sessions(settings), document)
    print(
        f"demo data loaded: {summary.orders} orders, {summary.payments} payments "
        "(times re-anchored to now)"
    )
    return 0


def cmd_outbox(settings: Settings, args: argparse.Namespace) -> int:
    """The outbox: emails waiting to be sent (with --all, the sent ones too), newest last."""
    print(render_outbox(_sessions(settings), include_sent=args.all, limit=args.limit))
    return 0


def render_outbox(sessions, include_sent: bool, limit: int) -> str:  # noqa: ANN001
    from sqlalchemy import select

    from payhelp.store.tables import OutboundMessageRow

    query = select(OutboundMessageRow).order_by(OutboundMessageRow.id.desc()).limit(limit)
    if not include_sent:
        query = query.where(OutboundMessageRow.sent_at.is_(None))
    with sessions() as session:
        rows = list(reversed(session.execute(query).scalars().all()))
    if not rows:
        return "the outbox is empty" if include_sent else "no email is waiting to be sent"
    parts = []
    for row in rows:
        if row.sent_at:
            state = f"sent {row.sent_at:%Y-%m-%d %H:%M} UTC"
        elif row.attempts:
            state = f"{row.attempts} failed tries, next at {row.next_attempt_at:%H:%M} UTC"
            state += f" (last: {row.last_error})"
        else:
            state = "queued"
        parts.append(
            f"#{row.id}  {row.channel} to {row.recipient}  [{state}]\n"
            f"Subject: {row.subject}\n\n{row.body.rstrip()}\n"
        )
    return ("\n" + "-" * 72 + "\n").join(parts)


def _safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="payhelp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("db-upgrade", help="create or migrate the database schema").set_defaults(
        run=cmd_db_upgrade
    )
    importer = commands.add_parser("import-orders", help="import an order JSON file (upsert)")
    importer.add_argument("file", help="path to a JSON document in the PRODUCT.md format")
    importer.set_defaults(run=cmd_import_orders)
    commands.add_parser("load-demo", help="load the demo orders, re-anchored to now").set_defaults(
        run=cmd_load_demo
    )
    outbox = commands.add_parser("outbox", help="list the emails waiting to be sent")
    outbox.add_argument("--all", action="store_true", help="sent ones too")
    outbox.add_argument("--limit", type=int, default=20, help="at most this many (newest)")
    outbox.set_defaults(run=cmd_outbox)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(Settings.from_env(), args))


if __name__ == "__main__":
    sys.exit(main())
