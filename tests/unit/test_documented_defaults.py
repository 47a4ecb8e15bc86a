"""The defaults the README's configuration table documents are the ones the code uses.

The thresholds and limits are written out here as well, so a changed default fails
even if the README is edited along with it by mistake.
"""

import re

import pytest

from payhelp.settings import PROJECT_ROOT, Settings

DOCUMENTED = {
    "PENDING_WAIT_MINUTES": "30",
    "OUTAGE_WINDOW_MINUTES": "30",
    "OUTAGE_MIN_FAILURES": "5",
    "OUTAGE_MIN_ORDERS": "3",
    "OUTAGE_MIN_FAILURE_RATIO": "0.5",
    "PERSISTING_PLATFORM_FAILURES": "2",
    "REFUND_ARRIVAL_DAYS": "10",
    "IDENTITY_MAX_ATTEMPTS": "3",
    "IDENTITY_ORDER_FAILURES_PER_HOUR": "5",
    "MISUNDERSTANDINGS_BEFORE_HANDOFF": "3",
    "DESK_SESSION_HOURS": "8",
    "DESK_RASA_TIMEOUT_S": "10",
    "DESK_MESSAGES_PER_MINUTE": "20",
    "DESK_MAX_MESSAGE_CHARS": "2000",
    "NOTICE_MIN_HOURS": "6",
    "NOTICE_DELAY_MINUTES": "5",
    "SMTP_PORT": "25",
}


def readme_defaults() -> dict[str, str]:
    """``| `A` / `B` | 1 / 2 | meaning |`` rows of the README's configuration table."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        values = [v.strip().strip("`") for v in cells[1].split(" / ")]
        if names and len(names) == len(values):
            found.update(zip(names, values, strict=True))
    return found


@pytest.mark.parametrize("name,value", sorted(DOCUMENTED.items()))
def test_the_default_is_the_documented_one(name: str, value: str) -> None:
    assert Settings.from_env({}).to_env()[name] == value
    assert readme_defaults().get(name) == value, f"README's configuration table on {name}"
