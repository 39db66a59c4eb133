"""Settings storage: a real SQLite file by default; PostgreSQL through the same DATABASE_URL when one is given."""
import subprocess
import sys

import pytest

from bot.core.store import ChatSettings, Store, UserSettings
from bot.core.throttle import Cooldown, RateLimit

from tests.pg import postgres_server


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_server() as url:
        if url is None:
            pytest.skip("no PostgreSQL binaries on this machine (set TEST_POSTGRES_URL to use a server)")
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/data/bot.sqlite3"
    url = request.getfixturevalue("postgres_url")
    s = Store.open(url)
    s._run("DELETE FROM chat_settings"), s._run("DELETE FROM user_settings")
    s.close()
    return url


@pytest.fixture
def store(url):
    s = Store.open(url)
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


def test_settings_survive_reopen(url):
    s = Store.open(url)
    s.update_chat("discord", 1, faq=True)
    s.close()
    assert Store.open(url).chat("discord", 1).faq is True


def test_processes_share_settings_through_the_same_database_url(url):
    """What shards in several processes rely on: one process writes, another one reads."""
    code = ("import sys; from bot.core.store import Store; s = Store.open(sys.argv[1]); "
            "s.update_chat('discord', 77, faq=True, lang='es'); s.update_user('discord', 5, region='uk')")
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=60)
    s = Store.open(url)
    assert s.chat("discord", 77) == ChatSettings("es", None, True)
    assert s.user("discord", 5) == UserSettings(None, "uk")
    s.close()


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


def test_postgres_connection_lost_is_reconnected(postgres_url):
    import psycopg

    s = Store.open(postgres_url)
    s.update_user("telegram", 1, lang="es")
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # what a server restart does to our session
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE pid <> pg_backend_pid() AND datname = current_database()")
    assert s.user("telegram", 1) == UserSettings("es", None)
    s.close()
