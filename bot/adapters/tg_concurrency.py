"""Telegram: one chat never stalls another (review F-1).

ChatUpdateProcessor runs updates of different chats concurrently (up to `max_concurrent` handlers at once) and
updates of one chat in order, one at a time. A chat with more than `per_chat_queue` updates waiting has the rest
dropped: a flooding group loses its own excess instead of queueing it in front of everyone else.

ChatRateLimiter is PTB's AIORateLimiter policy (30 messages/s for the bot, 20 a minute per group, retries on 429)
with two changes: a 429 (RetryAfter) pauses only the chat it was for (AIORateLimiter pauses every request of the
bot until the retry time, so one group's 429 froze all chats), and groups together may use only part of the
bot's 30 messages/s, so a private chat's reply never queues behind group floods in the overall limiter.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

log = logging.getLogger("bot.telegram")


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds (an int today, a timedelta in a later PTB), without the deprecation note."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after = exc.retry_after
    return after.total_seconds() if hasattr(after, "total_seconds") else float(after)


def chat_key(update: object) -> object | None:
    """What to serialise on: the chat; for updates without one (inline queries, inline-message buttons) the user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats (global bound), sequential within a chat (per-chat lock), bounded per chat."""

    def __init__(self, max_concurrent: int = 64, per_chat_queue: int = 8, drop_log_every: float = 60.0,
                 stopping=lambda: False):
        # PTB's own semaphore (taken before do_process_update) only guards against runaway task counts: the real
        # bound is taken after the chat's lock, so that updates waiting behind their chat hold no slot.
        super().__init__(max_concurrent_updates=max(4096, max_concurrent * 4))
        self.max_concurrent = max_concurrent
        self.per_chat_queue = per_chat_queue
        self.drop_log_every = drop_log_every
        self._running = asyncio.Semaphore(max_concurrent) if max_concurrent else None
        self._chats: dict[object, list] = {}  # key -> [lock, updates admitted (running + waiting)]
        self.dropped = 0
        self.processed = 0  # started
        self.admitted = 0  # started or waiting their chat's turn
        self.stopping = stopping  # True once the application stops: queued updates are then dropped, not run
        self._dropped_by_chat: dict[object, int] = {}
        self._last_drop_log = 0.0

    async def initialize(self) -> None:
        self._running = asyncio.Semaphore(self.max_concurrent)

    async def shutdown(self) -> None:
        pass

    async def do_process_update(self, update: object, coroutine) -> None:
        key = chat_key(update)
        if key is None:
            self.admitted += 1
            async with self._running:
                self.processed += 1
                await coroutine
            return
        entry = self._chats.get(key)
        if entry is None:
            entry = self._chats[key] = [asyncio.Lock(), 0]
        if entry[1] > self.per_chat_queue:  # one running + per_chat_queue waiting: drop the rest
            coroutine.close()
            self._dropped(key)
            return
        entry[1] += 1
        self.admitted += 1
        try:
            async with entry[0], self._running:
                if self.stopping():  # shutting down: do not start what waited behind a flooding chat
                    coroutine.close()
                    return
                self.processed += 1
                await coroutine
        except asyncio.CancelledError:
            coroutine.close()  # cancelled while waiting its turn (shutdown): it never ran
            raise
        finally:
            entry[1] -= 1
            if entry[1] == 0 and self._chats.get(key) is entry:
                del self._chats[key]

    def _dropped(self, key) -> None:
        self.dropped += 1
        self._dropped_by_chat[key] = self._dropped_by_chat.get(key, 0) + 1
        now = time.monotonic()
        if now - self._last_drop_log >= self.drop_log_every:
            self._last_drop_log = now
            worst = sorted(self._dropped_by_chat.items(), key=lambda kv: -kv[1])[:3]
            log.warning("flood: dropped %d updates of chats with more than %d waiting (most: %s)",
                        sum(self._dropped_by_chat.values()), self.per_chat_queue,
                        ", ".join(f"{k[0]} {k[1]}: {n}" for k, n in worst))
            self._dropped_by_chat.clear()


class ChatRateLimiter(BaseRateLimiter[int]):
    """Flood limits as AIORateLimiter, but a RetryAfter (429) delays only requests to the same chat."""

    def __init__(self, overall_max_rate: float = 30, overall_time_period: float = 1, group_max_rate: float = 20,
                 group_time_period: float = 60, max_retries: int = 5, max_retry_after: float = 60.0,
                 all_groups_max_rate: float = 20):
        self._base = AsyncLimiter(overall_max_rate, overall_time_period) if overall_max_rate else None
        # all groups together get at most this many messages a second of the bot's overall budget, so that
        # private chats always find room in the overall limiter instead of queueing behind group floods
        self._all_groups = AsyncLimiter(all_groups_max_rate, 1) if all_groups_max_rate else None
        self._group_rate, self._group_period = group_max_rate, group_time_period
        self._groups: dict[object, AsyncLimiter] = {}
        self._paused_until: dict[object, float] = {}  # chat -> loop time until which its requests wait
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group(self, chat) -> AsyncLimiter | None:
        if not self._group_rate or not isinstance(chat, (int, str)) or (isinstance(chat, int) and chat >= 0):
            return None  # private chats have no per-chat limit (only the bot-wide one)
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) > 1024:  # forget groups whose bucket is full again (idle)
                for k, lim in list(self._groups.items()):
                    if lim.has_capacity(lim.max_rate):
                        del self._groups[k]
            limiter = self._groups[chat] = AsyncLimiter(self._group_rate, self._group_period)
        return limiter

    async def process_request(self, callback, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None):
        chat = data.get("chat_id")
        with contextlib.suppress(TypeError, ValueError):
            chat = int(chat)
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        loop = asyncio.get_running_loop()
        for attempt in range(retries + 1):
            until = self._paused_until.get(chat)
            if until is not None:
                if until > loop.time():
                    await asyncio.sleep(until - loop.time())
                else:
                    self._paused_until.pop(chat, None)
            group = self._group(chat) if chat is not None else None
            async with (group or contextlib.nullcontext()), \
                    (self._all_groups if (group and self._all_groups) else contextlib.nullcontext()), \
                    (self._base if (self._base and chat is not None) else contextlib.nullcontext()):
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    after = retry_seconds(exc)
                    if attempt == retries or after > self.max_retry_after:
                        log.warning("Telegram flood limit for chat %s (%s): retry after %.0f s; giving up",
                                    chat, endpoint, after)
                        raise
                    log.warning("Telegram flood limit for chat %s (%s): retrying after %.1f s (only this chat waits)",
                                chat, endpoint, after)
                    self._paused_until[chat] = loop.time() + after + 0.1
        raise AssertionError("unreachable")
