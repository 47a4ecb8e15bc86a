"""Start the Rasa server: ``python -m ops.rasa_server <rasa run arguments>``.

The same as ``rasa run``, with two additions:

* ``--auth-token`` is taken from RASA_TOKEN in the environment, so the token never
  appears in the process list;
* ``GET /health`` checks what this server depends on: the model is loaded, the
  tracker store's database answers and the lock store (Redis in scaled mode) answers.
  200 with each check's result, or 503 naming the one that failed.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from payhelp.settings import Settings

HEALTH_TIMEOUT_S = 3.0


def _sql_engine(tracker_store: Any) -> Any:
    """The SQLAlchemy engine under Rasa's wrappers of the tracker store, if any."""
    seen = 0
    while tracker_store is not None and seen < 5:
        engine = getattr(tracker_store, "engine", None)
        if engine is not None:
            return engine
        tracker_store = getattr(tracker_store, "_tracker_store", None)
        seen += 1
    return None


def _ping_database(engine: Any) -> None:
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


async def dependency_checks(agent: Any) -> dict[str, str]:
    """Each dependency: "ok", or what is wrong with it."""
    checks: dict[str, str] = {}
    checks["model"] = "ok" if agent is not None and agent.is_ready() else "not loaded"
    engine = _sql_engine(getattr(agent, "tracker_store", None))
    if engine is not None:
        try:
            await asyncio.wait_for(
                asyncio.to_thread(_ping_database, engine), timeout=HEALTH_TIMEOUT_S
            )
            checks["tracker_store"] = "ok"
        except Exception as problem:  # any failure is the answer
            checks["tracker_store"] = f"unreachable ({problem.__class__.__name__})"
    ping = getattr(getattr(agent, "lock_store", None), "ping", None)
    if ping is not None:
        try:
            await asyncio.wait_for(ping(), timeout=HEALTH_TIMEOUT_S)
            checks["lock_store"] = "ok"
        except Exception as problem:
            checks["lock_store"] = f"unreachable ({problem.__class__.__name__})"
    return checks


def add_health_route(app: Any) -> Any:
    from sanic import response

    @app.get("/health")
    async def health(request: Any) -> Any:
        checks = await dependency_checks(getattr(request.app.ctx, "agent", None))
        healthy = all(value == "ok" for value in checks.values())
        return response.json(
            {"status": "ok" if healthy else "unavailable", "checks": checks},
            status=200 if healthy else 503,
        )

    return app


def _with_health(configure_app: Any) -> Any:
    def configure(*args: Any, **kwargs: Any) -> Any:
        return add_health_route(configure_app(*args, **kwargs))

    return configure


def main() -> None:
    token = Settings.from_env().rasa_token
    # "--auth-token=<token>": a random token may begin with "-", which argparse would
    # otherwise take for an option ("expected one argument").
    sys.argv = ["rasa", "run", *sys.argv[1:], *([f"--auth-token={token}"] if token else [])]
    import rasa.core.run  # heavy: imported only when starting
    from rasa.__main__ import main as rasa_main

    rasa.core.run.configure_app = _with_health(rasa.core.run.configure_app)
    rasa_main()


if __name__ == "__main__":
    main()
