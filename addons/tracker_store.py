"""Rasa's SQL tracker store with two additions (endpoints.yml names it).

* Card numbers and security codes are masked in every user message it stores,
  whatever path the message came in by (the REST channel masks already; Rasa's HTTP
  API, e.g. ``POST /conversations/<id>/messages``, does not).
* On SQLite it keeps one pooled connection in WAL mode with ``synchronous=NORMAL``
  instead of opening a new connection, and syncing the disk, for every read and write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import Session
from sqlalchemy.pool import SingletonThreadPool

from payhelp.core.card_data import mask_card_data
from payhelp.store.database import sqlite_pragmas


def masked(event: Event) -> Event:
    """A user message with card data masked; any other event unchanged."""
    if not isinstance(event, UserUttered) or not event.text:
        return event
    result = mask_card_data(event.text)
    if not result.found_card_data:
        return event
    parse_data = {**(event.parse_data or {}), "text": result.text}
    return UserUttered(
        result.text,
        event.intent,
        event.entities,
        parse_data,
        event.timestamp,
        event.input_channel,
        event.message_id,
        event.metadata,
    )


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

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield masked(event)
