"""Keep the product's processes running: a child that crashes is started again.

Each child (a Rasa server, an action server, the desk; any number of each) is one
:class:`ChildSpec`. After the first start, a watch thread checks them twice a second:
a child that exited is restarted after a delay that doubles with each crash in a row
(1 s, 2 s, 4 s ... up to 30 s), and every crash is logged with its count. A child
that crashes ``storm_crashes`` times within ``storm_window_s`` is reported loudly and
retried only every ``storm_delay_s``. The other children are never touched: they keep
serving. Only :meth:`Supervisor.stop` (the launcher's Ctrl-C or SIGTERM) stops them all.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ops.progress import log_tail
from payhelp.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 0.5


@dataclass(frozen=True)
class RestartPolicy:
    first_delay_s: float = 1.0
    max_delay_s: float = 30.0
    # This many crashes within the window is a crash loop: reported loudly, retried slowly.
    storm_crashes: int = 5
    storm_window_s: float = 60.0
    storm_delay_s: float = 60.0
    # Up and running this long: the next crash starts the backoff from the first delay.
    stable_after_s: float = 60.0


@dataclass(frozen=True)
class ChildSpec:
    """How to run one child; ``name`` is unique (e.g. "rasa server 2")."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str]
    log_path: Path


def _load_libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None  # not Linux: the launcher's own shutdown still stops the children


# Loaded in the parent: between fork and exec the child may only do simple calls.
_LIBC = _load_libc()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM us when the launcher dies.

    (Linux sends it when the *thread* that started the child ends; the watch thread
    lives until :meth:`Supervisor.stop`, which stops the children anyway.)
    """
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    """One supervised process: the running one, and its history of crashes."""

    spec: ChildSpec
    popen: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    crashes: int = 0  # since the launcher started
    in_a_row: int = 0  # since it last ran stably
    recent: deque[float] = field(default_factory=deque)  # when it crashed lately
    restart_at: float | None = None
    announced_up: bool = True

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def log_path(self) -> Path:
        return self.spec.log_path

    def start(self) -> None:
        self.spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.spec.log_path.open("ab") as log:
            # Own session: a Ctrl-C reaches only the launcher, which stops the children.
            self.popen = subprocess.Popen(
                self.spec.command, cwd=PROJECT_ROOT, env=self.spec.env, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent,
            )  # fmt: skip
        self.started_at = time.monotonic()
        self.restart_at = None

    def exit_code(self) -> int | None:
        """The exit code if the process has ended, else None."""
        return None if self.popen is None else self.popen.poll()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.spec.health_url, timeout=2) as reply:
                return 200 <= reply.status < 300
        except (urllib.error.URLError, OSError):
            return False

    def terminate(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)

    def wait_or_kill(self, grace_s: float) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.spec.log_path, lines)


class Supervisor:
    """Starts the children, restarts any that crash, and stops them all on request."""

    def __init__(self, specs: list[ChildSpec], policy: RestartPolicy | None = None) -> None:
        names = [spec.name for spec in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"child names must be unique: {names}")
        self.children = [Child(spec) for spec in specs]
        self.policy = policy or RestartPolicy()
        self._stopping = threading.Event()
        self._watch: threading.Thread | None = None

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    def start(self, timeout_s: float) -> None:
        """Start every child and wait until each answers its health check.

        A child that exits before it ever answered is a set-up problem (a port in use,
        a broken model): that raises with its log's tail instead of looping.
        """
        for child in self.children:
            child.start()
        deadline = time.monotonic() + timeout_s
        waiting = list(self.children)
        while waiting:
            for child in list(waiting):
                code = child.exit_code()
                if code is not None:
                    raise RuntimeError(
                        f"{child.name} exited with code {code}; "
                        f"last lines of {child.log_path}:\n{child.log_tail()}"
                    )
                if child.healthy():
                    waiting.remove(child)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(c.name for c in waiting)
                raise TimeoutError(f"{names} did not come up within {timeout_s:.0f} s")
            time.sleep(CHECK_EVERY_S)

    def watch(self) -> None:
        """From now on, restart children that crash (in a background thread)."""
        self._watch = threading.Thread(target=self._run, name="supervisor", daemon=True)
        self._watch.start()

    def _run(self) -> None:
        while not self._stopping.wait(CHECK_EVERY_S):
            try:
                self.check(time.monotonic())
            except Exception:  # the watch must outlive any one failure
                logger.exception("supervisor check failed")

    def check(self, now: float) -> None:
        """One round: note crashes, start children whose delay is over."""
        for child in self.children:
            if self._stopping.is_set():
                return
            if child.restart_at is not None:
                if now >= child.restart_at:
                    logger.info("starting %s again (restart %d)", child.name, child.crashes)
                    child.start()
                    child.announced_up = False
                continue
            code = child.exit_code()
            if code is None:
                if not child.announced_up and child.healthy():
                    child.announced_up = True
                    logger.info("%s is back (restart %d)", child.name, child.crashes)
                continue
            self._crashed(child, code, now)

    def _crashed(self, child: Child, code: int, now: float) -> None:
        policy = self.policy
        if now - child.started_at >= policy.stable_after_s:
            child.in_a_row = 0
        child.crashes += 1
        child.in_a_row += 1
        child.recent.append(now)
        while child.recent and now - child.recent[0] > policy.storm_window_s:
            child.recent.popleft()
        if len(child.recent) >= policy.storm_crashes:
            delay = policy.storm_delay_s
            logger.error(
                "!!! %s keeps crashing: %d times in the last %.0f s (crash %d, exit code %s). "
                "Retrying every %g s; the other services keep running. "
                "Last lines of %s:\n%s",
                child.name, len(child.recent), policy.storm_window_s, child.crashes, code,
                delay, child.log_path, child.log_tail(15),
            )  # fmt: skip
        else:
            delay = min(policy.first_delay_s * 2 ** (child.in_a_row - 1), policy.max_delay_s)
            logger.warning(
                "%s exited with code %s (crash %d); restarting in %g s; log: %s",
                child.name, code, child.crashes, delay, child.log_path,
            )  # fmt: skip
        child.restart_at = now + delay

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop watching, then stop every child: SIGTERM to all, SIGKILL after the grace."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.join()
        for child in reversed(self.children):
            child.terminate()
        for child in reversed(self.children):
            child.wait_or_kill(grace_s)
