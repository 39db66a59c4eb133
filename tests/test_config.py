"""Settings and log redaction: a token never reaches a log line, not even inside a traceback."""
import logging

from bot.config import Settings, setup_logging

TOKEN = "123456:SECRET-telegram-token"


def test_tokens_are_redacted_from_messages_and_tracebacks(capsys):
    settings = Settings(telegram_bot_token=TOKEN, discord_bot_token="discord.secret.token", _env_file=None)
    redact = setup_logging(settings)
    log = logging.getLogger("test")
    log.error("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected; discord.secret.token too")
    except RuntimeError:
        log.exception("failed")
    redact.secrets.append("generated-webhook-secret")
    log.warning("webhook secret generated-webhook-secret")
    err = capsys.readouterr().err
    assert TOKEN not in err and "discord.secret.token" not in err and "generated-webhook-secret" not in err
    assert err.count("***") >= 4 and "RuntimeError" in err


def test_settings_repr_hides_tokens():
    settings = Settings(telegram_bot_token=TOKEN, _env_file=None)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_blank_token_is_none_and_shards_parse():
    s = Settings(telegram_bot_token="  ", discord_shard_ids="0, 2", _env_file=None)
    assert s.telegram_bot_token is None and s.shard_ids == [0, 2]


def test_secrets_made_at_run_time_join_the_shared_filter(capsys):
    from bot.config import redact_in_logs

    setup_logging(Settings(telegram_bot_token=TOKEN, _env_file=None))
    shared = redact_in_logs("webhook-secret-made-now")
    assert TOKEN in shared.secrets  # one Redactor for every handler, not a second filter
    logging.getLogger("test").warning("secret_token=webhook-secret-made-now")
    assert "webhook-secret-made-now" not in capsys.readouterr().err
