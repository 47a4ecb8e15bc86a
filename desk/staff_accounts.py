"""Staff accounts (argon2-hashed passwords) and their login sessions.

A session is a random token in an HttpOnly cookie; only its hash is stored. Each
session has its own CSRF token, which state-changing requests must echo back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from desk.conversations import token_hash
from desk.tables import StaffRow, StaffSessionRow
from payhelp.store.database import transaction
from payhelp.store.tables import utc_now

_hasher = PasswordHasher()
# Verified when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A staff account could not be created; the message says why."""


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    name: str


@dataclass(frozen=True)
class StaffSession:
    agent: Agent
    csrf_token: str


class StaffAccounts:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def create(self, username: str, name: str, password: str) -> Agent:
        username = username.strip().lower()
        if not username or not name.strip():
            raise AccountError("a username and a display name are needed")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
        row = StaffRow(
            username=username,
            display_name=name.strip(),
            password_hash=_hasher.hash(password),
            active=True,
        )
        try:
            with transaction(self._sessions) as session:
                session.add(row)
                session.flush()
                return Agent(row.id, row.username, row.display_name)
        except IntegrityError as exc:
            raise AccountError(f"the username {username!r} is taken") from exc

    def count(self) -> int:
        with transaction(self._sessions) as session:
            return len(session.execute(select(StaffRow.id)).all())

    def authenticate(self, username: str, password: str) -> Agent | None:
        query = select(StaffRow).where(
            StaffRow.username == username.strip().lower(), StaffRow.active.is_(True)
        )
        with transaction(self._sessions) as session:
            row = session.execute(query).scalar_one_or_none()
            stored = row.password_hash if row else _DUMMY_HASH
            try:
                _hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if row is None:
                return None
            if _hasher.check_needs_rehash(stored):
                row.password_hash = _hasher.hash(password)
            return Agent(row.id, row.username, row.display_name)

    def open_session(self, agent: Agent, hours: int) -> tuple[str, str]:
        """A new session for ``agent``: ``(cookie token, csrf token)``."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        now = utc_now()
        with transaction(self._sessions) as session:
            session.add(
                StaffSessionRow(
                    token_hash=token_hash(token),
                    staff_id=agent.id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
        return token, csrf

    def session(self, token: str) -> StaffSession | None:
        """The live session for a cookie token; expired sessions are removed."""
        now = utc_now()
        query = (
            select(StaffSessionRow, StaffRow)
            .join(StaffRow, StaffSessionRow.staff_id == StaffRow.id)
            .where(StaffSessionRow.token_hash == token_hash(token), StaffRow.active.is_(True))
        )
        with transaction(self._sessions) as session:
            found = session.execute(query).first()
            if found is None:
                return None
            stored, staff = found
            if stored.expires_at <= now:
                session.delete(stored)
                return None
            return StaffSession(
                Agent(staff.id, staff.username, staff.display_name), stored.csrf_token
            )

    def close_session(self, token: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(
                delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash(token))
            )
