"""What's new: the dated ``changes`` of every platform file within the last N days, newest first (issue 12, item 1).

The chat commands (/new) and `optout-bot new` both read ``recent_changes``; "today" is a parameter so tests and
reproducible runs never depend on the clock.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .knowledge import FIRM_KINDS, KnowledgeBase, Platform, Source

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class ChangeItem:
    platform: str  # platform id (the answer to link to)
    platform_name: str
    date: dt.date
    lang: str
    text: str
    source_id: str | None
    source_kind: str | None
    source_url: str | None
    source_title: str | None

    def to_json(self) -> dict:
        return {"platform": self.platform, "name": self.platform_name, "date": self.date.isoformat(),
                "lang": self.lang, "text": self.text,
                "source": None if self.source_url is None else
                {"id": self.source_id, "kind": self.source_kind, "url": self.source_url, "title": self.source_title}}


def first_firm_source(platform: Platform, source_ids: list[str]) -> Source | None:
    """The first of the change's sources that is official, regulator or press; else its first known source."""
    known = [s for s in (platform.source(i) for i in source_ids) if s is not None]
    return next((s for s in known if s.kind in FIRM_KINDS), known[0] if known else None)


def recent_changes(kb: KnowledgeBase, *, days: int = DEFAULT_DAYS, lang: str = "en",
                   today: dt.date | None = None) -> list[ChangeItem]:
    """Changes dated from `today - days` to `today` (both included), newest first, then by platform name.

    A change dated after `today` (announced ahead) is left out until its day comes."""
    if lang not in ("en", "es"):
        raise ValueError(f"unknown language {lang!r}; valid: en, es")
    if days < 0:
        raise ValueError("days must be 0 or more")
    today = today or dt.date.today()
    since = today - dt.timedelta(days=days)
    out: list[ChangeItem] = []
    for p in kb.platforms.values():
        for change in p.changes:
            if not since <= change.date <= today:
                continue
            src = first_firm_source(p, change.sources)
            out.append(ChangeItem(
                platform=p.id, platform_name=p.name, date=change.date, lang=lang, text=getattr(change, lang),
                source_id=src.id if src else None, source_kind=src.kind if src else None,
                source_url=src.url if src else None, source_title=src.title if src else None))
    out.sort(key=lambda i: (-i.date.toordinal(), i.platform_name.casefold(), i.platform))
    return out
