"""The launcher's supervisor with real processes: small HTTP servers that we kill -9."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ops.supervisor import ChildSpec, RestartPolicy, Supervisor
from tests.e2e.conftest import free_port

FAST = RestartPolicy(
    first_delay_s=0.2,
    max_delay_s=1.0,
    storm_crashes=4,
    storm_window_s=30.0,
    storm_delay_s=4.0,
    stable_after_s=30.0,
)


def http_child(name: str, tmp_path: Path, crash_marker: Path | None = None) -> ChildSpec:
    """A tiny HTTP server; with a marker file present it exits at once (a crash loop)."""
    port = free_port()
    serve = f"exec {sys.executable} -m http.server {port} --bind 127.0.0.1"
    script = f"test -f {crash_marker} && exit 3; {serve}" if crash_marker else serve
    return ChildSpec(
        name,
        ["bash", "-c", script],
        f"http://127.0.0.1:{port}/",
        dict(os.environ),
        tmp_path / f"{name}.log",
    )


def wait_for(condition: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Supervisor, Path]]:
    marker = tmp_path / "crash"
    supervisor = Supervisor(
        [http_child("flaky", tmp_path, marker), http_child("steady", tmp_path)], FAST
    )
    supervisor.start(timeout_s=30)
    supervisor.watch()
    yield supervisor, marker
    supervisor.stop(grace_s=2)


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ops.supervisor"]


def test_a_killed_child_comes_back_with_backoff_while_the_others_keep_serving(
    supervised: tuple[Supervisor, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ops.supervisor")
    supervisor, _ = supervised
    flaky, steady = supervisor.child("flaky"), supervisor.child("steady")
    steady_pid = steady.popen.pid
    for crash in (1, 2):
        old_pid = flaky.popen.pid
        os.kill(old_pid, signal.SIGKILL)
        steady_answers: list[bool] = []

        def back(old_pid: int = old_pid, steady_answers: list[bool] = steady_answers) -> bool:
            steady_answers.append(steady.healthy())
            return flaky.popen.pid != old_pid and flaky.healthy()

        assert wait_for(back, timeout=15), f"flaky did not come back after crash {crash}"
        assert all(steady_answers), "the steady child stopped answering meanwhile"
    assert steady.popen.pid == steady_pid and steady.exit_code() is None
    said = messages(caplog)
    # Two crashes in a row: the second waits twice as long; each line counts the crash.
    assert any("flaky exited with code -9 (crash 1); restarting in 0.2 s" in m for m in said)
    assert any("flaky exited with code -9 (crash 2); restarting in 0.4 s" in m for m in said)
    assert wait_for(lambda: "flaky is back (restart 2)" in messages(caplog), timeout=5)
    assert not any("steady" in m for m in said)


def test_a_crash_loop_is_reported_loudly_and_retried_slowly(
    supervised: tuple[Supervisor, Path], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ops.supervisor")
    supervisor, marker = supervised
    flaky, steady = supervisor.child("flaky"), supervisor.child("steady")
    marker.touch()
    os.kill(flaky.popen.pid, signal.SIGKILL)

    def loud() -> bool:
        return any("keeps crashing" in m for m in messages(caplog))

    assert wait_for(loud, timeout=20), messages(caplog)
    reported = time.monotonic()
    [report] = [r for r in caplog.records if "keeps crashing" in r.getMessage()]
    assert report.levelno == logging.ERROR
    assert "4 times in the last 30 s" in report.getMessage()
    assert "Retrying every 4 s" in report.getMessage()
    restarts_before = sum("starting flaky again" in m for m in messages(caplog))
    marker.unlink()  # the cause goes away; the slow retry finds it healthy
    assert wait_for(lambda: flaky.healthy(), timeout=10)
    assert time.monotonic() - reported >= FAST.storm_delay_s - 0.6  # not retried sooner
    assert sum("starting flaky again" in m for m in messages(caplog)) == restarts_before + 1
    assert steady.healthy() and steady.exit_code() is None


def test_stop_ends_every_child_even_one_that_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = ChildSpec(
        "stubborn",
        [
            sys.executable,
            "-c",
            "import signal, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(1)",
        ],  # fmt: skip
        "http://127.0.0.1:1/",  # never healthy: not started through start()
        dict(os.environ),
        tmp_path / "stubborn.log",
    )
    supervisor = Supervisor([stubborn, http_child("steady", tmp_path)], FAST)
    for child in supervisor.children:
        child.start()
    supervisor.watch()
    time.sleep(0.5)
    started = time.monotonic()
    supervisor.stop(grace_s=1)
    assert time.monotonic() - started < 5
    assert all(child.exit_code() is not None for child in supervisor.children)
    assert supervisor.child("stubborn").exit_code() == -signal.SIGKILL


def test_a_child_that_cannot_start_at_all_is_a_clear_error(tmp_path: Path) -> None:
    broken = ChildSpec(
        "broken",
        ["bash", "-c", "echo 'port already in use' >&2; exit 4"],
        "http://127.0.0.1:1/",
        dict(os.environ),
        tmp_path / "broken.log",
    )
    supervisor = Supervisor([broken], FAST)
    with pytest.raises(RuntimeError, match="(?s)broken exited with code 4.*port already in use"):
        supervisor.start(timeout_s=10)
    supervisor.stop()


def test_child_names_are_unique(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        Supervisor([http_child("a", tmp_path), http_child("a", tmp_path)])
