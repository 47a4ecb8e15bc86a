"""The import validator on any JSON (hypothesis): a clear rejection naming what is wrong,
or a complete import; never a crash, never a partial write."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import sessionmaker

from ops.schema import upgrade_database
from payhelp.imports.orders_json import ImportRejected, import_document
from payhelp.store.database import make_engine, make_session_factory
from tests.card_formats import examples
from tests.db.test_import import SPEC_EXAMPLE, snapshot

pytestmark = pytest.mark.property

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*path, index))


ALL_PATHS = [p for p in _paths(SPEC_EXAMPLE) if p]


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """The spec's example with a few fields replaced by any JSON, or removed."""
    document = copy.deepcopy(SPEC_EXAMPLE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the way there
    return document


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> sessionmaker:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('import-fuzz')) / 'db.sqlite'}"
    upgrade_database(url)
    return make_session_factory(make_engine(url))


def _all_or_nothing(sessions: sessionmaker, document: Any) -> None:
    before = snapshot(sessions)
    try:
        summary = import_document(sessions, document)
    except ImportRejected as rejected:
        assert rejected.problems and all(isinstance(p, str) and p for p in rejected.problems)
        assert "Traceback" not in str(rejected)
        assert snapshot(sessions) == before, "a rejected import wrote something"
        return
    after = snapshot(sessions)
    documents = document if isinstance(document, list) else [document]
    for part in documents:  # everything the document holds is there
        customers = {c["id"] for c in part.get("customers", [])}
        orders = {o["id"] for o in part.get("orders", [])}
        assert customers <= {row[0] for row in after["customers"]}
        assert orders <= {row[0] for row in after["orders"]}
    assert summary.customers + summary.orders >= 0


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=json_values)
def test_any_json_is_rejected_clearly_or_imported(sessions: sessionmaker, document: Any) -> None:
    _all_or_nothing(sessions, document)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=mutated_documents())
def test_a_damaged_document_is_rejected_whole_or_imported_whole(
    sessions: sessionmaker, document: Any
) -> None:
    _all_or_nothing(sessions, document)
