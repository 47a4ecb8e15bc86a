"""The action server, locked: ``python -m ops.action_server``.

rasa_sdk's own app (its /webhook, /actions and /health) with one addition: every call
except /health must carry the shared secret ACTION_SERVER_TOKEN as ``?token=``, which
is how Rasa sends the ``token`` of endpoints.yml's ``action_endpoint``. Without it a
co-hosted process could ask the actions for any order's diagnosis.
"""

from __future__ import annotations

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

ACTIONS_PACKAGE = "actions"

# /metrics: Prometheus scrapes it; it carries no customer data (actions/metrics.py).
OPEN_PATHS = frozenset({"/health", "/metrics"})


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


def create_action_app(token: str) -> Sanic:
    if not token:
        raise ValueError("the action server needs ACTION_SERVER_TOKEN")
    app = create_app(ACTIONS_PACKAGE, cors_origins="")  # only Rasa calls it: no CORS
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
    app = create_action_app(settings.action_server_token)
    app.run(
        settings.host,
        settings.action_port,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
