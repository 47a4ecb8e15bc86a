"""Start the whole product and stop it with one Ctrl-C: ``python -m ops.launch``.

Brings the database schema up to date, loads the demo data (unless told not
to), makes sure the model is trained, then starts the action server and the
Rasa server, waits until each answers, and prints where to reach them. The
same :class:`Stack` is used by the end-to-end tests and the benchmark.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from desk.staff_accounts import StaffAccounts
from ops.cli import cmd_load_demo
from ops.model import ensure_model, rasa_env
from ops.schema import upgrade_database
from payhelp.settings import PROJECT_ROOT, VAR_DIR, Settings
from payhelp.store.database import make_engine, make_session_factory

STARTUP_TIMEOUT_S = 240.0
DEMO_STAFF_USERNAME = "alex"
DEMO_STAFF_NAME = "Alex"


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM us when the launcher dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the launcher's own shutdown still stops the children


@dataclass
class Process:
    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # Own session: a Ctrl-C reaches only the launcher, which stops the children in
        # order; and a child dies with the launcher if the launcher is killed outright.
        self.popen = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as reply:
                return 200 <= reply.status < 300
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, grace_s: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of every process: the settings, spelled out for each tool."""
    return {
        **rasa_env(),
        **settings.to_env(),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{settings.action_port}/webhook",
        "SANIC_HOST": settings.host,
        "PYTHONUNBUFFERED": "1",
    }


class Stack:
    """The action server and the Rasa server, started together and stopped together."""

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Path = VAR_DIR / "logs",
        with_desk: bool = True,
    ) -> None:
        env = child_env(settings)
        rasa_command = [
            sys.executable, "-m", "rasa", "run",
            "--model", str(model),
            "--enable-api",
            "--interface", settings.host,
            "--port", str(settings.rasa_port),
            "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml",
        ]  # fmt: skip
        if settings.rasa_token:
            rasa_command += ["--auth-token", settings.rasa_token]
        self.settings = settings
        self.processes = [
            Process(
                "action server",
                [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(settings.action_port)],
                f"http://127.0.0.1:{settings.action_port}/health",
                env,
                log_dir / "actions.log",
            ),
            Process(
                "rasa server",
                rasa_command,
                f"http://127.0.0.1:{settings.rasa_port}/",
                env,
                log_dir / "rasa.log",
            ),
        ]  # fmt: skip
        if with_desk:
            self.processes.append(
                Process(
                    "desk",
                    [sys.executable, "-m", "desk"],
                    f"http://127.0.0.1:{settings.desk_port}/health",
                    env,
                    log_dir / "desk.log",
                )
            )

    def __enter__(self) -> Stack:
        try:
            for process in self.processes:
                process.start()
            self.wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_until_healthy(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        waiting = list(self.processes)
        while waiting:
            for process in list(waiting):
                assert process.popen is not None
                if process.popen.poll() is not None:
                    raise RuntimeError(
                        f"{process.name} exited with code {process.popen.returncode}; "
                        f"last lines of {process.log_path}:\n{process.log_tail()}"
                    )
                if process.healthy():
                    waiting.remove(process)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(p.name for p in waiting)
                raise TimeoutError(f"{names} did not come up within {timeout_s:.0f} s")
            time.sleep(0.5)

    def first_exited(self) -> Process | None:
        return next(
            (p for p in self.processes if p.popen is not None and p.popen.poll() is not None),
            None,
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def desk_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.desk_port}"


def prepare_databases(settings: Settings, load_demo: bool = True) -> None:
    """Schema up to date and, unless told not to, the demo orders re-anchored to now."""
    upgrade_database(settings.database_url)
    if load_demo:
        cmd_load_demo(settings, argparse.Namespace())


def prepare(settings: Settings, load_demo: bool) -> Path:
    """Everything before the servers start: schema, demo data, model."""
    prepare_databases(settings, load_demo)
    return ensure_model()


def ensure_demo_staff(settings: Settings) -> tuple[str, str] | None:
    """A first staff account with a fresh password, if there is none yet."""
    accounts = StaffAccounts(make_session_factory(make_engine(settings.database_url)))
    if accounts.count():
        return None
    password = secrets.token_urlsafe(12)
    accounts.create(DEMO_STAFF_USERNAME, DEMO_STAFF_NAME, password)
    return DEMO_STAFF_USERNAME, password


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-demo", action="store_true", help="don't (re)load the demo orders")
    args = parser.parse_args()
    settings = Settings.from_env()
    model = prepare(settings, load_demo=not args.no_demo)
    new_staff = ensure_demo_staff(settings)
    print("starting the action server, the Rasa server and the desk ...", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even if started with SIGINT ignored
    with Stack(settings, model) as stack:
        staff_line = (
            f"  Staff login:   {new_staff[0]} / {new_staff[1]}   (new account; shown once)\n"
            if new_staff
            else "  Staff login:   an existing account (make staff-account STAFF=... NAME=...)\n"
        )
        print(
            "\nThe payment-help assistant is running.\n"
            f"  Shop + chat:   {stack.desk_url}/\n"
            f"  Staff console: {stack.desk_url}/staff\n"
            f"{staff_line}"
            f"  Bot (REST):    POST {stack.rasa_url}/webhooks/rest/webhook\n"
            '                 body: {"sender": "me", "message": "my payment failed"}\n'
            f"  Rasa HTTP API: {stack.rasa_url}/conversations/<sender>/tracker\n"
            f"  Logs:          {VAR_DIR / 'logs'}\n"
            "Press Ctrl-C to stop everything.",
            flush=True,
        )
        try:
            while (exited := stack.first_exited()) is None:
                time.sleep(1)
            print(f"{exited.name} stopped unexpectedly:\n{exited.log_tail()}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\nstopping ...", flush=True)
    return 0


if __name__ == "__main__":
    os.chdir(PROJECT_ROOT)
    sys.exit(main())
