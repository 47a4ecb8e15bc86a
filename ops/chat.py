"""A terminal chat with the running bot over the REST channel: ``make chat``."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid

from payhelp.settings import Settings


def send(url: str, sender: str, text: str, payload: bool = False) -> list[dict]:
    message = {"sender": sender, "message": text}
    if payload:  # a button the bot offered: Rasa reads it as an intent (addons/typed_text.py)
        message["metadata"] = {"payload": True}
    body = json.dumps(message).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)


def show(message: dict, buttons: list[str]) -> None:
    """Print a bot message; its buttons are numbered and their payloads kept in ``buttons``."""
    if message.get("text"):
        print(f"bot> {message['text']}")
    for button in message.get("buttons") or []:
        buttons.append(button["payload"])
        print(f"       [{len(buttons)}] {button['title']}")
    if message.get("custom"):
        print(f"bot> (payload) {json.dumps(message['custom'])}")


def main() -> int:
    settings = Settings.from_env()
    url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    print(
        f"Chatting as {sender}. Try: my payment failed  (demo orders: see README). "
        "Type a button's number to press it. Ctrl-D to quit."
    )
    buttons: list[str] = []
    while True:
        try:
            text = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            continue
        pressed = (
            buttons[int(text) - 1] if text.isdigit() and 0 < int(text) <= len(buttons) else None
        )
        try:
            replies = send(url, sender, pressed or text, payload=pressed is not None)
            buttons = []
            for message in replies:
                show(message, buttons)
        except urllib.error.HTTPError as error:
            print(f"(the bot answered {error.code}: {error.read().decode(errors='replace')})")
        except urllib.error.URLError:
            print("(the bot is not running: start it with `make run` in another terminal)")


if __name__ == "__main__":
    sys.exit(main())
