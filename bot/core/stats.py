"""`optout-bot stats`: what curators learn from the counters (bot/core/feedback.py) and the knowledge base.

Answers by status and reason, votes per card, brands asked about and requested, and the cards whose `verified`
date is older than 180 days. Everything comes from aggregate counters: there is no user or text to show.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .knowledge import STALE_AFTER_DAYS, KnowledgeBase


def report(rows: list[tuple], kb: KnowledgeBase, today: dt.date | None = None, since: str | None = None) -> dict:
    """`rows`: the store's counter rows (period, kind, platform, topic, lang, value, count); `since`: 'YYYY-MM'."""
    today = today or dt.date.today()
    answers: dict[tuple, int] = defaultdict(int)
    votes: dict[tuple, dict] = defaultdict(lambda: {"yes": 0, "no": 0})
    brands: dict[str, dict] = defaultdict(lambda: {"asked": 0, "requested": 0})
    periods = set()
    for period, kind, platform, topic, lang, value, count in rows:
        if since and period < since:
            continue
        periods.add(period)
        if kind == "answer":
            status, _, reason = value.partition("/")
            answers[(status, reason)] += count
        elif kind == "vote" and value in ("yes", "no"):
            votes[(platform, topic)][value] += count
        elif kind == "asked":
            brands[value]["asked"] += count
        elif kind == "request":
            brands[value]["requested"] += count
    stale = sorted(((p.id, p.verified, (today - p.verified).days) for p in kb.platforms.values()
                    if (today - p.verified).days > STALE_AFTER_DAYS), key=lambda t: (t[1], t[0]))
    return {
        "periods": sorted(periods),
        "answers": [{"status": s, "reason": r, "count": n}
                    for (s, r), n in sorted(answers.items(), key=lambda kv: (-kv[1], kv[0]))],
        "votes": [{"platform": p, "topic": t, **v} for (p, t), v in
                  sorted(votes.items(), key=lambda kv: (-(kv[1]["yes"] + kv[1]["no"]), kv[0]))],
        "brands": [{"brand": b, **v} for b, v in
                   sorted(brands.items(), key=lambda kv: (-(kv[1]["requested"] + kv[1]["asked"]), kv[0]))],
        "stale": [{"platform": pid, "verified": d.isoformat(), "days": days} for pid, d, days in stale],
        "stale_after_days": STALE_AFTER_DAYS,
    }


def as_text(r: dict) -> str:
    out = [f"Counters for {r['periods'][0]} to {r['periods'][-1]} (monthly aggregates; no user ids, no message text)."
           if r["periods"] else "No counters yet (nothing asked, voted or requested)."]
    total = sum(a["count"] for a in r["answers"])
    out += ["", f"Answers by status and reason ({total} in all):"]
    out += [f"  {a['status']:<10}{a['reason']:<26}{a['count']:>7}" for a in r["answers"]] or ["  (none)"]
    out += ["", "Votes per card (helpful? yes / no):"]
    out += [f"  {v['platform'] + ' ' + v['topic']:<36}{v['yes']:>5} yes{v['no']:>5} no" for v in r["votes"]] or ["  (none)"]
    out += ["", "Platforms we have no guide for (asked about / requested with the button):"]
    out += [f"  {b['brand']:<36}{b['asked']:>5} asked{b['requested']:>5} requested" for b in r["brands"]] or ["  (none)"]
    out += ["", f"Cards not verified for over {r['stale_after_days']} days:"]
    out += [f"  {s['platform']:<24}verified {s['verified']} ({s['days']} days ago)" for s in r["stale"]] or ["  (none)"]
    return "\n".join(out)
