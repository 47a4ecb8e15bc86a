"""Conversations over POST /webhooks/rest/webhook with the real servers and demo data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.conftest import Bot, texts

pytestmark = pytest.mark.slow

# Every demo order, the contact on it, and the payment_cause the bot must reach.
DEMO = [
    ("ORD-10001", "jane@example.com", "no_problem"),
    ("ORD-10002", "jane@example.com", "input_error"),
    ("ORD-10003", "amara@example.com", "account_problem"),
    ("ORD-10004", "+34 600 000 111", "card_unusable"),
    ("ORD-10005", "mia@example.com", "bank_processing"),
    ("ORD-10006", "li.wei@example.com", "bank_outage"),
    ("ORD-10007", "sam@example.com", "platform_fault"),
    ("ORD-10008", "yuki@example.com", "platform_fault"),
    ("ORD-10009", "amara@example.com", "transaction_anomaly"),
    ("ORD-10010", "carlos@example.com", "charged_not_recorded"),
    ("ORD-10011", "mia@example.com", "suspected_fraud"),
    ("ORD-10012", "sam@example.com", "unknown"),
    ("ORD-10013", "jane@example.com", "bank_processing"),
    ("ORD-10014", "li.wei@example.com", "account_problem"),
    ("ORD-10015", "yuki@example.com", "card_unusable"),
    ("ORD-10016", "sam@example.com", "bank_outage"),
    ("ORD-10017", "yuki@example.com", "unknown"),
]
STAFF_CAUSES = {"charged_not_recorded", "transaction_anomaly", "suspected_fraud"}


@pytest.mark.parametrize("order_id,contact,cause", DEMO, ids=[d[0] for d in DEMO])
def test_each_demo_order_reaches_its_payment_cause(bot: Bot, order_id, contact, cause) -> None:
    sender, replies = bot.conversation("my payment didn't go through", order_id, contact)
    tracker = bot.tracker(sender)
    assert tracker["slots"]["payment_cause"] == cause
    last = replies[-1]
    assert order_id in texts(last)  # the order's status comes first
    handoff = [m["custom"]["handoff"] for m in last if "custom" in m]
    if cause in STAFF_CAUSES:
        assert handoff and handoff[0]["order_id"] == order_id
        assert last[-1].get("custom"), "the payload ends the reply"
        assert tracker["paused"] is True
    elif order_id != "ORD-10008":  # the persisting platform fault also goes to a person
        assert not handoff


def test_a_wrong_email_reveals_nothing(bot: Bot) -> None:
    wrong, wrong_replies = bot.conversation("payment failed", "ORD-10002", "amara@example.com")
    unknown, unknown_replies = bot.conversation("payment failed", "ORD-99999", "amara@example.com")
    assert texts(wrong_replies[-1]) == texts(unknown_replies[-1])
    said = texts(wrong_replies[-1])
    for secret in ("24.50", "USD", "waiting for payment", "security code", "Jane", "jane@"):
        assert secret not in said
    assert bot.tracker(wrong)["slots"]["payment_cause"] is None
    assert bot.tracker(wrong)["slots"]["verified_order"] is None


def test_three_wrong_answers_lock_the_check_and_offer_a_person(bot: Bot) -> None:
    sender, replies = bot.conversation(
        "my card was declined",
        "ORD-10002", "a@example.com",
        "ORD-10002", "b@example.com",
        "ORD-10002", "c@example.com",
        "ORD-10002",
        "jane@example.com",
    )  # fmt: skip
    locked = replies[6]
    assert any(b["payload"] == "/request_human" for m in locked for b in m.get("buttons", []))
    assert bot.tracker(sender)["slots"]["identity_status"] == "locked"
    assert bot.tracker(sender)["slots"]["payment_cause"] is None


def test_a_typed_card_number_is_nowhere_in_the_tracker_store(bot: Bot) -> None:
    card = "4242 4242 4242 4242"
    sender, replies = bot.conversation(f"my card {card} with cvc 737 got declined")
    assert "card details" in texts(replies[0]).lower()  # told not to share them
    events = bot.tracker(sender)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts and "[card number removed]" in user_texts[0]
    path = make_url(bot.settings.tracker_store_url).database
    with sqlite3.connect(path) as connection:
        stored = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    for secret in (card, card.replace(" ", ""), "cvc 737"):
        assert secret not in stored
    for log in Path(bot.log_dir).glob("*.log"):
        assert card not in log.read_text(errors="replace")


def test_handoff_on_request_pauses_and_ends_with_the_payload(bot: Bot) -> None:
    sender, replies = bot.conversation("hi", "I want to talk to a real person")
    payload = replies[-1][-1]["custom"]["handoff"]
    assert payload["reason"] == "customer_request" and payload["escalation_id"]
    assert bot.tracker(sender)["paused"] is True
    # While paused the bot stays quiet: the desk's staff answer now.
    assert bot.say(sender, "hello?") == []


def test_a_customer_without_the_order_number_gets_a_neutral_answer(bot: Bot) -> None:
    _, known = bot.conversation(
        "payment failed", "I don't know my order number", "jane@example.com"
    )
    _, stranger = bot.conversation("payment failed", "no idea", "nobody@example.com")
    assert texts(known[-1]) == texts(stranger[-1])
    assert "ORD-" not in texts(known[-1])


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"not json", "text/plain"),
        (b"[1, 2]", "application/json"),
        (json.dumps({"message": "hi"}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": ""}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": "a" * 5000}).encode(), "application/json"),
        (json.dumps({"sender": "x", "message": 42}).encode(), "application/json"),
        (b"\xff\xfe\x00\x01", "application/json"),
    ],
)
def test_bad_requests_get_a_clear_400(bot: Bot, body: bytes, content_type: str) -> None:
    status, reply = bot.post("/webhooks/rest/webhook", body, content_type)
    assert status == 400
    assert isinstance(reply, dict) and reply["error"]
    assert "Traceback" not in reply["error"]


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE orders; --",
        "<script>alert(1)</script>",
        "ORD-' OR 1=1 --",
        "🙂" * 50,
        "\u0000",
    ],
)
def test_odd_messages_get_an_answer_not_an_error(bot: Bot, text: str) -> None:
    _, [replies] = bot.conversation(text)
    assert replies and all("Traceback" not in (m.get("text") or "") for m in replies)


def test_typed_intent_text_goes_through_the_nlu(bot: Bot) -> None:
    sender, _ = bot.conversation("/bot_challenge")
    parsed = bot.tracker(sender)["latest_message"]
    # A payload would be taken verbatim: one intent at confidence 1, nothing ranked.
    assert len(parsed["intent_ranking"]) > 1
    assert parsed["intent"]["confidence"] < 1.0


def test_typed_entities_are_not_taken_as_given(bot: Bot) -> None:
    sender, _ = bot.conversation('/inform{"order_id": "hello", "email": "x@y.example"}')
    entities = bot.tracker(sender)["latest_message"]["entities"]
    assert all(e.get("extractor") != "RegexMessageHandler" for e in entities)
    assert bot.tracker(sender)["slots"]["order_id"] is None


def test_a_button_payload_is_an_intent(bot: Bot) -> None:
    def press(sender: str, payload: str) -> list[dict]:
        body = {"sender": sender, "message": payload, "metadata": {"payload": True}}
        status, replies = bot.post("/webhooks/rest/webhook", json.dumps(body).encode())
        assert status == 200
        return replies

    assert press("e2e-button-1", "/request_human")[-1]["custom"]["handoff"]["reason"] == (
        "customer_request"
    )
    press("e2e-button-2", '/inform{"order_id": "hello"}')
    entities = bot.tracker("e2e-button-2")["latest_message"]["entities"]
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("order_id", "hello", "RegexMessageHandler")
    ]
