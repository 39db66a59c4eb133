"""Review F-2 and F-5: the store under faults and concurrency. PostgreSQL paused (SIGSTOP: a silent server or link)
and killed mid-run; SQLite locked by another process; several processes writing the same rows."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from bot.core.store import Store, StoreError, StoreOptions, StoreUnavailable, UserSettings
from tests.load_scenarios import concurrent_writes, hold_sqlite_lock
from tests.pg import postgres_instance

FAST = StoreOptions(read_timeout=0.5, write_timeout=1.0, connect_timeout=1.0, retry_after=0.5)


@pytest.fixture(scope="module")
def pg():
    with postgres_instance() as instance:
        if instance is None:
            pytest.skip("no PostgreSQL binaries on this machine")
        yield instance


class LoopWatch:
    """The longest the event loop went without running a 10 ms ticker: proof that nothing blocked it."""

    def __init__(self):
        self.worst = 0.0

    async def __aenter__(self):
        async def tick():
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                self.worst, last = max(self.worst, now - last), now

        self.task = asyncio.create_task(tick())
        return self

    async def __aexit__(self, *exc):
        self.task.cancel()


async def timed(coro):
    t0 = time.monotonic()
    try:
        return await coro, time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 - the test looks at which
        return e, time.monotonic() - t0


async def test_paused_postgres_costs_one_timeout_then_defaults_and_recovers(pg):
    store = await Store.open(pg.url, FAST)
    await store.update_user("telegram", 1, lang="es")
    async with LoopWatch() as watch:
        pg.pause()
        try:
            first, t_first = await timed(store.user("telegram", 1))
            again, t_again = await timed(store.user("telegram", 1))
            await asyncio.sleep(FAST.retry_after + 0.1)
            write, t_write = await timed(store.update_user("telegram", 1, region="eu"))
        finally:
            pg.resume()
    assert first == UserSettings() and t_first < FAST.read_timeout + 0.3  # defaults after one read timeout
    assert again == UserSettings() and t_again < 0.05  # and then at once, while it is down
    assert isinstance(write, StoreUnavailable) and t_write < FAST.write_timeout + 0.3
    assert watch.worst < 0.25  # the event loop kept running all along
    await asyncio.sleep(FAST.retry_after + 0.1)
    assert await store.user("telegram", 1) == UserSettings("es", None)  # recovered by itself
    assert await store.update_user("telegram", 1, region="eu") == UserSettings("es", "eu")
    await store.close()


async def test_killed_postgres_degrades_and_recovers_after_restart(pg):
    store = await Store.open(pg.url, FAST)
    await store.update_user("telegram", 2, lang="es")
    pg.kill()
    try:
        read, t_read = await timed(store.user("telegram", 2))
        await asyncio.sleep(FAST.retry_after + 0.1)
        write, _ = await timed(store.update_user("telegram", 2, region="eu"))
    finally:
        pg.start()
    assert read == UserSettings() and t_read < FAST.read_timeout + 0.3
    assert isinstance(write, StoreUnavailable)
    await asyncio.sleep(FAST.retry_after + 0.1)
    assert await store.user("telegram", 2) == UserSettings("es", None)
    await store.close()


async def test_a_server_that_never_answers_is_refused_at_start_within_the_timeout():
    """Review F-2 reproducer 2: it accepts the connection and then says nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: [accepted.append(listener.accept()) for _ in range(20)], daemon=True).start()
    port = listener.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        await Store.open(f"postgresql://optout:Sekr%t@pw d@127.0.0.1:{port}/optout", FAST)
    assert time.monotonic() - t0 < 6
    assert "Sekr" not in str(err.value) and "DATABASE_URL" in str(err.value)
    listener.close()


async def test_sqlite_locked_by_another_process_never_blocks_the_loop(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = await Store.open(f"sqlite:///{path}", FAST)
    await store.update_user("telegram", 3, lang="es")
    hold_sqlite_lock(path, 2.0)
    async with LoopWatch() as watch:
        read, t_read = await timed(store.user("telegram", 3))  # WAL: readers do not wait for the writer
        write, t_write = await timed(store.update_user("telegram", 3, region="eu"))
    assert read == UserSettings("es", None) and t_read < 0.2
    assert isinstance(write, StoreUnavailable) and t_write < FAST.write_timeout + 0.3
    assert watch.worst < 0.25
    assert store.available()  # a lock is not an outage: the next call tries again
    await asyncio.sleep(1.2)
    assert await store.update_user("telegram", 3, region="eu") == UserSettings("es", "eu")
    await store.close()


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_writers_in_several_processes_lose_nothing_sqlite(tmp_path, processes):
    r = concurrent_writes(f"sqlite:///{tmp_path}/db.sqlite3", processes, writes=300, concurrency=30)
    print("\nsqlite", r.summary())
    assert r.lost == 0 and r.failed == 0


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_writers_in_several_processes_lose_nothing_postgres(postgres_url, processes):
    r = concurrent_writes(postgres_url, processes, writes=300, concurrency=30)
    print("\npostgres", r.summary())
    assert r.lost == 0 and r.failed == 0


def test_fresh_sqlite_file_opened_by_many_processes_at_once(tmp_path):
    """Review F-15: the WAL switch and the first migration race when shards start together."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    results = []
    for trial in range(2):
        url = f"sqlite:///{tmp_path}/t{trial}/data/bot.sqlite3"
        go, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_open_and_write, args=(url, go, out)) for _ in range(4)]
        for p in procs:
            p.start()
        time.sleep(0.8)
        go.set()
        results += [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)
    assert results == ["ok"] * 8, results


def _open_and_write(url, go, out):
    async def main():
        go.wait()
        try:
            s = await Store.open(url)
            await s.update_user("telegram", 1, lang="es")
            await s.close()
            out.put("ok")
        except Exception as e:  # noqa: BLE001 - reported to the test
            out.put(f"{type(e).__name__}: {e}")

    asyncio.run(main())
