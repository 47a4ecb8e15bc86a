"""The desk's own customer-facing lines and staff labels, in one place for review."""

from __future__ import annotations

WAITING = "Waiting for a support agent — you are number {position}."
WAITING_UNKNOWN_POSITION = "Waiting for a support agent."
# The answer to a message written while waiting (at most once a minute).
STILL_WAITING = "A member of our team will be with you shortly; you're number {position}."
STILL_WAITING_UNKNOWN_POSITION = "A member of our team will be with you shortly."
# Quick replies offered while waiting: go back to the bot, or ask for a callback instead.
LEAVE_QUEUE_BUTTON = "Back to the assistant"
CALLBACK_BUTTON = "Call or email me back instead"
LEFT_QUEUE = "You left the queue."
STILL_IN_QUEUE = (
    "Sorry, the assistant isn't reachable right now, so you're still in the queue for a person."
)
BOT_UNAVAILABLE = (
    "Sorry, our assistant isn't available right now. Your message is saved, and a member of "
    "our support team will reply here as soon as possible."
)
AGENT_JOINED = "{agent} from support joined the chat."
RESOLVED = "{agent} closed this conversation. How did we do? Please rate us from 1 to 5."
RESOLVED_NO_AGENT = "This conversation is closed. How did we do? Please rate us from 1 to 5."
THANKS_FOR_RATING = "Thanks for your rating!"
CARD_DATA_REMOVED = (
    "For your security we removed card details from your message. Please never share your "
    "card number or security code in chat."
)

# What the staff console shows for a conversation's outcome.
OUTCOMES = {
    "paid": "Payment sorted, order paid",
    "refund_arranged": "Refund arranged",
    "callback_arranged": "Callback arranged",
    "explained": "Explained, nothing to fix",
    "unresolved": "Could not resolve",
}

# How a round with people ended without a resolution (desk.routing).
ENDED_WITHOUT_RESOLVING = {
    "handed_back": "Handed back to the assistant",
    "left_queue": "The customer left the queue",
}

STATUS_LABELS = {
    "bot": "With the assistant",
    "waiting": "Waiting",
    "with_agent": "With an agent",
    "resolved": "Resolved",
}

# Why the bot handed over (payhelp.contracts.HandoffReason).
REASON_LABELS = {
    "customer_request": "Asked for a person",
    "needs_staff": "Needs staff",
    "remedies_exhausted": "Nothing the assistant suggested worked",
    "identity_not_confirmed": "Identity not confirmed",
    "repeated_misunderstanding": "The assistant kept misunderstanding",
    "assistant_unavailable": "The assistant was unavailable",
}

# The diagnosis, as staff read it: by payment_cause, and finer by detail where it matters.
CAUSE_LABELS = {
    "no_problem": "No payment problem found",
    "input_error": "Card declined: wrong card details",
    "account_problem": "Declined by the bank: funds or limit",
    "card_unusable": "Card cannot be used",
    "bank_processing": "Payment still processing at the bank",
    "bank_outage": "Payment method down right now",
    "platform_fault": "Our payment system failed: needs a fix",
    "transaction_anomaly": "Payment anomaly: needs a check",
    "charged_not_recorded": "Paid, but the order shows unpaid: match the payment",
    "suspected_fraud": "Declined as suspected fraud: review",
    "unknown": "Unclear payment failure: needs a look",
}
DETAIL_LABELS = {
    "duplicate": "Charged twice: needs a check",
    "amount_mismatch": "Charged the wrong amount: needs a check",
    "paid_then_cancelled": "Paid, then the order was cancelled: refund needed",
    "stuck_pending": "Payment stuck pending: needs a check",
    "refund_overdue": "Refund overdue: needs a check",
    "no_attempts": "No payment attempt on record",
}

STEP_TITLES = {
    "already_paid": "Already paid: don't pay again",
    "order_cancelled": "Order cancelled: nothing charged",
    "hold_explained": "Explain authorisation holds",
    "check_card_number": "Re-enter the card number",
    "check_cvc": "Check the security code",
    "check_expiry": "Check the expiry date",
    "check_postcode": "Check the billing postcode",
    "complete_authentication": "Complete 3-D Secure",
    "complete_in_app": "Confirm in the payment app",
    "check_balance": "Check the balance",
    "ask_bank_about_limit": "Ask the bank about the limit",
    "contact_bank": "Call the bank",
    "use_another_card": "Use another card",
    "other_method": "Offer other payment methods",
    "wait_for_bank": "Wait for the bank",
    "check_bank_app": "Check the banking app",
    "refund_on_its_way": "Refund on its way",
    "retry_later": "Try again later",
    "retry_once": "Try once more",
    "try_again_safely": "Safe to try again",
}

# Replies for cases only staff can settle, by payment_cause.
STAFF_REPLIES = {
    "charged_not_recorded": [
        (
            "Payment found, order updated",
            "I've found your payment and matched it to your order, which is now marked as paid. "
            "There's nothing more you need to do.",
        ),
    ],
    "transaction_anomaly": [
        (
            "Extra charge refunded",
            "I've refunded the extra amount to the card you paid with. Refunds usually show "
            "within 5-10 working days; your order itself is fine.",
        ),
    ],
    "suspected_fraud": [
        (
            "Ask for another payment method",
            "Your bank declined this card for this payment. Please use a different card or "
            "payment method, or contact your bank for details.",
        ),
    ],
    "platform_fault": [
        (
            "Our fault, fixed",
            "The error was on our side and has been fixed. Please try the payment once more; "
            "the failed attempts didn't take any money.",
        ),
    ],
}
GENERAL_REPLIES = [
    ("Looking into it", "Thanks for your patience - I'm looking into this now."),
    ("Anything else?", "Is there anything else I can help you with?"),
]
