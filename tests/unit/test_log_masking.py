"""Log masking in this process: record factory, tracebacks, stack info and escaped text.

test_redaction.py checks each real process end to end; these are the fast, direct cases.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest

from payhelp import redaction
from payhelp.core.card_data import CARD_MASK

CARD = "4242 4242 4242 4242"


@pytest.fixture
def factory() -> Iterator[None]:
    """Install the masking factory for one test, then put the original back."""
    original = logging.getLogRecordFactory()
    redaction.install()
    yield
    logging.setLogRecordFactory(original)


def record(message: str, exc_info=None, sinfo: str | None = None) -> logging.LogRecord:
    return logging.getLogRecordFactory()(
        "test", logging.ERROR, __file__, 1, message, (), exc_info, None, sinfo
    )


def test_installing_twice_wraps_the_factory_once(factory) -> None:
    installed = logging.getLogRecordFactory()
    redaction.install()
    assert logging.getLogRecordFactory() is installed
    assert record(f"card {CARD}").getMessage() == f"card {CARD_MASK}"


def test_a_traceback_is_masked_line_by_line(factory) -> None:
    try:
        raise ValueError(f"card {CARD} refused, ref BOX")
    except ValueError as problem:
        exc_info = (ValueError, problem, problem.__traceback__)
    shown = "".join(traceback.format_exception(*exc_info)).rstrip("\n")
    assert record("failed", exc_info).exc_text == shown.replace(CARD, CARD_MASK)


def test_an_exception_never_raised_is_masked_too(factory) -> None:
    problem = ValueError(f"card {CARD}")  # no traceback: logged with exc_info=(type, value, None)
    masked = record("failed", (ValueError, problem, None)).exc_text
    assert masked == f"ValueError: card {CARD_MASK}"


def test_stack_info_is_masked_and_otherwise_kept(factory) -> None:
    stack = f'Stack (most recent call last):\n  File "x.py", line 1\n    pay("{CARD}")'
    assert record("ok", sinfo=stack).stack_info == stack.replace(CARD, CARD_MASK)
    plain = 'Stack (most recent call last):\n  File "x.py", line 1'
    assert record("ok", sinfo=plain).stack_info == plain


def test_escaped_text_is_read_before_masking() -> None:
    full_width = "\\uff14\\uff12\\uff14\\uff12" * 4  # how repr() shows ４２４２…
    assert redaction.masked_log_text(f"card '{full_width}'") == f"card '{CARD_MASK}'"
    assert redaction.masked_log_text("'4242\\n4242\\n4242\\n4242'") == f"'{CARD_MASK}'"
    assert redaction.masked_log_text(f"'{CARD}\\u3000thanks'") == f"'{CARD_MASK} thanks'"
    assert redaction.masked_log_text("no card here \\n") is None


def test_escapes_that_are_not_text_stay_as_they_were() -> None:
    # Half a surrogate pair (U+D800-U+DFFF) or past U+10FFFF: kept; their neighbours: read.
    masked = redaction.masked_log_text(
        f"{CARD} \\ud7ff \\ud800 \\udfff \\ue000 \\U0010ffff \\U00110000"
    )
    assert masked == f"{CARD_MASK} \ud7ff \\ud800 \\udfff \ue000 \U0010ffff \\U00110000"
