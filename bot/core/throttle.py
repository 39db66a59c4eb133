"""In-memory cooldowns and rate limits for the group FAQ (per process: a chat lives on one shard/process)."""
from __future__ import annotations

import time
from collections import deque


class Cooldown:
    """allow(key) is True at most once per `seconds` for the same key (e.g. (chat, platform, topic))."""

    def __init__(self, seconds: float, clock=time.monotonic, max_keys: int = 10_000):
        self.seconds, self.clock, self.max_keys = seconds, clock, max_keys
        self._last: dict = {}
        self._prune_at = max_keys  # pruning is O(n): do it again only after the live keys have doubled

    def allow(self, key) -> bool:
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return False
        if len(self._last) >= self._prune_at:
            self._last = {k: t for k, t in self._last.items() if now - t < self.seconds}
            self._prune_at = max(self.max_keys, 2 * len(self._last))
        self._last[key] = now
        return True


class RateLimit:
    """allow(key) is True for at most `count` events per `seconds` window per key (e.g. a user)."""

    def __init__(self, count: int, seconds: float, clock=time.monotonic, max_keys: int = 10_000):
        self.count, self.seconds, self.clock, self.max_keys = count, seconds, clock, max_keys
        self._events: dict = {}
        self._prune_at = max_keys  # as in Cooldown: amortised O(1) however many keys are live

    def allow(self, key) -> bool:
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.seconds:
            events.popleft()
        if len(events) >= self.count:
            return False
        events.append(now)
        if len(self._events) > self._prune_at:
            self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.seconds}
            self._prune_at = max(self.max_keys, 2 * len(self._events))
        return True
