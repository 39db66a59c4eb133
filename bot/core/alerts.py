"""What's new in the chats and policy-change alerts (issue 12, part 1): /new, /subscribe, /unsubscribe, and the
dispatcher that sends each subscriber one short message per new change. No chat library here: the adapters give
the dispatcher a `send(subscriber, reply)` coroutine and map "this user or chat is gone" to SubscriberGone.

A change's identity (`change_id`): "<platform id>:<date>:<first 10 hex digits of the SHA-256 of its English text,
whitespace collapsed>", e.g. "linkedin:2025-11-03:3f1c9a0b2d". So a change keeps its id across restarts, reloads,
reordering and edits of its Spanish text or sources. Rewording its English text gives a new id, which is recorded
as a revision of the known entry of that platform and date, without a second alert (alert_store.record_changes).

When alerts go out: a knowledge base is loaded (at start-up, and on every reload: SIGHUP or Telegram's /reload)
and holds a change whose id this database has not seen. The very first time the bot runs on a database, every
change is recorded as already known, without alerting. Changes dated more than ALERT_DAYS before today are
recorded without alerting too (history added late is not news). Delivery: see alert_store.py.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
from typing import Awaitable, Callable

from .alert_store import AlertStore, Delivery, KnownChange, Subscriber
from .brief import clip, path_line
from .render import message, text
from .store import Store, StoreError
from .whatsnew import DEFAULT_DAYS, first_firm_source, recent_changes

log = logging.getLogger("bot.alerts")

ALERT_DAYS = DEFAULT_DAYS  # a change alerts when dated within this many days before today (or later)
NEW_LIMIT = 5  # changes shown by /new (Discord shows up to 5 buttons in a row)
ITEM_CHARS = 220  # one change's text in /new
ALL = "all"
ALL_WORDS = ("all", "todo", "todos", "todas", "*")
FORMAT = {"telegram": "telegram", "discord": "discord", "console": "plain"}


def today() -> dt.date:
    """The date "the last 90 days" count from (tests replace it)."""
    return dt.date.today()


def change_id(platform_id: str, change) -> str:
    digest = hashlib.sha256(" ".join(change.en.split()).encode("utf-8")).hexdigest()[:10]
    return f"{platform_id}:{change.date.isoformat()}:{digest}"


def known_changes(kb, on: dt.date | None = None) -> list[KnownChange]:
    since = (on or today()) - dt.timedelta(days=ALERT_DAYS)
    return [KnownChange(change_id(p.id, c), p.id, c.date.isoformat(), c.date >= since)
            for p in kb.platforms.values() for c in p.changes]


def find_change(kb, cid: str):
    """(platform, change) for an id, or None when the knowledge base no longer has it."""
    platform = kb.platforms.get(cid.split(":", 1)[0])
    for change in (platform.changes if platform else []):
        if change_id(platform.id, change) == cid:
            return platform, change
    return None


def alert_store(store) -> AlertStore | None:
    """The alert tables of a database store; None for the terminal's in-memory settings."""
    return AlertStore(store) if isinstance(store, Store) else None


def subscriber(turn) -> Subscriber | None:
    """Who a /subscribe in this conversation subscribes: the group (chat) in a group, else the person."""
    if turn.surface not in ("telegram", "discord") or turn.user_id is None:
        return None
    if turn.in_group:
        return Subscriber(turn.surface, "chat", str(turn.chat_id))
    return Subscriber(turn.surface, "user", str(turn.user_id))


class SubscriberGone(Exception):
    """The platform says this user or chat cannot be reached any more (blocked the bot, left, deleted)."""


# --------------------------------------------------------------------------------------------------- replies
def _names(engine, pids: list[str], lang: str) -> str:
    out = [text("alerts_all_platforms", lang) if pid == ALL else
           (engine.platform(pid).name if engine.platform(pid) else pid) for pid in pids]
    return ", ".join(out)


def what_to_do(platform, lang: str) -> str:
    """The card's first step (the shortest surface's path), else its short verdict."""
    card = platform.card("ai-training", lang)
    if card is None:
        return ""
    label, path = path_line(card)
    if path:
        return f"{text(label, lang)}: {path}"
    return clip(card.summary, 200)


def alert_reply(conv, surface: str, cid: str, lang: str):
    """The one message a subscriber gets for a change, with a button to the full answer; None if it is gone."""
    from .conversation import Button, Reply, short_label

    found = find_change(conv.engine.kb, cid)
    if found is None:
        return None
    platform, change = found
    source = first_firm_source(platform, change.sources)
    body = message("alert", FORMAT[surface], lang, name=platform.name, date=change.date.isoformat(),
                   what=getattr(change, lang), todo=what_to_do(platform, lang) or text("alert_todo_ask", lang),
                   source=source.title if source else "-", pid=platform.id)
    buttons = [[Button(text("alert_full_answer", lang), data=f"a:{platform.id}:ai-training:{lang}")]]
    if source and source.url.startswith("https://"):
        buttons.append([Button(short_label(source.title), url=source.url)])
    return Reply(chunks=[body], buttons=buttons)


async def cmd_new(conv, turn, arg: str = ""):
    """The changes of the last 90 days (or /new <days>), newest first, a button per platform; when there are
    none, say so and show the latest few."""
    from .conversation import CHOICE_MAX, Button, short_label

    lang = await conv.ui_lang(turn)
    fmt = FORMAT[turn.surface]
    days = DEFAULT_DAYS
    if arg:
        if not arg.isdigit() or not 1 <= int(arg) <= 3650:
            return await conv.say(turn, "new_usage")
        days = int(arg)
    kb = conv.engine.kb
    items = recent_changes(kb, days=days, lang=lang, today=today())
    head = message("new_header", fmt, lang, days=days)
    latest_only = not items
    if latest_only:  # nothing that recent: say so, and show the latest ones anyway
        items = recent_changes(kb, days=365 * 100, lang=lang, today=today())
        if not items:
            return await conv.say(turn, "new_empty")
        head = message("new_none", fmt, lang, days=days)
    shown = items[:NEW_LIMIT]
    lines = [message("new_item", fmt, lang, date=i.date.isoformat(), name=i.platform_name,
                     text=clip(i.text, ITEM_CHARS)) for i in shown]
    more = 0 if latest_only else len(items) - len(shown)
    if more:
        lines.append(message("new_more", fmt, lang, count=more))
    reply = await conv.say(turn, "new_footer", lang=lang)
    reply.chunks = [head + "\n\n" + "\n\n".join(lines) + "\n\n" + reply.chunks[0]]
    pids = list(dict.fromkeys(i.platform for i in shown))
    reply.choices = [Button(short_label(kb.platforms[pid].name, CHOICE_MAX), data=f"a:{pid}:ai-training:{lang}")
                     for pid in pids]
    return reply


def _platform_arg(conv, arg: str) -> str | None:
    from .conversation import resolve_platform

    if arg.lower() in ALL_WORDS:
        return ALL
    pid = resolve_platform(conv.engine, arg)
    return pid if pid and pid != "general" else None


async def cmd_subscribe(conv, turn, arg: str = ""):
    store, sub = alert_store(conv.store), subscriber(turn)
    if store is None or sub is None:
        return await conv.say(turn, "alerts_unavailable")
    lang = await conv.ui_lang(turn)
    if not arg:
        current = await store.subscriptions(sub)
        reply = await conv.say(turn, "subscribe_usage")
        status = message("subscribe_status", FORMAT[turn.surface], lang, names=_names(conv.engine, current, lang)) \
            if current else message("subscribe_status_none", FORMAT[turn.surface], lang)
        reply.chunks = [status + "\n\n" + reply.chunks[0]]
        return reply
    if turn.in_group and not turn.admin:
        return await conv.say(turn, "subscribe_admin_only")
    pid = _platform_arg(conv, arg)
    if pid is None:
        return await conv.say(turn, "subscribe_unknown", name=arg[:60])
    try:
        await store.subscribe(sub, pid, lang)
    except StoreError as exc:
        log.warning("subscription not saved: %s", exc)
        return await conv.say(turn, "store_unavailable")
    name = text("alerts_any_platform", lang) if pid == ALL else conv.engine.platform(pid).name
    return await conv.say(turn, "subscribed_group" if turn.in_group else "subscribed", name=name, pid=pid)


async def cmd_unsubscribe(conv, turn, arg: str = ""):
    store, sub = alert_store(conv.store), subscriber(turn)
    if store is None or sub is None:
        return await conv.say(turn, "alerts_unavailable")
    if turn.in_group and not turn.admin:
        return await conv.say(turn, "subscribe_admin_only")
    lang = await conv.ui_lang(turn)
    pid = None if not arg or arg.lower() in ALL_WORDS else _platform_arg(conv, arg)
    if arg and pid is None:
        return await conv.say(turn, "subscribe_unknown", name=arg[:60])
    try:
        removed = await store.unsubscribe(sub, pid)
        current = await store.subscriptions(sub) if not removed else []
    except StoreError as exc:
        log.warning("unsubscribe not saved: %s", exc)
        return await conv.say(turn, "store_unavailable")
    if removed:
        return await conv.say(turn, "unsubscribed", names=_names(conv.engine, removed, lang))
    if ALL in current:
        return await conv.say(turn, "unsubscribe_covered")
    return await conv.say(turn, "unsubscribe_nothing")


async def privacy_note(conv, turn, lang: str) -> str:
    """/privacy: what alert subscriptions are stored for this person (and, in a group, for the group)."""
    store = alert_store(conv.store)
    fmt = FORMAT[turn.surface]
    if store is None or turn.user_id is None:
        return message("privacy_alerts_about", fmt, lang)
    mine = await store.subscriptions(Subscriber(turn.surface, "user", str(turn.user_id)))
    lines = [message("privacy_alerts_about", fmt, lang),
             message("privacy_alerts", fmt, lang, names=_names(conv.engine, mine, lang)) if mine
             else message("privacy_alerts_none", fmt, lang)]
    if turn.in_group:
        group = await store.subscriptions(Subscriber(turn.surface, "chat", str(turn.chat_id)))
        if group:
            lines.append(message("privacy_alerts_chat", fmt, lang, names=_names(conv.engine, group, lang)))
    return "\n".join(lines)


async def forget(conv, surface: str, kind: str, target) -> bool:
    """/forget (kind user) and /forget group (kind chat): subscriptions and deliveries. Raises StoreError."""
    store = alert_store(conv.store)
    if store is None or target is None or surface not in ("telegram", "discord"):
        return False
    return await store.forget(Subscriber(surface, kind, str(target)))


# ------------------------------------------------------------------------------------------------- dispatcher
Send = Callable[[Subscriber, object], Awaitable[None]]


class AlertDispatcher:
    """Sends the alerts of one surface from this process, in the background.

    `knowledge_loaded()` records the knowledge base's changes (start-up, reloads) and wakes the loop; the loop
    claims pending deliveries of its surface in small batches, sends each (paced by `interval` seconds, on top of
    the adapter's own rate limiting), marks it sent, and otherwise sleeps `poll` seconds, so deliveries left by
    another process (or a claim whose process died, after `lease` seconds) are picked up too."""

    def __init__(self, conv, surface: str, send: Send, *, poll: float = 60.0, lease: float = 600.0,
                 interval: float = 0.1, batch: int = 20, owner: str | None = None):
        self.conv, self.surface, self.send = conv, surface, send
        self.poll, self.lease, self.interval, self.batch = poll, lease, interval, batch
        self.owner = owner or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.sent = 0
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False

    @property
    def store(self) -> AlertStore | None:
        return alert_store(self.conv.store)

    async def knowledge_loaded(self, *_args) -> list[str]:
        store = self.store
        if store is None:
            return []
        try:
            new = await store.record_changes(known_changes(self.conv.engine.kb))
        except StoreError as exc:
            log.warning("policy changes not recorded (alerts wait for the next start or reload): %s", exc)
            return []
        if new:
            log.info("new policy changes, alerts queued: %s", ", ".join(new))
        self.wake()
        return new

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def deliver_pending(self) -> int:
        """Claim and send until nothing is left for this surface; returns how many were sent."""
        store, sent = self.store, 0
        if store is None:
            return 0
        while True:
            batch = await store.claim(self.surface, self.owner, lease=self.lease, limit=self.batch)
            if not batch:
                return sent
            for delivery in batch:
                if self._stopping:  # shutting down: what is claimed but not sent goes back, for whoever is next
                    await store.release(delivery, self.owner)
                    continue
                sent += await self._deliver(store, delivery)
                if self.interval:
                    await asyncio.sleep(self.interval)
            if self._stopping:
                return sent

    async def _lang(self, delivery: Delivery) -> str:
        sub = delivery.subscriber
        chosen = (await self.conv.store.user(sub.surface, sub.target)).lang if sub.kind == "user" else \
            (await self.conv.store.chat(sub.surface, sub.target)).lang
        return chosen or delivery.lang or "en"

    async def _deliver(self, store: AlertStore, delivery: Delivery) -> int:
        reply = alert_reply(self.conv, self.surface, delivery.change_id, await self._lang(delivery))
        if reply is None:
            await store.drop(delivery, self.owner)
            return 0
        who = f"{delivery.subscriber.kind} {delivery.subscriber.target}"
        try:
            await self.send(delivery.subscriber, reply)
        except SubscriberGone as exc:
            log.info("%s alert: %s is gone (%s): unsubscribed", self.surface, who, exc)
            await store.forget(delivery.subscriber)
            return 0
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a network error, a long 429...: tried again later
            log.warning("%s alert for %s to %s failed (try %d): %r", self.surface, delivery.change_id, who,
                        delivery.attempts, exc)
            await store.release(delivery, self.owner)
            return 0
        if not await store.sent(delivery, self.owner):
            log.warning("%s alert for %s to %s was sent after its claim expired", self.surface, delivery.change_id, who)
        self.sent += 1
        return 1

    async def run(self) -> None:
        self._wake = asyncio.Event()
        await self.knowledge_loaded()
        while not self._stopping:
            self._wake.clear()
            try:
                await self.deliver_pending()
            except asyncio.CancelledError:
                raise
            except StoreError as exc:
                log.warning("%s alerts: the database is unavailable, trying again in %.0f s: %s",
                            self.surface, self.poll, exc)
            except Exception:  # noqa: BLE001 - the loop must survive anything; the next pass tries again
                log.exception("%s alerts: delivery pass failed", self.surface)
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except (asyncio.TimeoutError, TimeoutError):
                pass

    def start(self) -> asyncio.Task:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"alerts-{self.surface}")
        return self._task

    async def stop(self, grace: float = 5.0) -> None:
        """Finish the send and the database call under way (a cancelled query would outlive the store), then
        stop; cancelled only when that takes longer than `grace` seconds."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except (asyncio.TimeoutError, TimeoutError):
            task.cancel()
        except Exception:  # noqa: BLE001 - logged by run() already
            pass
        if not task.done():
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
