"""The desk's regular channel check on SQLite and PostgreSQL: it records each status
change once with its evidence, only the lease holder runs it, and maintenance windows
and recoveries are recorded like any change. Also the operations page's figures."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

from desk.channel_watch import ChannelWatch
from desk.notifier import CHANNEL, STAFF, Notifier
from payhelp.core.channels import Maintenance
from payhelp.core.orders import PaymentMethod
from payhelp.imports.orders_json import import_document
from payhelp.settings import Settings
from payhelp.store.channels import ChannelRecords
from payhelp.store.leases import Leases
from payhelp.store.orders import OrderRepository
from tests.conftest import DEMO_NOW, load_demo


def watch(sessions, holder: str, notifier: Notifier | None = None) -> ChannelWatch:
    return ChannelWatch(
        settings=Settings(ops_check_s=60),
        orders=OrderRepository(sessions),
        records=ChannelRecords(sessions),
        leases=Leases(sessions),
        notifier=notifier or Notifier(),
        clock=lambda: DEMO_NOW,
        holder=holder,
    )


def test_the_demo_outage_is_recorded_once_with_its_evidence(sessions) -> None:
    load_demo(sessions)
    first = watch(sessions, "desk-1")
    [change] = first.check(DEMO_NOW)
    assert (change.method, change.previous, change.status) == ("wechat_pay", "ok", "down")
    assert change.reason == "failure_wave"
    assert change.evidence == ("wechat_pay: 7 of 7 attempts failed on 7 orders in the last 30 min")
    assert first.check(DEMO_NOW + timedelta(minutes=1)) == []  # still down: nothing new
    assert ChannelRecords(sessions).latest_statuses() == {"wechat_pay": "down"}


def test_only_the_lease_holder_runs_the_check(sessions) -> None:
    load_demo(sessions)
    first, second = watch(sessions, "desk-1"), watch(sessions, "desk-2")
    assert first.check(DEMO_NOW) is not None
    assert second.check(DEMO_NOW + timedelta(seconds=30)) is None  # desk-1 holds it
    assert first.check(DEMO_NOW + timedelta(seconds=60)) == []  # the holder renews
    # desk-1 stops checking (it died): after the lease's 120 s, desk-2 takes over.
    assert second.check(DEMO_NOW + timedelta(seconds=179)) is None
    assert second.check(DEMO_NOW + timedelta(seconds=181)) == []
    assert first.check(DEMO_NOW + timedelta(seconds=200)) is None


def test_racing_desks_record_each_change_once(sessions) -> None:
    load_demo(sessions)
    watches = [watch(sessions, f"desk-{n}") for n in range(4)]
    barrier = threading.Barrier(len(watches))
    results: list[Any] = []

    def run(w: ChannelWatch) -> None:
        barrier.wait()
        results.append(w.check(DEMO_NOW))

    threads = [threading.Thread(target=run, args=(w,)) for w in watches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ran = [r for r in results if r is not None]
    assert len(ran) == 1 and [c.method for c in ran[0]] == ["wechat_pay"]
    assert len(ChannelRecords(sessions).recent_changes()) == 1


def test_maintenance_and_recovery_are_recorded(sessions) -> None:
    load_demo(sessions)
    records = ChannelRecords(sessions)
    w = watch(sessions, "desk-1")
    w.check(DEMO_NOW)
    window = Maintenance(
        PaymentMethod.PAYPAL, DEMO_NOW, DEMO_NOW + timedelta(minutes=30), "Back soon.", "马上恢复。"
    )
    window_id = records.add_maintenance(window, "alex")
    [paypal] = w.check(DEMO_NOW + timedelta(minutes=1))
    assert (paypal.method, paypal.status, paypal.reason) == ("paypal", "down", "maintenance")
    assert "planned maintenance until 2026-11-25 12:30" in paypal.evidence
    assert records.end_maintenance(window_id, DEMO_NOW + timedelta(minutes=2))
    # The WeChat Pay wave has left the 30-minute window by 12:31; PayPal's maintenance ended.
    later = w.check(DEMO_NOW + timedelta(minutes=31))
    assert sorted((c.method, c.previous, c.status) for c in later) == [
        ("paypal", "down", "ok"), ("wechat_pay", "down", "ok"),
    ]  # fmt: skip


def test_every_desk_tells_its_staff_about_new_changes(sessions) -> None:
    load_demo(sessions)
    heard: dict[str, list[dict[str, Any]]] = {"desk-1": [], "desk-2": [], "posted": []}

    def notifier_for(name: str) -> Notifier:
        notifier = Notifier()

        async def staff(event: dict[str, Any]) -> None:
            heard[name].append(event)

        async def channel(event: dict[str, Any]) -> None:
            heard["posted"].append(event)

        notifier.subscribe(STAFF, staff)
        notifier.subscribe(CHANNEL, channel)
        return notifier

    first = watch(sessions, "desk-1", notifier_for("desk-1"))
    second = watch(sessions, "desk-2", notifier_for("desk-2"))

    async def both() -> None:
        first.last_seen = second.last_seen = 0
        await first.tick()
        await second.tick()

    asyncio.run(both())
    for desk in ("desk-1", "desk-2"):
        [alert] = heard[desk]
        assert alert["type"] == "channel_alert" and alert["change"]["status"] == "down"
    assert [e["method"] for e in heard["posted"]] == ["wechat_pay"]  # webhook: once


def paypal_history() -> dict[str, Any]:
    """PayPal attempts at known ages, so every figure is known by construction."""
    attempts = [  # (minutes ago, status, failure code)
        (1, "succeeded", None), (5, "succeeded", None),
        (7, "failed", "CODE_A"), (14, "failed", "CODE_A"),  # last 15 min: 2 of 4
        (30, "succeeded", None),  # last hour: 3 of 5
        (180, "pending", None),  # not finished: counted as an attempt only
        (290, "failed", "CODE_B"), (291, "failed", "CODE_B"), (292, "failed", "CODE_B"),
        (25 * 60, "failed", "CODE_C"),  # older than 24 hours: not counted
    ]  # fmt: skip
    payments = [
        {
            "id": f"pp_{n}", "method": "paypal", "status": status, "amount": "5.00",
            "currency": "EUR", "failure_code": code,
            "created_at": (DEMO_NOW - timedelta(minutes=ago)).isoformat(),
        }
        for n, (ago, status, code) in enumerate(attempts)
    ]  # fmt: skip
    return {
        "customers": [{"id": "C-7", "name": "Pat", "email": "pat@example.com"}],
        "orders": [
            {
                "id": f"ORD-4000{n}", "customer_id": "C-7", "status": "awaiting_payment",
                "total": "5.00", "currency": "EUR", "created_at": "2026-11-24T00:00:00Z",
                "payments": [p],
            }
            for n, p in enumerate(payments)
        ],
    }  # fmt: skip


def test_the_operations_figures(sessions) -> None:
    import_document(sessions, paypal_history())
    figures = ChannelRecords(sessions).method_figures(DEMO_NOW)
    paypal = figures["paypal"]
    assert paypal.attempts == {"15m": 4, "1h": 5, "24h": 9}
    assert paypal.succeeded == {"15m": 2, "1h": 3, "24h": 3}
    assert paypal.failed == {"15m": 2, "1h": 2, "24h": 5}
    assert [paypal.success_rate(w) for w in ("15m", "1h", "24h")] == [0.5, 0.6, 3 / 8]
    assert paypal.top_failure_codes == [("CODE_B", 3), ("CODE_A", 2)]
    assert paypal.hourly[23] == (3, 5)  # the last hour: 3 succeeded of 5 finished
    assert paypal.hourly[19] == (0, 3)  # 4 h 50 min ago: the hour 19 h after the first
    assert sum(f for _, f in paypal.hourly) == 8
    assert set(figures) == {"paypal"}
