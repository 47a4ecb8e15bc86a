"""Staff accounts (argon2-hashed passwords) and their login sessions.

A session is a random token in an HttpOnly cookie; only its hash is stored. Each
session has its own CSRF token, which state-changing requests must echo back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
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


class Role(str, Enum):
    """What a staff account may do: agents work conversations; admins also operate
    (channel health, analytics, staff accounts, channel maintenance)."""

    AGENT = "agent"
    ADMIN = "admin"


@dataclass(frozen=True)
class Agent:
    id: int
    username: str
    name: str
    role: Role = Role.AGENT

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class Account:
    """A staff account as the admin screen lists it."""

    agent: Agent
    active: bool
    created_at: datetime


def _agent(row: StaffRow) -> Agent:
    return Agent(row.id, row.username, row.display_name, Role(row.role))


def _role(value: object) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise AccountError(f"the role must be one of {', '.join(r.value for r in Role)}") from exc


def _check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 200:
        raise AccountError("the password can be at most 200 characters")
    return password


@dataclass(frozen=True)
class StaffSession:
    agent: Agent
    csrf_token: str


class StaffAccounts:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def create(
        self, username: str, name: str, password: str, role: Role | str = Role.AGENT
    ) -> Agent:
        if not isinstance(username, str) or not isinstance(name, str):
            raise AccountError("a username and a display name are needed")
        username = username.strip().lower()
        if not username or not name.strip():
            raise AccountError("a username and a display name are needed")
        if len(username) > 80 or len(name.strip()) > 80:
            raise AccountError("usernames and display names can be at most 80 characters")
        row = StaffRow(
            username=username,
            display_name=name.strip(),
            password_hash=_hasher.hash(_check_password(password)),
            active=True,
            role=_role(role).value,
        )
        try:
            with transaction(self._sessions) as session:
                session.add(row)
                session.flush()
                return _agent(row)
        except IntegrityError as exc:
            raise AccountError(f"the username {username!r} is taken") from exc

    def accounts(self) -> list[Account]:
        """Every account, active or not, oldest first."""
        with transaction(self._sessions) as session:
            rows = session.execute(select(StaffRow).order_by(StaffRow.id)).scalars().all()
            return [Account(_agent(r), bool(r.active), r.created_at) for r in rows]

    def set_active(self, staff_id: int, active: bool) -> Account:
        """Enable or disable an account; a disabled one loses its sessions at once.
        The last active admin cannot be disabled."""
        with transaction(self._sessions) as session:
            row = self._row(session, staff_id)
            if not active and row.role == Role.ADMIN.value and row.active:
                admins = session.execute(
                    select(func.count(StaffRow.id)).where(
                        StaffRow.role == Role.ADMIN.value, StaffRow.active.is_(True)
                    )
                ).scalar_one()
                if admins <= 1:
                    raise AccountError("the last active admin cannot be disabled")
            row.active = active
            if not active:
                session.execute(delete(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id))
            return Account(_agent(row), bool(row.active), row.created_at)

    def reset_password(self, staff_id: int, password: str) -> Account:
        """A new password; the account's open sessions end."""
        hashed = _hasher.hash(_check_password(password))
        with transaction(self._sessions) as session:
            row = self._row(session, staff_id)
            row.password_hash = hashed
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id))
            return Account(_agent(row), bool(row.active), row.created_at)

    @staticmethod
    def _row(session: object, staff_id: int) -> StaffRow:
        row = session.get(StaffRow, staff_id)  # type: ignore[attr-defined]
        if row is None:
            raise LookupError("no such staff account")
        return row

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
            return _agent(row)

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
            return StaffSession(_agent(staff), stored.csrf_token)

    def close_session(self, token: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(
                delete(StaffSessionRow).where(StaffSessionRow.token_hash == token_hash(token))
            )
