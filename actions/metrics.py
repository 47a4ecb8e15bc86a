"""The action server's Prometheus metrics (``GET /metrics`` on the action server).

One registry per process (``prometheus_client``'s default). With several Sanic workers
each worker counts for itself, and a scrape reaches one of them. Labels carry no
customer data: intents, causes, notice kinds and outcomes, languages, channels.
"""

from __future__ import annotations

from prometheus_client import Counter

CHANNEL = "web"

REPLIES = Counter(
    "payhelp_replies", "Replies the actions composed, by the intent they answered", ["intent"]
)
ACTION_MESSAGES = Counter(
    "payhelp_action_messages",
    "Messages the actions sent to customers, by channel and conversation language",
    ["channel", "language"],
)
DIAGNOSES = Counter("payhelp_diagnoses", "Orders diagnosed, by cause", ["cause"])
HANDOFFS = Counter("payhelp_bot_handoffs", "Handoffs the bot asked for, by reason", ["reason"])
NOTICES = Counter(
    "payhelp_notices",
    "Notices to customers put in the outbox (sent) or that could not be (failed)",
    ["kind", "outcome"],
)
for _outcome in ("sent", "failed"):
    NOTICES.labels("order_reminder", _outcome)  # exported at 0 before the first one
