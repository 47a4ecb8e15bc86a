"""The desk's own customer-facing lines (in English and Chinese: :data:`CUSTOMER_LINES`)
and staff labels (English, the console's language), in one place for review."""

from __future__ import annotations

from payhelp.contracts import Language

EN, ZH = Language.EN, Language.ZH

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
BOT_BACK = "Our assistant is back and has picked up your messages."
AGENT_JOINED = "{agent} from support joined the chat."
RESOLVED = "{agent} closed this conversation. How did we do? Please rate us from 1 to 5."
RESOLVED_NO_AGENT = "This conversation is closed. How did we do? Please rate us from 1 to 5."
THANKS_FOR_RATING = "Thanks for your rating!"
CARD_DATA_REMOVED = (
    "For your security we removed card details from your message. Please never share your "
    "card number or security code in chat."
)

# Errors the customer's widget shows (the desk refuses a message or a rating).
EMPTY_MESSAGE = "the message is empty"
TOO_LONG = "messages can be at most {limit} characters"
TOO_QUICK = "you're sending messages too quickly; please wait a moment"
NOT_JSON = "could not read that message"
BAD_RATING = "a rating is a whole number from 1 to 5"
NOTHING_TO_RATE = "there is nothing to rate right now"

# Every line a customer may read from the desk itself, in both languages.
CUSTOMER_LINES: dict[str, dict[Language, str]] = {
    "waiting": {EN: WAITING, ZH: "正在等待客服人员，您排在第 {position} 位。"},
    "waiting_unknown_position": {EN: WAITING_UNKNOWN_POSITION, ZH: "正在等待客服人员。"},
    "still_waiting": {EN: STILL_WAITING, ZH: "客服人员马上就来，您排在第 {position} 位。"},
    "still_waiting_unknown_position": {
        EN: STILL_WAITING_UNKNOWN_POSITION,
        ZH: "客服人员马上就来。",
    },
    "leave_queue_button": {EN: LEAVE_QUEUE_BUTTON, ZH: "回到智能助手"},
    "callback_button": {EN: CALLBACK_BUTTON, ZH: "改为给我回电或发邮件"},
    "left_queue": {EN: LEFT_QUEUE, ZH: "您已退出排队。"},
    "still_in_queue": {
        EN: STILL_IN_QUEUE,
        ZH: "抱歉，智能助手现在无法连接，您仍在排队等待客服人员。",
    },
    "bot_unavailable": {
        EN: BOT_UNAVAILABLE,
        ZH: "抱歉，智能助手现在无法使用。您的消息已保存，我们的客服人员会尽快在这里回复您。",
    },
    "bot_back": {EN: BOT_BACK, ZH: "智能助手已恢复，正在处理您的消息。"},
    "agent_joined": {EN: AGENT_JOINED, ZH: "客服 {agent} 已加入对话。"},
    "resolved": {EN: RESOLVED, ZH: "{agent} 已结束本次对话。请为我们的服务打分（1 到 5 分）。"},
    "resolved_no_agent": {
        EN: RESOLVED_NO_AGENT,
        ZH: "本次对话已结束。请为我们的服务打分（1 到 5 分）。",
    },
    "thanks_for_rating": {EN: THANKS_FOR_RATING, ZH: "感谢您的评分！"},
    "card_data_removed": {
        EN: CARD_DATA_REMOVED,
        ZH: "为了您的安全，我们已从您的消息中删除了银行卡信息。请不要在聊天中发送卡号或安全码。",
    },
    "empty_message": {EN: EMPTY_MESSAGE, ZH: "消息不能为空。"},
    "too_long": {EN: TOO_LONG, ZH: "每条消息最多 {limit} 个字。"},
    "too_quick": {EN: TOO_QUICK, ZH: "您发送消息太快了，请稍等一下。"},
    "not_json": {EN: NOT_JSON, ZH: "无法读取这条消息。"},
    "bad_rating": {EN: BAD_RATING, ZH: "评分请选择 1 到 5 之间的整数。"},
    "nothing_to_rate": {EN: NOTHING_TO_RATE, ZH: "现在没有可以评分的对话。"},
}


def line(key: str, language: Language | str | None = None, **values: object) -> str:
    """A customer-facing line of the desk in the conversation's language (English if unknown)."""
    text = CUSTOMER_LINES[key][Language.parse(language)]
    return text.format(**values) if values else text


# The conversation's language as the console shows it.
LANGUAGE_LABELS = {EN.value: "English", ZH.value: "Chinese (中文)"}

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

# Replies for cases only staff can settle, by payment_cause: (title for staff, text by language).
STAFF_REPLIES: dict[str, list[tuple[str, dict[Language, str]]]] = {
    "charged_not_recorded": [
        (
            "Payment found, order updated",
            {
                EN: "I've found your payment and matched it to your order, which is now marked "
                "as paid. There's nothing more you need to do.",
                ZH: "我找到了您的付款，并已将它与订单对应，订单现在显示为已付款。您不需要再做什么。",
            },
        ),
    ],
    "transaction_anomaly": [
        (
            "Extra charge refunded",
            {
                EN: "I've refunded the extra amount to the card you paid with. Refunds usually "
                "show within 5-10 working days; your order itself is fine.",
                ZH: "多扣的金额我已经退回到您付款用的银行卡。退款通常在 5-10 个工作日内到账，您的订单本身没有问题。",
            },
        ),
    ],
    "suspected_fraud": [
        (
            "Ask for another payment method",
            {
                EN: "Your bank declined this card for this payment. Please use a different card "
                "or payment method, or contact your bank for details.",
                ZH: "您的银行拒绝了这张卡的这笔付款。请换一张卡或其他支付方式，详情可以咨询您的银行。",
            },
        ),
    ],
    "platform_fault": [
        (
            "Our fault, fixed",
            {
                EN: "The error was on our side and has been fixed. Please try the payment once "
                "more; the failed attempts didn't take any money.",
                ZH: "问题出在我们这边，现在已经修复。请再付款一次，之前失败的付款没有扣款。",
            },
        ),
    ],
}
GENERAL_REPLIES: list[tuple[str, dict[Language, str]]] = [
    (
        "Looking into it",
        {
            EN: "Thanks for your patience - I'm looking into this now.",
            ZH: "感谢您的耐心等待，我正在为您查看。",
        },
    ),
    (
        "Anything else?",
        {EN: "Is there anything else I can help you with?", ZH: "还有什么可以帮您的吗？"},
    ),
]
