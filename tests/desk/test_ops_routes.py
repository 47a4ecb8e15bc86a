"""The operations API and the maintenance screen's API, over HTTP, for an admin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from desk.app import create_app
from desk.staff_accounts import Role, StaffAccounts
from ops.schema import upgrade_database
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.tables import utc_now
from tests.conftest import load_demo
from tests.desk.conftest import PASSWORD, ScriptedBot


@pytest.fixture
def app(tmp_path: Path) -> Sanic:
    """The demo data as of now: the WeChat Pay outage is happening."""
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    upgrade_database(url)
    sessions = make_session_factory(make_engine(url))
    load_demo(sessions, utc_now())
    StaffAccounts(sessions).create("alex", "Alex", PASSWORD, Role.ADMIN)
    return create_app(Settings(database_url=url), rasa=ScriptedBot())


def admin(app: Sanic) -> tuple[dict[str, str], dict[str, str]]:
    _, reply = app.test_client.post(
        "/staff/api/login", json={"username": "alex", "password": PASSWORD}
    )
    return {"desk_session": reply.cookies["desk_session"]}, {"X-CSRF-Token": reply.json["csrf"]}


def channels(app: Sanic, cookies: dict[str, str]) -> dict[str, Any]:
    _, reply = app.test_client.get("/staff/api/ops/channels", cookies=cookies)
    assert reply.status == 200
    return {row["method"]: row for row in reply.json["channels"]}


def test_the_outage_shows_on_the_channel_rows(app) -> None:
    cookies, _ = admin(app)
    rows = channels(app, cookies)
    assert list(rows) == list(Settings().payment_methods)  # the shop's methods, in order
    wechat = rows["wechat_pay"]
    assert wechat["status"] == "down"
    assert wechat["evidence"] == "wechat_pay: 7 of 7 attempts failed on 7 orders in the last 30 min"
    assert wechat["success_rate"] == {"15m": 0.0, "1h": 0.0, "24h": 0.0}
    assert wechat["attempts"]["24h"] == 7
    assert wechat["top_failure_codes"][0]["count"] >= 1
    assert len(wechat["hourly"]) == 24 and wechat["hourly"][-1]["finished"] == 7
    assert rows["paypal"]["status"] == "ok"


def test_maintenance_takes_a_method_down_until_it_ends(app) -> None:
    cookies, headers = admin(app)
    until = (utc_now() + timedelta(hours=2)).isoformat()
    _, made = app.test_client.post(
        "/staff/api/admin/maintenance", cookies=cookies, headers=headers,
        json={"method": "paypal", "until": until, "message_en": "Back at two.",
              "message_zh": "两点恢复。"},
    )  # fmt: skip
    assert made.status == 201 and made.json["active"] is True
    paypal = channels(app, cookies)["paypal"]
    assert paypal["status"] == "down" and paypal["maintenance"]["message_zh"] == "两点恢复。"
    _, listed = app.test_client.get("/staff/api/admin/maintenance", cookies=cookies)
    assert [w["method"] for w in listed.json["windows"]] == ["paypal"]
    _, ended = app.test_client.post(
        f"/staff/api/admin/maintenance/{made.json['id']}/end", cookies=cookies, headers=headers
    )
    assert ended.status == 200
    assert channels(app, cookies)["paypal"]["status"] == "ok"


@pytest.mark.parametrize(
    "body,error",
    [
        ({"method": "bitcoin", "until": "2099-01-01T00:00Z"}, "one of the shop's payment methods"),
        ({"method": "paypal", "until": "tomorrow"}, "a date and time with its zone"),
        ({"method": "paypal", "until": "2099-01-01T00:00"}, "a date and time with its zone"),
        ({"method": "paypal", "until": "2020-01-01T00:00Z"}, "in the future"),
        ({"method": "paypal", "until": "2099-01-01T00:00Z"}, "at most 14 days"),
        ({"method": "paypal", "until": "2099-01-01T00:00Z", "message_en": 5}, "must be text"),
    ],
)
def test_bad_maintenance_gets_a_clear_400(app, body: dict[str, Any], error: str) -> None:
    cookies, headers = admin(app)
    _, reply = app.test_client.post(
        "/staff/api/admin/maintenance", cookies=cookies, headers=headers, json=body
    )
    assert reply.status == 400 and error in reply.json["error"]


def test_the_pages_and_the_chart_library_are_served(app) -> None:
    for path in ("/staff/ops", "/staff/impact", "/staff/admin"):
        _, reply = app.test_client.get(path)
        assert reply.status == 200 and "Content-Security-Policy" in reply.headers
    _, chart = app.test_client.get("/staff/vendor/chart.umd.min.js")
    assert chart.status == 200 and "Chart.js v4" in chart.text[:200]
    _, missing = app.test_client.get("/staff/assets/staff.js")  # only the listed assets
    assert missing.status == 404


def test_the_impact_api_and_its_csv(app) -> None:
    cookies, _ = admin(app)
    _, reply = app.test_client.get("/staff/api/ops/impact", cookies=cookies)
    assert reply.status == 200
    # The demo data as of now: its failed attempts are in the last 7 days.
    assert reply.json["failed_payments"]["by_method"]["wechat_pay"] == 7
    assert "failed_by_method" in reply.json["tables"]
    _, csv_reply = app.test_client.get(
        "/staff/api/ops/impact.csv?table=failed_by_method", cookies=cookies
    )
    assert csv_reply.status == 200 and csv_reply.headers["content-type"].startswith("text/csv")
    lines = csv_reply.text.strip().splitlines()
    assert lines[0] == "day,method,failed"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:] if ",wechat_pay," in line) == 7


@pytest.mark.parametrize(
    "query,error",
    [
        ("?since=yesterday", "'since' must be a date"),
        ("?since=2026-11-10&until=2026-11-01", "'until' must be after 'since'"),
        ("?since=2020-01-01&until=2026-11-01", "at most 366 days"),
        (".csv?table=secrets", "'table' must be one of"),
    ],
)
def test_bad_impact_requests_get_a_clear_400(app, query: str, error: str) -> None:
    cookies, _ = admin(app)
    _, reply = app.test_client.get(f"/staff/api/ops/impact{query}", cookies=cookies)
    assert reply.status == 400 and error in reply.json["error"]
