"""Each of the three processes masks card data in its log lines from start-up on."""

from __future__ import annotations

import subprocess
import sys

import pytest

from payhelp.core.card_data import CARD_MASK, CVC_MASK
from payhelp.settings import PROJECT_ROOT

CARD = "4000.0566.5566.5556"
LOG_SOME_CARD_DATA = f"""
import logging
log = logging.getLogger("some.library")
log.warning("customer said %r", "card {CARD}")
log.error("cvc is 913")
try:
    raise ValueError("bad card {CARD}")
except ValueError:
    log.exception("failed")
"""


def log_after(start_up: str) -> str:
    """What a fresh Python process logs after ``start_up`` (what the process imports)."""
    done = subprocess.run(
        [sys.executable, "-c", start_up + LOG_SOME_CARD_DATA],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.parametrize(
    "process,start_up",
    [
        ("action server", "import logging; logging.basicConfig(); import actions\n"),
        (
            "rasa server: channel",
            "import logging; logging.basicConfig(); import addons.masking_rest\n",
        ),
        (
            "rasa server: tracker store",
            "import logging; logging.basicConfig(); import addons.tracker_store\n",
        ),
        ("desk", "from desk.__main__ import configure_logging; configure_logging('INFO')\n"),
    ],
)
def test_the_process_masks_its_log_lines(process: str, start_up: str) -> None:
    logged = log_after(start_up)
    assert CARD not in logged and "913" not in logged, process
    assert logged.count(CARD_MASK) == 2 and CVC_MASK in logged  # message and traceback


def test_without_it_the_card_number_would_be_logged() -> None:
    logged = log_after("import logging; logging.basicConfig()\n")
    assert CARD in logged and "913" in logged
