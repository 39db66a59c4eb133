"""Review F-1: one chat never stalls another. The real Application (polling over HTTP, our update processor and
rate limiter) against the fake Bot API on 127.0.0.1; a private user's answers are timed while groups flood."""
from __future__ import annotations

import asyncio
import time

from telegram import Update

from bot.adapters.tg_concurrency import ChatUpdateProcessor
from tests.load_scenarios import percentile, telegram_flood
from tests.telegram.fake_bot_api import GROUP, PRIVATE, message, user


async def test_a_flooding_group_never_delays_a_private_chat(tmp_path):
    """50 members in 10 groups send 300 messages as fast as they can; a private user asks 10 questions."""
    r = await telegram_flood(str(tmp_path), groups=10, users_per_group=5, per_user=6, private_questions=10)
    print("\n" + r.summary())
    assert r.errors == []
    assert len(r.private_latencies) == 10 and max(r.private_latencies) < 1.0, r.private_latencies
    assert r.updates_dropped > 0  # the groups' excess was dropped, not queued in front of anyone


async def test_a_429_in_one_group_delays_only_that_group(tmp_path):
    r = await telegram_flood(str(tmp_path), groups=3, users_per_group=2, per_user=2, private_questions=8,
                             fault="429", retry_after=2)
    print("\n" + r.summary())
    assert percentile(r.private_latencies, 99) < 1.0, r.private_latencies
    assert r.group_retry_delay is not None and r.group_retry_delay >= 2.0  # that group did wait, and then got it


def _update(chat_id: int, uid: int) -> Update:
    return Update.de_json({"update_id": uid, **message("x", chat_id, sender=user(abs(chat_id)))}, None)


async def test_updates_of_one_chat_run_in_order_and_other_chats_run_alongside():
    proc = ChatUpdateProcessor(max_concurrent=8, per_chat_queue=8)
    await proc.initialize()
    log: list[tuple[str, int, float]] = []
    t0 = time.monotonic()

    async def handler(name: str, n: int, seconds: float):
        log.append((name, n, time.monotonic() - t0))
        await asyncio.sleep(seconds)

    tasks = [asyncio.create_task(proc.process_update(_update(GROUP, i), handler("group", i, 0.2))) for i in range(3)]
    tasks.append(asyncio.create_task(proc.process_update(_update(PRIVATE, 9), handler("private", 0, 0))))
    await asyncio.gather(*tasks)
    starts = {(name, n): at for name, n, at in log}
    assert [n for name, n, _ in log if name == "group"] == [0, 1, 2]  # in order, one at a time
    assert starts[("group", 1)] >= 0.19 and starts[("group", 2)] >= 0.39
    assert starts[("private", 0)] < 0.05  # not behind the group


async def test_a_chat_with_a_full_queue_has_its_excess_dropped():
    proc = ChatUpdateProcessor(max_concurrent=8, per_chat_queue=2)
    await proc.initialize()
    ran: list[int] = []

    async def handler(n: int):
        ran.append(n)
        await asyncio.sleep(0.05)

    await asyncio.gather(*(proc.process_update(_update(GROUP, i), handler(i)) for i in range(10)))
    assert ran == [0, 1, 2] and proc.dropped == 7  # one running + two waiting; the rest dropped, never run
