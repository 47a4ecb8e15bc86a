"""Card numbers and security codes never reach a log line.

:func:`install` wraps the process's log-record factory, so every record, whichever
logger or handler it goes to (and handlers added later, like Sanic's), has its message
and any traceback masked when it is created. The Rasa server installs it when it imports
its REST channel, the action server when it imports ``actions``, the desk in ``main()``.
"""

from __future__ import annotations

import logging
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
    if may_hold_card_data(message):
        masked = mask_card_data(message)
        if masked.found_card_data:
            record.msg, record.args = masked.text, ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        masked = mask_card_data(text)
        if masked.found_card_data:
            record.exc_text = masked.text
    if record.stack_info:
        record.stack_info = mask_card_data(record.stack_info).text
