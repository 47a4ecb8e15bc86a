"""Start the whole product and stop it with one Ctrl-C: ``python -m ops.launch``.

Brings the database schema up to date, loads the demo data (unless told not to),
makes sure the model is trained, then starts the action server, the Rasa server and
the desk under a :class:`ops.supervisor.Supervisor` (a crashed one is restarted, the
others keep serving), waits until each answers, and prints where to reach them.
Internal APIs are locked: a random RASA_TOKEN and ACTION_SERVER_TOKEN are made for
this run when not set. The same :class:`Stack` is used by the end-to-end tests and
the benchmark. The children's output goes to log files (LOG_DIR).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from desk.staff_accounts import Role, StaffAccounts
from ops.cli import cmd_load_demo
from ops.model import ensure_model, rasa_env
from ops.progress import StepFailed
from ops.scaled import (
    NotScalable,
    ensure_postgres_database,
    prepare_tracker_store,
    require_shared_backends,
)
from ops.schema import upgrade_database
from ops.supervisor import Child, ChildSpec, RestartPolicy, Supervisor
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory

STARTUP_TIMEOUT_S = 240.0
DEMO_STAFF_USERNAME = "alex"
DEMO_STAFF_NAME = "Alex"
TOKEN_BYTES = 32

ACTION_SERVER = "action server"
RASA_SERVER = "rasa server"
DESK = "desk"


def with_secrets(settings: Settings) -> Settings:
    """The settings, with a fresh random token for each internal API that has none, and a
    demo key for payment events and chat links when none is set."""
    return replace(
        settings,
        rasa_token=settings.rasa_token or secrets.token_urlsafe(TOKEN_BYTES),
        action_server_token=settings.action_server_token or secrets.token_urlsafe(TOKEN_BYTES),
        payment_events_secret=settings.payment_events_secret
        or "whsec_demo_" + secrets.token_hex(16),
        chat_token_secret=settings.chat_token_secret or secrets.token_urlsafe(TOKEN_BYTES),
    )


def child_env(settings: Settings, action_port: int | None = None) -> dict[str, str]:
    """The environment of every process: the settings, spelled out for each tool.

    ``action_port`` is the action server a Rasa server calls (the first by default).
    """
    port = settings.action_port if action_port is None else action_port
    return {
        **rasa_env(),
        **settings.to_env(),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{port}/webhook",
        "PYTHONUNBUFFERED": "1",
    }


def action_server_spec(settings: Settings, port: int, log_dir: Path, n: int = 1) -> ChildSpec:
    env = {**child_env(settings), "ACTION_PORT": str(port)}
    return ChildSpec(
        _numbered(ACTION_SERVER, n),
        [sys.executable, "-m", "ops.action_server"],
        f"http://127.0.0.1:{port}/health",
        env,
        log_dir / _numbered("actions", n, sep="-", suffix=".log"),
    )


def rasa_spec(
    settings: Settings,
    model: Path,
    port: int,
    log_dir: Path,
    n: int = 1,
    action_port: int | None = None,
) -> ChildSpec:
    command = [
        sys.executable, "-m", "ops.rasa_server",
        "--model", str(model),
        "--enable-api",
        "--interface", settings.host,
        "--port", str(port),
        "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml",
    ]  # fmt: skip
    return ChildSpec(
        _numbered(RASA_SERVER, n),
        command,
        f"http://127.0.0.1:{port}/health",
        child_env(settings, action_port),
        log_dir / _numbered("rasa", n, sep="-", suffix=".log"),
    )


def desk_spec(settings: Settings, port: int, log_dir: Path, n: int = 1) -> ChildSpec:
    env = {**child_env(settings), "DESK_PORT": str(port)}
    return ChildSpec(
        _numbered(DESK, n),
        [sys.executable, "-m", "desk"],
        f"http://127.0.0.1:{port}/health",
        env,
        log_dir / _numbered("desk", n, sep="-", suffix=".log"),
    )


def _numbered(name: str, n: int, sep: str = " ", suffix: str = "") -> str:
    """'rasa server' for the first instance, 'rasa server 2' for the second, ..."""
    return (name if n == 1 else f"{name}{sep}{n}") + suffix


def all_specs(
    settings: Settings, model: Path, log_dir: Path, with_desk: bool = True
) -> list[ChildSpec]:
    """Every process of the product: ACTION_INSTANCES action servers, RASA_INSTANCES Rasa
    servers and DESK_INSTANCES desks, instance i of a kind on its PORT + i. Rasa server
    i calls action server i (modulo their number)."""
    specs = [
        action_server_spec(settings, settings.action_port + i, log_dir, n=i + 1)
        for i in range(settings.action_instances)
    ]
    specs += [
        rasa_spec(
            settings,
            model,
            settings.rasa_port + i,
            log_dir,
            n=i + 1,
            action_port=settings.action_port + i % settings.action_instances,
        )  # fmt: skip
        for i in range(settings.rasa_instances)
    ]
    if with_desk:
        specs += [
            desk_spec(settings, settings.desk_port + i, log_dir, n=i + 1)
            for i in range(settings.desk_instances)
        ]
    return specs


class Stack:
    """The action servers, the Rasa servers and (optionally) the desks, supervised together.

    Entering starts them and waits until each answers; from then on a crashed one is
    restarted while the others keep serving. Leaving stops them all. The settings get
    generated tokens for the internal APIs where none were set (see ``stack.settings``).
    """

    def __init__(
        self,
        settings: Settings,
        model: Path,
        log_dir: Path | None = None,
        with_desk: bool = True,
        policy: RestartPolicy | None = None,
    ) -> None:
        self.settings = settings = with_secrets(settings)
        log_dir = Path(log_dir or settings.log_dir)
        self.log_dir = log_dir
        require_shared_backends(settings)
        self.supervisor = Supervisor(all_specs(settings, model, log_dir, with_desk), policy)

    @property
    def processes(self) -> list[Child]:
        return self.supervisor.children

    def __enter__(self) -> Stack:
        try:
            self.supervisor.start(STARTUP_TIMEOUT_S)
        except BaseException:
            self.supervisor.stop()
            raise
        self.supervisor.watch()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self.supervisor.stop()

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def desk_url(self) -> str:
        return self.desk_urls[0]

    @property
    def desk_urls(self) -> list[str]:
        settings = self.settings
        return [
            f"http://{settings.host}:{settings.desk_port + i}"
            for i in range(settings.desk_instances)
        ]


def prepare_databases(settings: Settings, load_demo: bool = True) -> None:
    """Schema up to date and, unless told not to, the demo orders re-anchored to now.

    PostgreSQL databases that do not exist yet are created, and so is Rasa's tracker
    table there (several Rasa servers starting at once would race to create it).
    """
    for url in (settings.database_url, settings.tracker_store_url):
        ensure_postgres_database(url)
    prepare_tracker_store(settings.tracker_store_url)
    upgrade_database(settings.database_url)
    if load_demo:
        cmd_load_demo(settings, argparse.Namespace())


def prepare(settings: Settings, load_demo: bool) -> Path:
    """Everything before the servers start: schema, demo data, model."""
    prepare_databases(settings, load_demo)
    return ensure_model(log_dir=Path(settings.log_dir))


def ensure_demo_staff(settings: Settings) -> tuple[str, str] | None:
    """A first staff account with a fresh password, if there is none yet: an admin."""
    accounts = StaffAccounts(make_session_factory(make_engine(settings.database_url)))
    if accounts.count():
        return None
    password = secrets.token_urlsafe(12)
    accounts.create(DEMO_STAFF_USERNAME, DEMO_STAFF_NAME, password, Role.ADMIN)
    return DEMO_STAFF_USERNAME, password


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _log_supervision(log_dir: Path) -> None:
    """Restarts and crashes: on the terminal, and in launcher.log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    supervision = logging.getLogger("ops.supervisor")
    supervision.setLevel(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    for handler in (
        logging.StreamHandler(sys.stderr),
        logging.FileHandler(log_dir / "launcher.log"),
    ):
        handler.setFormatter(formatter)
        supervision.addHandler(handler)


def banner(stack: Stack, new_staff: tuple[str, str] | None) -> str:
    staff_line = (
        f"  Staff login:   {new_staff[0]} / {new_staff[1]}   (new account; shown once)\n"
        if new_staff
        else "  Staff login:   an existing account (make staff-account STAFF=... NAME=...)\n"
    )
    settings = stack.settings
    token = settings.rasa_token
    more = ""
    if settings.scaled:
        desks = "\n".join(f"    desk {i + 1}:        {url}/  and  {url}/staff"
                          for i, url in enumerate(stack.desk_urls))  # fmt: skip
        rasas = "\n".join(f"    rasa server {i + 1}: {url}/health"
                          for i, url in enumerate(settings.rasa_urls()))  # fmt: skip
        actions = "\n".join(f"    action server {i + 1}: {url}"
                            for i, url in enumerate(settings.action_health_urls()))  # fmt: skip
        more = (
            f"  Scaled mode: {settings.desk_instances} desks, {settings.rasa_instances} Rasa "
            f"servers, {settings.action_instances} action servers (PostgreSQL + Redis):\n"
            f"{desks}\n{rasas}\n{actions}\n"
            f"  Redis:         {_without_password(settings.redis_url)}\n"
        )
    mail = (
        f"  Emails:        sent through {stack.settings.smtp_host}:{stack.settings.smtp_port}\n"
        if stack.settings.smtp_host
        else "  Emails:        no SMTP_HOST: queued, written to desk.log, listed by make outbox\n"
    )
    demo_page = (
        f"  Order page:    {stack.desk_url}/shop/orders/ORD-10002   (the chat opens on it)\n"
        if stack.settings.demo_shop_pages
        else ""
    )
    return (
        "\nThe payment-help assistant is running.\n"
        f"  Shop + chat:   {stack.desk_url}/\n"
        f"{demo_page}"
        f"  Staff console: {stack.desk_url}/staff\n"
        f"{staff_line}"
        f"  Bot (REST):    POST {stack.rasa_url}/webhooks/rest/webhook\n"
        '                 body: {"sender": "me", "message": "my payment failed"}\n'
        f"  Rasa HTTP API: {stack.rasa_url}/conversations/<sender>/tracker?token={token}\n"
        f"  Pay events:    POST {stack.desk_url}/api/payment-events   (README: signing)\n"
        f"                 PAYMENT_EVENTS_SECRET={stack.settings.payment_events_secret}\n"
        f"{mail}"
        f"{more}"
        f"  Logs:          {stack.log_dir}\n"
        "Press Ctrl-C to stop everything."
    )


def _without_password(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//", url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-demo", action="store_true", help="don't (re)load the demo orders")
    args = parser.parse_args()
    # `make run` is the demo: the demo shop's order page signs identity tokens.
    settings = replace(with_secrets(Settings.from_env()), demo_shop_pages=True)
    try:
        require_shared_backends(settings)
    except NotScalable as refusal:
        print(refusal, file=sys.stderr)
        return 2
    log_dir = Path(settings.log_dir)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even if started with SIGINT ignored
    try:
        model = prepare(settings, load_demo=not args.no_demo)
    except StepFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    _log_supervision(log_dir)
    what = (
        f"{settings.action_instances} action servers, {settings.rasa_instances} Rasa servers "
        f"and {settings.desk_instances} desks"
        if settings.scaled
        else "the action server, the Rasa server and the desk"
    )
    print(f"starting {what} ...", end="", flush=True)
    started = time.monotonic()
    try:
        with Stack(settings, model, log_dir) as stack:
            print(f" ready in {time.monotonic() - started:.0f} s", flush=True)
            # Only now: a password made for a run that failed to start would be lost.
            print(banner(stack, ensure_demo_staff(settings)), flush=True)
            try:
                while True:
                    time.sleep(3600)  # the supervisor's thread does the work; signals end this
            except KeyboardInterrupt:
                print("\nstopping ...", flush=True)
    except KeyboardInterrupt:  # during start-up
        print("\nstopped.", flush=True)
        return 130
    except (RuntimeError, TimeoutError) as problem:  # a service could not start at all
        print(f" failed.\n{problem}", file=sys.stderr)
        return 1
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent.parent)
    sys.exit(main())
