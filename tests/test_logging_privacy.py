"""Review F-8: at LOG_LEVEL=DEBUG the chat libraries' payload dumps (message text, names, interaction tokens) stay
out of the log unless LOG_MESSAGE_TEXT=true; the database password is redacted from every log line."""
import logging

from bot.config import CHATTY_LOGGERS, Settings, setup_logging


def test_debug_keeps_chat_libraries_at_info_unless_asked():
    setup_logging(Settings(_env_file=None, log_level="DEBUG"))
    assert logging.getLogger("bot.store").getEffectiveLevel() == logging.DEBUG
    for name in ("telegram.ext", "discord.gateway", "discord.http", "discord.webhook.async_", "sqlalchemy.engine"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.INFO, name
    setup_logging(Settings(_env_file=None, log_level="DEBUG", log_message_text=True))
    assert all(logging.getLogger(n).getEffectiveLevel() == logging.DEBUG for n in CHATTY_LOGGERS if n.startswith(("telegram", "discord")))
    setup_logging(Settings(_env_file=None, log_level="INFO"))


def test_database_password_is_redacted_from_logs(capsys):
    setup_logging(Settings(_env_file=None, database_url="postgresql://optout:p@ss w%rd!@db.example:5432/optout"))
    logging.getLogger("test").error("connect failed for p@ss w%rd! (and p%40ss%20w%25rd%21)")
    err = capsys.readouterr().err
    assert "p@ss w%rd!" not in err and "***" in err
    setup_logging(Settings(_env_file=None))
