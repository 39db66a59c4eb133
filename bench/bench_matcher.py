"""Benchmark: matching time per question, start-up time and peak memory, beside difflib, a brute-force scan and
the rule matcher this engine replaced (git revision d277c66, run from its own tree in a subprocess).

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
DEV_SETS = [ROOT / "tests" / "eval" / name for name in ("questions.jsonl", "dev-2.jsonl", "dev-3.jsonl")]
RULE_MATCHER_REV = "d277c66"  # the cue-word matcher, before the learned judge


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


def peak_memory_mb(question: str) -> float:
    """Peak RSS of one `optout-bot ask` process (ru_maxrss of that child alone, via wait4)."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ask", "--json", question],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024


def rule_matcher_ms(questions: list[str]) -> list[float] | None:
    """Per-question times of the old rule matcher, in its own tree (git archive) and its own interpreter."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", RULE_MATCHER_REV], cwd=ROOT, capture_output=True)
        if archive.returncode:
            return None
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        Path(tmp, "questions.json").write_text(json.dumps(questions))
        code = ("import json, time; from bot.core.engine import Engine, Query; e = Engine.load(); "
                "qs = json.load(open('questions.json')); out = []\n"
                "for q in qs:\n t = time.perf_counter(); e.answer(Query(q)); out.append((time.perf_counter() - t) * 1000)\n"
                "print(json.dumps(out))")
        run = subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True)
        return json.loads(run.stdout) if run.returncode == 0 else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1, help="passes over the dev questions for the engine")
    ap.add_argument("--startup-runs", type=int, default=5)
    ap.add_argument("--sample", type=int, default=600, help="about this many messages from the dev sets")
    args = ap.parse_args()

    from rapidfuzz import fuzz, process

    from bot.core.engine import Query, get_engine
    from bot.core.normalize import normalize

    # children first: on Linux a child forked from a big parent starts with the parent's peak RSS
    memory_rules = peak_memory_mb("linkedin")
    memory_judge = peak_memory_mb("how do I stop LinkedIn training AI?")
    engine = get_engine()
    engine.judge.warm()
    items = [json.loads(line) for path in DEV_SETS if path.exists()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [item["text"] for item in items][:: max(1, len(items) // args.sample)]
    bank = [normalize(q) for p in engine.kb.platforms.values() for cards in p.topics.values()
            for card in cards.values() for q in card.questions]

    for q in questions:  # first pass: embed every message once, as a bot that has seen them would have
        engine.answer(Query(q))
    engine.judge._recent.clear()
    ruled, judged, every = [], [], []
    score = engine.judge.score
    calls = []
    engine.judge.score = lambda text: (calls.append(1), score(text))[1]
    for _ in range(args.rounds):
        for q in questions:
            calls.clear()
            t = time.perf_counter()
            engine.answer(Query(q))
            ms = (time.perf_counter() - t) * 1000
            every.append(ms)
            (judged if calls else ruled).append(ms)
        engine.judge._recent.clear()  # every round embeds afresh: no message is answered from memory
    engine.judge.score = score
    sample = questions[:: max(1, len(questions) // 120)]  # the slow baselines on a sample
    difflib_ms = time_per_question(lambda q: difflib.get_close_matches(normalize(q), bank, n=1, cutoff=0.0), sample, 1)
    wratio_ms = time_per_question(lambda q: process.extractOne(normalize(q), bank, scorer=fuzz.WRatio), sample, 1)
    old = rule_matcher_ms(questions)
    inner, whole = startup_seconds(args.startup_runs)

    def row(name, values, target):
        return (name, f"{statistics.median(values):.3f} ms", f"{percentile(values, 99):.3f} ms", target, len(values))

    rows = [
        row("matching: every message", every, "p99 < 40 ms"),
        row("  decided by the rules (no judge)", ruled or [0.0], "p50 < 0.3 ms"),
        row("  reaching the learned judge", judged or [0.0], ""),
        row(f"before: rule matcher ({RULE_MATCHER_REV}, own KB)", old, "") if old else
        ("before: rule matcher", "n/a", "", "(git archive failed)", 0),
        row(f"baseline: difflib over {len(bank)} alt. questions", difflib_ms, ""),
        row(f"baseline: rapidfuzz WRatio scan of {len(bank)}", wratio_ms, ""),
        ("start-up: import + KB load + index", f"{inner * 1000:.0f} ms", "", "< 500 ms", args.startup_runs),
        ("start-up: whole `optout-bot ask` process", f"{whole * 1000:.0f} ms", "", "", args.startup_runs),
        ("peak memory, `ask` decided by rules", f"{memory_rules:.1f} MB", "", "", 1),
        ("peak memory, `ask` with the model loaded", f"{memory_judge:.1f} MB", "", "< 150 MB", 1),
    ]
    print(f"{'measure':<46}{'p50 / value':>14}{'p99':>12}  {'target':<26}{'n':>6}")
    for name, p50, p99, target, n in rows:
        print(f"{name:<46}{p50:>14}{p99:>12}  {target:<26}{n:>6}")
    print(f"\n{len(engine.kb.platforms) - 1} platforms, {len(bank)} alternate questions, {len(questions)} dev questions, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
