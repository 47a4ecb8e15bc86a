"""Walk the customer through the planned remedies, one step at a time.

``action_check_order`` stores the plan in the slot ``remedy_plan``; each step is
given with "Did that work?", and a "no" moves to the next one. When the plan runs
out the bot offers a person or a callback.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction
from payhelp.contracts import RemedyStatus, Slot
from payhelp.core.remedies import RemedyStep, Step
from payhelp.messages import duration


def planned_steps(tracker: Tracker) -> list[RemedyStep]:
    return [RemedyStep(Step(value)) for value in tracker.get_slot(Slot.REMEDY_PLAN) or []]


def steps_given(tracker: Tracker) -> list[str]:
    """The remedy steps already given in this conversation (for the staff summary)."""
    given = int(tracker.get_slot(Slot.REMEDY_STEP) or 0)
    return [s.step.value for s in planned_steps(tracker)[:given]]


class ActionNextRemedyStep(PaymentHelpAction):
    def name(self) -> str:
        return "action_next_remedy_step"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        plan = planned_steps(tracker)
        index = int(tracker.get_slot(Slot.REMEDY_STEP) or 0)
        values = {
            "other_methods": tracker.get_slot(Slot.OTHER_METHODS) or "another payment method",
            "wait_left": duration(tracker.get_slot(Slot.WAIT_MINUTES)),
        }
        if index >= len(plan):
            dispatcher.utter_message(response="utter_remedies_exhausted")
            return [SlotSet(Slot.REMEDY_STATUS, RemedyStatus.EXHAUSTED)]
        # Information-only steps need no answer: give them and go on to the next.
        while index < len(plan):
            step = plan[index]
            dispatcher.utter_message(response=step.response, **values)
            index += 1
            if step.asks_feedback:
                dispatcher.utter_message(response="utter_did_that_work")
                return [
                    SlotSet(Slot.REMEDY_STEP, float(index)),
                    SlotSet(Slot.REMEDY_STATUS, RemedyStatus.AWAITING_FEEDBACK),
                ]
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet(Slot.REMEDY_STEP, float(index)), SlotSet(Slot.REMEDY_STATUS, None)]


class ActionRemedyWorked(PaymentHelpAction):
    def name(self) -> str:
        return "action_remedy_worked"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        dispatcher.utter_message(response="utter_glad_it_worked")
        return [SlotSet(Slot.REMEDY_STATUS, None)]


class ActionCloseRemedies(PaymentHelpAction):
    def name(self) -> str:
        return "action_close_remedies"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        dispatcher.utter_message(response="utter_remedies_closed")
        return [SlotSet(Slot.REMEDY_STATUS, None)]
