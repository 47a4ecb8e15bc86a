"""When the bot does not understand: ask to rephrase, and after repeated misses, hand over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.base import EventList, PaymentHelpAction
from actions.handoff import open_handoff
from actions.remedies import ask_pending_question
from actions.runtime import services
from payhelp.contracts import HandoffReason, Slot


class ActionDefaultFallback(PaymentHelpAction):
    """Replaces Rasa's default fallback (low NLU confidence, or no rule fits)."""

    def name(self) -> str:
        return "action_default_fallback"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventList:
        misses = int(tracker.get_slot(Slot.MISUNDERSTANDINGS) or 0) + 1
        if misses >= services().settings.misunderstandings_before_handoff:
            return await open_handoff(dispatcher, tracker, HandoffReason.REPEATED_MISUNDERSTANDING)
        # In the middle of the remedies: that question again, not the opening menu.
        if not await ask_pending_question(dispatcher, tracker, after_a_miss=True):
            dispatcher.utter_message(response="utter_default")
        # Forget the message we did not understand, so the dialogue resumes where it was.
        return [UserUtteranceReverted(), SlotSet(Slot.MISUNDERSTANDINGS, float(misses))]
