"""Card numbers and security codes never reach a log line.

:func:`install` wraps the process's log-record factory, so every record, whichever
logger or handler it goes to (and handlers added later, like Sanic's), has its message
and any traceback masked when it is created. The Rasa server installs it when it imports
its REST channel, the action server when it imports ``actions``, the desk in ``main()``.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from payhelp.core.card_data import mask_card_data, may_hold_card_data

_MARK = "_payhelp_masks_card_data"


def install() -> None:
    """Mask card data in every log record created from now on (once per process)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARK, False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        mask_record(record)
        return record

    setattr(masking_factory, _MARK, True)
    logging.setLogRecordFactory(masking_factory)


def mask_record(record: logging.LogRecord) -> None:
    """Replace the record's message (and traceback) by its masked text, if it holds any."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        return
    masked = masked_log_text(message)
    if masked is not None:
        record.msg, record.args = masked, ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = masked_log_text(text) or text
    if record.stack_info:
        record.stack_info = masked_log_text(record.stack_info) or record.stack_info


def masked_log_text(text: str) -> str | None:
    """``text`` masked, or None when it holds no card data.

    Log lines often show text as ``repr`` or JSON, where a newline between digit groups
    is ``\\n`` and a full-width digit is ``\\uff14``: those escapes are read as what
    they stand for first.
    """
    if not may_hold_card_data(text) and "\\" not in text:
        return None
    readable = _ESCAPE.sub(_unescape, text) if "\\" in text else text
    masked = mask_card_data(readable)
    return masked.text if masked.found_card_data else None


_ESCAPE = re.compile(r"\\(?:[ntrfv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def _unescape(match: re.Match[str]) -> str:
    escape = match.group()
    if escape[1] in "ntrfv":
        return " "
    code = int(escape[2:], 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:  # half a surrogate pair: not text
        return escape
    char = chr(code)
    return " " if char.isspace() else char
