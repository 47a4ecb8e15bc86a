"""All configuration, read once from environment variables with documented defaults.

Every tunable of the product lives here; the README's configuration table mirrors
this file. Nothing else in the code base reads ``os.environ`` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"

DEFAULT_PAYMENT_METHODS = (
    "card",
    "paypal",
    "apple_pay",
    "google_pay",
    "alipay",
    "wechat_pay",
    "bank_transfer",
)


def shop_zone(name: str) -> tzinfo:
    """The time zone called ``name``; UTC needs no time zone database on the machine."""
    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{VAR_DIR / name}"


@dataclass(frozen=True)
class DiagnosisPolicy:
    """Thresholds the diagnosis uses; see payhelp.core.diagnosis."""

    # A payment pending for less than this is normal bank processing.
    pending_wait_minutes: int = 30
    # Channel-outage detection: failures on one payment method inside the window.
    outage_window_minutes: int = 30
    outage_min_failures: int = 5
    outage_min_orders: int = 3
    outage_min_failure_ratio: float = 0.5
    # How many platform-side failures on one order count as "persisting".
    persisting_platform_failures: int = 2
    # Refunds normally reach the customer within this many days.
    refund_arrival_days: int = 10


@dataclass(frozen=True)
class Settings:
    """The product's configuration; build it with :meth:`from_env`."""

    database_url: str = field(default_factory=lambda: _sqlite_url("payhelp.db"))
    tracker_store_url: str = field(default_factory=lambda: _sqlite_url("tracker.db"))
    shop_name: str = "Northwind Shop"
    # The shop's local time: callback windows ("tomorrow morning") are read in it.
    shop_timezone: str = "UTC"
    payment_methods: tuple[str, ...] = DEFAULT_PAYMENT_METHODS
    identity_max_attempts: int = 3
    # Failed identity checks on one order id (from any conversation) per hour
    # before the bot stops verifying that order and offers a person instead.
    identity_order_failures_per_hour: int = 5
    misunderstandings_before_handoff: int = 3
    diagnosis: DiagnosisPolicy = field(default_factory=DiagnosisPolicy)
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    desk_port: int = 8000
    # Shared secrets of the internal APIs: Rasa's HTTP API (--auth-token) and the
    # action server (the action endpoint's token). `make run` generates each one
    # that is not set; see ops.launch.with_secrets.
    rasa_token: str = ""
    action_server_token: str = ""
    log_level: str = "INFO"
    # Where the launcher's children (and `make run`'s set-up steps) write their logs.
    log_dir: str = field(default_factory=lambda: str(VAR_DIR / "logs"))
    # The desk (support console and chat widget).
    desk_session_hours: int = 8
    desk_allowed_origins: tuple[str, ...] = ("*",)
    desk_rasa_timeout_s: int = 10
    # How often the desk checks whether the bot is back after failing open.
    desk_bot_check_s: int = 5
    desk_messages_per_minute: int = 20
    desk_max_message_chars: int = 2000
    # New chats per client address per minute (POST /api/chat/start).
    desk_chat_starts_per_minute: int = 30
    # Reverse proxies in front of the desk whose X-Forwarded-For/-Proto it trusts (0: none).
    # Behind a TLS proxy set 1: staff cookies are then Secure and limits see the client.
    desk_proxies: int = 0
    # Live payment events (POST /api/payment-events): the HMAC key the shop signs them
    # with. Unset: the endpoint is off (404). `make run` sets a demo one.
    payment_events_secret: str = ""
    # Proactive failure notices: at most one per order in this many hours, sent only
    # after this many minutes (a success in between cancels it).
    notice_min_hours: int = 6
    notice_delay_minutes: int = 5
    # The key that signs chat links in emails and that the shop's backend signs its
    # widget identity tokens with (desk/API.md). Unset: no links, tokens ignored.
    chat_token_secret: str = ""
    # Where customers reach the desk (chat links in emails); empty: http://HOST:DESK_PORT.
    desk_public_url: str = ""
    # Outgoing email: SMTP server (empty: messages stay queued, see `make outbox`).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    shop_email: str = "shop@example.com"
    # The demo shop's order page (/shop/orders/<id>) signs identity tokens for any
    # order: a stand-in for a shop's logged-in page, on only for `make run`'s demo.
    demo_shop_pages: bool = False

    @property
    def public_url(self) -> str:
        return (self.desk_public_url or f"http://{self.host}:{self.desk_port}").rstrip("/")

    # Scaled mode: more than one process of a kind (instance i listens on PORT+i) needs
    # PostgreSQL for both databases and Redis (locks, live events, rate limits).
    rasa_instances: int = 1
    action_instances: int = 1
    desk_instances: int = 1
    redis_url: str = ""

    @property
    def scaled(self) -> bool:
        """More than one process of some kind: the processes share state through Redis."""
        return max(self.rasa_instances, self.action_instances, self.desk_instances) > 1

    def rasa_urls(self) -> list[str]:
        """Every Rasa instance, in order (instance i on RASA_PORT + i)."""
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_instances)]

    def action_health_urls(self) -> list[str]:
        return [
            f"http://127.0.0.1:{self.action_port + i}/health" for i in range(self.action_instances)
        ]

    # The desk's regular check of every payment channel, and where it posts alerts (JSON).
    ops_check_s: int = 60
    alert_webhook_url: str = ""

    @property
    def shop_zone(self) -> tzinfo:
        return shop_zone(self.shop_timezone)

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables (for child processes): from_env's inverse."""
        policy = self.diagnosis
        return {
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "SHOP_NAME": self.shop_name,
            "SHOP_TIMEZONE": self.shop_timezone,
            "SHOP_PAYMENT_METHODS": ",".join(self.payment_methods),
            "IDENTITY_MAX_ATTEMPTS": str(self.identity_max_attempts),
            "IDENTITY_ORDER_FAILURES_PER_HOUR": str(self.identity_order_failures_per_hour),
            "MISUNDERSTANDINGS_BEFORE_HANDOFF": str(self.misunderstandings_before_handoff),
            "PENDING_WAIT_MINUTES": str(policy.pending_wait_minutes),
            "OUTAGE_WINDOW_MINUTES": str(policy.outage_window_minutes),
            "OUTAGE_MIN_FAILURES": str(policy.outage_min_failures),
            "OUTAGE_MIN_ORDERS": str(policy.outage_min_orders),
            "OUTAGE_MIN_FAILURE_RATIO": str(policy.outage_min_failure_ratio),
            "PERSISTING_PLATFORM_FAILURES": str(policy.persisting_platform_failures),
            "REFUND_ARRIVAL_DAYS": str(policy.refund_arrival_days),
            "HOST": self.host,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "DESK_PORT": str(self.desk_port),
            "RASA_TOKEN": self.rasa_token,
            "ACTION_SERVER_TOKEN": self.action_server_token,
            "LOG_LEVEL": self.log_level,
            "LOG_DIR": self.log_dir,
            "DESK_SESSION_HOURS": str(self.desk_session_hours),
            "DESK_ALLOWED_ORIGINS": ",".join(self.desk_allowed_origins),
            "DESK_RASA_TIMEOUT_S": str(self.desk_rasa_timeout_s),
            "DESK_BOT_CHECK_S": str(self.desk_bot_check_s),
            "DESK_MESSAGES_PER_MINUTE": str(self.desk_messages_per_minute),
            "DESK_MAX_MESSAGE_CHARS": str(self.desk_max_message_chars),
            "DESK_CHAT_STARTS_PER_MINUTE": str(self.desk_chat_starts_per_minute),
            "DESK_PROXIES": str(self.desk_proxies),
            "PAYMENT_EVENTS_SECRET": self.payment_events_secret,
            "NOTICE_MIN_HOURS": str(self.notice_min_hours),
            "NOTICE_DELAY_MINUTES": str(self.notice_delay_minutes),
            "CHAT_TOKEN_SECRET": self.chat_token_secret,
            "DESK_PUBLIC_URL": self.desk_public_url,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": str(self.smtp_port),
            "SMTP_USER": self.smtp_user,
            "SMTP_PASSWORD": self.smtp_password,
            "SHOP_EMAIL": self.shop_email,
            "DEMO_SHOP_PAGES": "1" if self.demo_shop_pages else "0",
            "RASA_INSTANCES": str(self.rasa_instances),
            "ACTION_INSTANCES": str(self.action_instances),
            "DESK_INSTANCES": str(self.desk_instances),
            "REDIS_URL": self.redis_url,
            "OPS_CHECK_S": str(self.ops_check_s),
            "ALERT_WEBHOOK_URL": self.alert_webhook_url,
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        defaults = cls()

        def text(name: str, default: str) -> str:
            value = env.get(name, "").strip()
            return value or default

        def number(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = int(raw)
            except ValueError as exc:
                raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
            if value < 0:
                raise ValueError(f"{name} must not be negative, got {raw!r}")
            return value

        def ratio(name: str, default: float) -> float:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            try:
                value = float(raw)
            except ValueError as exc:
                raise ValueError(f"{name} must be a number, got {raw!r}") from exc
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {raw!r}")
            return value

        def zone(name: str, default: str) -> str:
            value = text(name, default)
            try:
                shop_zone(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(
                    f"{name} must be a time zone name such as Europe/London, got {value!r}"
                ) from exc
            return value

        methods = (
            tuple(m.strip() for m in text("SHOP_PAYMENT_METHODS", "").split(",") if m.strip())
            or defaults.payment_methods
        )
        policy = DiagnosisPolicy(
            pending_wait_minutes=number("PENDING_WAIT_MINUTES", 30),
            outage_window_minutes=number("OUTAGE_WINDOW_MINUTES", 30),
            outage_min_failures=number("OUTAGE_MIN_FAILURES", 5),
            outage_min_orders=number("OUTAGE_MIN_ORDERS", 3),
            outage_min_failure_ratio=ratio("OUTAGE_MIN_FAILURE_RATIO", 0.5),
            persisting_platform_failures=number("PERSISTING_PLATFORM_FAILURES", 2),
            refund_arrival_days=number("REFUND_ARRIVAL_DAYS", 10),
        )
        return cls(
            database_url=text("DATABASE_URL", defaults.database_url),
            tracker_store_url=text("TRACKER_STORE_URL", defaults.tracker_store_url),
            shop_name=text("SHOP_NAME", defaults.shop_name),
            shop_timezone=zone("SHOP_TIMEZONE", defaults.shop_timezone),
            payment_methods=methods,
            identity_max_attempts=number("IDENTITY_MAX_ATTEMPTS", 3),
            identity_order_failures_per_hour=number("IDENTITY_ORDER_FAILURES_PER_HOUR", 5),
            misunderstandings_before_handoff=number("MISUNDERSTANDINGS_BEFORE_HANDOFF", 3),
            diagnosis=policy,
            host=text("HOST", defaults.host),
            rasa_port=number("RASA_PORT", defaults.rasa_port),
            action_port=number("ACTION_PORT", defaults.action_port),
            desk_port=number("DESK_PORT", defaults.desk_port),
            rasa_token=env.get("RASA_TOKEN", "").strip(),
            action_server_token=env.get("ACTION_SERVER_TOKEN", "").strip(),
            log_level=text("LOG_LEVEL", defaults.log_level).upper(),
            log_dir=text("LOG_DIR", defaults.log_dir),
            desk_session_hours=number("DESK_SESSION_HOURS", defaults.desk_session_hours),
            desk_allowed_origins=tuple(
                o.strip() for o in text("DESK_ALLOWED_ORIGINS", "*").split(",") if o.strip()
            ),
            desk_rasa_timeout_s=number("DESK_RASA_TIMEOUT_S", defaults.desk_rasa_timeout_s),
            desk_bot_check_s=number("DESK_BOT_CHECK_S", defaults.desk_bot_check_s),
            desk_messages_per_minute=number(
                "DESK_MESSAGES_PER_MINUTE", defaults.desk_messages_per_minute
            ),
            desk_max_message_chars=number(
                "DESK_MAX_MESSAGE_CHARS", defaults.desk_max_message_chars
            ),
            desk_chat_starts_per_minute=number(
                "DESK_CHAT_STARTS_PER_MINUTE", defaults.desk_chat_starts_per_minute
            ),
            desk_proxies=number("DESK_PROXIES", defaults.desk_proxies),
            payment_events_secret=env.get("PAYMENT_EVENTS_SECRET", "").strip(),
            notice_min_hours=number("NOTICE_MIN_HOURS", defaults.notice_min_hours),
            notice_delay_minutes=number("NOTICE_DELAY_MINUTES", defaults.notice_delay_minutes),
            chat_token_secret=env.get("CHAT_TOKEN_SECRET", "").strip(),
            desk_public_url=text("DESK_PUBLIC_URL", ""),
            smtp_host=text("SMTP_HOST", ""),
            smtp_port=number("SMTP_PORT", defaults.smtp_port),
            smtp_user=text("SMTP_USER", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            shop_email=text("SHOP_EMAIL", defaults.shop_email),
            demo_shop_pages=text("DEMO_SHOP_PAGES", "0") in ("1", "true", "yes"),
            rasa_instances=max(1, number("RASA_INSTANCES", 1)),
            action_instances=max(1, number("ACTION_INSTANCES", 1)),
            desk_instances=max(1, number("DESK_INSTANCES", 1)),
            redis_url=env.get("REDIS_URL", "").strip(),
            ops_check_s=max(1, number("OPS_CHECK_S", defaults.ops_check_s)),
            alert_webhook_url=env.get("ALERT_WEBHOOK_URL", "").strip(),
        )
