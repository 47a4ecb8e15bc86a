"""Walk the customer through the planned remedies, one step at a time.

``action_check_order`` stores the plan in the slot ``remedy_plan``; each step is
given with "Did that work?", and a "no" moves to the next one. When the plan runs
out the bot offers a person or a callback. A side question in between is answered
and then the pending question is asked again (``action_back_to_remedies``); the plan
only moves on an answer to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction, language_of, slot_as
from actions.lookup import methods_on_offer
from actions.runtime import services
from payhelp.contracts import RemedyStatus, Slot
from payhelp.core.remedies import RemedyStep, Step
from payhelp.messages import duration, list_methods


def planned_steps(tracker: Tracker) -> list[RemedyStep]:
    return [RemedyStep(Step(value)) for value in tracker.get_slot(Slot.REMEDY_PLAN) or []]


def steps_given(tracker: Tracker) -> list[str]:
    """The remedy steps already given in this conversation (for the staff summary)."""
    given = int(tracker.get_slot(Slot.REMEDY_STEP) or 0)
    return [s.step.value for s in planned_steps(tracker)[:given]]


def last_step_given(tracker: Tracker) -> RemedyStep | None:
    """The step the customer heard last (the one "Did that work?" is about)."""
    given = int(tracker.get_slot(Slot.REMEDY_STEP) or 0)
    plan = planned_steps(tracker)
    return plan[given - 1] if 0 < given <= len(plan) else None


async def step_values(tracker: Tracker, steps: Sequence[RemedyStep]) -> dict[str, Any]:
    """Placeholders for remedy responses; the methods on offer are read now, not remembered."""
    language = language_of(tracker)
    values: dict[str, Any] = {"wait_left": duration(tracker.get_slot(Slot.WAIT_MINUTES), language)}
    if any(s.step is Step.OTHER_METHOD for s in steps):
        values["other_methods"] = list_methods(await methods_on_offer(services()), language)
    return values


async def ask_pending_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, after_a_miss: bool = False
) -> bool:
    """Ask again what the remedies wait for (the step's feedback, or the offer of help).

    After a side question the step is repeated; after a message the bot did not
    understand (``after_a_miss``) the step is just above, so only the question is.
    Returns False when nothing is pending.
    """
    status = slot_as(tracker, Slot.REMEDY_STATUS, RemedyStatus)
    step = last_step_given(tracker)
    if status is None or (status is RemedyStatus.AWAITING_FEEDBACK and step is None):
        return False
    if after_a_miss:
        dispatcher.utter_message(response="utter_not_understood_short")
    if status is RemedyStatus.EXHAUSTED:
        dispatcher.utter_message(response="utter_remedies_exhausted")
        return True
    if not after_a_miss and step is not None:
        dispatcher.utter_message(response="utter_back_to_step")
        dispatcher.utter_message(response=step.response, **await step_values(tracker, [step]))
    dispatcher.utter_message(response="utter_did_that_work")
    return True


class ActionNextRemedyStep(PaymentHelpAction):
    def name(self) -> str:
        return "action_next_remedy_step"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        plan = planned_steps(tracker)
        index = int(tracker.get_slot(Slot.REMEDY_STEP) or 0)
        if index >= len(plan):
            dispatcher.utter_message(response="utter_remedies_exhausted")
            return [SlotSet(Slot.REMEDY_STATUS, RemedyStatus.EXHAUSTED)]
        values = await step_values(tracker, plan[index:])
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


class ActionBackToRemedies(PaymentHelpAction):
    """After a side question: the pending step again, with its quick replies."""

    def name(self) -> str:
        return "action_back_to_remedies"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        await ask_pending_question(dispatcher, tracker)
        return []


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
