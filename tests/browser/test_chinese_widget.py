"""A Chinese customer in a real browser (Chromium with a zh-CN locale, Noto CJK fonts): the
widget opens in Chinese, the bot greets, checks identity and explains in Chinese, the
customer asks for a person and waits (queue position in Chinese), Alex sees the language in
the console and answers with a canned reply already in Chinese, resolves, and the rating
prompt is Chinese. Screenshots in tests/artifacts/widget-zh-*.png and console-zh-*.png."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.test_live_handoff import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    TIMEOUT_MS,
    axe,
    customer_says,
    desk_url,
    log_in,
    shot,
    wait_for_message,
)
from tests.language_checks import foreign_words, is_chinese

pytestmark = pytest.mark.slow


def widget_texts(page, senders: tuple[str, ...] = ("bot", "system")) -> list[str]:
    rows = page.locator('[data-testid="phw-message"]')
    return [
        rows.nth(i).inner_text()
        for i in range(rows.count())
        if rows.nth(i).get_attribute("data-sender") in senders
    ]


def test_a_chinese_customer_through_the_widget_and_a_handoff(
    desk_url: str,  # noqa: F811  (the fixtures of test_live_handoff)
    browser,  # noqa: F811
    axe: str,  # noqa: F811
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    customer = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = customer.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    assert page.get_by_test_id("phw-bubble").get_attribute("aria-label") == "在线咨询"
    page.get_by_test_id("phw-bubble").click()

    # The browser's language starts the chat in Chinese: the greeting and the widget.
    wait_for_message(page, "bot", "您好！我是支付助手")
    assert page.get_by_test_id("phw-title").inner_text() == "付款帮助"
    assert page.get_by_test_id("phw-input").get_attribute("placeholder") == "请输入您的问题…"
    assert page.get_by_test_id("phw-send").inner_text() == "发送"
    assert [b.inner_text() for b in page.get_by_test_id("phw-quick-reply").all()][:2] == [
        "付款失败了",
        "被扣了两次钱",
    ]
    shot(page, "widget-zh-greeting.png")
    assert_accessible(page, axe, "the Chinese chat",
                      also=("landmark-no-duplicate-banner", "landmark-unique"))  # fmt: skip

    customer_says(page, "我的付款失败了")
    wait_for_message(page, "bot", "订单号")
    customer_says(page, "订单号是 ORD-10002")
    wait_for_message(page, "bot", "邮箱地址或手机号码")
    customer_says(page, "jane@example.com")
    wait_for_message(page, "bot", "安全码")
    wait_for_message(page, "bot", r"US\$24\.50")  # the order's currency, written the zh_CN way
    shot(page, "widget-zh-diagnosis.png")

    # A person, please: the handoff, the queue position and the quick replies in Chinese.
    customer_says(page, "转人工")
    page.get_by_test_id("phw-status").filter(has_text="您排在第 1 位").wait_for()
    wait_for_message(page, "system", "正在等待客服人员，您排在第 1 位")
    assert page.get_by_role("button", name="回到智能助手").count() == 1
    shot(page, "widget-zh-waiting.png")

    staff = browser.new_context(viewport={"width": 1400, "height": 900})
    console = staff.new_page()
    console.set_default_timeout(TIMEOUT_MS)
    console.goto(desk_url + "/staff")
    log_in(console)
    row = console.get_by_test_id("queue-row").filter(has_text="ORD-10002").first
    row.get_by_test_id("queue-language").filter(has_text="Chinese (中文)").wait_for()
    row.click()
    console.get_by_test_id("conversation-summary").filter(has_text="Chinese (中文)").wait_for()
    console.get_by_test_id("claim").click()
    page.get_by_test_id("phw-status").filter(has_text="客服 Alex 已加入对话").wait_for()
    wait_for_message(page, "system", "客服 Alex 已加入对话")
    # The canned replies are the customer's language: one goes out as it is.
    console.get_by_test_id("canned-reply").filter(has_text="Anything else?").click()
    assert console.get_by_test_id("reply-input").input_value() == "还有什么可以帮您的吗？"
    console.get_by_test_id("reply-send").click()
    wait_for_message(page, "agent", "还有什么可以帮您的吗？")
    shot(console, "console-zh-conversation.png")
    shot(page, "widget-zh-agent.png")

    console.get_by_test_id("resolve-outcome").select_option("explained")
    console.get_by_test_id("resolve").click()
    page.get_by_test_id("phw-status").filter(has_text="请为我们的服务打分").wait_for()
    rating = page.locator(".phw-rating")
    assert rating.get_attribute("aria-label") == "为本次对话打分（1 到 5 分）"
    shot(page, "widget-zh-rating.png")
    page.locator('[data-testid="phw-rate"][data-score="5"]').click()
    page.get_by_test_id("phw-status").filter(has_text="感谢您的评分").wait_for()
    wait_for_message(page, "system", "感谢您的评分！")

    # Nothing the bot or the desk said to this customer was English.
    said = widget_texts(page)
    assert len(said) >= 8
    for text in said:
        named = text.replace("Alex", "")  # the agent's name is no English sentence
        assert is_chinese(named), (text, foreign_words(named))
    staff.close()
    customer.close()


def test_the_widget_switches_to_chinese_when_the_customer_writes_chinese(
    desk_url: str,  # noqa: F811
    browser,  # noqa: F811
) -> None:
    customer = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = customer.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(desk_url + "/")
    page.get_by_test_id("phw-bubble").click()
    wait_for_message(page, "bot", "payment assistant")
    assert page.get_by_test_id("phw-title").inner_text() == "Payment help"
    customer_says(page, "我的付款失败了")
    wait_for_message(page, "bot", "订单号")
    page.get_by_test_id("phw-title").filter(has_text="付款帮助").wait_for()
    assert page.get_by_test_id("phw-send").inner_text() == "发送"
    assert page.get_by_test_id("phw-bubble").get_attribute("aria-label") == "在线咨询"
    customer_says(page, "English please")
    wait_for_message(page, "bot", "continue in English")
    page.get_by_test_id("phw-title").filter(has_text="Payment help").wait_for()
    shot(page, "widget-language-switched-back.png")
    customer.close()
