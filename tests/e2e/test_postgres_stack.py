"""The same product with orders and the tracker store in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from payhelp.settings import Settings
from payhelp.store.database import make_engine
from tests.conftest import _fresh_postgres_database
from tests.e2e.conftest import Bot, free_port, start_bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_bot(postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    for orders_url in _fresh_postgres_database(postgres_admin_url):
        for tracker_url in _fresh_postgres_database(postgres_admin_url):
            settings = Settings(
                database_url=orders_url,
                tracker_store_url=tracker_url,
                rasa_port=free_port(),
                action_port=free_port(),
            )
            yield from start_bot(settings, Path(tmp_path_factory.mktemp("pg-stack")) / "logs")


def test_diagnosis_and_tracker_store_on_postgres(pg_bot: Bot) -> None:
    sender, _ = pg_bot.conversation("I was charged twice", "ORD-10009", "amara@example.com")
    assert pg_bot.tracker(sender)["slots"]["payment_cause"] == "transaction_anomaly"
    engine = make_engine(pg_bot.settings.tracker_store_url)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar_one()
    engine.dispose()
    assert stored > 10
    engine = make_engine(pg_bot.settings.database_url)
    with engine.connect() as connection:
        reason = connection.execute(
            text("SELECT payment_cause FROM escalations WHERE conversation_id = :s"), {"s": sender}
        ).scalar_one()
    engine.dispose()
    assert reason == "transaction_anomaly"
