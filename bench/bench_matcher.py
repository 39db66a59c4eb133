"""Benchmark: matching time per question, start-up time and peak memory, beside difflib and a brute-force scan.

Run: make bench (or .venv/bin/python bench/bench_matcher.py [--rounds N]). A script, not a timed test: it prints
a table and exits 0; the targets (DESIGN.md / issue 2) are printed beside the figures for a human to judge.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT / "tests" / "eval" / "questions.jsonl"


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_per_question(fn, questions: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
    return times


def startup_seconds(runs: int) -> tuple[float, float]:
    """(import + KB load + index, whole `optout-bot ask` process) medians, each in a fresh interpreter."""
    code = ("import time; t=time.perf_counter(); from bot.core.engine import get_engine; get_engine(); "
            "print(time.perf_counter()-t)")
    inner, whole = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        inner.append(float(out.stdout))
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot.cli", "ask", "how do I stop LinkedIn training AI?"],
                       capture_output=True, cwd=ROOT, check=True)
        whole.append(time.perf_counter() - t)
    return statistics.median(inner), statistics.median(whole)


def peak_memory_mb() -> float:
    """Peak RSS of one `optout-bot ask` process (ru_maxrss of that child alone, via wait4)."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ask", "--json", "how do I stop LinkedIn training AI?"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5, help="passes over the dev questions for the engine")
    ap.add_argument("--startup-runs", type=int, default=5)
    args = ap.parse_args()

    from rapidfuzz import fuzz, process

    from bot.core.engine import Query, get_engine
    from bot.core.normalize import normalize

    engine = get_engine()
    questions = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    bank = [normalize(q) for p in engine.kb.platforms.values() for cards in p.topics.values()
            for card in cards.values() for q in card.questions]

    engine_ms = time_per_question(lambda q: engine.answer(Query(q)), questions, args.rounds)
    sample = questions[:: max(1, len(questions) // 120)]  # the slow baselines on a sample
    difflib_ms = time_per_question(lambda q: difflib.get_close_matches(normalize(q), bank, n=1, cutoff=0.0), sample, 1)
    wratio_ms = time_per_question(lambda q: process.extractOne(normalize(q), bank, scorer=fuzz.WRatio), sample, 1)
    inner, whole = startup_seconds(args.startup_runs)
    memory = peak_memory_mb()

    rows = [
        ("matching: optout-bot engine", f"{statistics.median(engine_ms):.3f} ms", f"{percentile(engine_ms, 99):.3f} ms",
         "p50 < 0.3 ms, p99 < 2 ms", len(engine_ms)),
        (f"baseline: difflib over {len(bank)} alt. questions", f"{statistics.median(difflib_ms):.3f} ms",
         f"{percentile(difflib_ms, 99):.3f} ms", "", len(difflib_ms)),
        (f"baseline: rapidfuzz WRatio scan of {len(bank)}", f"{statistics.median(wratio_ms):.3f} ms",
         f"{percentile(wratio_ms, 99):.3f} ms", "", len(wratio_ms)),
        ("start-up: import + KB load + index", f"{inner * 1000:.0f} ms", "", "< 500 ms", args.startup_runs),
        ("start-up: whole `optout-bot ask` process", f"{whole * 1000:.0f} ms", "", "", args.startup_runs),
        ("peak memory of `optout-bot ask`", f"{memory:.1f} MB", "", "< 100 MB", 1),
    ]
    print(f"{'measure':<46}{'p50 / value':>14}{'p99':>12}  {'target':<26}{'n':>6}")
    for name, p50, p99, target, n in rows:
        print(f"{name:<46}{p50:>14}{p99:>12}  {target:<26}{n:>6}")
    print(f"\n{len(engine.kb.platforms) - 1} platforms, {len(bank)} alternate questions, {len(questions)} dev questions, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
