"""Quiet steps: one line on the terminal, everything else in the log, errors in full."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ops.progress import StepFailed, latest, run_quietly
from payhelp.settings import PROJECT_ROOT

NOISY = [
    "bash", "-c",
    "for i in 1 2 3; do echo 'WARNING: Location /x is ignored'; "
    "echo 'DeprecationWarning: pkg_resources' >&2; done; echo 'Collecting rasa==3.6.21'",
]  # fmt: skip


def test_a_noisy_step_prints_one_line_and_logs_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "install.log"
    run_quietly(NOISY, log, "installing Python packages")
    out, err = capsys.readouterr()
    assert re.fullmatch(r"installing Python packages \.\.\. done in \d+ s\n", out), out
    assert err == ""
    logged = log.read_text()
    assert logged.count("WARNING: Location /x is ignored") == 3
    assert logged.count("DeprecationWarning") == 3


def test_a_failing_step_shows_its_own_log_tail_in_full(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    run_quietly(["bash", "-c", "echo earlier step output"], log, "first")
    failing = ["bash", "-c", "echo 'ERROR: No matching distribution for rasa==9'; exit 7"]
    with pytest.raises(StepFailed) as failure:
        run_quietly(failing, log, "installing")
    assert failure.value.code == 7
    message = str(failure.value)
    assert "installing failed (exit code 7)" in message and str(log) in message
    assert "ERROR: No matching distribution for rasa==9" in message
    assert "earlier step output" not in message  # only this step's part of the log


def test_the_command_line_keeps_the_exit_code_and_shows_the_error(tmp_path: Path) -> None:
    log = tmp_path / "cli.log"
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "ops" / "progress.py"), "--log", str(log),
         "--label", "training", "--", "bash", "-c", "echo noise; echo 'Traceback: boom' >&2; exit 3"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 3
    assert result.stdout == "training ... failed\n"
    assert "Traceback: boom" in result.stderr and "noise" in result.stderr


def test_progress_shows_the_latest_stage(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_text(
        "INFO rasa - Starting to train component 'RulePolicy'.\r"
        "Processed trackers: 100%|####| 44/44\n"
        "INFO rasa - Starting to train component 'EmbeddingIntentClassifier'.\n"
        "some warning\n"
    )
    assert latest(log, re.compile(r"train component '(\w+)'")) == "EmbeddingIntentClassifier"
    assert latest(log, None) == "some warning"
