"""When the customer didn't understand ("what do you mean?", "how do I do that?", 我不明白):
say the same thing again in other words, and ask the same question again.

Nothing moves on: a remedy step is explained in more detail (``utter_remedy_<step>_detail``)
and "Did that work?" is asked again; a form's question is explained and the form asks
it again (see data/rules.yml). A step still unclear after its detailed version offers
a person.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, slot_as
from actions.remedies import last_step_given, step_values
from payhelp.contracts import REQUESTED_SLOT, RemedyStatus, Slot

NAME = "action_explain_again"
# What each form question means, in other words.
QUESTION_EXPLANATIONS = {
    ("identity_form", "order_id"): "utter_explain_order_id",
    ("identity_form", "contact"): "utter_explain_contact",
    ("callback_form", "callback_channel"): "utter_explain_callback_channel",
    ("callback_form", "callback_time"): "utter_explain_callback_time",
    ("callback_form", "callback_confirmed"): "utter_explain_callback_confirmed",
}


def explained_since_step(tracker: Tracker) -> int:
    """How often the current remedy step has already been explained again."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "action":
            continue
        if event.get("name") == "action_next_remedy_step":
            break
        if event.get("name") == NAME:
            count += 1
    return count


def _last_bot_action(tracker: Tracker) -> str | None:
    """The last action before the customer's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        seen_user = seen_user or event.get("event") == "user"
        if seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def question_explanation(tracker: Tracker) -> str | None:
    """The explanation of the question the active form is asking, if a form is active."""
    form = (tracker.active_loop or {}).get("name")
    asked = tracker.get_slot(REQUESTED_SLOT)
    if not form or not asked:
        return None
    if (form, asked) == ("callback_form", "callback_contact"):
        return f"utter_explain_callback_{tracker.get_slot(Slot.CALLBACK_CHANNEL)}"
    if (form, asked) == ("identity_form", "contact") and tracker.get_slot(Slot.ORDER_ID_UNKNOWN):
        return "utter_explain_reminder_email"
    return QUESTION_EXPLANATIONS.get((form, asked))


class ActionExplainAgain(PaymentHelpAction):
    def name(self) -> str:
        return NAME

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        in_form = question_explanation(tracker)
        if in_form is not None:
            dispatcher.utter_message(response=in_form)
            return []  # the form asks its question again
        status = slot_as(tracker, Slot.REMEDY_STATUS, RemedyStatus)
        step = last_step_given(tracker)
        if status is RemedyStatus.AWAITING_FEEDBACK and step is not None:
            if explained_since_step(tracker) > 0:
                dispatcher.utter_message(response="utter_remedy_still_unclear")
                return []
            values = await step_values(tracker, [step])
            dispatcher.utter_message(response=step.detail_response, **values)
            dispatcher.utter_message(response="utter_did_that_work")
            return []
        if status is RemedyStatus.EXHAUSTED:
            dispatcher.utter_message(response="utter_remedies_exhausted_detail")
            return []
        if step is not None and _last_bot_action(tracker) == "action_next_remedy_step":
            # The last thing said was information that needs no answer: say it plainly.
            values = await step_values(tracker, [step])
            dispatcher.utter_message(response=step.detail_response, **values)
            return []
        dispatcher.utter_message(response="utter_clarify_general")
        return []
