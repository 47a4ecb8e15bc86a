"""The diagnosis codes (slot ``payment_cause``) and what each gateway code means.

Stripe's decline codes are the common vocabulary; Alipay and WeChat Pay codes are
mapped onto the same causes. A code we do not know maps to ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class PaymentCause(str, Enum):
    NO_PROBLEM = "no_problem"
    INPUT_ERROR = "input_error"
    ACCOUNT_PROBLEM = "account_problem"
    CARD_UNUSABLE = "card_unusable"
    BANK_PROCESSING = "bank_processing"
    BANK_OUTAGE = "bank_outage"
    PLATFORM_FAULT = "platform_fault"
    TRANSACTION_ANOMALY = "transaction_anomaly"
    CHARGED_NOT_RECORDED = "charged_not_recorded"
    SUSPECTED_FRAUD = "suspected_fraud"
    UNKNOWN = "unknown"


# Money may already have left the customer's account: never ask for a new payment.
MONEY_MAY_BE_TAKEN = frozenset(
    {
        PaymentCause.CHARGED_NOT_RECORDED,
        PaymentCause.TRANSACTION_ANOMALY,
        PaymentCause.BANK_PROCESSING,
    }
)

# Causes a person has to sort out; the bot hands the conversation over.
NEEDS_STAFF = frozenset(
    {
        PaymentCause.CHARGED_NOT_RECORDED,
        PaymentCause.TRANSACTION_ANOMALY,
        PaymentCause.SUSPECTED_FRAUD,
    }
)


class Detail(str, Enum):
    """The finer reason inside a cause; picks the explanation and the first remedy."""

    CARD_NUMBER = "card_number"
    CVC = "cvc"
    EXPIRY = "expiry"
    POSTCODE = "postcode"
    AUTHENTICATION = "authentication"
    NOT_COMPLETED = "not_completed"
    FUNDS = "funds"
    LIMIT = "limit"
    BANK_DECLINED = "bank_declined"
    EXPIRED = "expired"
    NOT_SUPPORTED = "not_supported"
    CURRENCY = "currency"
    RESTRICTED = "restricted"
    DO_NOT_RETRY = "do_not_retry"
    ISSUER_UNAVAILABLE = "issuer_unavailable"
    CHANNEL_DOWN = "channel_down"
    PROCESSING = "processing"
    GATEWAY_ERROR = "gateway_error"
    PENDING = "pending"
    STUCK_PENDING = "stuck_pending"
    DUPLICATE = "duplicate"
    AMOUNT_MISMATCH = "amount_mismatch"
    PAID_THEN_CANCELLED = "paid_then_cancelled"
    TRADE_CLOSED = "trade_closed"
    REFUND_ISSUED = "refund_issued"
    REFUND_OVERDUE = "refund_overdue"
    PAID = "paid"
    CANCELLED_UNPAID = "cancelled_unpaid"
    CHARGED_UNPAID = "charged_unpaid"
    # Deliberately vague: fraud reasons are never shown to the customer.
    DECLINED = "declined"
    NO_ATTEMPTS = "no_attempts"
    UNRECOGNISED_CODE = "unrecognised_code"


@dataclass(frozen=True)
class CodeMeaning:
    cause: PaymentCause
    detail: Detail


_C = PaymentCause
_D = Detail

GATEWAY_CODES: dict[str, CodeMeaning] = {
    # Customer account: balance and limits.
    "insufficient_funds": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.FUNDS),
    "BUYER_BALANCE_NOT_ENOUGH": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.FUNDS),
    "card_velocity_exceeded": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.LIMIT),
    "withdrawal_count_limit_exceeded": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.LIMIT),
    "BEYOND_PAY_RESTRICTION": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.LIMIT),
    # The issuer declined without saying why: the customer's bank can tell them.
    "do_not_honor": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.BANK_DECLINED),
    "generic_decline": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.BANK_DECLINED),
    "call_issuer": CodeMeaning(_C.ACCOUNT_PROBLEM, _D.BANK_DECLINED),
    # Human input error.
    "incorrect_number": CodeMeaning(_C.INPUT_ERROR, _D.CARD_NUMBER),
    "invalid_number": CodeMeaning(_C.INPUT_ERROR, _D.CARD_NUMBER),
    "incorrect_cvc": CodeMeaning(_C.INPUT_ERROR, _D.CVC),
    "invalid_cvc": CodeMeaning(_C.INPUT_ERROR, _D.CVC),
    "invalid_expiry_month": CodeMeaning(_C.INPUT_ERROR, _D.EXPIRY),
    "invalid_expiry_year": CodeMeaning(_C.INPUT_ERROR, _D.EXPIRY),
    "incorrect_zip": CodeMeaning(_C.INPUT_ERROR, _D.POSTCODE),
    "authentication_required": CodeMeaning(_C.INPUT_ERROR, _D.AUTHENTICATION),
    # WeChat Pay: the customer never confirmed the payment in the app.
    "NOTPAY": CodeMeaning(_C.INPUT_ERROR, _D.NOT_COMPLETED),
    # The card itself cannot be used for this purchase.
    "expired_card": CodeMeaning(_C.CARD_UNUSABLE, _D.EXPIRED),
    "card_not_supported": CodeMeaning(_C.CARD_UNUSABLE, _D.NOT_SUPPORTED),
    "transaction_not_allowed": CodeMeaning(_C.CARD_UNUSABLE, _D.NOT_SUPPORTED),
    "currency_not_supported": CodeMeaning(_C.CARD_UNUSABLE, _D.CURRENCY),
    "restricted_card": CodeMeaning(_C.CARD_UNUSABLE, _D.RESTRICTED),
    # Card networks limit retries: this code means stop trying this card.
    "do_not_try_again": CodeMeaning(_C.CARD_UNUSABLE, _D.DO_NOT_RETRY),
    # Bank still working on it.
    "timeout": CodeMeaning(_C.BANK_PROCESSING, _D.PENDING),
    "USERPAYING": CodeMeaning(_C.BANK_PROCESSING, _D.PENDING),
    # Issuer or payment channel unavailable.
    "issuer_not_available": CodeMeaning(_C.BANK_OUTAGE, _D.ISSUER_UNAVAILABLE),
    "try_again_later": CodeMeaning(_C.BANK_OUTAGE, _D.ISSUER_UNAVAILABLE),
    "PAYERROR": CodeMeaning(_C.BANK_OUTAGE, _D.ISSUER_UNAVAILABLE),
    # Our side or our gateway failed.
    "processing_error": CodeMeaning(_C.PLATFORM_FAULT, _D.PROCESSING),
    "reenter_transaction": CodeMeaning(_C.PLATFORM_FAULT, _D.PROCESSING),
    "SYSTEMERROR": CodeMeaning(_C.PLATFORM_FAULT, _D.GATEWAY_ERROR),
    # Alipay: we tried to pay on a trade that was already closed.
    "ACQ.TRADE_HAS_CLOSE": CodeMeaning(_C.PLATFORM_FAULT, _D.TRADE_CLOSED),
    "duplicate_transaction": CodeMeaning(_C.TRANSACTION_ANOMALY, _D.DUPLICATE),
    # Fraud and blocked cards: the customer only ever hears "declined".
    "fraudulent": CodeMeaning(_C.SUSPECTED_FRAUD, _D.DECLINED),
    "lost_card": CodeMeaning(_C.SUSPECTED_FRAUD, _D.DECLINED),
    "stolen_card": CodeMeaning(_C.SUSPECTED_FRAUD, _D.DECLINED),
    "pickup_card": CodeMeaning(_C.SUSPECTED_FRAUD, _D.DECLINED),
    "merchant_blacklist": CodeMeaning(_C.SUSPECTED_FRAUD, _D.DECLINED),
}

_BY_FOLDED_CODE = {code.lower(): meaning for code, meaning in GATEWAY_CODES.items()}
_UNRECOGNISED = CodeMeaning(PaymentCause.UNKNOWN, Detail.UNRECOGNISED_CODE)


def meaning_of(code: str | None) -> CodeMeaning:
    """What a gateway failure code means; unknown or missing codes mean ``unknown``.

    Codes are matched case-insensitively, and Alipay codes with or without their
    ``ACQ.`` prefix.
    """
    if not code or not code.strip():
        return _UNRECOGNISED
    folded = code.strip().lower()
    candidates = (folded, folded.removeprefix("acq."), f"acq.{folded}")
    for candidate in candidates:
        if candidate in _BY_FOLDED_CODE:
            return _BY_FOLDED_CODE[candidate]
    return _UNRECOGNISED
