import pytest

from payhelp.settings import Settings


def test_defaults_need_no_server() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.tracker_store_url.startswith("sqlite:///")
    assert settings.payment_methods[0] == "card"
    assert settings.shop_timezone == "UTC"


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "SHOP_PAYMENT_METHODS": "paypal, card",
            "PENDING_WAIT_MINUTES": "45",
            "OUTAGE_MIN_FAILURE_RATIO": "0.8",
            "DESK_ALLOWED_ORIGINS": "https://shop.example,https://m.shop.example",
            "SHOP_TIMEZONE": "Asia/Shanghai",
        }
    )
    assert str(settings.shop_zone) == "Asia/Shanghai"
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.payment_methods == ("paypal", "card")
    assert settings.diagnosis.pending_wait_minutes == 45
    assert settings.diagnosis.outage_min_failure_ratio == 0.8
    assert settings.desk_allowed_origins == ("https://shop.example", "https://m.shop.example")


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("PENDING_WAIT_MINUTES", "soon", "whole number"),
        ("RASA_PORT", "-1", "must not be negative"),
        ("OUTAGE_MIN_FAILURE_RATIO", "2", "between 0 and 1"),
        ("SHOP_TIMEZONE", "Mars/Olympus", "time zone name"),
        ("SHOP_TIMEZONE", "../../etc/passwd", "time zone name"),
    ],
)
def test_bad_values_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"{name}.*{message}"):
        Settings.from_env({name: value})


def test_to_env_round_trips() -> None:
    custom = Settings(
        database_url="sqlite:////tmp/x.db",
        rasa_port=6005,
        payment_methods=("card",),
        shop_timezone="Europe/Berlin",
    )
    assert Settings.from_env(custom.to_env()) == custom
