"""What the checklist and the feedback counters store (issue 12, parts 2 and 4), for the SQL store and the
terminal's in-memory store. Mixed into Store and MemoryStore, so both keep one interface.

- checklist_done: (surface, user_id, platform, done_on). Personal, written only when the user taps "done",
  erased by /forget (Store.forget_user deletes it in the same transaction as the settings row).
- counters: (period, kind, platform, topic, lang, value) -> count. Aggregates only: no user id, no message text;
  `value` is a status/reason, a vote (yes/no) or a brand name from knowledge/brands.yaml. `period` is a month
  ("2026-11"): enough for curators, too coarse to tie a count to one person's message.
The tables are created by migration 0003.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Column, Integer, MetaData, Table, Text, delete, select

records_metadata = MetaData()
checklist_done = Table(
    "checklist_done", records_metadata,
    Column("surface", Text, primary_key=True), Column("user_id", Text, primary_key=True),
    Column("platform", Text, primary_key=True), Column("done_on", Text, nullable=False),
)
counters = Table(
    "counters", records_metadata,
    Column("period", Text, primary_key=True), Column("kind", Text, primary_key=True),
    Column("platform", Text, primary_key=True), Column("topic", Text, primary_key=True),
    Column("lang", Text, primary_key=True), Column("value", Text, primary_key=True),
    Column("count", Integer, nullable=False),
)
COUNTER_KEY = ("period", "kind", "platform", "topic", "lang", "value")


@dataclass(frozen=True)
class Done:
    platform: str
    done_on: dt.date


class StoreRecords:
    """SQL side (mixed into bot.core.store.Store: uses its _read, _write and _upsert)."""

    def _done_where(self, surface: str, user_id):
        return (checklist_done.c.surface == surface) & (checklist_done.c.user_id == str(user_id))

    def _personal_deletes(self, surface: str, user_id) -> list:
        """Statements erasing a user's personal records; run by forget_user with the settings row."""
        return [delete(checklist_done).where(self._done_where(surface, user_id))]

    async def mark_done(self, surface: str, user_id, platform: str, done_on: dt.date) -> None:
        stmt = self._upsert(checklist_done, {"surface": surface, "user_id": str(user_id), "platform": platform},
                            {"done_on": done_on.isoformat()})
        await self._write(stmt, what="mark_done")

    async def unmark_done(self, surface: str, user_id, platform: str) -> bool:
        [n] = await self._write(delete(checklist_done).where(
            self._done_where(surface, user_id) & (checklist_done.c.platform == platform)), what="unmark_done")
        return n > 0

    async def done(self, surface: str, user_id) -> list[Done]:
        stmt = select(checklist_done.c.platform, checklist_done.c.done_on).where(
            self._done_where(surface, user_id)).order_by(checklist_done.c.done_on, checklist_done.c.platform)
        return await self._read(stmt, [], lambda rows: [Done(r[0], dt.date.fromisoformat(r[1])) for r in rows])

    async def add_counts(self, counts: dict[tuple, int]) -> None:
        """Add to the counters, one transaction: INSERT ... ON CONFLICT DO UPDATE SET count = count + n."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmts = []
        for key, n in sorted(counts.items()):  # one order in every process: no deadlock between two flushes
            stmt = insert(counters).values(**dict(zip(COUNTER_KEY, key)), count=n)
            stmts.append(stmt.on_conflict_do_update(index_elements=list(COUNTER_KEY),
                                                    set_={"count": counters.c.count + stmt.excluded.count}))
        if stmts:
            await self._write(*stmts, what="add_counts")

    async def counts(self, kind: str | None = None) -> list[tuple]:
        """Every counter row (period, kind, platform, topic, lang, value, count), oldest period first."""
        stmt = select(*(counters.c[k] for k in COUNTER_KEY), counters.c.count)
        if kind is not None:
            stmt = stmt.where(counters.c.kind == kind)
        stmt = stmt.order_by(*(counters.c[k] for k in COUNTER_KEY))
        return await self._read(stmt, [], lambda rows: [tuple(r) for r in rows])


class MemoryRecords:
    """In-memory side (mixed into MemoryStore: the terminal chat keeps nothing on disk)."""

    def _records(self) -> tuple[dict, Counter]:
        if not hasattr(self, "_done"):
            self._done, self._counts = {}, Counter()
        return self._done, self._counts

    async def mark_done(self, surface, user_id, platform, done_on) -> None:
        self._records()[0][(surface, str(user_id), platform)] = done_on

    async def unmark_done(self, surface, user_id, platform) -> bool:
        return self._records()[0].pop((surface, str(user_id), platform), None) is not None

    async def done(self, surface, user_id) -> list[Done]:
        rows = [Done(p, d) for (s, u, p), d in self._records()[0].items() if (s, u) == (surface, str(user_id))]
        return sorted(rows, key=lambda r: (r.done_on, r.platform))

    def _forget_records(self, surface, user_id) -> bool:
        done = self._records()[0]
        keys = [k for k in done if k[:2] == (surface, str(user_id))]
        for k in keys:
            del done[k]
        return bool(keys)

    async def add_counts(self, counts: dict[tuple, int]) -> None:
        self._records()[1].update(counts)

    async def counts(self, kind: str | None = None) -> list[tuple]:
        return sorted((*k, n) for k, n in self._records()[1].items() if kind is None or k[1] == kind)
