"""What scaled mode (more than one process of a kind) needs before anything starts.

Several processes can only share state that lives outside them: both databases on
PostgreSQL, and Redis for Rasa's lock store, the desks' live events, their locks and
their rate limits. :func:`require_shared_backends` refuses anything else with a message
that says what to set; :func:`ensure_postgres_database` creates a missing database and
:func:`prepare_tracker_store` creates Rasa's tracker table once, before several Rasa
servers would race to create it.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from payhelp.settings import Settings


class NotScalable(RuntimeError):
    """Settings that several processes of a kind cannot run on."""


def require_shared_backends(settings: Settings) -> None:
    """With more than one instance of anything: PostgreSQL twice and Redis, or refuse."""
    if not settings.scaled:
        return
    counts = (
        f"RASA_INSTANCES={settings.rasa_instances}, ACTION_INSTANCES="
        f"{settings.action_instances}, DESK_INSTANCES={settings.desk_instances}"
    )
    problems = []
    for name, url in (
        ("DATABASE_URL", settings.database_url),
        ("TRACKER_STORE_URL", settings.tracker_store_url),
    ):
        backend = make_url(url).get_backend_name()
        if backend != "postgresql":
            problems.append(
                f"{name} is {backend} ({url}); several processes need PostgreSQL, "
                f"e.g. {name}=postgresql://postgres@127.0.0.1:5432/payhelp"
            )
    if not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL is not set; several processes need Redis, e.g. "
                        "REDIS_URL=redis://127.0.0.1:6379/0")  # fmt: skip
    if problems:
        raise NotScalable(
            f"Scaled mode ({counts}) cannot start:\n  - " + "\n  - ".join(problems)
            + "\n(`make run-scaled` sets all of these for the servers on this machine; "
            "one instance of each runs on SQLite without Redis.)"
        )  # fmt: skip


def ensure_postgres_database(url: str) -> bool:
    """Create the PostgreSQL database ``url`` names if it does not exist; True if made."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            ).first()
            if exists:
                return False
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
            return True
    finally:
        admin.dispose()


def prepare_tracker_store(url: str) -> None:
    """Rasa's events table, created once (several Rasa servers would race to create it)."""
    if make_url(url).get_backend_name() == "sqlite":
        return  # one Rasa server: it creates its own file
    from rasa.core.tracker_store import SQLTrackerStore  # heavy: only when needed

    engine = create_engine(url)
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()
