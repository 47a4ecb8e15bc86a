"""The launcher's settings for its children: generated secrets, one spec per service."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.launch import action_server_spec, all_specs, desk_spec, rasa_spec, with_secrets
from ops.scaled import NotScalable, require_shared_backends
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
    assert "7012" in second.command and second.health_url.endswith(":7012/health")


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


def test_scaled_mode_starts_every_instance_on_its_own_port(tmp_path: Path) -> None:
    settings = Settings(
        rasa_instances=2, action_instances=2, desk_instances=3,
        rasa_port=7100, action_port=7200, desk_port=7300,
    )  # fmt: skip
    specs = {spec.name: spec for spec in all_specs(settings, tmp_path / "m.tar.gz", tmp_path)}
    assert sorted(specs) == sorted([
        "action server", "action server 2", "rasa server", "rasa server 2",
        "desk", "desk 2", "desk 3",
    ])  # fmt: skip
    assert specs["desk 3"].env["DESK_PORT"] == "7302"
    assert specs["action server 2"].env["ACTION_PORT"] == "7201"
    assert "7101" in specs["rasa server 2"].command
    # Rasa server i calls action server i.
    assert specs["rasa server"].env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:7200/webhook"
    assert specs["rasa server 2"].env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:7201/webhook"
    assert {spec.health_url.rsplit("/", 1)[1] for spec in specs.values()} == {"health"}


PG = "postgresql://postgres@127.0.0.1:5432/x"


@pytest.mark.parametrize(
    "changes,named",
    [
        ({}, ["DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL"]),
        ({"database_url": PG, "tracker_store_url": PG}, ["REDIS_URL"]),
        ({"tracker_store_url": PG, "redis_url": "redis://127.0.0.1:6379/0"}, ["DATABASE_URL"]),
    ],
)
def test_scaled_mode_refuses_sqlite_and_a_missing_redis(changes: dict, named: list[str]) -> None:
    settings = Settings(desk_instances=2, **changes)
    with pytest.raises(NotScalable) as refusal:
        require_shared_backends(settings)
    message = str(refusal.value)
    assert "DESK_INSTANCES=2" in message
    for name in ["DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL"]:
        assert (f"- {name}" in message) == (name in named), name


def test_one_instance_of_each_runs_on_sqlite_and_scaled_mode_on_postgres_and_redis() -> None:
    require_shared_backends(Settings())  # the default: no refusal
    require_shared_backends(
        Settings(rasa_instances=2, database_url=PG, tracker_store_url=PG,
                 redis_url="redis://127.0.0.1:6379/0")
    )  # fmt: skip
