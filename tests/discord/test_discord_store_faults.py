"""Review F-2 (SQLite case): another process holds the SQLite write lock; Discord's 3-second window still holds."""
from __future__ import annotations

import sqlite3
import threading
import time

from discord_payloads import USER_ID, slash

DEFERRED, MESSAGE = 5, 4


def hold_lock(path, seconds: float) -> None:
    held = threading.Event()

    def other_process():  # the other adapter of `run all`, a shard, a backup...
        c = sqlite3.connect(path, timeout=0)
        c.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        c.rollback()
        c.close()

    threading.Thread(target=other_process, daemon=True).start()
    held.wait()


async def test_lang_is_acknowledged_at_once_while_sqlite_is_locked(harness, tmp_path):
    hold_lock(tmp_path / "db.sqlite3", 2.5)
    t0 = time.monotonic()
    await harness.interaction(slash("lang", {"language": "es"}))
    [ack] = [r for r in harness.fake.requests if r.path.endswith("/callback")]
    assert ack.json["type"] == DEFERRED and ack.at - t0 < 1.0  # well inside Discord's 3 s
    assert harness.fake.replies()[-1]["content"] == "Idioma: español."  # saved once the lock was released
    assert (await harness.store.user("discord", USER_ID)).lang == "es"


async def test_a_lock_longer_than_the_write_timeout_gets_an_apology_and_a_warning(harness_factory, tmp_path, caplog):
    harness = await harness_factory(settings_kw={"database_write_timeout": 0.5})
    hold_lock(tmp_path / "db.sqlite3", 1.5)
    await harness.interaction(slash("region", {"region": "eu"}))
    assert [r.json["type"] for r in harness.fake.requests if r.path.endswith("/callback")] == [DEFERRED]
    assert "sorry" in harness.fake.replies()[-1]["content"].lower()
    assert any(r.levelname == "WARNING" and "could not be saved" in r.getMessage() for r in caplog.records)
    # (the harness fails the test if anything was logged as ERROR: an expected outage has no traceback)
