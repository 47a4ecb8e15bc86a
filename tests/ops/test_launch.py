"""The launcher's settings for its children: generated secrets, one spec per service."""

from __future__ import annotations

from pathlib import Path

from ops.launch import action_server_spec, desk_spec, rasa_spec, with_secrets
from payhelp.settings import Settings


def test_missing_tokens_are_generated_and_given_ones_kept() -> None:
    first, second = with_secrets(Settings()), with_secrets(Settings())
    assert len(first.rasa_token) >= 40 and len(first.action_server_token) >= 40
    assert first.rasa_token != first.action_server_token
    assert first.rasa_token != second.rasa_token  # random, never a fixed default
    given = with_secrets(Settings(rasa_token="mine", action_server_token="ours"))
    assert (given.rasa_token, given.action_server_token) == ("mine", "ours")


def test_tokens_reach_the_children_by_environment_not_the_command_line(tmp_path: Path) -> None:
    settings = with_secrets(Settings())
    specs = [
        action_server_spec(settings, 7001, tmp_path),
        rasa_spec(settings, tmp_path / "model.tar.gz", 7002, tmp_path),
        desk_spec(settings, 7003, tmp_path),
    ]
    for spec in specs:
        assert spec.env["RASA_TOKEN"] == settings.rasa_token
        assert spec.env["ACTION_SERVER_TOKEN"] == settings.action_server_token
        command = " ".join(spec.command)
        assert settings.rasa_token not in command
        assert settings.action_server_token not in command


def test_a_second_instance_of_a_kind_gets_its_own_name_port_and_log(tmp_path: Path) -> None:
    settings = Settings()
    model = tmp_path / "model.tar.gz"
    first, second = (
        rasa_spec(settings, model, 7002, tmp_path),
        rasa_spec(settings, model, 7012, tmp_path, n=2),
    )
    assert (first.name, second.name) == ("rasa server", "rasa server 2")
    assert (first.log_path.name, second.log_path.name) == ("rasa.log", "rasa-2.log")
    assert "7012" in second.command and second.health_url.endswith(":7012/")


def test_make_run_gets_demo_keys_for_events_and_chat_links_and_prints_the_events_one(
    tmp_path: Path,
) -> None:
    from types import SimpleNamespace

    from ops.launch import banner

    settings = with_secrets(Settings())
    assert settings.payment_events_secret.startswith("whsec_demo_")
    assert len(settings.chat_token_secret) >= 40
    assert with_secrets(Settings()).payment_events_secret != settings.payment_events_secret
    kept = with_secrets(Settings(payment_events_secret="shop's", chat_token_secret="ours"))
    assert (kept.payment_events_secret, kept.chat_token_secret) == ("shop's", "ours")
    assert desk_spec(settings, 7003, tmp_path).env["PAYMENT_EVENTS_SECRET"] == (
        settings.payment_events_secret
    )
    stack = SimpleNamespace(
        settings=settings, desk_url="http://127.0.0.1:8000", rasa_url="http://127.0.0.1:5005",
        log_dir=tmp_path,
    )  # fmt: skip
    shown = banner(stack, None)  # type: ignore[arg-type]
    assert f"PAYMENT_EVENTS_SECRET={settings.payment_events_secret}" in shown
    assert "make outbox" in shown  # no SMTP_HOST: where the emails are
