"""Shared fixtures: databases (SQLite and PostgreSQL), demo data, the trained model."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from ops.schema import upgrade_database
from payhelp.imports.demo import demo_document
from payhelp.imports.orders_json import import_document
from payhelp.store.database import make_engine, make_session_factory

# Property tests: few examples in `make test`, many in `make fuzz` (tests/card_formats.py).
settings.register_profile("test", deadline=None, print_blob=True)
settings.register_profile("fuzz", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "test"))

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SKIP_POSTGRES = os.environ.get("PAYHELP_SKIP_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    if SKIP_POSTGRES:
        pytest.skip("PAYHELP_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.__class__.__name__}). "
            "Start it, point TEST_POSTGRES_URL at one, or set PAYHELP_SKIP_POSTGRES=1."
        )
    finally:
        engine.dispose()
    return POSTGRES_URL


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """A throwaway database on the PostgreSQL server; dropped afterwards."""
    name = f"payhelp_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'payhelp.db'}"
        upgrade_database(url)
        yield url
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    for url in _fresh_postgres_database(admin_url):
        upgrade_database(url)
        yield url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    """An SQLite database only, for tests whose subject is not the database."""
    url = f"sqlite:///{tmp_path / 'payhelp.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


DEMO_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def load_demo(sessions: sessionmaker, now: datetime = DEMO_NOW) -> None:
    import_document(sessions, demo_document(now))
