"""A real browser (Debian's Chromium, driven by Playwright): a customer and a staff member.

The bot greets the customer, who reports a failed payment, passes the identity check,
gets the diagnosis and asks for a person; while waiting they are answered, leave the
queue and ask again. Alex logs in to the console (a second browser context), reads the
queue in words, claims the chat and replies; Alex hands back, finds the conversation in
the history, and later resolves it and sees the rating arrive. axe-core audits the
widget and the console on the way, and focus and announcements are checked.
Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from desk.staff_accounts import StaffAccounts
from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.settings import PROJECT_ROOT
from payhelp.store.database import make_engine, make_session_factory
from tests.browser.accessibility import assert_accessible, assert_focus_ring_contrast, axe_source
from tests.e2e.conftest import local_stack_settings

pytestmark = pytest.mark.slow

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
PASSWORD = "a long demo password"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser-stack")
    settings = local_stack_settings(root)
    prepare_databases(settings)
    StaffAccounts(make_session_factory(make_engine(settings.database_url))).create(
        "alex", "Alex", PASSWORD
    )
    with Stack(settings, ensure_model(), root / "logs") as stack:
        yield stack.desk_url


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def customer_says(page, text: str) -> None:
    page.get_by_test_id("phw-input").fill(text)
    page.get_by_test_id("phw-send").click()


def wait_for_message(page, sender: str, pattern: str) -> None:
    page.locator(f'[data-testid="phw-message"][data-sender="{sender}"]').filter(
        has_text=re.compile(pattern)
    ).last.wait_for(timeout=TIMEOUT_MS)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / name))


# Records what the widget's log announces: every row added to it, and every row removed.
WATCH_LOG = """() => {
    const log = document.getElementById("payhelp-widget").shadowRoot.querySelector(".phw-messages");
    window.__logChanges = { added: [], removed: [] };
    new MutationObserver((records) => {
        for (const record of records) {
            record.addedNodes.forEach((n) => window.__logChanges.added.push(n.textContent));
            record.removedNodes.forEach((n) => window.__logChanges.removed.push(n.textContent));
        }
    }).observe(log, { childList: true });
}"""

# The element that has the focus, inside shadow roots too.
FOCUSED = """() => {
    let active = document.activeElement;
    while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
    return active ? (active.dataset.testid || active.id || active.tagName) : null;
}"""


def log_in(console) -> None:
    console.get_by_test_id("staff-username").fill("alex")
    console.get_by_test_id("staff-password").fill(PASSWORD)
    console.get_by_test_id("staff-login").click()


def test_customer_and_staff_in_real_browsers(desk_url: str, browser, axe: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    customer = browser.new_context(viewport={"width": 1280, "height": 800})
    page = customer.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    page.get_by_test_id("phw-bubble").click()

    # A new chat opens with the bot's greeting and what it can help with.
    wait_for_message(page, "bot", "payment assistant")
    assert page.get_by_test_id("phw-quick-reply").count() >= 3
    shot(page, "widget-greeting.png")
    assert_accessible(page, axe, "the shop with the chat open",
                      also=("landmark-no-duplicate-banner", "landmark-unique"))  # fmt: skip
    assert_focus_ring_contrast(page, page.get_by_test_id("phw-input"), "the chat's input")
    assert_focus_ring_contrast(page, page.get_by_label("Close chat"), "the chat's close button")
    assert page.get_by_test_id("phw-typing").get_attribute("role") == "status"

    # The customer's own message is added to the log once, never removed and re-added.
    page.evaluate(WATCH_LOG)
    customer_says(page, "my payment failed")
    wait_for_message(page, "bot", "order number")
    changes = page.evaluate("() => window.__logChanges")
    assert sum("my payment failed" in text for text in changes["added"]) == 1, changes
    assert not any("my payment failed" in text for text in changes["removed"]), changes
    customer_says(page, "ORD-10002")
    wait_for_message(page, "bot", "email address or phone")
    customer_says(page, "jane@example.com")
    wait_for_message(page, "bot", "security code")
    shot(page, "widget-diagnosis.png")

    # Waiting is never silent, and the customer can go back to the bot.
    customer_says(page, "I want to talk to a person")
    page.get_by_test_id("phw-status").filter(has_text="you are number 1").wait_for()
    customer_says(page, "hello, is anyone there?")
    wait_for_message(page, "system", "will be with you shortly; you're number 1")
    assert page.get_by_role("button", name="Back to the assistant").count() == 1
    shot(page, "widget-waiting-ack.png")
    page.get_by_role("button", name="Back to the assistant").last.click()
    wait_for_message(page, "system", "You left the queue")
    wait_for_message(page, "bot", "back with the assistant")
    # Queue choices show only while waiting (and only the newest set).
    assert page.get_by_role("button", name="Back to the assistant").count() == 0
    shot(page, "widget-left-queue.png")
    customer_says(page, "I want to talk to a person")
    page.get_by_test_id("phw-status").filter(has_text="you are number 1").wait_for()

    staff = browser.new_context(viewport={"width": 1400, "height": 900})
    console = staff.new_page()
    console.set_default_timeout(TIMEOUT_MS)
    console.goto(desk_url + "/staff")
    assert_accessible(console, axe, "the console's log-in")
    log_in(console)

    # The queue reads in words: the reason, the customer, the last message, the wait.
    row = console.get_by_test_id("queue-row").first
    row.filter(has_text="Asked for a person").wait_for()
    row_text = row.inner_text()
    assert "Jane Doe" in row_text and "Card declined: wrong card details" in row_text
    assert "customer_request" not in row_text and "input_error" not in row_text
    assert re.search(r"< 1 min|\d+ min", row_text)
    row.click()
    console.get_by_test_id("order-panel").filter(has_text="ORD-10002").wait_for()
    diagnosis = console.get_by_test_id("diagnosis-panel")
    diagnosis.filter(has_text="Card declined: wrong card details").wait_for()
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", diagnosis.inner_text())  # local times
    console.get_by_test_id("transcript-message").filter(has_text="security code").first.wait_for()
    summary = console.get_by_test_id("conversation-summary").inner_text()
    details = console.get_by_test_id("conversation-details").inner_text()
    conversation_id = console.get_by_test_id("queue-row").first.get_attribute(
        "data-conversation-id"
    )
    assert conversation_id not in summary and conversation_id in details
    # Opening a conversation shows its newest message.
    assert console.evaluate(
        "() => { const log = document.getElementById('transcript-log');"
        " return log.scrollHeight - log.scrollTop - log.clientHeight < 4; }"
    )
    # No outcome is chosen for the agent.
    assert console.get_by_test_id("resolve-outcome").input_value() == ""
    console.get_by_test_id("claim").click()
    page.get_by_test_id("phw-status").filter(has_text="Alex").wait_for()
    assert_accessible(console, axe, "the console with a conversation open")
    assert_focus_ring_contrast(console, console.get_by_test_id("reply-send"), "Send reply")
    assert_focus_ring_contrast(console, console.get_by_test_id("staff-logout"), "Log out")

    # A reply that arrives while the chat is closed is read out.
    page.keyboard.press("Escape")
    assert page.evaluate(FOCUSED) == "phw-bubble"  # back to what opened it
    console.get_by_test_id("reply-input").fill("Hi, I'm Alex. I can see the CVC was rejected.")
    console.get_by_test_id("reply-send").click()
    page.get_by_test_id("phw-announcer").filter(has_text="New message from Alex").wait_for()
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "agent", "I can see the CVC was rejected")
    shot(page, "widget-agent-reply.png")
    shot(console, "console-conversation.png")

    console.get_by_test_id("handback").click()
    wait_for_message(page, "bot", "back with the assistant")
    console.get_by_test_id("holder").filter(has_text="Read-only").wait_for()
    assert console.evaluate(FOCUSED) == "holder"  # not lost to <body>
    customer_says(page, "which payment methods do you accept?")
    wait_for_message(page, "bot", "You can pay with")
    shot(page, "widget-back-with-bot.png")

    # The handed-back conversation left the queue but is found in the history.
    console.get_by_test_id("search-text").fill("jane@EXAMPLE")
    console.get_by_test_id("search-date").fill(console.evaluate(
        "() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1)"
        ".padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; }"))  # fmt: skip
    console.get_by_test_id("search").click()
    found = console.get_by_test_id("search-row").filter(has_text="Handed back to the assistant")
    found.first.click()
    console.get_by_test_id("transcript-message").filter(has_text="which payment methods").wait_for()
    transcript = console.get_by_test_id("transcript-message")
    assert "payment assistant" in transcript.nth(0).inner_text()  # the whole of it
    assert "my payment failed" in transcript.nth(1).inner_text()
    assert not console.get_by_test_id("reply-input").is_visible()  # read-only
    shot(console, "console-history.png")
    assert_accessible(console, axe, "the console's history")

    # Again to a person; this time Alex resolves, choosing an outcome, and sees the rating.
    customer_says(page, "I want to talk to a person")
    page.get_by_test_id("phw-status").filter(has_text="you are number 1").wait_for()
    console.get_by_test_id("queue-row").filter(has_text="Waiting").first.click()
    console.get_by_test_id("claim").click()
    page.get_by_test_id("phw-status").filter(has_text="Alex").wait_for()
    console.get_by_test_id("resolve").click()
    assert console.get_by_test_id("resolve-outcome").input_value() == ""
    assert console.get_by_test_id("holder").inner_text() == "You are handling this conversation."
    console.get_by_test_id("resolve-outcome").select_option("explained")
    console.get_by_test_id("resolve").click()
    console.get_by_test_id("holder").filter(has_text="Resolved: Explained").wait_for()
    assert console.evaluate(FOCUSED) == "holder"
    page.locator('[data-testid="phw-rate"][data-score="5"]').click()
    console.get_by_test_id("conversation-details").filter(has_text="Rated 5/5").wait_for()
    shot(console, "console-resolved-rated.png")

    # A reload keeps the whole conversation, without duplicates.
    before = page.get_by_test_id("phw-message").count()
    page.reload()
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "bot", "You can pay with")
    page.get_by_test_id("phw-message").nth(before - 1).wait_for()
    assert page.get_by_test_id("phw-message").count() == before

    # A script typed by a customer stays text in the console.
    customer_says(page, "<img src=x onerror=alert(1)>")
    console.get_by_test_id("transcript-message").filter(has_text="<img src=x").wait_for()
    assert console.locator("img[src=x]").count() == 0
    staff.close()
    customer.close()


def test_on_a_phone_the_chat_is_a_modal_dialog(desk_url: str, browser, axe: str) -> None:
    phone = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    # Opened from the page's own "Chat with us" link, by keyboard.
    page.locator("button[data-payhelp-open]").focus()
    page.keyboard.press("Enter")
    wait_for_message(page, "bot", "payment assistant")
    page.get_by_test_id("phw-input").focus()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    page.locator('[data-testid="phw-message"][data-sender="bot"]').nth(1).wait_for()
    log = page.get_by_test_id("phw-messages")
    assert log.get_attribute("aria-live") == "polite"
    box = log.bounding_box()
    assert box is not None and box["width"] >= 320  # the panel fills the phone's width
    assert page.locator("#phw-panel").get_attribute("aria-modal") == "true"
    assert page.evaluate("() => document.querySelector('main').inert")
    # Tab and Shift+Tab stay inside the chat.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate("() => document.activeElement.id") == "payhelp-widget", key
    shot(page, "widget-phone.png")
    assert_accessible(page, axe, "the chat on a phone")
    page.keyboard.press("Escape")
    assert not page.get_by_test_id("phw-input").is_visible()
    assert not page.evaluate("() => document.querySelector('main').inert")
    assert page.evaluate("() => document.activeElement.textContent") == "Chat with us"
    phone.close()
