"""Run the desk: ``python -m desk`` (settings from the environment)."""

from __future__ import annotations

import logging

from desk.app import create_app
from payhelp import redaction
from payhelp.settings import Settings


def configure_logging(level: str) -> None:
    """The desk's log format; and no card number in any of its log lines."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s  %(message)s")
    redaction.install()


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.run(host=settings.host, port=settings.desk_port, access_log=False, debug=False)


if __name__ == "__main__":
    main()
