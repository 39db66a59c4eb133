"""The alert tables (bot/core/alert_store.py) on SQLite and PostgreSQL: the first run records without alerting,
a new change makes one delivery row per subscriber, a row is claimed by one owner only, a dead owner's claim is
taken over after the lease, a sent row never again, /unsubscribe and /forget leave no row behind."""
import asyncio
import sqlite3

import pytest
from sqlalchemy import text

from bot.core.alert_store import AlertStore, KnownChange, Subscriber
from bot.core.store import Store

ALERT_TABLES = ("alert_subscriptions", "alert_changes", "alert_deliveries", "alert_meta")
OLD = [KnownChange("linkedin:2025-11-03:aaaaaaaaaa", "linkedin", "2025-11-03", True),
       KnownChange("x:2025-01-01:bbbbbbbbbb", "x", "2025-01-01", False)]
NEW = KnownChange("linkedin:2026-11-28:cccccccccc", "linkedin", "2026-11-28", True)
ANA, BEN, GROUP = (Subscriber("telegram", "user", "501"), Subscriber("telegram", "user", "502"),
                   Subscriber("telegram", "chat", "-100200300"))
DIS = Subscriber("discord", "user", "800000000000000100")


async def reset(url: str) -> None:
    s = await Store.open(url)
    async with s._engine.begin() as conn:
        for t in ALERT_TABLES:
            await conn.execute(text(f"DELETE FROM {t}"))
    await s.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/bot.sqlite3"
    url = request.getfixturevalue("postgres_url")
    await reset(url)
    return url


@pytest.fixture
async def alerts(url):
    s = await Store.open(url)
    yield AlertStore(s)
    await s.close()


@pytest.fixture
async def other(url, alerts):
    """A second store on the same database: its own engine and connections, like another process."""
    s = await Store.open(url)
    yield AlertStore(s)
    await s.close()


async def rows(a: AlertStore, sql: str) -> list[tuple]:
    async with a.store._engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


async def test_first_run_records_every_change_without_alerting(alerts):
    await alerts.subscribe(ANA, "linkedin", "en")
    assert await alerts.record_changes(OLD) == []  # first run on this database: nothing is news
    assert sorted(await rows(alerts, "SELECT change_id, alerted FROM alert_changes")) == \
        [("linkedin:2025-11-03:aaaaaaaaaa", 0), ("x:2025-01-01:bbbbbbbbbb", 0)]
    assert await rows(alerts, "SELECT * FROM alert_deliveries") == []
    assert await alerts.record_changes(OLD) == []  # a restart: still nothing


async def test_a_new_change_makes_one_row_per_subscriber_of_that_platform_or_all(alerts):
    await alerts.record_changes(OLD)
    await alerts.subscribe(ANA, "linkedin", "en")
    await alerts.subscribe(ANA, "all", "es")  # both cover linkedin: still one row
    await alerts.subscribe(BEN, "x", "en")  # not linkedin: no row
    await alerts.subscribe(GROUP, "all", "es")
    await alerts.subscribe(DIS, "linkedin", "en")
    assert await alerts.record_changes([*OLD, NEW]) == [NEW.change_id]
    assert sorted(await rows(alerts, "SELECT surface, kind, target, change_id, state FROM alert_deliveries")) == [
        ("discord", "user", "800000000000000100", NEW.change_id, "pending"),
        ("telegram", "chat", "-100200300", NEW.change_id, "pending"),
        ("telegram", "user", "501", NEW.change_id, "pending")]
    assert await alerts.record_changes([*OLD, NEW]) == []  # seen: never again


async def test_a_reworded_entry_and_an_old_one_are_recorded_without_alerting(alerts):
    await alerts.record_changes(OLD)
    await alerts.subscribe(ANA, "all", "en")
    reworded = KnownChange("linkedin:2025-11-03:dddddddddd", "linkedin", "2025-11-03", True)
    history = KnownChange("x:2024-02-02:eeeeeeeeee", "x", "2024-02-02", False)
    assert await alerts.record_changes([reworded, history, *OLD]) == []
    assert await rows(alerts, "SELECT * FROM alert_deliveries") == []


async def test_each_row_is_claimed_by_one_owner_and_a_sent_one_never_again(alerts, other):
    await alerts.record_changes(OLD)
    for i in range(30):
        await alerts.subscribe(Subscriber("telegram", "user", str(1000 + i)), "linkedin", "en")
    await alerts.record_changes([NEW])
    a, b = await asyncio.gather(alerts.claim("telegram", "A", lease=60, limit=30),
                                other.claim("telegram", "B", lease=60, limit=30))
    assert len(a) + len(b) == 30 and not {d.subscriber for d in a} & {d.subscriber for d in b}
    assert await alerts.claim("telegram", "C", lease=60) == []  # all claimed, leases running
    for d in a:
        assert await alerts.sent(d, "A")
    for d in b:
        assert await alerts.sent(d, "B")
    assert await alerts.claim("telegram", "C", lease=0, now=10**10) == []  # sent: never claimed again
    assert await rows(alerts, "SELECT count(*) FROM alert_deliveries WHERE state = 'sent'") == [(30,)]


async def test_a_dead_owners_claim_is_taken_over_after_the_lease(alerts):
    await alerts.record_changes(OLD)
    await alerts.subscribe(ANA, "linkedin", "en")
    await alerts.record_changes([NEW])
    [mine] = await alerts.claim("telegram", "dead", lease=60, now=1000.0)
    assert await alerts.claim("telegram", "alive", lease=60, now=1059.0) == []  # lease still running
    [again] = await alerts.claim("telegram", "alive", lease=60, now=1061.0)
    assert again.subscriber == ANA and again.attempts == 2
    assert not await alerts.sent(mine, "dead")  # the old owner lost it
    assert await alerts.sent(again, "alive")


async def test_unsubscribe_and_forget_leave_no_row(alerts):
    await alerts.record_changes(OLD)
    await alerts.subscribe(ANA, "linkedin", "en")
    await alerts.subscribe(ANA, "x", "en")
    await alerts.subscribe(GROUP, "all", "en")
    await alerts.record_changes([NEW])
    assert await alerts.unsubscribe(ANA, "linkedin") == ["linkedin"]  # x is left; the linkedin alert goes
    assert await rows(alerts, "SELECT target FROM alert_deliveries") == [("-100200300",)]
    assert await alerts.subscriptions(ANA) == ["x"]
    assert await alerts.unsubscribe(ANA, "linkedin") == []
    assert await alerts.forget(ANA) is True
    assert await alerts.forget(GROUP) is True
    assert await rows(alerts, "SELECT * FROM alert_subscriptions") == []
    assert await rows(alerts, "SELECT * FROM alert_deliveries") == []
    assert await alerts.forget(ANA) is False


async def test_the_tables_hold_no_message_text(tmp_path):
    s = await Store.open(f"sqlite:///{tmp_path}/bot.sqlite3")
    await s.close()
    db = sqlite3.connect(f"{tmp_path}/bot.sqlite3")
    cols = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in ALERT_TABLES}
    assert cols == {"alert_subscriptions": ["surface", "kind", "target", "platform", "lang", "created"],
                    "alert_changes": ["change_id", "platform", "date", "first_seen", "alerted"],
                    "alert_deliveries": ["surface", "kind", "target", "change_id", "lang", "state", "owner",
                                         "claimed_at", "attempts", "sent_at"],
                    "alert_meta": ["key", "value"]}
