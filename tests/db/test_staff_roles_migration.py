"""Migration 0007 gives staff accounts a role; an existing install's oldest account
becomes the admin, the others stay agents (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from ops.schema import alembic_config, upgrade_database
from payhelp.store.database import make_engine
from tests.conftest import _fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'payhelp.db'}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_admin_url"))


def test_the_oldest_account_becomes_the_admin(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0008")  # before roles
    engine = make_engine(empty_database)
    with engine.begin() as connection:
        for name in ("alex", "sam", "kim"):
            connection.execute(
                text(
                    "INSERT INTO staff (username, display_name, password_hash, active,"
                    " created_at) VALUES (:n, :n, 'x', :yes, CURRENT_TIMESTAMP)"
                ),
                {"n": name, "yes": True},
            )
    upgrade_database(empty_database)
    with engine.connect() as connection:
        roles = connection.execute(text("SELECT username, role FROM staff ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in roles] == [("alex", "admin"), ("sam", "agent"), ("kim", "agent")]
