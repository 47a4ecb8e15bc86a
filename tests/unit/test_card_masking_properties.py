"""Properties: no Luhn-valid card number survives masking, however it is typed or logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payhelp import redaction
from payhelp.core.card_data import CARD_MASK, mask_card_data, mask_in_context
from tests.card_formats import TypedCard, digits_only, examples, typed_cards

pytestmark = pytest.mark.property


@settings(max_examples=examples(300))
@given(typed_cards())
def test_no_card_number_survives_in_one_message(card: TypedCard) -> None:
    masked = mask_card_data(card.text)
    assert card.digits not in digits_only(masked.text), repr(card.text)
    assert masked.card_numbers >= 1


@settings(max_examples=examples(200))
@given(typed_cards().filter(lambda c: c.splittable), st.data())
def test_no_card_number_survives_split_over_two_messages(card: TypedCard, data) -> None:
    at = data.draw(st.integers(1, len(card.groups) - 1))
    first, second = card.split(at)
    stored_first = mask_card_data(first).text  # what the desk stored when it arrived
    result = mask_in_context(second, ["hello", stored_first])
    for rewrite in result.earlier:
        assert rewrite.index == 1
        stored_first = rewrite.text
    both = digits_only(stored_first) + digits_only(result.current.text)
    assert card.digits not in both, (first, second)
    assert card.first_message_is_clean(stored_first), (first, second, stored_first)
    assert CARD_MASK in result.current.text or CARD_MASK in stored_first


@settings(max_examples=examples(200))
@given(typed_cards())
def test_masking_is_stable(card: TypedCard) -> None:
    once = mask_card_data(card.text).text
    assert mask_card_data(once).text == once


@pytest.fixture(scope="module")
def masked_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    previous = logging.getLogRecordFactory()
    redaction.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, out
    logger.removeHandler(handler)
    logging.setLogRecordFactory(previous)


@settings(max_examples=examples(200))
@given(card=typed_cards(), how=st.sampled_from(["message", "argument", "json", "exception"]))
def test_no_card_number_survives_in_a_log_line(masked_log, card: TypedCard, how: str) -> None:
    logger, out = masked_log
    out.seek(0)
    out.truncate()
    if how == "message":
        logger.info("customer wrote: " + card.text.replace("%", "%%"))
    elif how == "argument":
        logger.warning("customer %s wrote %r", "web-1", card.text)
    elif how == "json":
        logger.info("event %s", json.dumps({"event": "user", "text": card.text}))
    else:
        try:
            raise ValueError(f"cannot parse {card.text}")
        except ValueError:
            logger.exception("handling failed")
    written = out.getvalue()
    assert written.strip()
    assert card.digits not in digits_only(written)
