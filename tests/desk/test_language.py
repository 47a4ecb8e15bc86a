"""The desk follows the conversation's language: the widget's start language reaches the
bot's greeting, the customer's words and the bot's handoff switch it, the desk's own lines
and quick replies come in it, and the console shows it with canned replies in it."""

from __future__ import annotations

import json

from desk import messages
from desk.service import LEAVE_QUEUE
from tests.desk.conftest import events_until, next_event
from tests.desk.test_console_views import escalate


def handoff_in(language: str | None, escalation_id: int, order_id: str) -> list[dict]:
    payload = {"escalation_id": escalation_id, "reason": "needs_staff", "order_id": order_id}
    if language:
        payload["language"] = language
    return [{"text": "一位同事会接手。"}, {"custom": {"handoff": payload}}]


def test_the_page_language_reaches_the_greeting_and_the_state(run_desk, bot) -> None:
    bot.intents["greet"] = [{"text": "您好！"}]

    async def scenario(desk):
        started = await desk.http.post(desk.base + "/api/chat/start", json={"language": "zh"})
        body = await started.json()
        refused = await desk.http.post(desk.base + "/api/chat/start", json={"language": "fr"})
        async with desk.socket(body["token"]) as ws:
            state = (await next_event(ws, "state"))["state"]
            await next_event(ws, "message")  # the greeting
        return body, state, refused.status, await refused.json()

    body, state, refused, problem = run_desk(scenario)
    assert body["state"]["language"] == "zh" and state["language"] == "zh"
    assert bot.triggered and bot.triggered[-1][1] == "greet", bot
    assert bot.languages[-1] == "zh"
    assert refused == 400 and "'language' must be one of" in problem["error"]


def test_chinese_words_switch_the_desks_lines_and_the_console(run_desk, bot, desk_settings) -> None:
    escalation = escalate(
        desk_settings, "ORD-10009", "transaction_anomaly", "duplicate", "needs_staff"
    )
    bot.replies["被扣了两次钱"] = handoff_in(None, escalation, "ORD-10009")

    async def scenario(desk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(
                json.dumps({"type": "message", "text": "被扣了两次钱", "client_id": "c1"})
            )
            ack = await next_event(ws, "ack")
            seen = await events_until(
                ws, lambda e: e["type"] == "state" and e["state"]["status"] == "waiting"
            )
        await desk.login()
        _, queue = await desk.staff_get("queue")
        conversation = queue["conversations"][0]
        _, details = await desk.staff_get(f"conversations/{conversation['id']}")
        return ack, seen, conversation, details

    ack, seen, conversation, details = run_desk(scenario)
    assert ack["language"] == "zh"
    system = [
        e["message"] for e in seen if e["type"] == "message" and e["message"]["sender"] == "system"
    ]
    waiting = system[-1]
    assert waiting["text"] == messages.line("waiting", "zh", position=1)
    assert [b["title"] for b in waiting["buttons"]] == ["回到智能助手", "改为给我回电或发邮件"]
    assert waiting["buttons"][0]["payload"] == LEAVE_QUEUE
    assert conversation["language"] == "zh" and conversation["language_label"] == "Chinese (中文)"
    texts = [r["text"] for r in details["canned_replies"]]
    assert "我找到了您的付款" not in " ".join(texts)  # that one is for charged_not_recorded
    assert "多扣的金额我已经退回到您付款用的银行卡" in " ".join(texts)
    assert "还有什么可以帮您的吗？" in texts
    titles = [r["title"] for r in details["canned_replies"]]
    assert "Extra charge refunded" in titles  # staff read the titles in English


def test_the_bots_slot_in_the_handoff_wins(run_desk, bot, desk_settings) -> None:
    escalation = escalate(desk_settings, "ORD-10002", "input_error", "cvc", "customer_request")
    # An English-looking message, but the bot's slot says the customer asked for Chinese.
    bot.replies["ORD-10002 person"] = handoff_in("zh", escalation, "ORD-10002")

    async def scenario(desk):
        token = await desk.start_chat()
        async with desk.socket(token) as ws:
            await next_event(ws, "state")
            await ws.send(
                json.dumps({"type": "message", "text": "ORD-10002 person", "client_id": "c"})
            )
            seen = await events_until(
                ws, lambda e: e["type"] == "state" and e["state"]["status"] == "waiting"
            )
        return seen

    seen = run_desk(scenario)
    assert seen[-1]["state"]["language"] == "zh"
    system = [
        e["message"]["text"]
        for e in seen
        if e["type"] == "message" and e["message"]["sender"] == "system"
    ]
    assert system[-1] == messages.line("waiting", "zh", position=1)
