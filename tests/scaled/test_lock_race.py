"""Two Rasa servers never hold one conversation's lock at once with the lock store
endpoints.yml names; with Rasa 3.6's RedisLockStore they do (RasaHQ/rasa#9213), which
shows the measurement catches the race it claims to close."""

from __future__ import annotations

import pytest
import yaml

from ops.lock_race import measure
from payhelp.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_endpoints_use_the_atomic_lock_store() -> None:
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    assert endpoints["lock_store"]["type"] == "addons.lock_store.AtomicRedisLockStore"


def test_the_atomic_lock_store_never_lets_two_servers_in(redis_server) -> None:
    result = measure("atomic", redis_server.url, processes=4, rounds=40)
    assert result.locks_taken == 4 * 40
    assert (result.overlaps, result.lock_errors) == (0, 0)


def test_rasas_redis_lock_store_lets_two_servers_in(redis_server) -> None:
    result = measure("rasa", redis_server.url, processes=4, rounds=40)
    assert result.overlaps + result.lock_errors > 0, result


def test_without_redis_it_is_rasas_in_memory_lock_store() -> None:
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    from addons.lock_store import AtomicRedisLockStore

    store = LockStore.create(EndpointConfig(url="", type="addons.lock_store.AtomicRedisLockStore"))
    assert isinstance(store, AtomicRedisLockStore) and store.url == ""
