"""Signed, expiring tokens that open the chat on one order without the identity check.

Two kinds, both JSON Web Tokens (HS256) signed with ``CHAT_TOKEN_SECRET``:

- a **chat link** in a failure notice (audience ``payhelp:chat-link``, 72 hours): whoever
  opens it has read the mailbox the notice went to;
- a **shop-page token** the shop's backend puts on a logged-in customer's order page
  (audience ``payhelp:shop-page``, at most 24 hours; the format is in desk/API.md), the
  way Intercom's identity verification works.

Claims: ``order_id``, ``email`` (the address on the order, checked again by the desk),
``iat``, ``exp`` and ``aud``. Anything wrong (tampered, expired, another audience, a
missing claim) reads as no token at all: the customer gets the normal identity check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
CHAT_LINK = "payhelp:chat-link"
SHOP_PAGE = "payhelp:shop-page"
LINK_LIFETIME = timedelta(hours=72)
# A shop-page token is made for one page view: a longer one is refused.
SHOP_PAGE_MAX_LIFETIME = timedelta(hours=24)
_MAX_TOKEN_CHARS = 2000


@dataclass(frozen=True)
class ChatIdentity:
    """Who a valid token vouches for."""

    order_id: str
    email: str
    audience: str


def issue_token(
    secret: str,
    order_id: str,
    email: str,
    now: datetime,
    audience: str = CHAT_LINK,
    lifetime: timedelta = LINK_LIFETIME,
) -> str:
    """A token for ``order_id`` and ``email`` valid from ``now`` for ``lifetime``."""
    claims = {
        "order_id": order_id,
        "email": email,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: object, now: datetime) -> ChatIdentity | None:
    """The identity a token vouches for at ``now``, or None if it vouches for nothing."""
    if not secret or not isinstance(token, str) or not 0 < len(token) <= _MAX_TOKEN_CHARS:
        return None
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=[CHAT_LINK, SHOP_PAGE],
            # Expiry is checked below against ``now`` (testable, one clock for the desk).
            options={"require": ["exp", "iat", "aud"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        return None
    order_id, email, audience = claims.get("order_id"), claims.get("email"), claims.get("aud")
    if not (isinstance(order_id, str) and isinstance(email, str) and isinstance(audience, str)):
        return None
    issued, expires = claims["iat"], claims["exp"]
    if not (isinstance(issued, int) and isinstance(expires, int)):
        return None
    longest = LINK_LIFETIME if audience == CHAT_LINK else SHOP_PAGE_MAX_LIFETIME
    stamp = now.timestamp()
    if not issued - 60 <= stamp < expires or expires - issued > longest.total_seconds():
        return None
    return ChatIdentity(order_id, email, audience)
