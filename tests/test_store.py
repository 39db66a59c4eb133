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
    s._conn.close()
    return url


@pytest.fixture
async def store(url):
    s = Store.open(url)
    yield s
    await s.close()


async def test_chat_settings_roundtrip_and_migration(store):
    assert await store.chat("telegram", -5) == ChatSettings()
    await store.update_chat("telegram", -5, faq=True, lang="es")
    assert await store.chat("telegram", -5) == ChatSettings("es", None, True)
    assert await store.faq_chats("telegram") == ["-5"]
    await store.migrate_chat("telegram", -5, -1005)
    assert await store.chat("telegram", -1005) == ChatSettings("es", None, True)
    assert await store.chat("telegram", -5) == ChatSettings()
    assert await store.chat("discord", -1005) == ChatSettings()  # surfaces never mix


async def test_forget_user_erases_everything_stored(store):
    await store.update_user("discord", 42, lang="es", region="eu")
    assert await store.user("discord", 42) == UserSettings("es", "eu")
    assert await store.forget_user("discord", 42) is True
    assert await store.user("discord", 42) == UserSettings()
    assert await store.forget_user("discord", 42) is False


async def test_settings_survive_reopen(url):
    s = Store.open(url)
    await s.update_chat("discord", 1, faq=True)
    await s.close()
    assert (await Store.open(url).chat("discord", 1)).faq is True


async def test_processes_share_settings_through_the_same_database_url(url):
    """What shards in several processes rely on: one process writes, another one reads."""
    code = ("import sys; from bot.core.store import Store; s = Store.open(sys.argv[1]); "
            "import asyncio; asyncio.run(s.update_chat('discord', 77, faq=True, lang='es')); "
            "asyncio.run(s.update_user('discord', 5, region='uk'))")
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=60)
    s = Store.open(url)
    assert await s.chat("discord", 77) == ChatSettings("es", None, True)
    assert await s.user("discord", 5) == UserSettings(None, "uk")
    await s.close()


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


async def test_postgres_connection_lost_is_reconnected(postgres_url):
    import psycopg

    s = Store.open(postgres_url)
    await s.update_user("telegram", 1, lang="es")
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # what a server restart does to our session
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE pid <> pg_backend_pid() AND datname = current_database()")
    assert await s.user("telegram", 1) == UserSettings("es", None)
    await s.close()
