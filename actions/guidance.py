"""Answers that need no order: which payment methods we take, and how to pay successfully."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, latest_text, slot_as
from actions.lookup import current_channels
from actions.order_check import tell_about_maintenance
from actions.runtime import services
from payhelp.contracts import Slot
from payhelp.core.causes import Detail
from payhelp.core.education import Topic, topic_for_detail, topic_named
from payhelp.messages import list_methods, method_name


class ActionPaymentMethods(PaymentHelpAction):
    """Lists the shop's payment methods that work now; a method that is down is never offered."""

    def name(self) -> str:
        return "action_payment_methods"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        svc = services()
        shop_methods = svc.settings.payment_methods
        board = await current_channels(svc)
        language = language_of(tracker)
        methods = list_methods(board.usable(shop_methods), language)
        down = board.down(shop_methods)
        asked = next(iter(tracker.get_latest_entity_values("payment_method")), None)
        if asked is None:
            dispatcher.utter_message(response="utter_payment_methods", methods=methods)
        elif asked in down:
            dispatcher.utter_message(
                response="utter_payment_method_accepted_but_down",
                method=method_name(asked, language),
                methods=methods,
            )
            return []
        elif asked in shop_methods:
            dispatcher.utter_message(
                response="utter_payment_method_accepted", method=method_name(asked, language)
            )
        else:
            dispatcher.utter_message(
                response="utter_payment_method_not_accepted",
                method=method_name(asked, language),
                methods=methods,
            )
        maintained = {m for m in down if board.maintenance(m) is not None}
        tell_about_maintenance(dispatcher, board, maintained, tracker)
        for method in down:
            if method not in maintained:
                dispatcher.utter_message(
                    response="utter_payment_method_down", method=method_name(method, language)
                )
        return []


class ActionPaymentTips(PaymentHelpAction):
    """A tip on the topic asked about, or the one that fits the diagnosis, or a menu."""

    def name(self) -> str:
        return "action_payment_tips"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        topic = topic_named(tracker.get_slot(Slot.TIP_TOPIC)) or topic_named(latest_text(tracker))
        detail = slot_as(tracker, "cause_detail", Detail)
        if topic is None and detail is not None:
            topic = topic_for_detail(detail)
        if topic is None:
            # No question and no diagnosis: the general advice, then the topics.
            dispatcher.utter_message(response=Topic.AVOID_FAILURES.response)
            dispatcher.utter_message(response="utter_ask_tip_topic")
        else:
            dispatcher.utter_message(response=topic.response)
        return [SlotSet(Slot.TIP_TOPIC, None)]
