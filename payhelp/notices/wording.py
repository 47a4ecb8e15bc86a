"""Every word of the failure notice, in English and Simplified Chinese (both written by
hand), and nothing else: payhelp/notices/compose.py picks and fills them.

Reasons are keyed by the diagnosis detail, next steps by the bot's first remedy step
(payhelp/core/remedies.py), so the email says what the chat would say. A suspected-fraud
decline has no entry of its own: compose.py words it exactly as a plain bank decline.
"""

from __future__ import annotations

from payhelp.core.causes import Detail
from payhelp.core.remedies import Step
from payhelp.messages import EN, ZH
from payhelp.messages import METHOD_NAMES as BOT_METHOD_NAMES

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
# Babel locales for amounts and dates.
LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}
DATE_PATTERNS = {"en": "d MMM y, HH:mm", "zh": "y年M月d日 HH:mm"}

# The names the bot uses, so a notice and the chat call a method the same.
METHOD_NAMES = {
    language: {method: names[code] for method, names in BOT_METHOD_NAMES.items()}
    for language, code in (("en", EN), ("zh", ZH))
}

# A method inside a list of alternatives, where it reads differently.
LIST_NAMES = {"en": {"card": "a credit or debit card"}, "zh": {}}
LIST_JOINERS = {"en": (", ", " or "), "zh": ("、", "或")}
NO_OTHER_METHOD = {"en": "another payment method", "zh": "其他支付方式"}

SUBJECTS = {
    "en": "Your payment for {order_id} didn't go through",
    "zh": "订单 {order_id} 付款未成功",
}
OUTAGE_SUBJECTS = {
    "en": "Your payment for {order_id} didn't go through: {method} is having problems",
    "zh": "订单 {order_id} 付款未成功：{method}暂时出现故障",
}

# The email around the variable parts.
BODIES = {
    "en": (
        "Hello {name},\n\n"
        "Your payment for order {order_id} at {shop} didn't go through.\n\n"
        "  Order:   {order_id}\n"
        "  Amount:  {amount}\n"
        "  Method:  {method}\n"
        "  Time:    {time}\n\n"
        "Why: {reason}\n"
        "{money}"
        "\nWhat to do next: {next_step}\n\n"
        "{chat}"
        "\n{shop}\n"
    ),
    "zh": (
        "{name}，您好：\n\n"
        "您在{shop}的订单 {order_id} 付款没有成功。\n\n"
        "  订单：{order_id}\n"
        "  金额：{amount}\n"
        "  支付方式：{method}\n"
        "  时间：{time}\n\n"
        "原因：{reason}\n"
        "{money}"
        "\n接下来：{next_step}\n\n"
        "{chat}"
        "\n{shop}\n"
    ),
}

CHAT_LINK = {
    "en": (
        "Questions? Open the chat on this order (no need to look up the order number "
        "or confirm your email again):\n{link}\nThis link works for {hours} hours.\n"
    ),
    "zh": (
        "有疑问？点击下面的链接，直接就这笔订单与我们在线沟通（无需再查订单号或验证邮箱）：\n{link}\n链接 {hours} 小时内有效。\n"
    ),
}
CHAT_WITHOUT_LINK = {
    "en": "Questions? Open the chat on our website and give your order number {order_id}.\n",
    "zh": "有疑问？请在我们网站上打开在线客服，并提供订单号 {order_id}。\n",
}

# Said when the diagnosis says no money left the customer's account.
NO_MONEY_TAKEN = {
    "en": (
        "No money was taken. If your bank shows the amount as pending, that is a "
        "temporary hold: it drops off by itself within 1-7 working days.\n"
    ),
    "zh": "这次没有扣款。如果银行显示有一笔“待处理”金额，那只是临时冻结，1-7 个工作日内会自动解除。\n",
}
# Said when money may already have been taken: never ask for a new payment then.
MONEY_MAY_BE_TAKEN = {
    "en": "Please don't pay again: money may already have left your account, and we are checking.\n",
    "zh": "请不要重复付款：款项可能已经从您的账户扣除，我们正在核实。\n",
}

REASONS: dict[str, dict[Detail, str]] = {
    "en": {
        Detail.CARD_NUMBER: "the card number didn't match a valid card (usually a mistyped digit).",
        Detail.CVC: "the security code (CVC) didn't match the card.",
        Detail.EXPIRY: "the expiry date entered didn't match the card.",
        Detail.POSTCODE: "the billing postcode didn't match the one your bank has for the card.",
        Detail.AUTHENTICATION: "your bank's extra security check (3-D Secure) wasn't completed.",
        Detail.NOT_COMPLETED: "the payment was started but not confirmed in the app.",
        Detail.FUNDS: "the account didn't have enough available balance.",
        Detail.LIMIT: "the payment went over a spending or transaction limit on the account.",
        Detail.BANK_DECLINED: (
            "your bank declined the payment. Banks don't tell shops why, but they will tell you."
        ),
        Detail.DECLINED: (
            "your bank declined the payment. Banks don't tell shops why, but they will tell you."
        ),
        Detail.EXPIRED: "the card has expired.",
        Detail.NOT_SUPPORTED: "this card can't be used for this kind of purchase.",
        Detail.CURRENCY: "the card doesn't support payments in {currency}.",
        Detail.RESTRICTED: "the card has restrictions that don't allow this payment.",
        Detail.DO_NOT_RETRY: (
            "the bank declined the payment and asked that this card not be tried again for it."
        ),
        Detail.ISSUER_UNAVAILABLE: (
            "your bank couldn't be reached at that moment. That's usually temporary."
        ),
        Detail.CHANNEL_DOWN: (
            "{method} is having problems right now, for other customers too. "
            "It isn't anything on your side."
        ),
        Detail.PROCESSING: (
            "a processing error on our side. We're sorry: it wasn't caused by your card or account."
        ),
        Detail.GATEWAY_ERROR: (
            "a system error at the payment provider. We're sorry: it wasn't caused by you."
        ),
        Detail.TRADE_CLOSED: "the payment session had already closed on our side. We're sorry.",
        Detail.PENDING: "your bank hasn't confirmed the payment yet.",
        Detail.STUCK_PENDING: "a payment has been processing for much longer than usual.",
        Detail.DUPLICATE: "we can see more than one payment for this order.",
        Detail.AMOUNT_MISMATCH: "the amount taken doesn't match the order total.",
        Detail.PAID_THEN_CANCELLED: "the order was cancelled after a payment went through.",
        Detail.REFUND_ISSUED: "we have refunded a payment for this order.",
        Detail.REFUND_OVERDUE: "a refund for this order is taking longer than usual.",
        Detail.PAID: "a payment for this order went through.",
        Detail.CANCELLED_UNPAID: "the order has been cancelled.",
        Detail.CHARGED_UNPAID: (
            "a payment went through, but the order isn't marked as paid yet. That's on our side."
        ),
        Detail.NO_ATTEMPTS: "no payment attempt has reached us.",
        Detail.UNRECOGNISED_CODE: (
            "the payment provider didn't tell us why in a way we can explain."
        ),
    },
    "zh": {
        Detail.CARD_NUMBER: "卡号与有效的银行卡不符（通常是输错了一位数字）。",
        Detail.CVC: "安全码（CVC）与银行卡不符。",
        Detail.EXPIRY: "输入的有效期与银行卡不符。",
        Detail.POSTCODE: "账单邮编与银行登记的不一致。",
        Detail.AUTHENTICATION: "银行的额外安全验证（3-D Secure）没有完成。",
        Detail.NOT_COMPLETED: "付款已发起，但没有在 App 里确认。",
        Detail.FUNDS: "账户可用余额不足。",
        Detail.LIMIT: "这笔付款超出了账户的消费或交易限额。",
        Detail.BANK_DECLINED: "您的银行拒绝了这笔付款。银行不会把原因告诉商家，但会告诉您本人。",
        Detail.DECLINED: "您的银行拒绝了这笔付款。银行不会把原因告诉商家，但会告诉您本人。",
        Detail.EXPIRED: "银行卡已过期。",
        Detail.NOT_SUPPORTED: "这张卡不能用于这类消费。",
        Detail.CURRENCY: "这张卡不支持用{currency}付款。",
        Detail.RESTRICTED: "这张卡有使用限制，无法完成这笔付款。",
        Detail.DO_NOT_RETRY: "银行拒绝了这笔付款，并要求不要再用这张卡重试。",
        Detail.ISSUER_UNAVAILABLE: "当时无法连接到您的银行，这种情况通常很快会恢复。",
        Detail.CHANNEL_DOWN: "{method}目前出现故障，其他顾客也受到影响，并不是您这边的问题。",
        Detail.PROCESSING: "我们这边处理出错。非常抱歉，这不是您的卡或账户的问题。",
        Detail.GATEWAY_ERROR: "支付服务商的系统出错。非常抱歉，这不是您的问题。",
        Detail.TRADE_CLOSED: "这笔付款的交易在我们这边已经关闭。非常抱歉。",
        Detail.PENDING: "银行还没有确认这笔付款。",
        Detail.STUCK_PENDING: "有一笔付款处理的时间比平常长得多。",
        Detail.DUPLICATE: "我们看到这笔订单有不止一笔付款。",
        Detail.AMOUNT_MISMATCH: "扣款金额与订单金额不一致。",
        Detail.PAID_THEN_CANCELLED: "付款成功后订单被取消了。",
        Detail.REFUND_ISSUED: "这笔订单的款项我们已经退回。",
        Detail.REFUND_OVERDUE: "这笔订单的退款比平常到账慢。",
        Detail.PAID: "这笔订单已经付款成功。",
        Detail.CANCELLED_UNPAID: "这笔订单已经取消。",
        Detail.CHARGED_UNPAID: "付款已经成功，但订单还没有标记为已付款。这是我们这边的问题。",
        Detail.NO_ATTEMPTS: "我们还没有收到任何付款记录。",
        Detail.UNRECOGNISED_CODE: "支付服务商没有给出我们能解释的原因。",
    },
}

NEXT_STEPS: dict[str, dict[Step, str]] = {
    "en": {
        Step.ALREADY_PAID: "nothing: please don't pay again.",
        Step.ORDER_CANCELLED: "if you still want the items, you can place a new order at any time.",
        Step.CHECK_CARD_NUMBER: "try again, checking the card number digit by digit.",
        Step.CHECK_CVC: "try again with the 3-digit code on the back of the card (4 digits on the front for American Express).",
        Step.CHECK_EXPIRY: "try again with the expiry date exactly as printed on the card (MM/YY).",
        Step.CHECK_POSTCODE: "try again with the postcode of the address your bank has for the card.",
        Step.COMPLETE_AUTHENTICATION: "try again, and complete your bank's check when it appears (in your banking app or by text message).",
        Step.COMPLETE_IN_APP: "try again, and confirm the payment in the app before it times out.",
        Step.CHECK_BALANCE: "check the balance, then try again, or pay with {other_methods}.",
        Step.ASK_BANK_ABOUT_LIMIT: "ask your bank to raise the limit, or pay with {other_methods}.",
        Step.CONTACT_BANK: "call the number on the back of your card to ask your bank, or pay with {other_methods}.",
        Step.USE_ANOTHER_CARD: "pay with another card, or with {other_methods}.",
        Step.OTHER_METHOD: "pay with {other_methods} for now; your order is kept for you.",
        Step.WAIT_FOR_BANK: "please wait for your bank to confirm the payment, and don't pay again meanwhile.",
        Step.CHECK_BANK_APP: "check your banking app for the payment, and don't pay again meanwhile.",
        Step.REFUND_ON_ITS_WAY: "nothing: the refund is on its way to you.",
        Step.RETRY_LATER: "try again in a few minutes, or pay with {other_methods}.",
        Step.RETRY_ONCE: "try once more in a few minutes. If it fails again, open the chat and a colleague will sort it out.",
        Step.TRY_AGAIN_SAFELY: "try again once, or pay with {other_methods}.",
        Step.HOLD_EXPLAINED: "nothing yet: a pending amount from a failed attempt drops off by itself.",
    },
    "zh": {
        Step.ALREADY_PAID: "无需任何操作，请不要重复付款。",
        Step.ORDER_CANCELLED: "如果您仍想购买，可以随时重新下单。",
        Step.CHECK_CARD_NUMBER: "请逐位核对卡号后再试一次。",
        Step.CHECK_CVC: "请用卡背面的 3 位安全码再试一次（美国运通卡是正面的 4 位数字）。",
        Step.CHECK_EXPIRY: "请按卡面上印的有效期（月/年）重新填写后再试一次。",
        Step.CHECK_POSTCODE: "请填写银行登记的账单地址邮编后再试一次。",
        Step.COMPLETE_AUTHENTICATION: "请再试一次，并在出现银行验证时完成验证（手机银行或短信）。",
        Step.COMPLETE_IN_APP: "请再试一次，并在超时前在 App 里确认付款。",
        Step.CHECK_BALANCE: "请确认余额后再试一次，或改用{other_methods}付款。",
        Step.ASK_BANK_ABOUT_LIMIT: "请联系银行提高限额，或改用{other_methods}付款。",
        Step.CONTACT_BANK: "请拨打卡背面的电话向银行询问，或改用{other_methods}付款。",
        Step.USE_ANOTHER_CARD: "请换一张卡，或改用{other_methods}付款。",
        Step.OTHER_METHOD: "请先改用{other_methods}付款，您的订单会为您保留。",
        Step.WAIT_FOR_BANK: "请等待银行确认这笔付款，在此期间请不要重复付款。",
        Step.CHECK_BANK_APP: "请在手机银行里查看这笔付款，在此期间请不要重复付款。",
        Step.REFUND_ON_ITS_WAY: "无需任何操作，退款正在退回您的账户。",
        Step.RETRY_LATER: "请过几分钟再试，或改用{other_methods}付款。",
        Step.RETRY_ONCE: "请过几分钟再试一次。如果仍然失败，请打开在线客服，我们的同事会为您处理。",
        Step.TRY_AGAIN_SAFELY: "请再试一次，或改用{other_methods}付款。",
        Step.HOLD_EXPLAINED: "暂时无需操作：失败付款产生的待处理金额会自动解除。",
    },
}

# When a person has to sort it out (money may be taken, or staff must review).
STAFF_WILL_HELP = {
    "en": "nothing for now. A colleague is looking into it and will be in touch.",
    "zh": "暂时无需操作。我们的同事正在核实，会与您联系。",
}
