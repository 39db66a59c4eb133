"""Alert subscriptions, the policy changes already seen, and one delivery row per (subscriber, change) (issue 12).

Tables (Alembic migration 0002), next to the settings in the same database:
  alert_subscriptions  (surface, kind, target, platform) -> lang, created
                       kind "user": a person, target = their user id (Telegram: also their private chat id;
                       Discord: a DM); kind "chat": a group or server channel an admin subscribed, target = chat id.
                       platform is a platform id or "all".
  alert_changes        change_id -> platform, date, first_seen, alerted (0: recorded without alerting)
  alert_deliveries     (surface, kind, target, change_id) -> lang, state, owner, claimed_at, attempts, sent_at
  alert_meta           key -> value; "baseline" says when this database first recorded the changes

Exactly once per (subscriber, change), with any number of processes on one database:
  * A change is recorded by INSERT ... ON CONFLICT DO NOTHING. Only the transaction whose insert took effect
    (RETURNING gives its row) creates the change's delivery rows, in the same transaction, for the subscribers of that moment
    (INSERT ... SELECT ... ON CONFLICT DO NOTHING on the delivery table's primary key). So each (subscriber,
    change) has at most one row, ever.
  * A process claims a row by a compare-and-set UPDATE (state pending, or claimed with an expired lease ->
    claimed by me, now); a concurrent claimer's UPDATE matches nothing (PostgreSQL re-checks the condition after
    the row lock; SQLite serialises writers), so one process owns each row. Sent rows are never claimed again.
  * A process that died holding a claim leaves the row "claimed": after the lease it is claimed again. The one
    case that can repeat a message: the platform accepted it and the process died before marking it sent.
Nothing here holds message text; the rows hold ids, platform ids and dates. /forget and /unsubscribe delete them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Column, Float, Integer, Table, Text, delete, func, literal, or_, select, true, update

from .store import Store, metadata

alert_subscriptions = Table(
    "alert_subscriptions", metadata,
    Column("surface", Text, primary_key=True), Column("kind", Text, primary_key=True),
    Column("target", Text, primary_key=True), Column("platform", Text, primary_key=True),
    Column("lang", Text), Column("created", Float, nullable=False),
)
alert_changes = Table(
    "alert_changes", metadata,
    Column("change_id", Text, primary_key=True), Column("platform", Text, nullable=False),
    Column("date", Text, nullable=False), Column("first_seen", Float, nullable=False),
    Column("alerted", Integer, nullable=False, server_default="0"),
)
alert_deliveries = Table(
    "alert_deliveries", metadata,
    Column("surface", Text, primary_key=True), Column("kind", Text, primary_key=True),
    Column("target", Text, primary_key=True), Column("change_id", Text, primary_key=True),
    Column("lang", Text), Column("state", Text, nullable=False, server_default="pending"),
    Column("owner", Text), Column("claimed_at", Float), Column("attempts", Integer, nullable=False, server_default="0"),
    Column("sent_at", Float),
)
alert_meta = Table(
    "alert_meta", metadata,
    Column("key", Text, primary_key=True), Column("value", Text, nullable=False),
)

MAX_ATTEMPTS = 5  # a delivery that failed this many times (not "gone": e.g. a long outage) is given up ("failed")


@dataclass(frozen=True)
class Subscriber:
    surface: str  # telegram | discord
    kind: str  # user | chat
    target: str  # the user id (kind user) or the chat id (kind chat), as text


@dataclass(frozen=True)
class KnownChange:
    change_id: str
    platform: str
    date: str  # ISO date
    alert: bool  # False: record it as seen without alerting (too old to be news)


@dataclass(frozen=True)
class Delivery:
    subscriber: Subscriber
    change_id: str
    lang: str | None
    attempts: int


class AlertStore:
    """The alert tables, through a Store's engine (timeouts, outage handling and SQLite locking as for settings)."""

    def __init__(self, store: Store):
        self.store = store

    # subscriptions ------------------------------------------------------------------------------------------
    @staticmethod
    def _sub_where(table, sub: Subscriber):
        return (table.c.surface == sub.surface) & (table.c.kind == sub.kind) & (table.c.target == sub.target)

    async def subscribe(self, sub: Subscriber, platform: str, lang: str | None) -> bool:
        """Subscribe (again: the language is updated). Returns whether it is new."""
        t = alert_subscriptions

        async def work(conn):
            had = (await conn.execute(select(t.c.platform).where(self._sub_where(t, sub) & (t.c.platform == platform)))).all()
            stmt = self.store.insert(t).values(surface=sub.surface, kind=sub.kind, target=sub.target,
                                               platform=platform, lang=lang, created=time.time())
            await conn.execute(stmt.on_conflict_do_update(index_elements=["surface", "kind", "target", "platform"],
                                                          set_={"lang": stmt.excluded.lang}))
            return not had

        return await self.store.transaction(work, what="subscribe")

    async def subscriptions(self, sub: Subscriber) -> list[str]:
        t = alert_subscriptions
        stmt = select(t.c.platform).where(self._sub_where(t, sub)).order_by(t.c.platform)
        return await self.store._read(stmt, [], lambda rows: [r[0] for r in rows])

    async def unsubscribe(self, sub: Subscriber, platform: str | None = None) -> list[str]:
        """Remove one platform (or "all"), or every subscription when platform is None. Deliveries not yet sent
        that no remaining subscription covers go too; with no subscription left, every delivery row of this
        subscriber goes. Returns the platforms removed."""
        t, d, c = alert_subscriptions, alert_deliveries, alert_changes

        async def work(conn):
            where = self._sub_where(t, sub) & ((t.c.platform == platform) if platform is not None else true())
            removed = [r[0] for r in (await conn.execute(select(t.c.platform).where(where))).all()]
            if not removed:
                return []
            await conn.execute(delete(t).where(where))
            left = {r[0] for r in (await conn.execute(select(t.c.platform).where(self._sub_where(t, sub)))).all()}
            if not left:
                await conn.execute(delete(d).where(self._sub_where(d, sub)))
            elif "all" not in left:
                uncovered = select(c.c.change_id).where(c.c.platform.not_in(sorted(left)))
                await conn.execute(delete(d).where(self._sub_where(d, sub) & (d.c.state != "sent")
                                                   & d.c.change_id.in_(uncovered)))
            return removed

        return await self.store.transaction(work, what="unsubscribe")

    async def forget(self, sub: Subscriber) -> bool:
        """Erase every subscription and delivery row of this subscriber. Returns whether anything was stored."""
        async def work(conn):
            n = (await conn.execute(delete(alert_subscriptions).where(self._sub_where(alert_subscriptions, sub)))).rowcount
            m = (await conn.execute(delete(alert_deliveries).where(self._sub_where(alert_deliveries, sub)))).rowcount
            return n + m > 0

        erased = await self.store.transaction(work, what="forget subscriptions")
        if erased:
            await self.store._scrub()
        return erased

    async def move_chat(self, surface: str, old_id, new_id) -> None:
        """A Telegram group became a supergroup: its subscriptions and pending alerts follow it."""
        old, new = str(old_id), str(new_id)

        async def work(conn):
            for table in (alert_subscriptions, alert_deliveries):
                where = (table.c.surface == surface) & (table.c.kind == "chat") & (table.c.target == old)
                taken = select(table.c.target).where((table.c.surface == surface) & (table.c.kind == "chat")
                                                     & (table.c.target == new))
                if (await conn.execute(taken)).first() is None:
                    await conn.execute(update(table).where(where).values(target=new))
                else:
                    await conn.execute(delete(table).where(where))

        await self.store.transaction(work, what="move subscriptions")

    # changes ------------------------------------------------------------------------------------------------
    async def record_changes(self, changes: list[KnownChange], now: float | None = None) -> list[str]:
        """Record the knowledge base's changes; create the delivery rows of each change seen here first.

        The first time ever on a database (no "baseline" row) every change is recorded as seen, without alerting.
        A new change id whose platform already has a known change of the same date is a revision of that entry
        (a reworded text): recorded, not alerted. Returns the ids alerted (delivery rows created, maybe none)."""
        now = time.time() if now is None else now
        c, d, t, m = alert_changes, alert_deliveries, alert_subscriptions, alert_meta
        wanted = {k.change_id: k for k in changes}

        known = await self.store._read(select(c.c.change_id, c.c.platform, c.c.date), None, lambda rows: rows)
        baseline = await self.store._read(select(m.c.value).where(m.c.key == "baseline"), None, lambda rows: rows)
        if known is not None and baseline and not (set(wanted) - {r[0] for r in known}):
            return []  # nothing new: no write (the usual start)

        async def work(conn):
            # RETURNING says whether this INSERT took effect (psycopg reports no rowcount for ON CONFLICT)
            first = (await conn.execute(self.store.insert(m).values(key="baseline", value=f"{now:.0f}")
                                        .on_conflict_do_nothing(index_elements=["key"]).returning(m.c.key))).first() \
                is not None
            rows = (await conn.execute(select(c.c.change_id, c.c.platform, c.c.date))).all()
            seen_ids = {r[0] for r in rows}
            seen_days = {(r[1], r[2]) for r in rows}
            alerted: list[str] = []
            for k in sorted((k for cid, k in wanted.items() if cid not in seen_ids), key=lambda k: (k.date, k.change_id)):
                alert = k.alert and not first and (k.platform, k.date) not in seen_days
                ins = self.store.insert(c).values(change_id=k.change_id, platform=k.platform, date=k.date,
                                                  first_seen=now, alerted=int(alert))
                if (await conn.execute(ins.on_conflict_do_nothing(index_elements=["change_id"])
                                       .returning(c.c.change_id))).first() is None:
                    continue  # another process recorded it first: its transaction made the deliveries
                seen_days.add((k.platform, k.date))
                if not alert:
                    continue
                subscribers = (select(t.c.surface, t.c.kind, t.c.target, literal(k.change_id, Text),
                                      func.max(t.c.lang), literal("pending", Text))
                               .where(t.c.platform.in_((k.platform, "all")))
                               .group_by(t.c.surface, t.c.kind, t.c.target))
                await conn.execute(self.store.insert(d).from_select(
                    ["surface", "kind", "target", "change_id", "lang", "state"], subscribers)
                    .on_conflict_do_nothing(index_elements=["surface", "kind", "target", "change_id"]))
                alerted.append(k.change_id)
            return alerted

        return await self.store.transaction(work, what="record changes")

    # deliveries ---------------------------------------------------------------------------------------------
    def _claimable(self, now: float, lease: float):
        d = alert_deliveries
        return (d.c.attempts < MAX_ATTEMPTS) & or_(d.c.state == "pending",
                                                   (d.c.state == "claimed") & (d.c.claimed_at < now - lease))

    async def claim(self, surface: str, owner: str, *, lease: float, limit: int = 20,
                    now: float | None = None) -> list[Delivery]:
        """Up to `limit` deliveries of this surface, now owned by `owner` for `lease` seconds."""
        now = time.time() if now is None else now
        d = alert_deliveries
        cols = (d.c.surface, d.c.kind, d.c.target, d.c.change_id, d.c.lang, d.c.attempts)
        candidates = await self.store._read(
            select(*cols).where((d.c.surface == surface) & self._claimable(now, lease))
            .order_by(d.c.change_id, d.c.target).limit(limit), [], lambda rows: rows)
        if not candidates:
            return []  # a read only: idle processes take no write lock

        async def work(conn):
            mine = []
            for row in candidates:
                sub = Subscriber(row[0], row[1], row[2])
                cas = (update(d).where(self._sub_where(d, sub) & (d.c.change_id == row[3]) & self._claimable(now, lease))
                       .values(state="claimed", owner=owner, claimed_at=now, attempts=d.c.attempts + 1))
                if (await conn.execute(cas)).rowcount == 1:
                    mine.append(Delivery(sub, row[3], row[4], row[5] + 1))
            return mine

        return await self.store.transaction(work, what="claim alerts")

    def _mine(self, delivery: Delivery, owner: str):
        d = alert_deliveries
        return self._sub_where(d, delivery.subscriber) & (d.c.change_id == delivery.change_id) \
            & (d.c.state == "claimed") & (d.c.owner == owner)

    async def sent(self, delivery: Delivery, owner: str, now: float | None = None) -> bool:
        """Mark it sent (never claimed again). False when the claim was lost (the lease ran out)."""
        stmt = update(alert_deliveries).where(self._mine(delivery, owner)).values(
            state="sent", sent_at=time.time() if now is None else now, owner=None)
        [n] = await self.store._write(stmt, what="alert sent")
        return n == 1

    async def release(self, delivery: Delivery, owner: str) -> None:
        """A failed try: pending again (claimed by whoever comes next), or "failed" after MAX_ATTEMPTS."""
        state = "failed" if delivery.attempts >= MAX_ATTEMPTS else "pending"
        await self.store._write(update(alert_deliveries).where(self._mine(delivery, owner))
                                .values(state=state, owner=None, claimed_at=None), what="alert retry")

    async def drop(self, delivery: Delivery, owner: str) -> None:
        """The change is no longer in the knowledge base: nothing to send."""
        await self.store._write(update(alert_deliveries).where(self._mine(delivery, owner))
                                .values(state="dropped", owner=None), what="alert dropped")

    async def pending(self, surface: str | None = None) -> int:
        d = alert_deliveries
        where = d.c.state.in_(("pending", "claimed")) & (d.c.attempts < MAX_ATTEMPTS)
        if surface:
            where &= d.c.surface == surface
        return await self.store._read(select(func.count()).select_from(d).where(where), 0, lambda rows: rows[0][0])

