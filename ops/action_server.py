"""The action server, locked: ``python -m ops.action_server``.

rasa_sdk's own app (its /webhook, /actions and /health) with one addition: every call
except /health must carry the shared secret ACTION_SERVER_TOKEN as ``?token=``, which
is how Rasa sends the ``token`` of endpoints.yml's ``action_endpoint``. Without it a
co-hosted process could ask the actions for any order's diagnosis.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Request, Sanic, response
from sanic.response import HTTPResponse

from payhelp.settings import Settings
from payhelp.store.database import make_engine

ACTIONS_PACKAGE = "actions"

# /metrics: Prometheus scrapes it; it carries no customer data (actions/metrics.py).
OPEN_PATHS = frozenset({"/health", "/metrics"})
HEALTH_TIMEOUT_S = 3.0


def require_token(app: Sanic, token: str) -> None:
    """Refuse (401) every request but /health that lacks the shared secret."""
    expected = token.encode()

    @app.on_request
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.args.get("token", "").encode()
        if hmac.compare_digest(given, expected):
            return None
        return response.json(
            {"error": "this action server only answers calls carrying its token"}, status=401
        )


def check_database_on_health(app: Sanic, database_url: str) -> None:
    """/health answers 503 when the orders database does not (rasa_sdk's own /health
    only says the process is up)."""
    engine = make_engine(database_url)

    def ping() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    @app.on_request
    async def health_with_database(request: Request) -> HTTPResponse | None:
        if request.path != "/health":
            return None
        try:
            await asyncio.wait_for(asyncio.to_thread(ping), timeout=HEALTH_TIMEOUT_S)
        except Exception as problem:  # any failure is the answer
            return response.json(
                {"status": "unavailable",
                 "checks": {"database": f"unreachable ({problem.__class__.__name__})"}},
                status=503,
            )  # fmt: skip
        return response.json({"status": "ok", "checks": {"database": "ok"}})


def create_action_app(token: str, database_url: str | None = None) -> Sanic:
    if not token:
        raise ValueError("the action server needs ACTION_SERVER_TOKEN")
    app = create_app(ACTIONS_PACKAGE, cors_origins="")  # only Rasa calls it: no CORS
    if database_url:
        check_database_on_health(app, database_url)
    require_token(app, token)

    @app.get("/metrics")
    async def metrics(request: Request) -> HTTPResponse:
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main() -> int:
    settings = Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s  %(message)s"
    )
    if not settings.action_server_token:
        print(
            "ACTION_SERVER_TOKEN is not set: start the product with `make run`, which "
            "generates one, or set it (and the same value reaches Rasa via endpoints.yml).",
            file=sys.stderr,
        )
        return 2
    app = create_action_app(settings.action_server_token, settings.database_url)
    app.run(
        settings.host,
        settings.action_port,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
