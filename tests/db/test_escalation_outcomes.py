"""Escalation outcomes are stored whole, and the migration repairs rows that were cut."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from ops.schema import alembic_config, upgrade_database
from payhelp.store.database import make_engine, make_session_factory
from payhelp.store.records import AssistantRecords, Escalation
from tests.conftest import _fresh_postgres_database

OUTCOMES = ["paid", "refund_arranged", "callback_arranged", "explained", "unresolved"]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'payhelp.db'}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_admin_url"))


def test_every_outcome_is_stored_whole(sessions) -> None:
    records = AssistantRecords(sessions)
    for outcome in OUTCOMES:
        escalation_id = records.add_escalation(Escalation("web-1", "needs_staff"))
        records.close_escalation(escalation_id, outcome)
        assert records.escalation(escalation_id).status == f"resolved:{outcome}"


def test_an_outcome_too_long_to_store_is_refused_not_cut(sessions) -> None:
    records = AssistantRecords(sessions)
    escalation_id = records.add_escalation(Escalation("web-1", "needs_staff"))
    with pytest.raises(ValueError, match="does not fit"):
        records.close_escalation(escalation_id, "x" * 40)
    assert records.escalation(escalation_id).status == "open"


def test_the_migration_repairs_outcomes_cut_to_16_characters(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0003")  # the schema as it was, with status VARCHAR(16)
    engine = make_engine(empty_database)
    cut = ["open"] + [f"resolved:{outcome}"[:16] for outcome in OUTCOMES]
    with engine.begin() as connection:
        for status in cut:
            connection.execute(
                text(
                    "INSERT INTO escalations (conversation_id, reason, evidence, tried, status,"
                    " created_at) VALUES ('web-1', 'needs_staff', '[]', '[]', :status,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"status": status},
            )
    upgrade_database(empty_database)
    with engine.connect() as connection:
        repaired = connection.execute(text("SELECT status FROM escalations ORDER BY id")).scalars()
        assert list(repaired) == ["open"] + [f"resolved:{outcome}" for outcome in OUTCOMES]
    # And the widened column takes a whole outcome from now on.
    records = AssistantRecords(make_session_factory(engine))
    records.close_escalation(1, "callback_arranged")
    assert records.escalation(1).status == "resolved:callback_arranged"
    engine.dispose()
