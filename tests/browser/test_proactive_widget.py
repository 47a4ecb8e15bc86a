"""Proactive chat in a real browser (Debian's Chromium): the demo shop's order page
carries a token its backend signed, so the widget opens by itself with the bot already
on that order (no identity questions); the plain shop page behaves as before; a chat
link from a notice email opens the chat on its order in the customer's language and
leaves the address bar. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ops.launch import Stack, prepare_databases
from ops.model import ensure_model
from payhelp.chat_tokens import issue_token
from payhelp.notices.job import chat_link
from payhelp.settings import Settings
from payhelp.store.tables import utc_now
from tests.browser.accessibility import assert_accessible, axe_source
from tests.browser.test_live_handoff import (
    ARTIFACTS,
    TIMEOUT_MS,
    customer_says,
    shot,
    wait_for_message,
)
from tests.e2e.conftest import local_stack_settings

pytestmark = pytest.mark.slow
SECRET = "browser-test-chat-secret-" + "0" * 24


@dataclass
class Running:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("proactive-stack")
    settings = local_stack_settings(root, chat_token_secret=SECRET, demo_shop_pages=True)
    prepare_databases(settings)
    with Stack(settings, ensure_model(), root / "logs") as running:
        yield Running(running.desk_url, running.settings)


SCROLL_LOG_TO_TOP = """() => {
    const log = document.getElementById("payhelp-widget").shadowRoot.querySelector(".phw-messages");
    log.scrollTop = 0;
}"""


def bot_texts(page) -> list[str]:
    rows = page.locator('[data-testid="phw-message"][data-sender="bot"]')
    return [rows.nth(i).inner_text() for i in range(rows.count())]


def test_the_order_page_opens_the_chat_on_its_order(stack: Running, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(stack.url + "/shop/orders/ORD-10002")

    # Nobody clicked: the chat is open, and the bot is on the order with its diagnosis.
    wait_for_message(page, "bot", r"Hello Jane Doe! Your payment for order ORD-10002")
    wait_for_message(page, "bot", "security code")
    page.get_by_test_id("phw-quick-reply").filter(has_text="Yes, it worked").wait_for()
    said = "\n".join(bot_texts(page))
    assert "order number" not in said and "email address" not in said  # no identity questions
    assert not page.locator('[data-testid="phw-message"][data-sender="customer"]').count()
    shot(page, "proactive-order-page.png")
    page.evaluate(SCROLL_LOG_TO_TOP)
    shot(page, "proactive-order-page-opening.png")
    assert_accessible(page, axe_source(), "the order page with the proactive chat",
                      also=("landmark-no-duplicate-banner", "landmark-unique"))  # fmt: skip

    # The quick replies carry on the usual conversation.
    page.get_by_test_id("phw-quick-reply").filter(has_text="Yes, it worked").click()
    wait_for_message(page, "bot", "[Gg]lad|[Gg]reat|sorted")

    # A reload keeps the conversation and does not start the opening again.
    openings = sum("Hello Jane Doe" in t for t in bot_texts(page))
    page.reload()
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "bot", "Hello Jane Doe")
    page.wait_for_timeout(1000)
    assert sum("Hello Jane Doe" in t for t in bot_texts(page)) == openings == 1

    # Someone else logs in on the same browser: a new conversation, none of Jane's.
    page.goto(stack.url + "/shop/orders/ORD-10003")
    wait_for_message(page, "bot", "Hello Amara Okafor! Your payment for order ORD-10003")
    assert not any("Jane" in t or "ORD-10002" in t for t in bot_texts(page))
    context.close()


def test_without_a_token_the_widget_behaves_as_before(stack: Running, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(stack.url + "/")
    page.wait_for_timeout(1500)
    assert page.get_by_test_id("phw-bubble").get_attribute("aria-expanded") == "false"
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "bot", "payment assistant")
    customer_says(page, "my payment failed")
    wait_for_message(page, "bot", "order number")  # the identity check, as always
    context.close()


def test_a_chat_link_opens_on_its_order_in_the_customers_language(stack: Running, browser) -> None:
    link = chat_link(stack.settings, "ORD-10018", "zhang.min@example.com", utc_now())
    assert link is not None
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(link.replace(stack.settings.public_url, stack.url))
    wait_for_message(page, "bot", "张敏，您好！您的订单 ORD-10018")
    assert "payhelp_chat" not in page.url  # out of the address bar: not to be bookmarked
    page.get_by_test_id("phw-quick-reply").first.wait_for()
    shot(page, "proactive-chat-link-zh.png")
    context.close()


def test_a_tampered_link_gets_the_normal_identity_check(stack: Running, browser) -> None:
    token = issue_token(SECRET, "ORD-10002", "jane@example.com", utc_now())
    head, body, signature = token.split(".")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{stack.url}/?payhelp_chat={head}.{body}.{signature[::-1]}")
    wait_for_message(page, "bot", "payment assistant")  # the usual greeting, no error page
    assert not any(re.search("ORD-10002|Jane", t) for t in bot_texts(page))
    context.close()
