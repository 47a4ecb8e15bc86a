"""The desk's behaviour: store every message first, then route it to the bot or a person.

Routes call these methods; they never change a conversation's status themselves.
Blocking database work runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from desk import messages
from desk import notifier as topics
from desk.cluster import ConversationLocks, Leadership
from desk.conversations import BotInput, Conflict, Conversation, ConversationStore, Message
from desk.live import LiveHub
from desk.notifier import Notifier
from desk.rasa_client import BotReply, BotUnavailable, RasaClient
from desk.routing import (
    ASSISTANT_UNAVAILABLE,
    Event,
    InvalidTransition,
    Status,
    bot_answers,
    bot_takes_back,
    next_status,
)
from desk.staff_accounts import Agent, StaffAccounts
from payhelp.contracts import HandoffReason, Language, Slot
from payhelp.core.card_data import (
    MaskedInContext,
    mask_card_data,
    mask_in_context,
    may_hold_card_data,
)
from payhelp.nlu.language import detect_language
from payhelp.settings import Settings
from payhelp.store.records import AssistantRecords
from payhelp.store.tables import utc_now

logger = logging.getLogger(__name__)
# While the bot keeps failing the conversations it took back, check less often.
MAX_BOT_CHECK_S = 60

# Intents the desk asks the bot to run (domain.yml).
GREET_INTENT = "greet"
CALLBACK_INTENT = "request_callback"
# Quick replies the desk itself offers while a customer waits for a person.
LEAVE_QUEUE = "/leave_queue"
CALLBACK_INSTEAD = "/callback_instead"
QUEUE_PAYLOADS = (LEAVE_QUEUE, CALLBACK_INSTEAD)


def queue_choices(language: str | None) -> list[dict[str, str]]:
    """The quick replies offered while waiting, in the conversation's language."""
    return [
        {"title": messages.line("leave_queue_button", language), "payload": LEAVE_QUEUE},
        {"title": messages.line("callback_button", language), "payload": CALLBACK_INSTEAD},
    ]


class DeskError(ValueError):
    """A request the desk refuses, with a message fit for the caller."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Desk:
    settings: Settings
    conversations: ConversationStore
    staff: StaffAccounts
    records: AssistantRecords
    rasa: RasaClient
    live: LiveHub
    # Where state changes are announced; the live sockets, metrics and alerts subscribe.
    notifier: Notifier | None = None
    # A waiting customer's messages are answered at most this often.
    still_waiting_every_s: float = 60.0
    # One message at a time per conversation, so replies keep their order (in the whole
    # cluster with Redis); and whether this desk runs the scheduled checks.
    locks: ConversationLocks = field(default_factory=ConversationLocks)
    leadership: Leadership = field(default_factory=Leadership)

    def __post_init__(self) -> None:
        if self.notifier is None:
            self.notifier = Notifier()
            self.notifier.subscribe(topics.STAFF, self.live.to_staff)
        # When each waiting conversation was last told it is still waiting (monotonic).
        self._told_waiting: dict[str, float] = {}

    async def _db(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(function, *args, **kwargs)

    # --- customers -----------------------------------------------------------------

    async def start(self, language: Language | None = None) -> tuple[Conversation, str]:
        """A new chat; ``language`` is the page's or the browser's, if the widget knew it."""
        return await self._db(self.conversations.start, language.value if language else None)

    async def current(self, conversation_id: str) -> Conversation:
        return await self._conversation(conversation_id)

    async def by_token(self, token: str) -> Conversation | None:
        if not token or len(token) > 100:
            return None
        return await self._db(self.conversations.by_token, token)

    async def customer_state(self, conversation: Conversation) -> dict[str, Any]:
        position = await self._db(self.conversations.queue_position, conversation)
        return {
            "status": conversation.status.value,
            "position": position,
            "agent": conversation.agent_name,
            "rating_requested": conversation.rating_requested and conversation.rating is None,
            "rating": conversation.rating,
            "language": conversation.language,
        }

    async def history(self, conversation: Conversation, after: int) -> list[Message]:
        return await self._db(self.conversations.messages, conversation.id, after)

    async def customer_writes(
        self, conversation: Conversation, text: str, client_id: str | None, payload: str | None
    ) -> Message:
        """Store the customer's message (once per client id), then route it."""
        started = time.monotonic()
        text = text.strip()
        said_in = conversation.language
        if not text:
            raise DeskError(messages.line("empty_message", said_in))
        if len(text) > self.settings.desk_max_message_chars:
            limit = self.settings.desk_max_message_chars
            raise DeskError(messages.line("too_long", said_in, limit=limit))
        async with self.locks.hold(conversation.id):
            context, earlier = await self._mask_in_context(conversation.id, text)
            masked = context.current
            current = await self._db(self.conversations.get, conversation.id)
            bot_input, is_payload = await self._bot_input(current, masked.text, payload)
            message, new = await self._db(
                self.conversations.add_message,
                conversation.id,
                "customer",
                masked.text,
                client_id=client_id,
                bot_input=bot_input,
                bot_payload=is_payload,
            )
            current = await self._follow_language(current, masked.text)
            # The ack carries the conversation's language: the widget's strings follow it.
            ack = {"type": "ack", "client_id": client_id, "message": message.as_json()}
            await self.live.to_customer(conversation.id, {**ack, "language": current.language})
            if not new:  # a resend: routed the first time, unless the bot still owes it
                await self._resent(current)
                return message
            await self._tell_staff_message(conversation.id, message)
            for rewrite in context.earlier:  # it completed a card number begun earlier
                await self._rewrite(earlier[rewrite.index], rewrite.text)
            if masked.found_card_data:
                await self._say_line(current, "card_data_removed")
            if bot_answers(current.status):
                remask = [r.text for r in context.earlier]
                await self._ask_bot(current, fresh=message.id, remask=remask)
            else:
                await self._while_people_have_it(current, payload)
            await self.notifier.publish(
                topics.MESSAGE,
                {"direction": "in", "sender": "customer", "text": message.text,
                 "seconds": time.monotonic() - started},
            )  # fmt: skip
        return message

    async def _follow_language(self, conversation: Conversation, text: str) -> Conversation:
        """The conversation's language follows the customer's words by the rules the bot's
        slot follows (payhelp/nlu/language.py)."""
        said = detect_language(text)
        if said is None or said == conversation.language:
            return conversation
        await self._db(self.conversations.set_language, conversation.id, said)
        await self._tell_staff({"type": "conversation", "conversation_id": conversation.id})
        return replace(conversation, language=said)

    async def _mask_in_context(
        self, conversation_id: str, text: str
    ) -> tuple[MaskedInContext, list[Message]]:
        """The message masked knowing the conversation; and the earlier customer messages."""
        if not may_hold_card_data(text):
            return mask_in_context(text), []
        recent = await self._db(self.conversations.recent, conversation_id)
        earlier = [m for m in recent if m.sender == "customer"]
        said = next((m.text for m in reversed(recent) if m.sender != "customer"), None)
        return mask_in_context(text, [m.text for m in earlier], said), earlier

    async def _rewrite(self, message: Message, text: str) -> None:
        """Store an earlier message masked, and show it masked wherever it is on screen."""
        updated = await self._db(self.conversations.rewrite_text, message.id, text)
        if updated is None:
            return
        event = {"type": "message_update", "message": updated.as_json()}
        await self.live.to_customer(message.conversation_id, event)
        await self._tell_staff({**event, "conversation_id": message.conversation_id})

    async def greet_if_new(self, conversation: Conversation) -> None:
        """A new chat opens with the bot's greeting and what it can help with.

        If the bot is away, the chat just opens quietly: the customer's first message
        fails open to people as usual.
        """
        async with self.locks.hold(conversation.id):
            if conversation.status is not Status.BOT:
                return
            if await self._db(self.conversations.has_messages, conversation.id):
                return
            try:
                reply = await self._bot_runs(conversation.id, GREET_INTENT, conversation.language)
            except BotUnavailable as problem:
                logger.warning("no greeting for %s: %s", conversation.id, problem)
                return
            await self._relay(conversation.id, reply)

    async def open_on_order(
        self, conversation: Conversation, slots: dict[str, Any], intent: str
    ) -> bool:
        """The bot starts this conversation on an order the shop vouched for: the desk sets
        ``slots`` (the verified order) in the tracker, then runs ``intent``. Only while the
        bot has the conversation; False if it did not happen (the chat goes on as usual)."""
        async with self.locks.hold(conversation.id):
            current = await self._db(self.conversations.get, conversation.id)
            if current.status is not Status.BOT:
                return False
            language = slots.get(Slot.LANGUAGE.value)
            if language and language != current.language:  # the widget speaks it too
                await self._db(self.conversations.set_language, conversation.id, language)
            try:
                await self.rasa.set_slots(conversation.id, slots)
                reply = await self._bot_runs(conversation.id, intent)
            except BotUnavailable as problem:
                logger.warning("could not open %s on its order: %s", conversation.id, problem)
                return False
            await self._relay(conversation.id, reply)
            if reply.handoff is not None:
                await self._hand_to_people(current, reply.handoff)
            return True

    async def _bot_runs(
        self, conversation_id: str, intent: str, language: str | None = None
    ) -> BotReply:
        """Ask the bot to run ``intent``, showing it typing meanwhile."""
        await self.live.to_customer(conversation_id, {"type": "typing", "who": "bot", "on": True})
        try:
            return await self.rasa.trigger_intent(conversation_id, intent, language)
        finally:
            await self.live.to_customer(
                conversation_id, {"type": "typing", "who": "bot", "on": False}
            )

    # --- waiting for a person --------------------------------------------------------

    async def _while_people_have_it(self, conversation: Conversation, payload: str | None) -> None:
        """A customer message while waiting or with an agent: the agent reads it; a waiting
        customer hears they are still in the queue, or leaves it with a quick reply."""
        if conversation.status is Status.WAITING:
            if payload in QUEUE_PAYLOADS:
                await self._leave_queue(conversation, callback=payload == CALLBACK_INSTEAD)
                return
            await self._tell_still_waiting(conversation)
        await self._tell_staff({"type": "queue"})

    async def _tell_still_waiting(self, conversation: Conversation) -> None:
        now = time.monotonic()
        told = self._told_waiting.get(conversation.id)
        if told is not None and now - told < self.still_waiting_every_s:
            return
        self._told_waiting[conversation.id] = now
        position = await self._db(self.conversations.queue_position, conversation)
        if position:
            await self._say_line(conversation, "still_waiting", True, position=position)
        else:
            await self._say_line(conversation, "still_waiting_unknown_position", True)

    async def _leave_queue(self, conversation: Conversation, callback: bool) -> None:
        """Back to the bot: it greets the customer again, or starts taking a callback."""
        try:
            reply = await self.rasa.hand_back(conversation.id, greet=not callback)
        except BotUnavailable as problem:
            logger.warning("cannot leave the queue for %s: %s", conversation.id, problem)
            line = messages.line("still_in_queue", conversation.language)
            raise DeskError(line, status=502) from problem
        updated = await self._move(conversation.id, Event.LEAVE_QUEUE)
        await self._say_line(updated, "left_queue")
        await self._push_state(updated)
        await self._refresh_waiting_positions()
        if not callback:
            await self._relay(conversation.id, reply)
            return
        try:
            reply = await self._bot_runs(conversation.id, CALLBACK_INTENT)
        except BotUnavailable as problem:
            logger.warning("bot unavailable for %s: %s", conversation.id, problem)
            await self._bot_unavailable(updated)
            return
        await self._relay(conversation.id, reply)
        if reply.handoff is not None:
            await self._hand_to_people(updated, reply.handoff)

    async def _offered(self, conversation_id: str, payload: str) -> bool:
        """Whether the bot's latest message offered a button with this payload."""
        said = await self._db(self.conversations.latest_from, conversation_id, "bot")
        return any(b.get("payload") == payload for b in (said.buttons or [])) if said else False

    # --- the bot's answers, failing open, and the bot's return --------------------------

    async def _bot_input(
        self, conversation: Conversation, text: str, payload: str | None
    ) -> tuple[str | None, bool]:
        """What the bot must be sent for this message (None if it is not the bot's),
        and whether that is a button payload the bot offered."""
        if not (
            bot_answers(conversation.status)
            or bot_takes_back(conversation.status, conversation.reason)
        ):
            return None, False
        if conversation.status is Status.WAITING and payload in QUEUE_PAYLOADS:
            return None, False  # a quick reply to the desk itself, not for the bot
        offered = bool(payload) and await self._offered(conversation.id, payload)
        return (payload, True) if offered and payload else (text, False)

    async def _resent(self, conversation: Conversation) -> None:
        """A message came again: if the bot still owes an answer, try once more now."""
        if not await self._db(self.conversations.awaiting_bot, conversation.id):
            return
        if bot_answers(conversation.status):
            await self._ask_bot(conversation)
        elif bot_takes_back(conversation.status, conversation.reason) and await self.rasa.ready():
            await self._take_back(conversation)

    async def _ask_bot(
        self,
        conversation: Conversation,
        fresh: int | None = None,
        back_from_queue: datetime | None = None,
        remask: list[str] | None = None,
    ) -> bool:
        """Send the bot every message it owes an answer, oldest first, relaying replies.

        Called with the conversation's lock held. ``fresh`` is the message stored just
        now (never sent before); older ones are retried, so Rasa forgets a half-taken
        earlier attempt first. ``back_from_queue`` is set when the bot has just taken
        the conversation back (it had waited since then): failing again is then silent
        and keeps its place in the queue. ``remask`` goes with the fresh message: earlier
        messages, masked, that the bot's tracker store must store instead (the fresh one
        completed a card number they began). False if the bot failed and it went to people.
        """
        if conversation.status is Status.RESOLVED:
            conversation = await self._reopen(conversation)
        for owed in await self._db(self.conversations.awaiting_bot, conversation.id):
            is_fresh = owed.message_id == fresh
            reply = await self._bot_reply(
                conversation.id, owed, retry=not is_fresh, remask=remask if is_fresh else None
            )
            if reply is None:
                await self._bot_unavailable(conversation, back_from_queue)
                return False
            await self._db(self.conversations.answered_by_bot, owed.message_id)
            if back_from_queue is not None:
                await self._say_line(conversation, "bot_back")
                back_from_queue = None
            await self._relay(conversation.id, reply)
            if reply.handoff is not None:  # the rest are for the person
                await self._hand_to_people(conversation, reply.handoff)
                break
        return True

    async def _bot_reply(
        self,
        conversation_id: str,
        owed: BotInput,
        retry: bool,
        remask: list[str] | None = None,
    ) -> BotReply | None:
        """The bot's answer to one message; None when it gave no usable answer."""
        await self.live.to_customer(conversation_id, {"type": "typing", "who": "bot", "on": True})
        try:
            if retry:
                await self.rasa.prepare_retry(conversation_id, owed.message_id)
            asked = time.monotonic()
            reply = await self.rasa.send(
                conversation_id, owed.text, owed.payload, message_id=owed.message_id, remask=remask
            )
            await self.notifier.publish(topics.BOT_REPLY, {"seconds": time.monotonic() - asked})
            return reply
        except BotUnavailable as problem:
            logger.warning("bot unavailable for %s: %s", conversation_id, problem)
            return None
        finally:
            await self.live.to_customer(
                conversation_id, {"type": "typing", "who": "bot", "on": False}
            )

    async def _take_back(self, conversation: Conversation) -> bool:
        """The bot is back: take the conversation from the queue (unless a person was
        quicker) and answer what it owes. Called with the conversation's lock held."""
        waited_since = conversation.waiting_since
        try:
            conversation = await self._move(conversation.id, Event.BOT_RECOVERED)
        except DeskError:  # claimed, or otherwise changed, meanwhile
            return True
        await self._push_state(conversation)
        await self._refresh_waiting_positions()
        return await self._ask_bot(conversation, back_from_queue=waited_since or utc_now())

    async def bring_back(self, conversation_id: str) -> bool:
        """Answer what the bot owes one conversation; False if the bot failed again."""
        if self.locks.busy_here(conversation_id):
            return True  # a customer message is being handled: it takes care of it
        async with self.locks.hold(conversation_id, wait=False) as held:
            if not held:
                return True  # another desk is handling a message: it takes care of it
            conversation = await self._db(self.conversations.get, conversation_id)
            if conversation is None:
                return True
            if bot_takes_back(conversation.status, conversation.reason):
                return await self._take_back(conversation)
            if bot_answers(conversation.status):
                return await self._ask_bot(conversation)
            return True

    async def watch_bot(self) -> None:
        """Forever: when Rasa and the action server answer again, give the bot back
        every conversation it owes answers (the desk's fail-open, undone)."""
        every = max(1, self.settings.desk_bot_check_s)
        pause = every
        while True:
            await asyncio.sleep(pause)
            try:
                if not await self.leadership.leads():
                    continue  # another desk runs this check (once per cluster)
                owed = await self._db(self.conversations.owed_by_bot)
                if not owed or not await self.rasa.ready():
                    continue
                logger.info("the bot answers again: %d conversation(s) to bring back", len(owed))
                pause = every
                for conversation_id in owed:
                    if not await self.bring_back(conversation_id):
                        pause = min(pause * 2, MAX_BOT_CHECK_S)  # still failing: slow down
                        break
            except Exception:  # never let the watch die; the next round tries again
                logger.exception("bringing conversations back to the bot failed")

    async def _relay(self, conversation_id: str, reply: BotReply) -> None:
        for said in reply.messages:
            await self._say(conversation_id, "bot", said["text"], buttons=said["buttons"])

    async def _hand_to_people(self, conversation: Conversation, handoff: dict[str, Any]) -> None:
        escalation_id = handoff.get("escalation_id")
        updated = await self._move(
            conversation.id,
            Event.HANDOFF,
            escalation_id=escalation_id if isinstance(escalation_id, int) else None,
            reason=HandoffReason.parse(handoff.get("reason")).value,
            order_id=handoff.get("order_id") if isinstance(handoff.get("order_id"), str) else None,
            # The bot's slot: what the customer last wrote in, or asked for.
            language=Language.parse(
                handoff.get("language"), Language.parse(conversation.language)
            ).value,
        )
        await self._announce_waiting(updated)

    async def _bot_unavailable(
        self, conversation: Conversation, waiting_since: datetime | None = None
    ) -> None:
        """Fail open: the customer's messages are kept for the bot, people are told.

        With ``waiting_since`` (the bot failed again right after taking the conversation
        back) the customer was told already: it quietly rejoins the queue in its place.
        """
        if waiting_since is None:
            await self._say_line(conversation, "bot_unavailable")
            updated = await self._move(
                conversation.id, Event.BOT_UNAVAILABLE, reason=ASSISTANT_UNAVAILABLE
            )
            await self._announce_waiting(updated)
            return
        updated = await self._move(
            conversation.id,
            Event.BOT_UNAVAILABLE,
            reason=ASSISTANT_UNAVAILABLE,
            waiting_since=waiting_since,
        )
        await self._push_state(updated)
        await self._refresh_waiting_positions()

    async def _announce_waiting(self, conversation: Conversation) -> None:
        position = await self._db(self.conversations.queue_position, conversation)
        if position:
            await self._say_line(conversation, "waiting", True, position=position)
        else:
            await self._say_line(conversation, "waiting_unknown_position", True)
        await self._push_state(conversation)
        await self._tell_staff({"type": "queue"})

    async def _reopen(self, conversation: Conversation) -> Conversation:
        with contextlib.suppress(BotUnavailable):  # the next send fails open as usual
            await self.rasa.hand_back(conversation.id, greet=False)
        return await self._move(conversation.id, Event.REOPEN)

    async def rate(self, conversation: Conversation, score: Any) -> None:
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise DeskError(messages.line("bad_rating", conversation.language))
        if not await self._db(self.conversations.rate, conversation.id, score):
            raise DeskError(messages.line("nothing_to_rate", conversation.language), status=409)
        await self._say_line(conversation, "thanks_for_rating")
        await self._push_state(await self._db(self.conversations.get, conversation.id))
        # The console shows the rating at once, on the open conversation and in the queue.
        await self._tell_staff({"type": "conversation", "conversation_id": conversation.id})
        await self._tell_staff({"type": "queue"})

    # --- staff -------------------------------------------------------------------------

    async def _conversation(self, conversation_id: str) -> Conversation:
        found = await self._db(self.conversations.get, conversation_id)
        if found is None:
            raise DeskError("no such conversation", status=404)
        return found

    async def claim(self, conversation_id: str, agent: Agent) -> Conversation:
        current = await self._conversation(conversation_id)
        if current.status is Status.WITH_AGENT:
            raise DeskError(f"Already claimed by {current.agent_name}", status=409)
        updated = await self._move(conversation_id, Event.CLAIM, agent_id=agent.id)
        await self._say_line(updated, "agent_joined", agent=agent.name)
        await self._push_state(updated)
        await self._refresh_waiting_positions()
        return updated

    def _require_owner(self, conversation: Conversation, agent: Agent) -> None:
        if conversation.status is not Status.WITH_AGENT or conversation.agent_id != agent.id:
            raise DeskError("claim the conversation before replying", status=409)

    async def reply(self, conversation_id: str, agent: Agent, text: str) -> Message:
        conversation = await self._conversation(conversation_id)
        self._require_owner(conversation, agent)
        return await self._say(conversation_id, "agent", self._staff_text(text), author=agent.name)

    async def note(self, conversation_id: str, agent: Agent, text: str) -> Message:
        await self._conversation(conversation_id)
        return await self._say(conversation_id, "note", self._staff_text(text), author=agent.name)

    def _staff_text(self, text: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise DeskError("the message is empty")
        if len(text) > self.settings.desk_max_message_chars:
            raise DeskError("the message is too long")
        return mask_card_data(text.strip()).text

    async def resolve(self, conversation_id: str, agent: Agent, outcome: Any) -> Conversation:
        if not isinstance(outcome, str) or outcome not in messages.OUTCOMES:
            raise DeskError(f"outcome must be one of {', '.join(messages.OUTCOMES)}")
        conversation = await self._conversation(conversation_id)
        if conversation.status is Status.WITH_AGENT and conversation.agent_id != agent.id:
            raise DeskError(f"{conversation.agent_name} has this conversation", status=409)
        updated = await self._move(conversation_id, Event.RESOLVE, outcome=outcome)
        if updated.escalation_id is not None:
            await self._db(self.records.close_escalation, updated.escalation_id, outcome)
        await self._say_line(updated, "resolved", agent=agent.name)
        await self._push_state(updated)
        await self._refresh_waiting_positions()
        return updated

    async def hand_back(self, conversation_id: str, agent: Agent) -> Conversation:
        conversation = await self._conversation(conversation_id)
        if conversation.status is Status.WITH_AGENT and conversation.agent_id != agent.id:
            raise DeskError(f"{conversation.agent_name} has this conversation", status=409)
        try:  # refuse before Rasa runs action_handback on a chat the bot already has
            next_status(conversation.status, Event.HAND_BACK)
        except InvalidTransition as invalid:
            raise DeskError(str(invalid), status=409) from invalid
        try:
            reply = await self.rasa.hand_back(conversation_id, greet=True)
        except BotUnavailable as problem:
            raise DeskError(
                "the assistant is not reachable right now; try again", status=502
            ) from problem
        updated = await self._move(conversation_id, Event.HAND_BACK)
        await self._relay(conversation_id, reply)  # the bot greets the customer back
        await self._push_state(updated)
        await self._refresh_waiting_positions()
        return updated

    # --- shared ------------------------------------------------------------------------

    async def _move(self, conversation_id: str, event: Event, **changes: Any) -> Conversation:
        try:
            updated = await self._db(
                self.conversations.transition, conversation_id, event, **changes
            )
        except Conflict as conflict:
            who = conflict.conversation.agent_name or "someone else"
            raise DeskError(
                f"{who} got there first: it is {conflict.conversation.status.value}", 409
            ) from conflict
        except ValueError as invalid:  # InvalidTransition
            raise DeskError(str(invalid), status=409) from invalid
        if updated.status is not Status.WAITING:
            self._told_waiting.pop(conversation_id, None)  # the next wait starts afresh
        await self.notifier.publish(
            topics.TRANSITION,
            {"conversation_id": conversation_id, "event": event.value,
             "status": updated.status.value, "reason": updated.reason},
        )  # fmt: skip
        await self._tell_staff({"type": "conversation", "conversation_id": conversation_id})
        return updated

    async def _say(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        author: str | None = None,
        buttons: list[dict[str, str]] | None = None,
    ) -> Message:
        """Store a message, then deliver it (notes go to staff only)."""
        message, _ = await self._db(
            self.conversations.add_message, conversation_id, sender, text, author, buttons
        )
        if sender != "note":
            await self.live.to_customer(
                conversation_id, {"type": "message", "message": message.as_json()}
            )
            await self.notifier.publish(
                topics.MESSAGE, {"direction": "out", "sender": sender, "text": text}
            )
        await self._tell_staff_message(conversation_id, message)
        return message

    async def _say_line(
        self,
        conversation: Conversation,
        key: str,
        with_queue_choices: bool = False,
        **values: object,
    ) -> Message:
        """One of the desk's own lines (desk/messages.py), in the conversation's language."""
        language = conversation.language
        buttons = queue_choices(language) if with_queue_choices else None
        text = messages.line(key, language, **values)
        return await self._say(conversation.id, "system", text, buttons=buttons)

    async def _push_state(self, conversation: Conversation) -> None:
        state = await self.customer_state(conversation)
        await self.live.to_customer(conversation.id, {"type": "state", "state": state})

    async def _refresh_waiting_positions(self) -> None:
        for conversation_id in await self._db(self.conversations.waiting_ids):
            conversation = await self._db(self.conversations.get, conversation_id)
            if conversation is not None:
                await self._push_state(conversation)
        await self._tell_staff({"type": "queue"})

    async def _tell_staff_message(self, conversation_id: str, message: Message) -> None:
        await self._tell_staff(
            {"type": "message", "conversation_id": conversation_id, "message": message.as_json()}
        )

    async def _tell_staff(self, event: dict[str, Any]) -> None:
        await self.notifier.publish(topics.STAFF, event)
