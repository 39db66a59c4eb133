"""Load and fault figures for issue 8 (`make load`): Telegram floods and 429s, concurrent writers, PostgreSQL faults.

Everything on 127.0.0.1: the real python-telegram-bot Application against the fake Bot API, the real Store against a
SQLite file and a throwaway PostgreSQL server (tests/pg.py; skipped where PostgreSQL is not installed).

    .venv/bin/python bench/load.py              # everything, about 2 minutes
    .venv/bin/python bench/load.py --quick      # smaller numbers
Writes bench/results/load.json as well.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")

from tests.load_scenarios import concurrent_writes, percentile, telegram_capacity, telegram_flood  # noqa: E402
from tests.pg import postgres_instance  # noqa: E402


def ms(x: float) -> float:
    return round(x * 1000, 1)


async def telegram(quick: bool) -> dict:
    out = {}
    per_user = 10 if quick else 40
    r = await telegram_flood(tempfile.mkdtemp(), groups=10, users_per_group=5, per_user=per_user,
                             private_questions=15 if quick else 30, private_every=0.2)
    print("flood (Telegram flood limits on):  ", r.summary(), flush=True)
    out["flood"] = _flood(r)
    r = await telegram_flood(tempfile.mkdtemp(), groups=10, users_per_group=5, per_user=per_user,
                             private_questions=15 if quick else 30, private_every=0.2, flood_limits=False)
    print("flood (no flood limits: capacity): ", r.summary(), flush=True)
    out["flood_capacity"] = _flood(r)
    # before issue 8, for comparison: PTB's defaults (one update at a time, AIORateLimiter's bot-wide 429 pause)
    r = await telegram_flood(tempfile.mkdtemp(), groups=10, users_per_group=5, per_user=6, private_questions=5,
                             private_every=0.2, legacy=True)
    print("BEFORE (PTB defaults), flood of 300:", r.summary(), flush=True)
    out["before_flood"] = _flood(r)
    r = await telegram_flood(tempfile.mkdtemp(), groups=10, users_per_group=5, per_user=1, private_questions=5,
                             private_every=0.2, legacy=True, fault="429", retry_after=5 if quick else 15)
    print("BEFORE (PTB defaults), one 429:     ", r.summary(), flush=True)
    out["before_429"] = _flood(r)
    n, seconds = await telegram_capacity(tempfile.mkdtemp(), users=300 if quick else 1000)
    print(f"capacity: {n} private users each ask a question at once: all answered in {seconds:.1f} s = "
          f"{n / seconds:.0f} updates/s (no flood limits; Telegram itself allows 30 messages/s)", flush=True)
    out["capacity"] = {"updates": n, "seconds": round(seconds, 2), "updates_per_s": round(n / seconds)}
    retry = 5 if quick else 15
    r = await telegram_flood(tempfile.mkdtemp(), groups=10, users_per_group=5, per_user=4,
                             private_questions=15 if quick else 30, private_every=0.2, fault="429", retry_after=retry)
    print(f"429 retry_after={retry}s in one group:", r.summary(),
          f"| that group's reply went out after {r.group_retry_delay:.1f} s", flush=True)
    out["429"] = {**_flood(r), "retry_after": retry, "throttled_group_waited_s": round(r.group_retry_delay or 0, 2)}
    return out


def _flood(r) -> dict:
    lat = r.private_latencies
    return {"updates_pushed": r.updates_pushed, "updates_processed": r.updates_processed,
            "updates_dropped": r.updates_dropped, "replies": r.replies, "seconds": round(r.seconds, 2),
            "updates_handled_per_s": round(r.updates_per_second), "private_n": len(lat),
            "private_p50_ms": ms(percentile(lat, 50)), "private_p99_ms": ms(percentile(lat, 99)),
            "private_max_ms": ms(max(lat)), "errors": len(r.errors)}


def writes(quick: bool, pg_url: str | None) -> dict:
    out = {}
    n = 300 if quick else 1000
    urls = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/load.sqlite3"}
    if pg_url:
        urls["postgresql"] = pg_url
    for name, url in urls.items():
        for processes in (2, 4):
            r = concurrent_writes(url, processes, writes=n, concurrency=50)
            print(f"writes {name:10}", r.summary(), flush=True)
            out[f"{name}_{processes}"] = {"processes": processes, "writes_each": n, "lost": r.lost, "failed": r.failed,
                                          "refused_then_retried": r.retried,
                                          "writes_per_s": round(processes * n / r.seconds)}
    return out


async def pg_faults(pg) -> dict:
    from bot.core.store import Store, StoreOptions, StoreUnavailable

    opts = StoreOptions(read_timeout=1.0, write_timeout=4.0, connect_timeout=3.0, retry_after=5.0)  # the defaults
    store = await Store.open(pg.url, opts)
    await store.update_user("bench", 1, lang="es")

    async def timed(coro):
        t0 = time.monotonic()
        try:
            value = await coro
        except StoreUnavailable as e:
            value = f"StoreUnavailable: {e}"
        return round(time.monotonic() - t0, 3), str(value)

    out = {}
    pg.pause()
    out["sigstop_first_read"] = await timed(store.user("bench", 1))
    out["sigstop_next_read"] = await timed(store.user("bench", 1))
    out["sigstop_write"] = await timed(store.update_user("bench", 1, region="eu"))
    pg.resume()
    t0 = time.monotonic()
    while (await store.user("bench", 1)).lang != "es":
        await asyncio.sleep(0.1)
    out["sigcont_recovered_after_s"] = round(time.monotonic() - t0, 2)
    pg.kill()
    out["killed_read"] = await timed(store.user("bench", 1))
    out["killed_write"] = await timed(store.update_user("bench", 1, region="eu"))
    pg.start()
    t0 = time.monotonic()
    while (await store.user("bench", 1)).lang != "es":
        await asyncio.sleep(0.1)
    out["restart_recovered_after_s"] = round(time.monotonic() - t0, 2)
    await store.close()
    for k, v in out.items():
        print(f"postgres fault {k:28} {v}", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    results = {"telegram": asyncio.run(telegram(args.quick))}
    with postgres_instance() as pg:
        if pg is None:
            print("PostgreSQL is not installed here: its figures are skipped", flush=True)
        results["writes"] = writes(args.quick, pg.url if pg else None)
        if pg is not None:
            results["postgres_faults"] = asyncio.run(pg_faults(pg))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(results, indent=1))
    print(f"written to {out / 'load.json'}")
    lost = sum(v["lost"] for v in results["writes"].values())
    slow = [k for k, v in results["telegram"].items()
            if "private_p99_ms" in v and v["private_p99_ms"] >= 1000 and not k.startswith("before")]
    return 1 if lost or slow else 0


if __name__ == "__main__":
    sys.exit(main())
