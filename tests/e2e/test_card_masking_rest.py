"""Card data against the real Rasa and action servers: tracker store and logs.

The session's stack logs at DEBUG, where Rasa writes every user message it handles, so
the log checks below would see any card number that got through.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from payhelp.core.card_data import CARD_MASK, CVC_MASK
from tests.card_formats import digits_only
from tests.e2e.conftest import Bot
from tests.unit.test_card_data import NAMED_FORMATS

pytestmark = pytest.mark.slow
SPLIT = ("6011 1111", "1111 1117")


def user_texts(bot: Bot, sender: str) -> list[str]:
    return [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]


def stored(bot: Bot, sender: str) -> str:
    path = make_url(bot.settings.tracker_store_url).database
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        return "\n".join(data for (data,) in rows)


def logs(bot: Bot) -> str:
    return "\n".join(p.read_text(errors="replace") for p in Path(bot.log_dir).glob("*.log"))


def test_each_named_format_is_masked_through_the_rest_channel(bot: Bot) -> None:
    sender, _ = bot.conversation(*(f"my card {card} was declined" for _, card in NAMED_FORMATS))
    assert user_texts(bot, sender) == [f"my card {CARD_MASK} was declined"] * len(NAMED_FORMATS)
    raw = digits_only(stored(bot, sender))
    assert not [name for name, card in NAMED_FORMATS if digits_only(card) in raw]


def test_a_number_split_over_two_messages_is_masked_in_both_events(bot: Bot) -> None:
    sender, replies = bot.conversation("hi", *SPLIT)
    assert user_texts(bot, sender) == ["hi", CARD_MASK, CARD_MASK]
    assert "card details" in replies[-1][0]["text"]  # the warning comes with the second part
    assert SPLIT[0] not in stored(bot, sender)


def test_a_cvc_after_the_card_in_the_next_message_is_masked(bot: Bot) -> None:
    sender, _ = bot.conversation("4242 4242 4242 4242", "05/29 318")
    assert user_texts(bot, sender) == [CARD_MASK, f"05/29 {CVC_MASK}"]


def test_a_bare_code_after_the_bot_explains_the_security_code_is_masked(bot: Bot) -> None:
    sender, replies = bot.conversation("where do I find the CVC?", "913")
    assert "security code" in replies[0][0]["text"]
    assert user_texts(bot, sender)[-1] == CVC_MASK


def test_messages_posted_to_the_http_api_are_masked_too(bot: Bot) -> None:
    sender = f"e2e-http-api-{uuid.uuid4().hex[:8]}"
    for text in ("my card is 5105  1051  0510  5100", *SPLIT):
        body = json.dumps({"text": text, "sender": "user"}).encode()
        status, _ = bot.post(
            f"/conversations/{sender}/messages?token={bot.settings.rasa_token}", body
        )
        assert status == 200
    assert user_texts(bot, sender) == [f"my card is {CARD_MASK}", CARD_MASK, CARD_MASK]
    raw = stored(bot, sender)
    # Rasa's phone regex takes the last 12 digits for a phone number; that slot goes too.
    assert "105105105100" not in digits_only(raw) and SPLIT[0] not in raw
    # Rasa logs each message it parses at DEBUG, before the tracker store masks it:
    # the server's log filter masked that line.
    assert f'"parse_data_text": "my card is {CARD_MASK}"' in logs(bot)


def test_no_log_line_of_any_process_holds_a_card_number(bot: Bot) -> None:
    test_each_named_format_is_masked_through_the_rest_channel(bot)
    test_messages_posted_to_the_http_api_are_masked_too(bot)
    everything = digits_only(logs(bot))
    assert '"parse_data_text"' in logs(bot)  # the Rasa server logs each message here
    for name, card in [*NAMED_FORMATS, ("5105", "5105105105105100")]:
        assert digits_only(card) not in everything, name
