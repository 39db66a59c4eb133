"""Settings from the environment and .env (see .env.example). Tokens are SecretStr: they never print."""
from __future__ import annotations

import logging
import re
import traceback
from functools import lru_cache

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str | None = None  # self-hosted Bot API server or the tests' fake; None = Telegram's
    telegram_webhook_url: str | None = None  # set = webhook mode; unset = long polling
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443

    discord_bot_token: SecretStr | None = None
    discord_api_base_url: str | None = None  # REST proxy or the tests' fake, e.g. http://127.0.0.1:8080/api/v10
    discord_gateway_url: str | None = None  # gateway proxy or the tests' fake, e.g. ws://127.0.0.1:8081/
    discord_guild_id: int | None = None  # sync commands to one server while developing
    discord_shard_count: int | None = None
    discord_shard_ids: str | None = None  # "0,1" : the shards this process runs

    # Telegram concurrency (review F-1): handlers running at once across chats; updates a chat may have waiting
    # (more are dropped: a flooding group loses its own excess); a 429 longer than this is not waited for
    telegram_max_concurrent_updates: int = Field(64, ge=1, le=10_000)
    telegram_chat_queue: int = Field(8, ge=0, le=1_000)
    telegram_max_retry_after: float = Field(60.0, ge=0)
    telegram_webhook_max_body: int = Field(1_000_000, ge=1_000)  # bytes; bigger webhook bodies get 413 unread
    telegram_owner_id: int | None = None  # may use /reload (reload the knowledge base) in a private chat

    # the conversation policy, the same on every surface ("count/seconds")
    rate_user: str = "12/60"  # commands, questions and buttons per user
    rate_faq_user: str = "3/60"  # group auto-answers one member can trigger
    faq_cooldown_seconds: float = 600.0  # the same auto-answer in the same chat
    rate_public_user: str = "3/60"  # public posts one member can cause (Discord channel FAQ, "Post publicly")
    rate_public_channel: str = "6/60"  # public posts per channel
    followup_seconds: float = 600.0  # how long "and for Threads?" refers to the last answer

    # never printed: it may carry a password (see redact_url); repr=False keeps it out of reprs and tracebacks
    database_url: str = Field("sqlite:///data/optout-bot.sqlite3", repr=False)
    database_read_timeout: float = Field(1.0, gt=0, le=60)  # a settings read; then defaults are used
    database_write_timeout: float = Field(4.0, gt=0, le=120)  # a settings write (also SQLite's lock wait)
    database_connect_timeout: float = Field(3.0, gt=0, le=120)
    database_retry_after: float = Field(5.0, ge=0, le=600)  # after a failure, skip the database this long

    # policy-change alerts (bot/core/alerts.py): how often a process looks for alerts left by others; how long a
    # claimed alert stays with a process before another may send it (only if the first died); pause between sends
    alerts_poll_seconds: float = Field(60.0, gt=0, le=86_400)
    alerts_lease_seconds: float = Field(600.0, gt=0, le=86_400)
    alerts_send_interval: float = Field(0.1, ge=0, le=60)

    run_all_max_restarts: int = Field(5, ge=0, le=100)  # `run all`: restarts of a failing adapter, with back-off

    log_level: str = "INFO"
    log_message_text: bool = False  # DEBUG logs of the chat libraries carry message text, names and tokens

    @field_validator("telegram_bot_token", "discord_bot_token", "telegram_webhook_secret", "telegram_owner_id",
                     "discord_guild_id", "discord_shard_count", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("rate_user", "rate_faq_user", "rate_public_user", "rate_public_channel")
    @classmethod
    def _rate(cls, v: str) -> str:
        count, _, seconds = str(v).partition("/")
        if not (count.strip().isdigit() and int(count) > 0 and _positive(seconds)):
            raise ValueError("use count/seconds, for example 12/60")
        return v

    def limits(self):
        """The conversation layer's Limits from these settings."""
        from bot.core.conversation import Limits

        def rate(v: str) -> tuple[int, float]:
            count, _, seconds = v.partition("/")
            return int(count), float(seconds)

        return Limits(rate(self.rate_user), rate(self.rate_faq_user), self.faq_cooldown_seconds,
                      rate(self.rate_public_user), rate(self.rate_public_channel), self.followup_seconds)

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, v):
        level = str(v or "INFO").strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("database_url", mode="before")
    @classmethod
    def _db_url(cls, v):
        url = str(v or "").strip() or "sqlite:///data/optout-bot.sqlite3"
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if not (scheme.startswith("sqlite") or scheme.startswith("postgres")):
            raise ValueError(f"unsupported scheme {scheme!r}: use sqlite:///path/to/file.sqlite3 or "
                             "postgresql://user:password@host:5432/database")
        return url

    @field_validator("discord_shard_ids")
    @classmethod
    def _shards(cls, v):
        if v and not all(x.isdigit() for x in re.split(r"[,\s]+", v.strip()) if x):
            raise ValueError("must be a list of numbers, for example 0,1")
        return v

    @property
    def shard_ids(self) -> list[int] | None:
        if not self.discord_shard_ids:
            return None
        return [int(x) for x in re.split(r"[,\s]+", self.discord_shard_ids.strip()) if x]


class ConfigError(Exception):
    """A setting is missing or wrong: one line saying which and what to do (exit code 2)."""


def describe_validation(e: ValidationError) -> str:
    """'LOG_LEVEL: must be one of ...; TELEGRAM_WEBHOOK_PORT: ...' (the names of .env, never the values given)."""
    parts = []
    for err in e.errors(include_input=False, include_url=False):
        name = "_".join(str(x) for x in err.get("loc", ()) if not isinstance(x, int)).upper() or "settings"
        parts.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, validated up front. Raises ConfigError with one line naming every bad setting."""
    try:
        return Settings()
    except ValidationError as e:
        raise ConfigError(f"bad setting (see .env.example): {describe_validation(e)}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read .env: {e}") from None


class Redactor:
    """Replaces each secret (bot tokens, the webhook secret) with '***'. Adapters may add secrets made at run time."""

    def __init__(self, *secrets: str | None):
        self.secrets = [x for x in secrets if x and len(x) >= 6]

    def __call__(self, text: str) -> str:
        for x in self.secrets:
            text = text.replace(x, "***")
        return text


class RedactLogs(logging.Filter):
    """A handler filter that takes secrets out of log messages *and* tracebacks: libraries put the token in
    exception text (python-telegram-bot's InvalidToken says "The token `...` was rejected") and in URLs."""

    def __init__(self, redact: Redactor):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redact.secrets:
            return True
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            record.exc_info = None
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
            record.stack_info = None
        record.msg, record.args, record.exc_text = self.redact(text), (), None
        return True


# network failures and refusals the chat libraries log with a traceback, though nothing is broken in the bot
EXPECTED_ERRORS = {"NetworkError", "TimedOut", "RetryAfter", "Forbidden", "ConnectError", "ConnectTimeout",
                   "ReadTimeout", "ClientConnectorError", "ServerDisconnectedError", "RateLimited"}


class QuietExpectedErrors(logging.Filter):
    """Expected errors (403, 429, network) become one WARNING line without a traceback (review I-2); PTB's own
    report of a failed start-up is dropped, since the adapter reports it in one line itself (review F-14)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("telegram", "discord")) or not record.exc_info:
            return True
        exc = record.exc_info[1]
        if exc is None or type(exc).__name__ not in EXPECTED_ERRORS:
            return True
        if "Bootstrap" in record.getMessage():
            return False
        record.msg, record.args = f"{record.getMessage()}: {type(exc).__name__}: {exc}", ()
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def redact_in_logs(*secrets: str | None) -> Redactor:
    """Make every root log handler redact these secrets too; returns the shared Redactor (add more to it later)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    shared = next((f.redact for h in root.handlers for f in h.filters if isinstance(f, RedactLogs)), None) or Redactor()
    for handler in root.handlers:
        if not any(isinstance(f, RedactLogs) for f in handler.filters):
            handler.addFilter(RedactLogs(shared))
    shared.secrets += [x for x in secrets if x and len(x) >= 6 and x not in shared.secrets]
    return shared


def setup_logging(settings: Settings) -> Redactor:
    """One stderr handler whose filter redacts every configured secret; returns the Redactor (adapters may add
    secrets they create, like a generated webhook secret)."""
    from bot.core.store import url_secrets

    redact = Redactor(*(t.get_secret_value() for t in (settings.telegram_bot_token, settings.discord_bot_token,
                                                        settings.telegram_webhook_secret) if t),
                      *url_secrets(settings.database_url))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(QuietExpectedErrors())
    handler.addFilter(RedactLogs(redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx logs every request URL, and Telegram URLs contain the token: keep it at WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per plugin at every start
    quiet_chat_libraries(settings)
    return redact


def _positive(number: str) -> bool:
    try:
        return float(number) > 0
    except ValueError:
        return False

# Their DEBUG lines carry whole updates and gateway payloads: message text, names, interaction tokens (review F-8)
CHATTY_LOGGERS = ("telegram", "discord.gateway", "discord.client", "discord.state", "discord.http", "discord.webhook",
                  "discord.shard", "aiohttp.access", "aiosqlite", "sqlalchemy.engine")


def quiet_chat_libraries(settings: Settings) -> None:
    """At LOG_LEVEL=DEBUG, keep the chat libraries at INFO unless LOG_MESSAGE_TEXT=true asks for everything."""
    level = logging.NOTSET if settings.log_message_text or settings.log_level != "DEBUG" else logging.INFO
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(level)
