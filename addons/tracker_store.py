"""Rasa's SQL tracker store with two additions (endpoints.yml names it).

* Card numbers and security codes are masked in every user message it stores,
  whatever path the message came in by (the REST channel masks already; Rasa's HTTP
  API, e.g. ``POST /conversations/<id>/messages``, does not), knowing the conversation:
  a card number split over two messages is masked in both, and the earlier stored
  event is rewritten. Entities and slots holding the masked digits go too.
* On PostgreSQL its connections are checked before use (a dropped one is replaced).
* On SQLite it keeps one pooled connection in WAL mode with ``synchronous=NORMAL``
  instead of opening a new connection, and syncing the disk, for every read and write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool

from payhelp import redaction
from payhelp.core.card_data import (
    CARD_MASK,
    REMASK_KEY,
    MaskedText,
    is_masking_of,
    mask_card_data,
    mask_in_context,
)
from payhelp.store.database import sqlite_pragmas

_RECENT_ROWS = 40  # how far back a rewrite looks among one conversation's events
_DIGITS = re.compile(r"\d")
redaction.install()  # the Rasa server imports this module at start-up (endpoints.yml)


def masked(event: Event) -> Event:
    """A user message with card data masked; any other event unchanged."""
    if not isinstance(event, UserUttered) or not event.text:
        return event
    result = mask_card_data(event.text)
    if not result.found_card_data:
        return event
    return _with_text(event, result)


def _with_text(event: UserUttered, result: MaskedText) -> UserUttered:
    original = event.text or ""
    entities = _surviving(event.entities, original, result.text)
    parse_data = {**(event.parse_data or {}), "text": result.text, "entities": entities}
    metadata = {k: v for k, v in (event.metadata or {}).items() if k != REMASK_KEY}
    return UserUttered(
        result.text,
        event.intent,
        entities,
        parse_data,
        event.timestamp,
        event.input_channel,
        event.message_id,
        metadata,
    )


def _surviving(entities: Sequence[dict[str, Any]], original: str, text: str) -> list[dict]:
    """Entities whose digits are still in the masked text (the others held card data)."""
    return [e for e in entities or [] if not _holds_masked_digits(e.get("value"), original, text)]


def _holds_masked_digits(value: Any, original: str, text: str) -> bool:
    digits = "".join(_DIGITS.findall(str(value)))
    if not digits:
        return False
    return digits in _digits_of(original) and digits not in _digits_of(text)


def _digits_of(text: str) -> str:
    return "".join(_DIGITS.findall(text))


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=SingletonThreadPool, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        elif not self.engine.pool._pre_ping:
            # A server-side disconnect (a PostgreSQL restart, pg_terminate_backend) must
            # cost a reconnect, not a failed read: Rasa's fail-safe wrapper would then
            # carry on with an empty tracker, forgetting the conversation.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def recent_texts(self, sender_id: str) -> tuple[list[str], str | None]:
        """The conversation's latest user texts (oldest first) and the bot's last text."""
        with self.session_scope() as session:
            rows = self._recent_rows(session, sender_id, ("user", "bot"))
            return _texts_from([json.loads(row.data) for row in reversed(rows)])

    def _recent_rows(
        self, session: Session, sender_id: str, types: tuple[str, ...]
    ) -> list[SQLTrackerStore.SQLEvent]:
        return (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name.in_(types))
            .order_by(self.SQLEvent.id.desc())
            .limit(_RECENT_ROWS)
            .all()
        )

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        new = list(super()._additional_events(session, tracker))
        stored = list(tracker.events)[: len(tracker.events) - len(new)]
        out: list[Event] = []
        was: UserUttered | None = None  # the latest user message, as Rasa had it
        for event in new:
            if isinstance(event, UserUttered) and event.text:
                was = event
                event = self._mask_user_message(session, tracker.sender_id, event, stored, out)
            elif isinstance(event, SlotSet) and was is not None:
                event = _slot_without_masked_digits(event, was.text or "", _latest_text(out))
            out.append(masked(event))
        return iter(out)

    def _mask_user_message(
        self,
        session: Session,
        sender_id: str,
        event: UserUttered,
        stored: list[Event],
        batch: list[Event],
    ) -> UserUttered:
        earlier = stored + batch
        previous = [e.text for e in earlier if isinstance(e, UserUttered) and e.text]
        bot_last = next(
            (e.text for e in reversed(earlier) if isinstance(e, BotUttered) and e.text), None
        )
        result = mask_in_context(event.text or "", previous, bot_last)
        claims = (event.metadata or {}).get(REMASK_KEY) or []
        rewrites = [(previous[r.index], r.text) for r in result.earlier]
        rewrites += [(None, claim) for claim in claims if isinstance(claim, str)]
        for was, now in rewrites:
            if not self._rewrite_in_batch(batch, was, now):
                self._rewrite_stored(session, sender_id, was, now)
        if result.current.text == event.text and not claims:
            return event
        return _with_text(event, result.current)

    @staticmethod
    def _rewrite_in_batch(batch: list[Event], was: str | None, now: str) -> bool:
        for position in range(len(batch) - 1, -1, -1):
            event = batch[position]
            if isinstance(event, UserUttered) and _replaces(event.text or "", was, now):
                batch[position] = _with_text(event, MaskedText(now, card_numbers=1))
                return True
        return False

    def _rewrite_stored(self, session: Session, sender_id: str, was: str | None, now: str) -> None:
        """Store ``now`` instead of the latest user message it masks (and its slots)."""
        rows = self._recent_rows(session, sender_id, ("user", "slot"))
        for index, row in enumerate(rows):
            data = json.loads(row.data)
            text = data.get("text") or ""
            if row.type_name != "user" or not _replaces(text, was, now):
                continue
            parse_data = data.get("parse_data") or {}
            entities = _surviving(parse_data.get("entities") or [], text, now)
            data["text"] = now
            data["parse_data"] = {**parse_data, "text": now, "entities": entities}
            row.data = json.dumps(data)
            for slot_row in rows[:index]:  # slots set after that message
                _mask_slot_row(slot_row, text, now)
            return


def _slot_without_masked_digits(event: SlotSet, original: str, text: str) -> SlotSet:
    """A slot filled from digits that were masked in the message (e.g. a "phone")."""
    if isinstance(event.value, str) and _holds_masked_digits(event.value, original, text):
        return SlotSet(event.key, CARD_MASK, event.timestamp, event.metadata)
    return event


def _latest_text(events: list[Event]) -> str:
    return next((e.text or "" for e in reversed(events) if isinstance(e, UserUttered)), "")


def _replaces(text: str, was: str | None, now: str) -> bool:
    if was is not None:
        return text == was
    return text != now and is_masking_of(text, now)


def _mask_slot_row(row: SQLTrackerStore.SQLEvent, original: str, now: str) -> None:
    if row.type_name != "slot":
        return
    data = json.loads(row.data)
    if isinstance(data.get("value"), str) and _holds_masked_digits(data["value"], original, now):
        data["value"] = CARD_MASK
        row.data = json.dumps(data)


def _texts_from(events: list[dict[str, Any]]) -> tuple[list[str], str | None]:
    users = [e["text"] for e in events if e.get("event") == "user" and e.get("text")]
    bots = [e["text"] for e in events if e.get("event") == "bot" and e.get("text")]
    return users, (bots[-1] if bots else None)


async def recent_texts(store: TrackerStore | None, sender_id: str) -> tuple[list[str], str | None]:
    """What :func:`mask_in_context` needs from the conversation so far, from any store."""
    inner = getattr(store, "_tracker_store", store)
    if isinstance(inner, MaskingSQLTrackerStore):
        return inner.recent_texts(sender_id)
    tracker = await store.retrieve(sender_id) if store is not None else None
    if tracker is None:
        return [], None
    return _texts_from([e.as_dict() for e in tracker.events])
