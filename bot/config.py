"""Settings from the environment and .env (see .env.example). Tokens are SecretStr: they never print."""
from __future__ import annotations

import logging
import re
import traceback
from functools import lru_cache

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    database_url: str = "sqlite:///data/optout-bot.sqlite3"
    log_level: str = "INFO"

    # the conversation policy, the same on every surface ("count/seconds")
    rate_user: str = "12/60"  # commands, questions and buttons per user
    rate_faq_user: str = "3/60"  # group auto-answers one member can trigger
    faq_cooldown_seconds: float = 600.0  # the same auto-answer in the same chat
    rate_public_user: str = "3/60"  # public posts one member can cause (Discord channel FAQ, "Post publicly")
    rate_public_channel: str = "6/60"  # public posts per channel
    followup_seconds: float = 600.0  # how long "and for Threads?" refers to the last answer

    @field_validator("telegram_bot_token", "discord_bot_token", "telegram_webhook_secret", mode="before")
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

    @property
    def shard_ids(self) -> list[int] | None:
        if not self.discord_shard_ids:
            return None
        return [int(x) for x in re.split(r"[,\s]+", self.discord_shard_ids.strip()) if x]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


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
    redact = Redactor(*(t.get_secret_value() for t in (settings.telegram_bot_token, settings.discord_bot_token,
                                                        settings.telegram_webhook_secret) if t))
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactLogs(redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL, and Telegram URLs contain the token: keep it at WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redact


def _positive(number: str) -> bool:
    try:
        return float(number) > 0
    except ValueError:
        return False
