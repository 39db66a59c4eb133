"""Settings storage: a real SQLite file by default; PostgreSQL through the same DATABASE_URL when one is given."""
import os

import pytest

from bot.core.store import ChatSettings, Store, UserSettings
from bot.core.throttle import Cooldown, RateLimit

URLS = ["sqlite"] + (["postgres"] if os.environ.get("TEST_POSTGRES_URL") else [])


@pytest.fixture(params=URLS)
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path}/data/bot.sqlite3")
    else:
        s = Store.open(os.environ["TEST_POSTGRES_URL"])
        s._run("DELETE FROM chat_settings"), s._run("DELETE FROM user_settings")
    yield s
    s.close()


def test_chat_settings_roundtrip_and_migration(store):
    assert store.chat("telegram", -5) == ChatSettings()
    store.update_chat("telegram", -5, faq=True, lang="es")
    assert store.chat("telegram", -5) == ChatSettings("es", None, True)
    assert store.faq_chats("telegram") == ["-5"]
    store.migrate_chat("telegram", -5, -1005)
    assert store.chat("telegram", -1005) == ChatSettings("es", None, True)
    assert store.chat("telegram", -5) == ChatSettings()
    assert store.chat("discord", -1005) == ChatSettings()  # surfaces never mix


def test_forget_user_erases_everything_stored(store):
    store.update_user("discord", 42, lang="es", region="eu")
    assert store.user("discord", 42) == UserSettings("es", "eu")
    assert store.forget_user("discord", 42) is True
    assert store.user("discord", 42) == UserSettings()
    assert store.forget_user("discord", 42) is False


def test_settings_survive_reopen(tmp_path):
    url = f"sqlite:///{tmp_path}/bot.sqlite3"
    s = Store.open(url)
    s.update_chat("discord", 1, faq=True)
    s.close()
    assert Store.open(url).chat("discord", 1).faq is True
    assert (tmp_path / "bot.sqlite3").exists()


def test_no_message_text_columns(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/bot.sqlite3")
    cols = {r[1] for t in ("chat_settings", "user_settings") for r in s._run(f"PRAGMA table_info({t})", fetch=True)}
    assert cols == {"surface", "chat_id", "user_id", "lang", "region", "faq"}


def test_unsupported_url():
    with pytest.raises(ValueError, match="unsupported scheme"):
        Store.open("mysql://x")


def test_cooldown_and_rate_limit():
    now = [0.0]
    cd = Cooldown(60, clock=lambda: now[0])
    assert cd.allow(("chat", "linkedin")) and not cd.allow(("chat", "linkedin")) and cd.allow(("chat", "x"))
    now[0] = 61
    assert cd.allow(("chat", "linkedin"))
    rl = RateLimit(2, 10, clock=lambda: now[0])
    assert rl.allow("u") and rl.allow("u") and not rl.allow("u") and rl.allow("v")
    now[0] += 10
    assert rl.allow("u")
