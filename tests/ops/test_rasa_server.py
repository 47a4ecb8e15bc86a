"""Rasa's start-up passes its token so that one beginning with "-" still parses."""

from __future__ import annotations

import argparse
import sys

import rasa.__main__

from ops import rasa_server


def test_a_token_beginning_with_a_dash_reaches_rasa_whole(monkeypatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setenv("RASA_TOKEN", "-Xy_3z")  # secrets.token_urlsafe can start like this
    monkeypatch.setattr(sys, "argv", ["ops.rasa_server", "--port", "5005"])
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.append(list(sys.argv)))
    rasa_server.main()
    [argv] = seen
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    parser.add_argument("--port")
    parsed, _ = parser.parse_known_args(argv[2:])
    assert parsed.auth_token == "-Xy_3z" and parsed.port == "5005"
