"""The action server's /metrics: open without the token (nothing secret in it), the
names, and the counters' movements when actions run."""

from __future__ import annotations

from prometheus_client import REGISTRY

from actions.handoff import ActionHandoff
from actions.order_check import ActionCheckOrder
from ops.action_server import create_action_app
from tests.actions.conftest import make_tracker, run, verified


def count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_actions_move_the_counters(services) -> None:
    diagnosed = count("payhelp_diagnoses_total", cause="bank_outage")
    replies = count("payhelp_replies_total", intent="payment_failed")
    chinese = count("payhelp_action_messages_total", channel="web", language="zh")
    tracker = make_tracker(verified("ORD-10006", language="zh"), intent="payment_failed")
    outcome = run(ActionCheckOrder(), tracker)
    assert count("payhelp_diagnoses_total", cause="bank_outage") == diagnosed + 1
    assert count("payhelp_replies_total", intent="payment_failed") == replies + 1
    assert count("payhelp_action_messages_total", channel="web", language="zh") == chinese + len(
        outcome.messages
    )
    handoffs = count("payhelp_bot_handoffs_total", reason="customer_request")
    run(ActionHandoff(), make_tracker(verified("ORD-10006"), intent="request_human"))
    assert count("payhelp_bot_handoffs_total", reason="customer_request") == handoffs + 1


def test_the_action_servers_metrics_are_open_and_name_no_customer() -> None:
    app = create_action_app("a-secret-token")
    _, reply = app.test_client.get("/metrics")
    assert reply.status == 200
    for name in ("payhelp_replies_total", "payhelp_diagnoses_total", "payhelp_notices_total",
                 "payhelp_action_messages_total", "payhelp_bot_handoffs_total"):  # fmt: skip
        assert f"# TYPE {name} counter" in reply.text
    assert 'payhelp_notices_total{kind="order_reminder",outcome="failed"} 0.0' in reply.text
    assert "ORD-" not in reply.text
    _, locked = app.test_client.get("/webhook")
    assert locked.status == 401  # everything else still wants the token
