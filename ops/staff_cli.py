"""Staff accounts: ``python -m ops.staff_cli create-staff USERNAME "Display Name" [--role admin]``.

The password is read from the terminal (or from stdin with --password-stdin).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from desk.staff_accounts import AccountError, Role, StaffAccounts
from ops.schema import upgrade_database
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory


def accounts(settings: Settings) -> StaffAccounts:
    upgrade_database(settings.database_url)
    return StaffAccounts(make_session_factory(make_engine(settings.database_url)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops.staff_cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-staff", help="create a staff account")
    create.add_argument("username")
    create.add_argument("name", help="shown to customers, e.g. 'Alex'")
    create.add_argument(
        "--role",
        choices=[r.value for r in Role],
        default=Role.AGENT.value,
        help="agent (default), or admin: also sees operations and manages staff",
    )
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    args = parser.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("the passwords differ", file=sys.stderr)
            return 1
    try:
        agent = accounts(Settings.from_env()).create(
            args.username, args.name, password, Role(args.role)
        )
    except AccountError as problem:
        print(f"not created: {problem}", file=sys.stderr)
        return 1
    print(f"created staff account {agent.username!r} ({agent.name}), role {agent.role.value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
