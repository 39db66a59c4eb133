"""Load and fault scenarios shared by the tests (short runs) and bench/load.py (long runs, `make load`).

Everything runs against loopback fakes: the real python-telegram-bot Application (polling with its real httpx
requests, our update processor and rate limiter) against FakeBotAPI on 127.0.0.1; the real Store against a
SQLite file or a throwaway PostgreSQL server (tests/pg.py).
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import sqlite3
import threading
import time
from dataclasses import dataclass, field

PRIVATE_USER = 4242
PRIVATE_QUESTION = "How do I stop LinkedIn from training AI on my data?"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class FloodResult:
    updates_pushed: int = 0
    updates_processed: int = 0
    updates_dropped: int = 0
    replies: int = 0
    seconds: float = 0.0
    private_latencies: list[float] = field(default_factory=list)
    flood_seconds: float = 0.0  # from the first flood update pushed until every one was handled
    group_retry_delay: float | None = None  # 429 scenario: when the throttled group's reply finally went out
    errors: list[str] = field(default_factory=list)

    @property
    def updates_per_second(self) -> float:
        """Flood updates handled (a handler ran, or the excess was dropped) per second, until the last was handled."""
        flood = self.updates_pushed - len(self.private_latencies)
        return flood / self.flood_seconds if self.flood_seconds else 0.0

    def summary(self) -> str:
        lat = self.private_latencies
        return (f"{self.updates_pushed} updates pushed, {self.updates_processed} processed, {self.updates_dropped} "
                f"dropped (flood excess), {self.replies} replies; the flood handled in {self.flood_seconds:.2f} s = "
                f"{self.updates_per_second:.0f} updates/s; private user: {len(lat)} answers, p50 "
                f"{percentile(lat, 50) * 1000:.0f} ms, p99 {percentile(lat, 99) * 1000:.0f} ms, max "
                f"{max(lat, default=float('nan')) * 1000:.0f} ms; errors {len(self.errors)}")


async def telegram_flood(tmp_dir: str, *, groups: int = 10, users_per_group: int = 5, per_user: int = 10,
                         private_questions: int = 10, private_every: float = 0.1, fault: str | None = None,
                         retry_after: int = 3, flood_limits: bool = True, legacy: bool = False) -> FloodResult:
    """`groups` x `users_per_group` members each send `per_user` messages to the bot in their group (mentions
    with a question, and /help), as fast as they can; meanwhile one user in a private chat asks a question every
    `private_every` seconds. fault="429": the first group reply gets a 429 with `retry_after`. flood_limits=False:
    no Telegram flood limits (30/s, 20/min per group), to measure what the process itself can handle."""
    from bot.adapters.tg_concurrency import ChatRateLimiter
    from bot.adapters.telegram_bot import build_application
    from bot.core.engine import Query, get_engine
    from bot.core.render import render
    from bot.core.store import Store
    from tests.telegram.conftest import make_settings
    from tests.telegram.fake_bot_api import FakeBotAPI, mention, message, user

    engine = get_engine()
    private_chunks = len(render(engine.answer(Query(PRIVATE_QUESTION, surface="telegram")), "telegram").chunks)
    api = FakeBotAPI().start()
    db = f"sqlite:///{tmp_dir}/flood.sqlite3"
    store = await Store.open(db)
    limiter = None if flood_limits else ChatRateLimiter(0, 1, 0, 60, max_retries=0, all_groups_max_rate=0)
    if legacy:  # for the before/after figures only: PTB's defaults, as the bot had them before issue 8
        from telegram.ext import AIORateLimiter, SimpleUpdateProcessor

        limiter = AIORateLimiter(max_retries=5)
    app = build_application(make_settings(api, db), engine=engine, store=store, user_rate=(10_000, 60.0),
                            rate_limiter=limiter)
    if legacy:
        app._update_processor = SimpleUpdateProcessor(1)  # one update at a time (PTB's default)
        app.update_processor.processed = app.update_processor.dropped = app.update_processor.admitted = 0
    result = FloodResult()
    errors = result.errors

    async def on_error(update, context):
        errors.append(repr(context.error)[:200])

    app.add_error_handler(on_error)
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        t0 = time.monotonic()
        group_ids = [-1001000 - g for g in range(groups)]
        if fault == "429":
            api.fail_next("sendMessage", 429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
            api.push_update(message("/help", group_ids[0], sender=user(90_000)))
            await api.await_for("sendMessage", lambda p: p.get("chat_id") == group_ids[0], timeout=5)  # the 429
            result.updates_pushed += 1
        flood = []
        for i in range(per_user):
            for g, gid in enumerate(group_ids):
                for u in range(users_per_group):
                    sender = user(100_000 + g * 100 + u)
                    flood.append(mention("how do I stop linkedin training ai on my data?", api.username, gid, sender)
                                 if (i + u) % 2 else message("/help", gid, sender=sender))

        async def push_flood():
            for k in range(0, len(flood), 25):  # in bursts, as a busy bot receives them
                for upd in flood[k:k + 25]:
                    api.push_update(upd)
                await asyncio.sleep(0.005)

        pushes: list[float] = []

        async def ask_privately():
            for _ in range(private_questions):
                pushes.append(time.monotonic())
                api.push_update(message(PRIVATE_QUESTION, PRIVATE_USER, sender=user(PRIVATE_USER)))
                await asyncio.sleep(private_every)

        async def watch_handled():  # when every flood update was handled: run, queued behind its chat, or dropped
            while app.update_processor.admitted + app.update_processor.dropped < len(flood):
                await asyncio.sleep(0.005)
            result.flood_seconds = time.monotonic() - t_flood

        t_flood = time.monotonic()
        watcher = asyncio.create_task(watch_handled())
        await asyncio.gather(push_flood(), ask_privately())
        result.updates_pushed += len(flood) + private_questions
        if not flood_limits:  # wait for every update to be handled (run or dropped)
            deadline = time.monotonic() + 120
            while app.update_processor.processed + app.update_processor.dropped < result.updates_pushed \
                    and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        sent = await api.await_for("sendMessage", lambda p: p.get("chat_id") == PRIVATE_USER,
                                   count=private_questions * private_chunks, timeout=60)
        firsts = [c.at for c in sent][::private_chunks]
        result.private_latencies = [a - p for a, p in zip(firsts, pushes)]
        # let the processed count settle (a group's queue drains at its 20-a-minute pace: don't wait for that)
        await asyncio.sleep(0.3)
        result.seconds = time.monotonic() - t0
        processor = app.update_processor
        result.updates_processed = processor.processed
        result.updates_dropped = processor.dropped
        result.replies = len(api.find("sendMessage"))
        await asyncio.wait({watcher}, timeout=30)
        watcher.cancel()
        if fault == "429":
            later = await api.await_for("sendMessage", lambda p: p.get("chat_id") == group_ids[0], count=2,
                                        timeout=retry_after + 5)
            result.group_retry_delay = later[1].at - later[0].at
    finally:
        for task in asyncio.all_tasks():  # group handlers paced by the flood limits: not worth waiting for
            if "process_concurrent_update" in task.get_name():
                task.cancel()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await store.close()
        api.stop()
    return result


# ------------------------------------------------------------------------------------------------ store writes
FIELDS = (("user", "lang"), ("user", "region"), ("chat", "lang"), ("chat", "region"))


def _writer(url: str, worker: int, writes: int, concurrency: int, go, out) -> None:
    """One process: `writes` concurrent updates of its own field (FIELDS[worker % 4]) on rows 0..writes-1, which
    every other process updates too (another field of the same rows): exactly the race of review F-5."""
    from bot.core.store import Store, StoreUnavailable

    kind, name = FIELDS[worker % len(FIELDS)]

    async def main():
        store = await Store.open(url)
        go.wait()
        sem = asyncio.Semaphore(concurrency)
        failed = retried = 0

        async def one(row: int):
            nonlocal failed, retried
            value = f"w{worker}-{row}"
            async with sem:
                for attempt in range(10):
                    try:
                        if kind == "user":
                            await store.update_user("load", row, **{name: value})
                        else:
                            await store.update_chat("load", row, **{name: value})
                        return
                    except StoreUnavailable:  # told to the caller (the user would be asked to try again)
                        retried += 1
                        await asyncio.sleep(0.05 * (attempt + 1))
                failed += 1

        t0 = time.monotonic()
        await asyncio.gather(*(one(row) for row in range(writes)))
        out.put((worker, failed, retried, time.monotonic() - t0))
        await store.close()

    asyncio.run(main())


@dataclass
class WriteResult:
    processes: int
    writes: int
    lost: int
    failed: int
    retried: int
    seconds: float

    def summary(self) -> str:
        return (f"{self.processes} processes x {self.writes} concurrent writes: lost {self.lost}, refused "
                f"(StoreUnavailable) then retried {self.retried}, failed after retries {self.failed}; "
                f"{self.processes * self.writes / self.seconds:.0f} writes/s")


def concurrent_writes(url: str, processes: int = 4, writes: int = 1000, concurrency: int = 50) -> WriteResult:
    """`processes` processes (at most 4: one per field), each `writes` concurrent updates of its field on the same
    rows. Lost: (row, field) pairs that do not hold the value written, counted in the database afterwards."""
    from sqlalchemy import select

    from bot.core.store import Store, chat_settings, user_settings

    assert processes <= len(FIELDS)

    async def reset():
        s = await Store.open(url)
        async with s._engine.begin() as conn:
            await conn.execute(chat_settings.delete().where(chat_settings.c.surface == "load"))
            await conn.execute(user_settings.delete().where(user_settings.c.surface == "load"))
        await s.close()

    asyncio.run(reset())
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, w, writes, concurrency, go, out)) for w in range(processes)]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every process has opened its store
    t0 = time.monotonic()
    go.set()
    reports = [out.get(timeout=600) for _ in procs]
    seconds = time.monotonic() - t0
    for p in procs:
        p.join(60)

    async def count() -> int:
        s = await Store.open(url)
        async with s._engine.connect() as conn:
            users = {r.user_id: r for r in await conn.execute(
                select(user_settings).where(user_settings.c.surface == "load"))}
            chats = {r.chat_id: r for r in await conn.execute(
                select(chat_settings).where(chat_settings.c.surface == "load"))}
        await s.close()
        lost = 0
        for w in range(processes):
            kind, name = FIELDS[w]
            rows = users if kind == "user" else chats
            lost += sum(getattr(rows.get(str(r)), name, None) != f"w{w}-{r}" for r in range(writes))
        return lost

    return WriteResult(processes, writes, asyncio.run(count()), sum(r[1] for r in reports),
                       sum(r[2] for r in reports), seconds)


async def telegram_capacity(tmp_dir: str, users: int = 1000) -> tuple[int, float]:
    """What one process handles: `users` different private users each ask a question at once (no flood limits,
    no drops: every update is answered). Returns (updates, seconds until the last answer was sent)."""
    from bot.adapters.tg_concurrency import ChatRateLimiter
    from bot.adapters.telegram_bot import build_application
    from bot.core.engine import Query, get_engine
    from bot.core.render import render
    from bot.core.store import Store
    from tests.telegram.conftest import make_settings
    from tests.telegram.fake_bot_api import FakeBotAPI, message, user

    engine = get_engine()
    chunks = len(render(engine.answer(Query(PRIVATE_QUESTION, surface="telegram")), "telegram").chunks)
    api = FakeBotAPI().start()
    db = f"sqlite:///{tmp_dir}/capacity.sqlite3"
    store = await Store.open(db)
    app = build_application(make_settings(api, db), engine=engine, store=store,
                            rate_limiter=ChatRateLimiter(0, 1, 0, 60, max_retries=0, all_groups_max_rate=0))
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        t0 = time.monotonic()
        for u in range(users):
            api.push_update(message(PRIVATE_QUESTION, 500_000 + u, sender=user(500_000 + u)))
        sent = await api.await_for("sendMessage", count=users * chunks, timeout=300)
        return users, sent[-1].at - t0
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await store.close()
        api.stop()


def hold_sqlite_lock(path, seconds: float) -> None:
    """Another process holding the SQLite write lock for `seconds` (the other adapter of `run all`, a shard, a
    backup...); returns once the lock is held."""
    held = threading.Event()

    def other_process():
        c = sqlite3.connect(path, timeout=0)
        c.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        c.rollback()
        c.close()

    threading.Thread(target=other_process, daemon=True).start()
    held.wait()
