"""The failure notice's words: every cause in both languages, from the bot's own
diagnosis; a fraud decline reads exactly like a plain bank decline; amounts and dates
written the way each language writes them; no English left in a Chinese notice."""

from __future__ import annotations

import re
from datetime import timezone

import pytest

from payhelp.core.causes import GATEWAY_CODES, MONEY_MAY_BE_TAKEN, Detail, PaymentCause
from payhelp.core.channels import ChannelBoard
from payhelp.core.diagnosis import Diagnosis, diagnose
from payhelp.notices import wording
from payhelp.notices.compose import NoticeContext, compose_notice
from payhelp.settings import DEFAULT_PAYMENT_METHODS
from tests.builders import NOW, activity, attempt, order

LINK = "http://127.0.0.1:8000/?payhelp_chat=eyJ.test.token"
FRAUD_WORDS = re.compile(
    r"fraud|stolen|lost|suspic|blacklist|block|pick ?up|risk|欺诈|盗|丢失|挂失|可疑|风控|风险|黑名单|冻结卡",
    re.IGNORECASE,
)


def notice(diagnosis: Diagnosis, language: str, board: ChannelBoard | None = None, **kw):
    failed = attempt("failed", "incorrect_cvc", minutes_ago=10, amount="24.50", id="pay_1")
    context = NoticeContext(
        order=kw.get("order", order("awaiting_payment", failed, total="24.50")),
        failed=kw.get("failed", failed),
        diagnosis=diagnosis,
        channels=board or ChannelBoard(),
        customer_name="Jane" if language == "en" else "张敏",
        language=language,
    )
    return compose_notice(
        context, DEFAULT_PAYMENT_METHODS, "Northwind Shop", timezone.utc, "UTC", LINK, 72
    )


def diagnosed(code: str | None, board: ChannelBoard | None = None) -> Diagnosis:
    failed = attempt("failed", code, minutes_ago=10, amount="24.50", id="pay_1")
    return diagnose(order("awaiting_payment", failed, total="24.50"), NOW, board)


# Every diagnosis a failed attempt can get, from each gateway code, plus the ones only
# the order as a whole gives (an outage, money taken, nothing attempted).
def every_diagnosis() -> list[Diagnosis]:
    found = [diagnosed(code) for code in GATEWAY_CODES]
    found.append(diagnosed("SYSTEMERROR", activity("card", 8, 7, 5)))  # channel outage
    found.append(diagnosed("no_such_code"))
    for cause, detail in [
        (PaymentCause.NO_PROBLEM, Detail.PAID),
        (PaymentCause.NO_PROBLEM, Detail.CANCELLED_UNPAID),
        (PaymentCause.CHARGED_NOT_RECORDED, Detail.CHARGED_UNPAID),
        (PaymentCause.TRANSACTION_ANOMALY, Detail.STUCK_PENDING),
        (PaymentCause.TRANSACTION_ANOMALY, Detail.AMOUNT_MISMATCH),
        (PaymentCause.TRANSACTION_ANOMALY, Detail.PAID_THEN_CANCELLED),
        (PaymentCause.TRANSACTION_ANOMALY, Detail.REFUND_OVERDUE),
        (PaymentCause.BANK_PROCESSING, Detail.REFUND_ISSUED),
        (PaymentCause.UNKNOWN, Detail.NO_ATTEMPTS),
    ]:
        found.append(Diagnosis(cause, detail, ("staff-only evidence",)))
    return found


DIAGNOSES = every_diagnosis()


def test_the_table_covers_every_cause_and_detail() -> None:
    assert {d.cause for d in DIAGNOSES} == set(PaymentCause)
    assert {d.detail for d in DIAGNOSES} == set(Detail)
    for language in wording.LANGUAGES:
        assert set(wording.REASONS[language]) == set(Detail)
        assert set(wording.NEXT_STEPS[language]) == set(wording.NEXT_STEPS["en"])


@pytest.mark.parametrize("language", wording.LANGUAGES)
@pytest.mark.parametrize(
    "diagnosis", DIAGNOSES, ids=[f"{d.cause.value}/{d.detail.value}" for d in DIAGNOSES]
)
def test_every_cause_has_a_complete_notice(diagnosis: Diagnosis, language: str) -> None:
    text = notice(diagnosis, language)
    body = text.body
    assert "ORD-20417" in text.subject and "ORD-20417" in body
    assert ("$24.50" if language == "en" else "US$24.50") in body
    assert (
        "25 Nov 2026, 11:50 (UTC)" if language == "en" else "2026年11月25日 11:50 (UTC)"
    ) in body
    assert LINK in body and "72" in body
    assert "{" not in body and "}" not in body, "a placeholder was left unfilled"
    shown = (
        PaymentCause.ACCOUNT_PROBLEM if diagnosis.cause is PaymentCause.SUSPECTED_FRAUD else None
    )
    detail = Detail.BANK_DECLINED if shown else diagnosis.detail
    assert wording.REASONS[language][detail].split("{")[0] in body
    no_money = diagnosis.cause not in MONEY_MAY_BE_TAKEN and diagnosis.detail is not Detail.PAID
    assert (wording.NO_MONEY_TAKEN[language] in body) is no_money
    if diagnosis.cause in MONEY_MAY_BE_TAKEN:
        assert wording.MONEY_MAY_BE_TAKEN[language] in body
    assert not FRAUD_WORDS.search(text.subject + body)


FRAUD_CODES = [c for c, m in GATEWAY_CODES.items() if m.cause is PaymentCause.SUSPECTED_FRAUD]


@pytest.mark.parametrize("language", wording.LANGUAGES)
@pytest.mark.parametrize("code", FRAUD_CODES)
def test_a_fraud_decline_reads_exactly_like_a_plain_bank_decline(code: str, language: str) -> None:
    fraud = notice(diagnosed(code), language)
    plain = notice(diagnosed("do_not_honor"), language)
    assert diagnosed(code).cause is PaymentCause.SUSPECTED_FRAUD
    assert (fraud.subject, fraud.body) == (plain.subject, plain.body)


@pytest.mark.parametrize("language", wording.LANGUAGES)
def test_an_outage_names_the_method_and_offers_only_working_ones(language: str) -> None:
    board = activity("wechat_pay", 8, 7, 5)
    failed = attempt("failed", "SYSTEMERROR", method="wechat_pay", amount="24.50", id="pay_1")
    the_order = order("awaiting_payment", failed, total="24.50")
    diagnosis = diagnose(the_order, NOW, board)
    assert diagnosis.detail is Detail.CHANNEL_DOWN
    text = notice(diagnosis, language, board, order=the_order, failed=failed)
    wechat = wording.METHOD_NAMES[language]["wechat_pay"]
    alipay = wording.METHOD_NAMES[language]["alipay"]
    assert wechat in text.subject
    next_step = text.body.split("What to do next:" if language == "en" else "接下来：")[1]
    assert alipay in next_step and wechat not in next_step.split("\n")[0]


def test_a_method_down_is_not_offered_as_the_alternative() -> None:
    board = activity("paypal", 8, 7, 5)
    text = notice(diagnosed("insufficient_funds", board), "en", board)
    next_step = text.body.split("What to do next:")[1].split("\n")[0]
    assert "Apple Pay" in next_step and "PayPal" not in next_step


def test_chinese_amounts_in_yuan_and_english_ones_mark_the_currency() -> None:
    failed = attempt("failed", "expired_card", amount="268.00", currency="CNY", id="pay_1")
    the_order = order("awaiting_payment", failed, total="268.00")
    diagnosis = diagnose(the_order, NOW)
    zh = notice(diagnosis, "zh", order=the_order, failed=failed).body
    en = notice(diagnosis, "en", order=the_order, failed=failed).body
    assert "¥268.00" in zh and "CN¥" not in zh
    assert "CN¥268.00" in en


ALLOWED_LATIN = {
    "ORD",
    "PayPal",
    "Apple",
    "Pay",
    "Google",
    "CVC",
    "App",
    "Secure",
    "UTC",
    "US",
    "USD",
}


@pytest.mark.parametrize(
    "diagnosis", DIAGNOSES, ids=[f"{d.cause.value}/{d.detail.value}" for d in DIAGNOSES]
)
def test_a_chinese_notice_has_no_english_sentence(diagnosis: Diagnosis) -> None:
    text = notice(diagnosis, "zh")
    without_link = (text.subject + text.body).replace(LINK, "").replace("Northwind Shop", "")
    words = set(re.findall(r"[A-Za-z]{2,}", without_link))
    assert words <= ALLOWED_LATIN, words - ALLOWED_LATIN


def test_an_unknown_language_falls_back_to_english() -> None:
    text = notice(diagnosed("incorrect_cvc"), "fr")
    assert text.language == "en" and text.body.startswith("Hello ")
