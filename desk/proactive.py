"""Opening the chat on an order the shop vouches for: the email's chat link, or the
token a shop's backend puts on a logged-in customer's order page.

The identity check is never skipped, it is done another way. The bot says nothing
about an order until ``verified_order`` and ``identity_status: verified`` are set;
normally ``action_verify_identity`` sets them when the customer's order number and
email match. Here the desk sets them itself, through Rasa's locked HTTP API (only
holders of ``RASA_TOKEN`` can), and only when all of this holds:

- the token is a JWT signed with ``CHAT_TOKEN_SECRET`` (HS256), which only the desk
  (for chat links) and the shop's backend (for its pages) hold, and it has not expired
  (links: 72 h; shop-page tokens: at most 24 h) - see payhelp/chat_tokens.py;
- the order it names exists, and the email it names is the email on that order now.

A chat link proves its holder read the mailbox the notice went to; a shop-page token
proves the shop's backend logged the customer in. Both are what the email question
proves. Anything else (tampered, expired, another order's email) is ignored and the
chat opens as usual, with the greeting and the normal identity check. The customer
cannot send the intent themselves: ``EXTERNAL_payment_failed`` has no NLU examples, and
typed ``/intent`` text is never read as one (addons/typed_text.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payhelp.chat_tokens import read_token
from payhelp.contracts import IdentityStatus, Slot
from payhelp.store.orders import OrderRecord, OrderRepository

PROACTIVE_INTENT = "EXTERNAL_payment_failed"


def vouched_order(
    secret: str, token: object, orders: OrderRepository, now: datetime
) -> OrderRecord | None:
    """The order a valid token vouches for, if its email is still the order's (blocking)."""
    identity = read_token(secret, token, now)
    if identity is None:
        return None
    record = orders.find(identity.order_id)
    email = record.customer.email if record else None
    if not email or email.strip().lower() != identity.email.strip().lower():
        return None
    return record


def verified_slots(record: OrderRecord) -> dict[str, Any]:
    """What the identity check would have set, and the customer's language."""
    language = record.customer.language if record.customer.language in ("en", "zh") else "en"
    return {
        Slot.ORDER_ID.value: record.order.id,
        Slot.VERIFIED_ORDER.value: record.order.id,
        Slot.IDENTITY_STATUS.value: IdentityStatus.VERIFIED.value,
        Slot.LANGUAGE.value: language,
    }
