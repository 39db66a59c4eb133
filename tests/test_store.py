"""Settings storage: a real SQLite file by default; PostgreSQL through the same DATABASE_URL when one is given."""
import os
import sqlite3
import subprocess
import sys

import pytest

from bot.core.store import ChatSettings, Store, StoreError, UserSettings, redact_url
from bot.core.throttle import Cooldown, RateLimit



async def _empty(url: str) -> None:
    s = await Store.open(url)
    async with s._engine.begin() as conn:
        await conn.exec_driver_sql("DELETE FROM chat_settings")
        await conn.exec_driver_sql("DELETE FROM user_settings")
    await s.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/data/bot.sqlite3"
    url = request.getfixturevalue("postgres_url")
    await _empty(url)
    return url


@pytest.fixture
async def store(url):
    s = await Store.open(url)
    yield s
    await s.close()


async def test_chat_settings_roundtrip_and_migration(store):
    assert await store.chat("telegram", -5) == ChatSettings()
    assert await store.update_chat("telegram", -5, faq=True, lang="es") == ChatSettings("es", None, True)
    assert await store.chat("telegram", -5) == ChatSettings("es", None, True)
    assert await store.faq_chats("telegram") == ["-5"]
    await store.migrate_chat("telegram", -5, -1005)
    assert await store.chat("telegram", -1005) == ChatSettings("es", None, True)
    assert await store.chat("telegram", -5) == ChatSettings()
    assert await store.chat("discord", -1005) == ChatSettings()  # surfaces never mix


async def test_update_changes_only_the_fields_given(store):
    await store.update_user("telegram", 9, lang="es")
    assert await store.update_user("telegram", 9, region="eu") == UserSettings("es", "eu")
    assert await store.update_user("telegram", 9, lang=None) == UserSettings(None, "eu")
    with pytest.raises(TypeError, match="unknown setting"):
        await store.update_user("telegram", 9, faq=True)


async def test_forget_user_erases_everything_stored(store):
    await store.update_user("discord", 42, lang="es", region="eu")
    assert await store.user("discord", 42) == UserSettings("es", "eu")
    assert await store.forget_user("discord", 42) is True
    assert await store.user("discord", 42) == UserSettings()
    assert await store.forget_user("discord", 42) is False


async def test_settings_survive_reopen(url):
    s = await Store.open(url)
    await s.update_chat("discord", 1, faq=True)
    await s.close()
    s = await Store.open(url)
    assert (await s.chat("discord", 1)).faq is True
    await s.close()


async def test_processes_share_settings_through_the_same_database_url(url):
    """What shards in several processes rely on: one process writes, another one reads."""
    code = ("import asyncio, sys; from bot.core.store import Store\n"
            "async def main():\n"
            "    s = await Store.open(sys.argv[1])\n"
            "    await s.update_chat('discord', 77, faq=True, lang='es'); await s.update_user('discord', 5, region='uk')\n"
            "    await s.close()\n"
            "asyncio.run(main())")
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=60)
    s = await Store.open(url)
    assert await s.chat("discord", 77) == ChatSettings("es", None, True)
    assert await s.user("discord", 5) == UserSettings(None, "uk")
    await s.close()


async def test_no_message_text_columns_and_schema_from_migrations(tmp_path):
    s = await Store.open(f"sqlite:///{tmp_path}/bot.sqlite3")
    await s.close()
    db = sqlite3.connect(f"{tmp_path}/bot.sqlite3")
    cols = {r[1] for t in ("chat_settings", "user_settings") for r in db.execute(f"PRAGMA table_info({t})")}
    assert cols == {"surface", "chat_id", "user_id", "lang", "region", "faq"}
    cols = {r[1] for t in ("checklist_done", "counters") for r in db.execute(f"PRAGMA table_info({t})")}
    assert cols == {"surface", "user_id", "platform", "done_on", "period", "kind", "topic", "lang", "value", "count"}
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]


async def test_a_database_from_before_the_migrations_is_adopted(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE chat_settings (surface TEXT NOT NULL, chat_id TEXT NOT NULL, lang TEXT, region TEXT, "
               "faq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (surface, chat_id))")
    db.execute("CREATE TABLE user_settings (surface TEXT NOT NULL, user_id TEXT NOT NULL, lang TEXT, region TEXT, "
               "PRIMARY KEY (surface, user_id))")
    db.execute("INSERT INTO user_settings VALUES ('telegram', '7', 'es', 'eu')")
    db.commit(), db.close()
    s = await Store.open(f"sqlite:///{path}")
    assert await s.user("telegram", 7) == UserSettings("es", "eu")
    await s.close()


async def test_unsupported_url():
    with pytest.raises(StoreError, match="unsupported scheme"):
        await Store.open("mysql://x")


async def test_sqlite_file_is_private(tmp_path):
    """F-18: 0700 folder, 0600 file (and SQLite gives its -wal/-shm the file's mode), whatever the umask."""
    old = os.umask(0o022)
    try:
        s = await Store.open(f"sqlite:///{tmp_path}/data/bot.sqlite3")
        await s.update_user("telegram", 1, lang="es")
        modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "data").iterdir()}
        assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
        assert modes and all(m == 0o600 for m in modes.values()), modes
        await s.close()
    finally:
        os.umask(old)


async def test_forget_leaves_no_trace_in_the_files(tmp_path):
    """F-6: after /forget the user id is in none of the database files (WAL checkpointed, secure_delete on)."""
    path = tmp_path / "db.sqlite3"
    s = await Store.open(f"sqlite:///{path}")
    for u in range(50):
        await s.update_user("telegram", 10_000 + u, lang="en")
    victim = 918273645
    await s.update_user("telegram", victim, lang="es", region="eu")
    await s.forget_user("telegram", victim)
    hits = {p.name: p.read_bytes().count(str(victim).encode()) for p in tmp_path.iterdir()}
    assert sum(hits.values()) == 0, hits
    await s.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only file")
async def test_read_only_database_is_refused_at_start(tmp_path):
    s = await Store.open(f"sqlite:///{tmp_path}/db.sqlite3")
    await s.close()
    os.chmod(tmp_path / "db.sqlite3", 0o400)
    with pytest.raises(StoreError, match="read-only"):
        await Store.open(f"sqlite:///{tmp_path}/db.sqlite3")


async def test_read_only_postgres_is_refused_at_start(postgres_url):
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("CREATE ROLE ro_user LOGIN")  if not admin.execute(
            "SELECT 1 FROM pg_roles WHERE rolname='ro_user'").fetchone() else None
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ro_user")
    s = await Store.open(postgres_url)  # schema in place
    await s.close()
    with pytest.raises(StoreError, match="DATABASE_URL"):
        await Store.open(postgres_url.replace("optout@", "ro_user@"))


def test_redact_url_hides_any_password():
    for pw in ("100%secret", "p@ss#w0rd", "abc def", "a/b?c:d"):
        red = redact_url(f"postgresql://optout:{pw}@127.0.0.1:5432/optout")
        assert pw not in red and red == "postgresql://optout:***@127.0.0.1:5432/optout"
    assert redact_url("sqlite:///data/x.sqlite3") == "sqlite:///data/x.sqlite3"


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

    s = await Store.open(postgres_url)
    await s.update_user("telegram", 1, lang="es")
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # what a server restart does to our session
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE pid <> pg_backend_pid() AND datname = current_database()")
    assert await s.user("telegram", 1) == UserSettings("es", None)
    await s.close()
