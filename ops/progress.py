"""Run a noisy step quietly: its output goes to a log file, the terminal gets one line.

On a terminal the line shows the time so far and what the step is doing now (the
log's latest line, or what ``hint`` picks out of it), redrawn in place; elsewhere
(CI, a pipe) it is printed once. It ends with "done in N s"; on failure the log's
last lines are shown in full, with the log's path, and the step's exit code is kept.

Standard library only, so the Makefile can run it before the virtualenv exists:

    python3 ops/progress.py --log var/logs/install.log --label "installing" -- pip install ...
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

TAIL_LINES = 40
REDRAW_S = 0.5
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class StepFailed(RuntimeError):
    """A step exited with an error; the message holds the log's tail."""

    def __init__(self, label: str, code: int, log_path: Path, since: int = 0) -> None:
        tail = log_tail(log_path, since=since)
        super().__init__(f"{label} failed (exit code {code}); last lines of {log_path}:\n{tail}")
        self.code = code


def log_tail(path: Path, lines: int = TAIL_LINES, since: int = 0) -> str:
    """The last lines of a log, from byte ``since`` on (this step's part of it)."""
    try:
        with path.open("rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(ANSI.sub("", text).replace("\r", "\n").splitlines()[-lines:])


def latest(path: Path, hint: re.Pattern[str] | None) -> str:
    """What the step is doing now: the last (hint-matching) line of its log."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - 8192))
            chunk = log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in ANSI.sub("", chunk).replace("\r", "\n").splitlines()]
    for line in reversed([line for line in lines if line and not line.startswith("=== ")]):
        if hint is None:
            return line
        found = hint.search(line)
        if found:
            return found.group(found.lastindex or 0)
    return ""


def run_quietly(
    command: Sequence[str],
    log_path: Path,
    label: str,
    *,
    hint: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> float:
    """Run ``command`` with its output in ``log_path``; seconds taken, or :class:`StepFailed`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pattern = re.compile(hint) if hint else None
    live = sys.stdout.isatty()
    started = time.monotonic()
    if live:
        _redraw(f"{label} ... 0 s")
    else:
        print(f"{label} ...", end="", flush=True)
    with log_path.open("ab") as log:
        since = log.tell()
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {label}\n".encode())
        log.flush()
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None, cwd=cwd,
        )  # fmt: skip
        try:
            while process.poll() is None:
                if live:
                    doing = latest(log_path, pattern)
                    _redraw(f"{label} ... {time.monotonic() - started:.0f} s", doing)
                time.sleep(REDRAW_S)
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
    took = time.monotonic() - started
    outcome = "failed" if process.returncode else f"done in {took:.0f} s"
    if live:
        sys.stdout.write(f"\r\x1b[2K{label} ... {outcome}\n")  # in full, even if it wraps
        sys.stdout.flush()
    else:
        print(f" {outcome}", flush=True)
    if process.returncode:
        raise StepFailed(label, process.returncode, log_path, since)
    return took


def _redraw(text: str, doing: str = "") -> None:
    """Rewrite the terminal's current line, cut to its width."""
    if doing:
        text += f"  ({doing})"
    width = shutil.get_terminal_size((100, 20)).columns
    sys.stdout.write("\r\x1b[2K" + text[: width - 1])
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", required=True, type=Path, help="where the step's output goes")
    parser.add_argument("--label", required=True, help="what the terminal line says")
    parser.add_argument("--hint", help="regex picking the progress shown from the log's lines")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    try:
        run_quietly(command, args.log, args.label, hint=args.hint)
    except StepFailed as failure:
        print(failure, file=sys.stderr)
        return failure.code or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
