"""Mutation testing (``make mutate``): do the fast tests catch a planted bug?

mutmut 2 plants one small change ("mutant") at a time in a module on disk, runs a test
command, and counts the mutant as killed when the command fails. Each module below runs
only the fast tests that exercise it (SQLite only), so a full run fits on a laptop.

Starting pytest costs about a second of imports, more than most test runs here. So a
small fork server imports the third-party libraries once; for each mutant it forks a
child that runs pytest on the module as it is on disk now (the project's own modules are
never imported before the fork). The runner mutmut calls only passes the request on.

    python -m ops.mutate                      every module
    python -m ops.mutate desk/routing.py ...  some of them
    python -m ops.mutate --fresh              forget earlier results (.mutmut-cache)

Results accumulate in ``.mutmut-cache``: a rerun tests only new mutants and, when the
tests changed, the survivors. ``.venv/bin/mutmut show ID`` prints one mutant's diff.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".mutmut-cache"
LOGS = ROOT / "var" / "mutation"


def unit(*names: str) -> list[str]:
    return [f"tests/unit/test_{name}.py" for name in names]


CARD_TESTS = unit("card_data", "card_masking_formats", "security_codes", "card_masking_properties")
DIAGNOSIS_TESTS = unit("diagnosis", "diagnosis_boundaries", "diagnosis_rule_order")

# Module -> the tests that run against its mutants, its own first (pytest -x stops at the
# first failure, so most mutants cost one test file).
TARGETS: dict[str, list[str]] = {
    "payhelp/core/card_data.py": CARD_TESTS,
    "payhelp/core/security_codes.py": CARD_TESTS,
    "payhelp/redaction.py": [*unit("log_masking"), *CARD_TESTS, *unit("redaction")],
    "payhelp/core/identity.py": unit("identity"),
    "payhelp/core/orders.py": [*DIAGNOSIS_TESTS, *unit("channels", "remedies")],
    "payhelp/core/channels.py": unit("channels"),
    "payhelp/core/education.py": unit("education"),
    "payhelp/core/diagnosis.py": [
        *DIAGNOSIS_TESTS,
        *unit("canned_methods", "remedies", "channels"),
    ],
    "payhelp/core/remedies.py": unit("remedies"),
    "payhelp/core/causes.py": [
        *unit("causes"),
        *DIAGNOSIS_TESTS,
        *unit("remedies", "education", "channels"),
    ],
    "payhelp/core/time_window.py": unit("time_window"),
    "desk/routing.py": [*unit("routing"), "tests/desk/test_conversation_store.py"],
    "desk/conversations.py": [
        "tests/desk/test_conversation_store.py",
        "tests/desk/test_ownership.py",
        "tests/desk/test_waiting.py",
    ],
    "desk/staff_routes.py": [
        "tests/desk/test_staff_routes.py",
        "tests/desk/test_ownership.py",
        "tests/desk/test_staff_route_guards.py",
        "tests/desk/test_no_server_errors.py",
    ],
}

PYTEST_ARGS = ["-x", "-q", "--tb=line", "-p", "no:cacheprovider", "--timeout", "120"]
# Imported by the fork server once; never the project's own packages.
PRELOAD = [
    "pytest", "hypothesis", "sqlalchemy", "alembic", "sanic", "aiohttp", "websockets",
    "argon2", "psycopg2", "yaml", "pydantic",
]  # fmt: skip


def serve(address: str) -> None:
    """The fork server: one request (pytest arguments) at a time, answered with the exit code."""
    import contextlib
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import pytest

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)
    while True:
        connection, _ = listener.accept()
        with connection:
            request = json.loads(connection.makefile().readline())
            if request == "stop":
                connection.sendall(b"0\n")
                return
            child = os.fork()
            if child == 0:
                listener.close()
                os.setpgid(0, 0)  # its own process group, so a timeout ends it all
                os.chdir(ROOT)
                quiet = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                os.dup2(quiet, 1)
                os.dup2(quiet, 2)
                code = 1
                try:
                    code = int(pytest.main(request["args"]))
                finally:
                    sys.stdout.flush()
                    os._exit(code)
            code = _wait(child, connection)
            if code is not None:
                with contextlib.suppress(OSError):
                    connection.sendall(f"{code}\n".encode())


def _wait(child: int, connection: socket.socket) -> int | None:
    """The child's exit code; None if the client gave up first (mutmut's timeout killed it)."""
    import select
    import signal

    while True:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        readable, _, _ = select.select([connection], [], [], 0.02)
        if readable and not connection.recv(1):
            os.killpg(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return None


def ask(address: str, request: object) -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(address)
        connection.sendall(json.dumps(request).encode() + b"\n")
        return int(connection.makefile().readline())


def client(address: str, log: str, tests: list[str]) -> int:
    """What mutmut runs per mutant: 0 if the tests pass, 1 if they do not (mutant killed).

    Any test failure counts as a kill, a collection or import error included (pytest
    says 2). No answer from the fork server is not a kill: 3, which mutmut counts as a
    survivor, and the run reports the server's death.
    """
    try:
        code = ask(address, {"args": [*PYTEST_ARGS, *tests], "log": log})
    except (OSError, ValueError) as problem:
        print(f"no answer from the fork server: {problem}", file=sys.stderr)
        return 3
    return 0 if code == 0 else 1


def counts_by_status() -> dict[str, dict[str, int]]:
    import sqlite3

    if not CACHE.exists():
        return {}
    with sqlite3.connect(CACHE) as db:
        rows = db.execute(
            "SELECT s.filename, m.status, COUNT(*) FROM Mutant m JOIN Line l ON m.line = l.id"
            " JOIN SourceFile s ON l.sourcefile = s.id GROUP BY s.filename, m.status"
        ).fetchall()
    table: dict[str, dict[str, int]] = {}
    for filename, status, count in rows:
        table.setdefault(filename, {})[status] = count
    return table


def survivors() -> list[tuple[int, str, int, str, str]]:
    """(mutant id, file, line number, line) of every mutant that is not killed."""
    import sqlite3

    with sqlite3.connect(CACHE) as db:
        return db.execute(
            "SELECT m.id, s.filename, l.line_number + 1, l.line, m.status FROM Mutant m"
            " JOIN Line l ON m.line = l.id JOIN SourceFile s ON l.sourcefile = s.id"
            " WHERE m.status NOT IN ('ok_killed') ORDER BY s.filename, l.line_number, m.id"
        ).fetchall()


def report(durations: dict[str, float]) -> str:
    table = counts_by_status()
    lines = [
        "| module | mutants | killed | survived | timeout | suspicious | untested | kill rate | time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    totals = {"all": 0, "killed": 0}
    for module in TARGETS:
        statuses = table.get(module, {})
        total = sum(statuses.values())
        # Killed: the tests failed, failed slowly (suspicious), or never finished (timeout).
        killed = sum(statuses.get(s, 0) for s in ("ok_killed", "ok_suspicious", "bad_timeout"))
        totals["all"] += total
        totals["killed"] += killed
        rate = f"{100 * killed / total:.1f}%" if total else "-"
        took = f"{durations[module]:.0f} s" if module in durations else ""
        lines.append(
            f"| {module} | {total} | {killed} | {statuses.get('bad_survived', 0)} | "
            f"{statuses.get('bad_timeout', 0)} | {statuses.get('ok_suspicious', 0)} | "
            f"{statuses.get('untested', 0) + statuses.get('skipped', 0)} | {rate} | {took} |"
        )
    rate = 100 * totals["killed"] / totals["all"] if totals["all"] else 0.0
    lines.append(f"| **all** | {totals['all']} | {totals['killed']} | | | | | **{rate:.1f}%** | |")
    return "\n".join(lines)


def run(modules: list[str], fresh: bool) -> int:
    import subprocess

    unknown = [m for m in modules if m not in TARGETS]
    if unknown:
        print(f"not a mutation target: {', '.join(unknown)} (see TARGETS in ops/mutate.py)")
        return 2
    if fresh and CACHE.exists():
        CACHE.unlink()
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PAYHELP_SKIP_POSTGRES": "1"}
    address = str(LOGS / f"forkserver-{os.getpid()}.sock")
    server = subprocess.Popen([sys.executable, "-m", "ops.mutate", "--serve", address], env=env)
    durations: dict[str, float] = {}
    try:
        while not os.path.exists(address):
            if server.poll() is not None:
                print("the fork server did not start")
                return 1
            time.sleep(0.1)
        for module in modules or list(TARGETS):
            # A stale compiled copy of the original would hide the mutant on disk.
            for stale in (ROOT / module).parent.glob(f"__pycache__/{Path(module).stem}.*.pyc"):
                stale.unlink()
            log = LOGS / f"{module.replace('/', '.')}.log"
            log.write_text("")
            # mutmut runs its own check of the unmutated code only once per cache: check
            # here every time, or broken tests would "kill" every mutant.
            if client(address, str(log), TARGETS[module]) != 0:
                print(f"{module}: its tests fail without any mutant, see {log.relative_to(ROOT)}")
                return 1
            runner = [sys.executable, "-m", "ops.mutate", "--client", address, str(log)]
            command = [
                str(Path(sys.executable).parent / "mutmut"), "run",
                "--paths-to-mutate", module, "--tests-dir", "tests",
                "--runner", shlex.join([*runner, *TARGETS[module]]),
                "--simple-output", "--no-progress",
            ]  # fmt: skip
            print(f"{module}: {' '.join(TARGETS[module])} ...", flush=True)
            started = time.monotonic()
            with open(log, "a") as output:
                done = subprocess.run(command, cwd=ROOT, env=env, stdout=output, stderr=output)
            durations[module] = time.monotonic() - started
            if done.returncode & 1:
                print(f"{module}: mutmut failed, see {log.relative_to(ROOT)}")
                return 1
            if server.poll() is not None:
                print(f"{module}: the fork server died; its results are not reliable")
                return 1
            statuses = counts_by_status().get(module, {})
            print(
                f"{module}: {sum(statuses.values())} mutants, "
                f"{statuses.get('bad_survived', 0)} survived, {durations[module]:.0f} s",
                flush=True,
            )
    finally:
        try:
            ask(address, "stop")
        except (OSError, ValueError):
            server.kill()
        server.wait()
        if os.path.exists(address):
            os.unlink(address)
    print()
    print(report(durations))
    left = survivors()
    if left:
        print(f"\nnot killed ({len(left)}); `.venv/bin/mutmut show ID` prints the diff:")
        for mutant, filename, number, line, status in left:
            print(f"  {mutant:5d} {status:13s} {filename}:{number}: {line.strip()}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        serve(argv[1])
        return 0
    if argv[:1] == ["--client"]:
        return client(argv[1], argv[2], argv[3:])
    fresh = "--fresh" in argv
    return run([a for a in argv if a != "--fresh"], fresh)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
