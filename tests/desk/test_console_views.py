"""What the console reads: human labels, live ratings, history and search, whole outcomes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import websockets
from sqlalchemy import select

from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory, transaction
from payhelp.store.records import AssistantRecords, Escalation
from payhelp.store.tables import EscalationRow
from tests.desk.conftest import LiveDesk, events_until, next_event


def escalate(settings: Settings, order_id: str, cause: str, detail: str, reason: str) -> int:
    """An escalation as the bot's handoff action records it."""
    records = AssistantRecords(make_session_factory(make_engine(settings.database_url)))
    return records.add_escalation(
        Escalation("web-x", reason, order_id, cause, detail, ("pay_1 succeeded",))
    )


def handoff(escalation_id: int, reason: str, order_id: str) -> list[dict]:
    return [
        {"text": "A person will take over."},
        {
            "custom": {
                "handoff": {"escalation_id": escalation_id, "reason": reason, "order_id": order_id}
            }
        },
    ]


async def waiting_customer(desk: LiveDesk, text: str) -> str:
    """A customer whose message the scripted bot hands to people; their token."""
    token = await desk.start_chat()
    async with desk.socket(token) as ws:
        await next_event(ws, "state")
        await ws.send(json.dumps({"type": "message", "text": text, "client_id": "c1"}))
        await events_until(ws, lambda e: e["type"] == "state")
    return token


async def staff_socket(desk: LiveDesk):
    cookie = "; ".join(f"{c.key}={c.value}" for c in desk.http.cookie_jar)
    return websockets.connect(
        desk.base.replace("http", "ws") + "/staff/ws", extra_headers={"Cookie": cookie}
    )


def test_the_queue_reads_in_words_not_codes(run_desk, bot, desk_settings) -> None:
    twice = escalate(desk_settings, "ORD-10009", "transaction_anomaly", "duplicate", "needs_staff")
    asked = escalate(desk_settings, "ORD-10002", "input_error", "cvc", "customer_request")
    bot.replies["charged twice"] = handoff(twice, "needs_staff", "ORD-10009")
    bot.replies["a person please"] = handoff(asked, "customer_request", "ORD-10002")

    async def scenario(desk: LiveDesk):
        await waiting_customer(desk, "charged twice")
        await waiting_customer(desk, "a person please")
        await desk.login()
        return await desk.staff_get("queue")

    status, queue = run_desk(scenario)
    first, second = queue["conversations"]
    assert status == 200
    assert first["headline"] == "Charged twice: needs a check"
    assert first["diagnosis_label"] is None
    assert (first["customer_name"], first["customer_email"]) == (
        "Amara Okafor",
        "amara@example.com",
    )
    assert first["status_label"] == "Waiting" and first["waiting_seconds"] >= 0
    assert first["last_message"] == "Waiting for a support agent — you are number 1."
    assert second["headline"] == "Asked for a person"
    assert second["diagnosis_label"] == "Card declined: wrong card details"
    assert second["customer_name"] == "Jane Doe"


def test_a_rating_reaches_the_console_as_it_is_given(run_desk, bot, desk_settings) -> None:
    escalation = escalate(
        desk_settings, "ORD-10010", "charged_not_recorded", "charged_unpaid", "needs_staff"
    )
    bot.replies["money gone"] = handoff(escalation, "needs_staff", "ORD-10010")

    async def scenario(desk: LiveDesk):
        token = await waiting_customer(desk, "money gone")
        csrf = await desk.login()
        _, queue = await desk.staff_get("queue")
        conversation_id = queue["conversations"][0]["id"]
        await desk.staff_post(f"conversations/{conversation_id}/claim", csrf)
        await desk.staff_post(
            f"conversations/{conversation_id}/resolve", csrf, {"outcome": "callback_arranged"}
        )
        async with await staff_socket(desk) as staff_ws, desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(json.dumps({"type": "rating", "score": 5}))
            events = await events_until(
                staff_ws,
                lambda e: e["type"] == "conversation" and e["conversation_id"] == conversation_id,
            )
        _, details = await desk.staff_get(f"conversations/{conversation_id}")
        return events, details

    events, details = run_desk(scenario)
    assert events[-1]["type"] == "conversation"
    assert details["conversation"]["rating"] == 5
    assert details["conversation"]["outcome_label"] == "Callback arranged"
    # The escalation keeps the outcome whole (it used to be cut to "resolved:callbac").
    sessions = make_session_factory(make_engine(desk_settings.database_url))
    with transaction(sessions) as session:
        stored = session.execute(
            select(EscalationRow.status).where(EscalationRow.id == escalation)
        ).scalar_one()
    assert stored == "resolved:callback_arranged"


def test_closed_conversations_stay_findable(run_desk, bot, desk_settings) -> None:
    paid = escalate(
        desk_settings, "ORD-10010", "charged_not_recorded", "charged_unpaid", "needs_staff"
    )
    asked = escalate(desk_settings, "ORD-10002", "input_error", "cvc", "customer_request")
    bot.replies["money gone"] = handoff(paid, "needs_staff", "ORD-10010")
    bot.replies["a person please"] = handoff(asked, "customer_request", "ORD-10002")

    async def scenario(desk: LiveDesk):
        await waiting_customer(desk, "money gone")
        await waiting_customer(desk, "a person please")
        csrf = await desk.login()
        _, queue = await desk.staff_get("queue")
        ids = {c["order_id"]: c["id"] for c in queue["conversations"]}
        for order_id in ids:
            await desk.staff_post(f"conversations/{ids[order_id]}/claim", csrf)
        await desk.staff_post(
            f"conversations/{ids['ORD-10010']}/resolve", csrf, {"outcome": "paid"}
        )
        await desk.staff_post(f"conversations/{ids['ORD-10002']}/handback", csrf)
        _, queue_after = await desk.staff_get("queue")
        now = datetime.now(timezone.utc)
        today = quote((now - timedelta(hours=1)).isoformat())
        tomorrow = quote((now + timedelta(days=1)).isoformat())
        searches = {
            query: (await desk.staff_get(f"conversations?{query}"))[1]["conversations"]
            for query in (
                "q=ord-10002",
                "q=CARLOS%40example",
                "q=jane%20doe",
                "q=",
                f"q=&since={today}&until={tomorrow}",
                f"q=&since={tomorrow}",
                "q=nobody-like-this",
                "q=%25",
            )
        }
        handed_back = await desk.staff_get(f"conversations/{ids['ORD-10002']}")
        bad_date = await desk.staff_get("conversations?since=yesterday")
        naive_date = await desk.staff_get("conversations?since=2026-11-25T00:00")
        return ids, queue_after, searches, handed_back, bad_date, naive_date

    ids, queue_after, searches, handed_back, bad_date, naive_date = run_desk(scenario)
    # Handed back: gone from the queue, not from the console.
    assert ids["ORD-10002"] not in [c["id"] for c in queue_after["conversations"]]
    found = {query: [c["order_id"] for c in hits] for query, hits in searches.items()}
    assert found["q=ord-10002"] == ["ORD-10002"]
    assert found["q=CARLOS%40example"] == ["ORD-10010"]  # Carlos's email, any case, in part
    assert found["q=jane%20doe"] == ["ORD-10002"]
    assert found["q="] == ["ORD-10002", "ORD-10010"]  # newest first
    assert sorted(found[[q for q in found if "until" in q][0]]) == ["ORD-10002", "ORD-10010"]
    assert found[[q for q in found if q.startswith("q=&since") and "until" not in q][0]] == []
    assert found["q=nobody-like-this"] == [] and found["q=%25"] == []  # % is a character
    by_order = {c["order_id"]: c for c in searches["q="]}
    assert by_order["ORD-10010"]["outcome_label"] == "Payment sorted, order paid"
    assert by_order["ORD-10002"]["outcome_label"] == "Handed back to the assistant"
    status, details = handed_back
    assert status == 200 and details["conversation"]["status"] == "bot"
    senders = [m["sender"] for m in details["messages"]]
    assert senders[0] == "customer" and senders[-1] == "bot"  # the whole transcript
    assert [s for s, _ in (bad_date, naive_date)] == [400, 400]
    assert "with its zone" in bad_date[1]["error"]


def test_the_console_learns_the_outcomes_by_name(run_desk) -> None:
    async def scenario(desk: LiveDesk):
        await desk.login()
        return await desk.staff_get("me")

    status, me = run_desk(scenario)
    assert status == 200
    assert {"value": "callback_arranged", "label": "Callback arranged"} in me["outcomes"]
    assert len(me["outcomes"]) == 5
