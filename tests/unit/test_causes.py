from pathlib import Path

import pytest
import yaml

from payhelp.core.causes import GATEWAY_CODES, Detail, PaymentCause, meaning_of

# Every gateway code PRODUCT.md lists, with the cause it must map to.
EXPECTED = {
    "insufficient_funds": "account_problem",
    "card_velocity_exceeded": "account_problem",
    "withdrawal_count_limit_exceeded": "account_problem",
    "expired_card": "card_unusable",
    "incorrect_cvc": "input_error",
    "invalid_cvc": "input_error",
    "incorrect_number": "input_error",
    "invalid_number": "input_error",
    "invalid_expiry_month": "input_error",
    "invalid_expiry_year": "input_error",
    "incorrect_zip": "input_error",
    "authentication_required": "input_error",
    "processing_error": "platform_fault",
    "issuer_not_available": "bank_outage",
    "try_again_later": "bank_outage",
    "reenter_transaction": "platform_fault",
    "do_not_honor": "account_problem",
    "generic_decline": "account_problem",
    "call_issuer": "account_problem",
    "do_not_try_again": "card_unusable",
    "card_not_supported": "card_unusable",
    "currency_not_supported": "card_unusable",
    "transaction_not_allowed": "card_unusable",
    "fraudulent": "suspected_fraud",
    "lost_card": "suspected_fraud",
    "stolen_card": "suspected_fraud",
    "pickup_card": "suspected_fraud",
    "restricted_card": "card_unusable",
    "merchant_blacklist": "suspected_fraud",
    "duplicate_transaction": "transaction_anomaly",
    "timeout": "bank_processing",
    "BUYER_BALANCE_NOT_ENOUGH": "account_problem",
    "BEYOND_PAY_RESTRICTION": "account_problem",
    "ACQ.TRADE_HAS_CLOSE": "platform_fault",
    "USERPAYING": "bank_processing",
    "NOTPAY": "input_error",
    "PAYERROR": "bank_outage",
    "SYSTEMERROR": "platform_fault",
}


@pytest.mark.parametrize("code,cause", sorted(EXPECTED.items()))
def test_every_listed_gateway_code_maps_to_its_cause(code: str, cause: str) -> None:
    assert meaning_of(code).cause is PaymentCause(cause)


def test_the_table_covers_exactly_the_listed_codes() -> None:
    assert set(GATEWAY_CODES) == set(EXPECTED)


@pytest.mark.parametrize(
    "code", ["", None, "   ", "card_exploded", "INSTRUMENT_DECLINED", "' OR 1=1 --", "\x00\xff"]
)
def test_unknown_or_missing_codes_mean_unknown(code: str | None) -> None:
    meaning = meaning_of(code)
    assert meaning.cause is PaymentCause.UNKNOWN
    assert meaning.detail is Detail.UNRECOGNISED_CODE


@pytest.mark.parametrize(
    "code,cause",
    [
        ("INSUFFICIENT_FUNDS", PaymentCause.ACCOUNT_PROBLEM),
        (" expired_card ", PaymentCause.CARD_UNUSABLE),
        ("acq.trade_has_close", PaymentCause.PLATFORM_FAULT),
        ("ACQ.BUYER_BALANCE_NOT_ENOUGH", PaymentCause.ACCOUNT_PROBLEM),
        ("systemerror", PaymentCause.PLATFORM_FAULT),
        ("TRADE_HAS_CLOSE", PaymentCause.PLATFORM_FAULT),  # listed as ACQ.TRADE_HAS_CLOSE
    ],
)
def test_codes_match_regardless_of_case_spacing_and_alipay_prefix(
    code: str, cause: PaymentCause
) -> None:
    assert meaning_of(code).cause is cause


def test_fraud_codes_all_share_the_vague_detail() -> None:
    fraud = [m for m in GATEWAY_CODES.values() if m.cause is PaymentCause.SUSPECTED_FRAUD]
    assert fraud and {m.detail for m in fraud} == {Detail.DECLINED}


def test_the_causes_are_the_documented_payment_cause_values() -> None:
    """PRODUCT.md's `payment_cause` values: the slot, the stories and the records use them."""
    assert {cause.value for cause in PaymentCause} == {
        "no_problem", "input_error", "account_problem", "card_unusable", "bank_processing",
        "bank_outage", "platform_fault", "transaction_anomaly", "charged_not_recorded",
        "suspected_fraud", "unknown",
    }  # fmt: skip


def test_every_detail_has_its_explanation_in_the_domain() -> None:
    """The bot explains a diagnosis with ``utter_diagnosis_<detail>`` (actions/order_check.py)."""
    domain = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))
    missing = [d for d in Detail if f"utter_diagnosis_{d.value}" not in domain["responses"]]
    assert missing == []
