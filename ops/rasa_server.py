"""Start the Rasa server: ``python -m ops.rasa_server <rasa run arguments>``.

The same as ``rasa run``, with ``--auth-token`` taken from RASA_TOKEN in the
environment, so the token never appears in the process list.
"""

from __future__ import annotations

import sys

from payhelp.settings import Settings


def main() -> None:
    token = Settings.from_env().rasa_token
    # "--auth-token=<token>": a random token may begin with "-", which argparse would
    # otherwise take for an option ("expected one argument").
    sys.argv = ["rasa", "run", *sys.argv[1:], *([f"--auth-token={token}"] if token else [])]
    from rasa.__main__ import main as rasa_main  # heavy: imported only when starting

    rasa_main()


if __name__ == "__main__":
    main()
