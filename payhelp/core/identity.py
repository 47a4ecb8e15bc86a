"""The identity check: does the contact a customer gives belong to the order's customer?

Normalisation is forgiving about format (case, spaces, dashes, a leading ``+``), never
about content. A failed check must not reveal which part was wrong, so callers get
a single yes or no.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

# "ORD-10002", "ord 10002", "order #10002", "order number 10002", "订单号：10002".
# Bounded by "not a letter or digit" rather than \b: to Python's \b a Chinese character
# is a word character, so "订单号是ORD-10002" or "ORD-10002付款失败" would not match.
ORDER_ID_PATTERN = re.compile(
    r"(?:(?<![A-Za-z0-9])ord(?:er)?(?:\s*(?:no\.?|number|id))?|订单(?:编号|号码|号)?(?:是|为)?)"
    r"[\s#:：_-]*(\d{4,10})(?!\d)",
    re.IGNORECASE,
)
# A message that is nothing but the number: "10002", "#10002."
BARE_ORDER_NUMBER = re.compile(r"^\s*#?\s*(\d{4,10})\s*[.!]?\s*$")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_PATTERN = re.compile(r"\+?\d[\d\s().-]{6,18}\d")
_MIN_PHONE_DIGITS = 7
_UNKNOWN_ORDER_ID = re.compile(
    r"\b(?:don'?t|do not|dont|doesn'?t) (?:know|have|remember)|\bno idea\b|\bnot sure\b"
    r"|\bcan'?t (?:find|remember)|\bcannot (?:find|remember)|\b(?:lost|forgot|forgotten)\b"
    r"|不知道|不记得|记不(?:得|清)|忘(?:了|记)|找不到|没有订单号",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Contact:
    """An email address or a phone number, normalised."""

    kind: str  # "email" or "phone"
    value: str  # normalised: lower-case email, or the phone number's digits
    written: str = ""  # as the customer wrote it, e.g. "+1 555 0100"


def normalise_order_id(text: str | None, allow_bare: bool = True) -> str | None:
    """``"ord 10002"``, ``"#10002"`` or ``"ORD-10002"`` -> ``"ORD-10002"``; None if absent.

    Bare digits count only when they are the whole message and ``allow_bare`` is
    set (the bot just asked for the order number), so a phone number is never
    read as an order number.
    """
    if not text:
        return None
    match = ORDER_ID_PATTERN.search(text)
    if match is None and allow_bare:
        match = BARE_ORDER_NUMBER.match(text)
    return f"ORD-{match.group(1)}" if match else None


def without_order_ids(text: str) -> str:
    """``text`` with order numbers blanked out, so their digits are not read as a phone."""
    return ORDER_ID_PATTERN.sub(" ", text)


def says_order_id_unknown(text: str) -> bool:
    """Whether the customer says they don't have their order number."""
    return bool(_UNKNOWN_ORDER_ID.search(text))


def parse_contact(text: str | None, emails_only: bool = False) -> Contact | None:
    """The email address or phone number in ``text``, normalised; None if neither."""
    if not text:
        return None
    email = EMAIL_PATTERN.search(text)
    if email:
        return Contact("email", email.group(0).strip().lower(), email.group(0).strip())
    if emails_only:
        return None
    phone = PHONE_PATTERN.search(without_order_ids(text))
    if phone:
        digits = re.sub(r"\D", "", phone.group(0))
        if len(digits) >= _MIN_PHONE_DIGITS:
            return Contact("phone", digits, phone.group(0).strip())
    return None


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def contact_matches(given: Contact, email: str | None, phone: str | None) -> bool:
    """Whether ``given`` is the customer's email or phone on record.

    Phone numbers match on their digits; one written with a country code matches
    the same number written without it (the shorter must be the longer's tail and
    at least 7 digits long).
    """
    if given.kind == "email":
        return bool(email) and _same(given.value, email.strip().lower())
    if not phone:
        return False
    recorded = re.sub(r"\D", "", phone)
    shorter, longer = sorted((given.value, recorded), key=len)
    if len(shorter) < _MIN_PHONE_DIGITS:
        return False
    return _same(longer[-len(shorter) :], shorter)
