"""The admins' pages in a real browser (Debian's Chromium via Playwright), against a
desk process with its regular channel check every second.

A WeChat Pay outage starts while an admin has the console open: the console shows the
alert, /staff/ops shows WeChat Pay down with its evidence, failure codes and chart, and
the status change in the log. /staff/impact shows the figures of a known fixture. An
agent gets "admins only". axe-core audits both pages. Screenshots in tests/artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest

from desk.staff_accounts import Role, StaffAccounts
from ops.schema import upgrade_database
from payhelp.imports.orders_json import import_document
from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.tables import utc_now
from tests.browser.accessibility import assert_accessible, axe_source
from tests.browser.conftest import CHROMIUM
from tests.conftest import load_demo
from tests.db.test_impact import load as load_impact_fixture
from tests.db.test_impact import tracker_events
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.slow

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PASSWORD = "a long admin password"
TIMEOUT_MS = 20_000


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def day_of_traffic(now) -> dict:
    """24 hours of payments: cards and Alipay mostly fine, WeChat Pay fine until now."""
    payments = []
    for hour in range(1, 24):
        for n, (method, status) in enumerate(
            [("card", "succeeded"), ("card", "succeeded"), ("card", "failed"),
             ("alipay", "succeeded"), ("wechat_pay", "succeeded"), ("wechat_pay", "succeeded")]
        ):  # fmt: skip
            at = now - timedelta(hours=hour, minutes=7 * n)
            payments.append((f"T{hour:02d}{n}", method, status, at))
    return {
        "customers": [{"id": "C-T", "name": "Traffic", "email": "t@example.com"}],
        "orders": [
            {
                "id": f"ORD-7{pid[1:]}", "customer_id": "C-T", "status": "paid",
                "total": "12.00", "currency": "CNY", "created_at": iso(now - timedelta(days=2)),
                "payments": [{
                    "id": pid, "method": method, "status": status, "amount": "12.00",
                    "currency": "CNY", "created_at": iso(at),
                    "failure_code": "card_declined" if status == "failed" else None,
                }],
            }
            for pid, method, status, at in payments
        ],
    }  # fmt: skip


def outage(now) -> dict:
    """WeChat Pay fails for six orders within the last few minutes."""
    return {
        "customers": [{"id": "C-O", "name": "Wen", "email": "wen@example.com"}],
        "orders": [
            {
                "id": f"ORD-8000{n}", "customer_id": "C-O", "status": "awaiting_payment",
                "total": "30.00", "currency": "CNY", "created_at": iso(now - timedelta(minutes=9)),
                "payments": [{
                    "id": f"O{n}", "method": "wechat_pay", "status": "failed", "amount": "30.00",
                    "currency": "CNY", "failure_code": "SYSTEMERROR" if n % 3 else "PAYERROR",
                    "created_at": iso(now - timedelta(minutes=n)),
                }],
            }
            for n in range(1, 7)
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    root = tmp_path_factory.mktemp("ops-pages")
    settings = Settings(
        database_url=f"sqlite:///{root / 'payhelp.db'}",
        tracker_store_url=f"sqlite:///{root / 'payhelp.db'}",
        desk_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        ops_check_s=1,
    )
    upgrade_database(settings.database_url)
    sessions = make_session_factory(make_engine(settings.database_url))
    # The demo's own outage is over: it happened two hours ago.
    load_demo(sessions, utc_now() - timedelta(hours=2))
    import_document(sessions, day_of_traffic(utc_now()))
    load_impact_fixture(sessions)  # staff 1 and 2 (Alex, Sam) come with it
    tracker_events(settings.database_url)
    accounts = StaffAccounts(sessions)
    accounts.create("olga", "Olga", PASSWORD, Role.ADMIN)
    accounts.create("kim", "Kim", PASSWORD)
    env = {**os.environ, **settings.to_env(), "LOG_LEVEL": "WARNING"}
    log = (root / "desk.log").open("w")
    desk = subprocess.Popen([sys.executable, "-m", "desk"], env=env, cwd=PROJECT_ROOT,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{settings.desk_port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the desk did not start: " + (root / "desk.log").read_text()[-2000:])
        yield url, settings
    finally:
        desk.terminate()
        desk.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/staff")
    page.get_by_test_id("staff-username").fill(username)
    page.get_by_test_id("staff-password").fill(PASSWORD)
    page.get_by_test_id("staff-login").click()
    page.locator("#desk-view").wait_for()


def test_the_ops_page_during_a_wechat_pay_outage(stack, browser) -> None:
    url, settings = stack
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, url, "olga")
    page.get_by_role("link", name="Channel health").wait_for()
    time.sleep(2.5)  # a couple of checks with nothing to report

    # The outage starts now.
    import_document(make_session_factory(make_engine(settings.database_url)), outage(utc_now()))
    alert = page.get_by_test_id("channel-alerts").locator(".channel-alert.down")
    alert.wait_for()
    assert "WeChat Pay is down" in alert.inner_text()
    assert "6 of" in alert.inner_text()
    page.screenshot(path=str(ARTIFACTS / "ops-console-alert.png"))

    page.get_by_role("link", name="Channel health").click()
    wechat = page.locator('tr[data-method="wechat_pay"]')
    wechat.get_by_test_id("channel-status").filter(has_text="down").wait_for()
    row = wechat.inner_text()
    # The demo's old outage two hours ago (4 + 3) and this one (4 + 2), within 24 hours.
    assert "SYSTEMERROR ×8" in row and "PAYERROR ×5" in row
    assert "0.0 %" in row  # 15 minutes: nothing succeeded
    card = page.locator('tr[data-method="card"]')
    assert card.get_by_test_id("channel-status").inner_text() == "ok"
    changes = page.get_by_test_id("changes-table").inner_text()
    assert "ok → down" in changes and "WeChat Pay" in changes
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length > 0")
    page.screenshot(path=str(ARTIFACTS / "ops-channel-health-outage.png"), full_page=True)
    assert_accessible(page, axe_source(), "the channel-health page")
    context.close()


def test_the_impact_page(stack, browser) -> None:
    url, _ = stack
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, url, "olga")
    page.goto(f"{url}/staff/impact")
    page.get_by_test_id("impact-since").fill("2026-11-20")
    page.get_by_test_id("impact-until").fill("2026-11-22")
    page.get_by_test_id("impact-show").click()
    headline = page.get_by_test_id("impact-headline")
    headline.filter(has_text="130.50 CNY").wait_for()
    text = headline.inner_text()
    assert "79.95 USD" in text and "120 / 600 s" in text and "3.67 (3)" in text
    page.get_by_test_id("csv-unrecognised").wait_for()
    tables = page.get_by_test_id("impact-tables").inner_text()
    assert "where is my parcel" in tables and "4111 1111 1111 1111" not in tables
    page.wait_for_function("() => Object.keys(window.Chart.instances).length >= 4")
    page.screenshot(path=str(ARTIFACTS / "impact-page.png"), full_page=True)
    assert_accessible(page, axe_source(), "the impact page")
    context.close()


def test_an_agent_sees_admins_only(stack, browser) -> None:
    url, _ = stack
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, url, "kim")
    assert page.locator("#admin-links").is_hidden()
    for path in ("/staff/ops", "/staff/impact", "/staff/admin"):
        page.goto(f"{url}{path}")
        page.get_by_role("alert").filter(has_text="for admins only").wait_for()
    context.close()


def test_the_admin_page_creates_an_account(stack, browser) -> None:
    url, _ = stack
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, url, "olga")
    page.goto(f"{url}/staff/admin")
    page.locator('tr[data-username="kim"]').wait_for()
    page.get_by_test_id("new-username").fill("lee")
    page.get_by_test_id("new-name").fill("Lee")
    page.get_by_test_id("new-password").fill("lees long password")
    page.get_by_test_id("create-staff").click()
    page.locator('tr[data-username="lee"]').wait_for()
    page.screenshot(path=str(ARTIFACTS / "admin-page.png"), full_page=True)
    assert_accessible(page, axe_source(), "the admin page")
    context.close()
