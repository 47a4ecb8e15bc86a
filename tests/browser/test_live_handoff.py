"""A real browser (Debian's Chromium, driven by Playwright): a customer and a staff member.

The customer reports a failed payment in the widget, passes the identity check, gets
the diagnosis and asks for a person; Alex logs in to the console (a second browser
context), claims the chat and replies; the customer sees it; Alex hands back and the
bot answers again. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from desk.staff_accounts import StaffAccounts
from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import PROJECT_ROOT, Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PASSWORD = "a long demo password"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser-stack")
    settings = Settings(
        database_url=f"sqlite:///{root / 'payhelp.db'}",
        tracker_store_url=f"sqlite:///{root / 'tracker.db'}",
        rasa_port=free_port(),
        action_port=free_port(),
        desk_port=free_port(),
    )
    prepare_databases(settings)
    StaffAccounts(make_session_factory(make_engine(settings.database_url))).create(
        "alex", "Alex", PASSWORD
    )
    with Stack(settings, ensure_model(), root / "logs") as stack:
        yield stack.desk_url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


def customer_says(page, text: str) -> None:
    page.get_by_test_id("phw-input").fill(text)
    page.get_by_test_id("phw-send").click()


def wait_for_message(page, sender: str, pattern: str) -> None:
    page.locator(f'[data-testid="phw-message"][data-sender="{sender}"]').filter(
        has_text=re.compile(pattern)
    ).last.wait_for(timeout=TIMEOUT_MS)


def test_customer_and_staff_in_real_browsers(desk_url: str, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    customer = browser.new_context(viewport={"width": 1280, "height": 800})
    page = customer.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    page.get_by_test_id("phw-bubble").click()

    customer_says(page, "my payment failed")
    wait_for_message(page, "bot", "order number")
    customer_says(page, "ORD-10002")
    wait_for_message(page, "bot", "email address or phone")
    customer_says(page, "jane@example.com")
    wait_for_message(page, "bot", "security code")
    page.screenshot(path=str(ARTIFACTS / "widget-diagnosis.png"))

    customer_says(page, "I want to talk to a person")
    page.get_by_test_id("phw-status").filter(has_text="you are number 1").wait_for()
    page.screenshot(path=str(ARTIFACTS / "widget-waiting.png"))

    staff = browser.new_context(viewport={"width": 1400, "height": 900})
    console = staff.new_page()
    console.set_default_timeout(TIMEOUT_MS)
    console.goto(desk_url + "/staff")
    console.get_by_test_id("staff-username").fill("alex")
    console.get_by_test_id("staff-password").fill(PASSWORD)
    console.get_by_test_id("staff-login").click()
    console.get_by_test_id("queue-row").first.click()
    console.get_by_test_id("order-panel").filter(has_text="ORD-10002").wait_for()
    console.get_by_test_id("diagnosis-panel").filter(has_text="input_error").wait_for()
    console.get_by_test_id("transcript-message").filter(has_text="security code").first.wait_for()
    console.get_by_test_id("claim").click()
    page.get_by_test_id("phw-status").filter(has_text="Alex").wait_for()

    console.get_by_test_id("reply-input").fill("Hi, I'm Alex. I can see the CVC was rejected.")
    console.get_by_test_id("reply-send").click()
    wait_for_message(page, "agent", "I can see the CVC was rejected")
    page.screenshot(path=str(ARTIFACTS / "widget-agent-reply.png"))
    console.screenshot(path=str(ARTIFACTS / "console-conversation.png"))

    console.get_by_test_id("handback").click()
    wait_for_message(page, "bot", "back with the assistant")
    customer_says(page, "which payment methods do you accept?")
    wait_for_message(page, "bot", "You can pay with")
    page.screenshot(path=str(ARTIFACTS / "widget-back-with-bot.png"))

    # A reload keeps the whole conversation, without duplicates.
    before = page.get_by_test_id("phw-message").count()
    page.reload()
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "bot", "You can pay with")
    assert page.get_by_test_id("phw-message").count() == before

    # A script typed by a customer stays text in the console.
    customer_says(page, "<img src=x onerror=alert(1)>")
    console.get_by_test_id("transcript-message").filter(has_text="<img src=x").wait_for()
    assert console.locator("img[src=x]").count() == 0
    staff.close()
    customer.close()


def test_the_widget_works_by_keyboard_on_a_phone_sized_screen(desk_url: str, browser) -> None:
    phone = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    page.get_by_test_id("phw-bubble").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("phw-input").focus()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    wait_for_message(page, "bot", "payment assistant")
    log = page.get_by_test_id("phw-messages")
    assert log.get_attribute("aria-live") == "polite"
    box = log.bounding_box()
    assert box is not None and box["width"] >= 320  # the panel fills the phone's width
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    page.keyboard.press("Escape")
    assert not page.get_by_test_id("phw-input").is_visible()
    phone.close()
