"""/metrics on the desk after a scripted conversation: the names, the counters' movements,
the channel status as an enum, and no customer data anywhere in it."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from tests.desk.conftest import LiveDesk
from tests.desk.test_staff_routes import waiting_chat


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_with_a_conversation_and_name_no_customer(run_desk, bot) -> None:
    async def scenario(desk: LiveDesk):
        async with desk.http.get(f"{desk.base}/metrics") as reply:
            assert reply.status == 200
            assert reply.headers["content-type"].startswith("text/plain")
            before = await reply.text()
        await waiting_chat(desk, bot)  # "money taken but order unpaid" -> handed to people
        async with desk.http.get(f"{desk.base}/metrics") as reply:
            return before, await reply.text()

    before_text, after_text = run_desk(scenario)
    before, after = samples(before_text), samples(after_text)
    customer = {"direction": "in", "sender": "customer", "channel": "web", "language": "en"}
    assert value(before, "payhelp_messages_total", **customer) == 0
    assert value(after, "payhelp_messages_total", **customer) == 1
    bot_out = {"direction": "out", "sender": "bot", "channel": "web", "language": "en"}
    assert value(after, "payhelp_messages_total", **bot_out) == 1  # "A person will take over."
    assert value(after, "payhelp_handoffs_total", reason="needs_staff") == 1
    assert value(after, "payhelp_queue_length") == 1 and value(before, "payhelp_queue_length") == 0
    assert value(after, "payhelp_rasa_reply_seconds_count") == 1
    assert value(after, "payhelp_desk_reply_seconds_count") == 1
    # The channel status as Prometheus enums are: 1 for the current status, 0 for the rest.
    for method in ("card", "wechat_pay"):
        assert [value(after, "payhelp_channel_status", method=method, status=s)
                for s in ("ok", "degraded", "down")] == [1, 0, 0]  # fmt: skip
    # No order id, text, email or conversation id in any label or value.
    assert "ORD-" not in after_text and "money taken" not in after_text
    assert "@" not in after_text
    labels = set(re.findall(r'(\w+)="', after_text))
    assert labels <= {"direction", "sender", "channel", "language", "reason", "method", "status",
                      "le"}  # fmt: skip


def test_a_channel_down_is_one_enum_value() -> None:
    from prometheus_client import generate_latest

    from desk.metrics import DeskMetrics
    from payhelp.core.channels import assess_channels
    from payhelp.core.orders import ChannelActivity, PaymentMethod
    from payhelp.settings import DiagnosisPolicy

    wechat = PaymentMethod.WECHAT_PAY
    board = assess_channels({wechat: ChannelActivity(wechat, 7, 7, 7)}, DiagnosisPolicy())
    metrics = DeskMetrics()
    metrics.set_channels(board, ["wechat_pay", "card"])
    found = samples(generate_latest(metrics.registry).decode())
    assert [value(found, "payhelp_channel_status", method="wechat_pay", status=s)
            for s in ("ok", "degraded", "down")] == [0, 0, 1]  # fmt: skip
    assert value(found, "payhelp_channel_status", method="card", status="ok") == 1
