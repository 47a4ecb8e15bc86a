"""A lease in the database: which process runs a periodic job now, until when.

Several desk processes share one database; each tries to take the lease before the
regular check and only the holder runs it. Taking it is one conditional ``UPDATE`` (the
lease is free, expired, or already ours) or, the first time, an ``INSERT`` that the
primary key lets only one process win. Both are atomic on SQLite and PostgreSQL alike,
with no advisory-lock functions that only one of them has.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from payhelp.store.database import transaction
from payhelp.store.tables import LeaseRow


class Leases:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``."""
        expires = now + ttl
        take = (
            update(LeaseRow)
            .where(
                LeaseRow.name == name,
                or_(LeaseRow.holder == holder, LeaseRow.expires_at <= now),
            )
            .values(holder=holder, expires_at=expires)
        )
        with transaction(self._sessions) as session:
            if session.execute(take).rowcount == 1:
                return True
        try:
            with transaction(self._sessions) as session:
                session.add(LeaseRow(name=name, holder=holder, expires_at=expires))
        except IntegrityError:
            return False  # someone else holds it
        return True

    def release(self, name: str, holder: str, now: datetime) -> None:
        """Give the lease up early (on shutdown), if ``holder`` has it."""
        with transaction(self._sessions) as session:
            session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == name, LeaseRow.holder == holder)
                .values(expires_at=now)
            )
