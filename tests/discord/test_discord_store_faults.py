"""Review F-2 (SQLite case): another process holds the SQLite write lock; Discord's 3-second window still holds."""
from __future__ import annotations

import time

from discord_payloads import USER_ID, slash

from tests.load_scenarios import hold_sqlite_lock

DEFERRED, MESSAGE = 5, 4


async def test_lang_is_acknowledged_at_once_while_sqlite_is_locked(harness, tmp_path):
    hold_sqlite_lock(tmp_path / "db.sqlite3", 2.5)
    t0 = time.monotonic()
    await harness.interaction(slash("lang", {"language": "es"}))
    [ack] = [r for r in harness.fake.requests if r.path.endswith("/callback")]
    assert ack.json["type"] == DEFERRED and ack.at - t0 < 1.0  # well inside Discord's 3 s
    assert harness.fake.replies()[-1]["content"] == "Idioma: español."  # saved once the lock was released
    assert (await harness.store.user("discord", USER_ID)).lang == "es"


async def test_a_lock_longer_than_the_write_timeout_gets_an_apology_and_a_warning(harness_factory, tmp_path, caplog):
    harness = await harness_factory(settings_kw={"database_write_timeout": 0.5})
    hold_sqlite_lock(tmp_path / "db.sqlite3", 1.5)
    await harness.interaction(slash("region", {"region": "eu"}))
    assert [r.json["type"] for r in harness.fake.requests if r.path.endswith("/callback")] == [DEFERRED]
    assert "sorry" in harness.fake.replies()[-1]["content"].lower()
    assert any(r.levelname == "WARNING" and "could not be saved" in r.getMessage() for r in caplog.records)
    # (the harness fails the test if anything was logged as ERROR: an expected outage has no traceback)
