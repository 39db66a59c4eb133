"""Feedback for curators (issue 12 part 4, issue 9 item 3): aggregate counters, never who or what was written.

Counted (kind: platform, topic, lang, value):
  answer   every question answered, clarified or declined: the answer's platform/topic, value "status/reason"
  asked    a brand we have no guide for was asked about: value = the brand's name from knowledge/brands.yaml
  request  someone tapped "request this platform" under that reply: value = the brand's name
  vote     "helpful? 👍 / 👎" under a platform answer: platform, topic, lang, value "yes" or "no"
Counts are kept per month, buffered in memory and added to the store in one transaction at most every few
seconds, off the answer's path: a slow or dead database never delays an answer (unsaved counts are retried,
bounded). Button data: "fb:y|n:<platform>:<topic>:<lang>" (vote), "fb:r:<brand slug>" (request).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections import Counter

log = logging.getLogger("bot.feedback")

KINDS = ("answer", "asked", "request", "vote")
VOTES = {"y": "yes", "n": "no"}
VOTE_WINDOW = 3600.0  # seconds: a second vote on the same answer by the same user is not counted (memory only)
MAX_PENDING = 5000  # distinct counters kept while the database is away; beyond that new counts are dropped


def slug(name: str) -> str:
    """A brand name as button data: 'Microsoft Edge' -> 'microsoft-edge' (Discord ids allow [a-z0-9-] only)."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40]


def period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def answer_value(status: str, reason: str) -> str:
    return f"{status}/{reason or '-'}"


class Tally:
    def __init__(self, every: float = 5.0, clock=time.monotonic, today=dt.date.today):
        self.every, self.clock, self.today = every, clock, today
        self.pending: Counter = Counter()
        self._last = clock()
        self._task: asyncio.Task | None = None

    def add(self, kind: str, platform: str | None = "", topic: str | None = "", lang: str | None = "",
            value: str | None = "") -> None:
        assert kind in KINDS, kind
        key = (period(self.today()), kind, platform or "", topic or "", lang or "", value or "")
        if key in self.pending or len(self.pending) < MAX_PENDING:
            self.pending[key] += 1

    def schedule(self, store) -> None:
        """Start a background flush when one is due and none is running."""
        if not self.pending or (self._task is not None and not self._task.done()):
            return
        if self.clock() - self._last < self.every:
            return
        try:
            self._task = asyncio.get_running_loop().create_task(self.flush(store))
        except RuntimeError:  # no running loop (a synchronous caller): the next flush takes these along
            pass

    async def flush(self, store) -> None:
        """Add what is pending to the store now. On failure the counts go back to pending (bounded)."""
        if self._task is not None and self._task is not asyncio.current_task() and not self._task.done():
            await asyncio.wait({self._task})
        self._last = self.clock()
        batch, self.pending = self.pending, Counter()
        add = getattr(store, "add_counts", None)
        if not batch or add is None:
            return
        try:
            await add(dict(batch))
        except Exception as exc:  # noqa: BLE001 - counts are best effort; an answer never fails for them
            log.info("feedback counters not saved yet (%s); retrying later", exc)
            for key, n in batch.items():
                if key in self.pending or len(self.pending) < MAX_PENDING:
                    self.pending[key] += n


# buttons ------------------------------------------------------------------------------------------------------
def vote_data(pid: str, topic: str, lang: str) -> tuple[str, str]:
    return f"fb:y:{pid}:{topic}:{lang}", f"fb:n:{pid}:{topic}:{lang}"


def request_data(brand: str) -> str:
    return f"fb:r:{slug(brand)}"


def brand_names(engine) -> dict[str, str]:
    """slug -> name of every brand in knowledge/brands.yaml that has no platform file (the only values a
    'request' counter can take: never text from a button someone forged)."""
    from .platforms import BRAND

    return {slug(v.removeprefix(BRAND)): v.removeprefix(BRAND) for v in engine.index.alias.values()
            if v.startswith(BRAND)}


async def press(conv, turn, args: list[str]):
    """fb:y|n:<platform>:<topic>:<lang> (a vote) and fb:r:<brand slug> (a request): counted, thanked with a
    toast; None for anything else (the caller answers 'button_invalid')."""
    from .vocab import LANGS

    if len(args) == 4 and args[0] in VOTES and conv._platform_ok(args[1], general=False) \
            and args[2] in conv_topics() and args[3] in LANGS:
        if not conv.voted.allow((turn.surface, turn.user_id, args[1], args[2])):
            return await conv.say(turn, "vote_already", lang=args[3], toast=True)
        conv.tally.add("vote", args[1], args[2], args[3], VOTES[args[0]])
        conv.tally.schedule(conv.store)
        reply = await conv.say(turn, "vote_thanks", lang=args[3], toast=True)
        if not turn.in_group:  # the pair goes from the message (in a group others may still vote)
            reply.drop_buttons = "fb:"
        return reply
    if len(args) == 2 and args[0] == "r":
        name = brand_names(conv.engine).get(args[1])
        if name is None:
            return None
        conv.tally.add("request", value=name)
        conv.tally.schedule(conv.store)
        return await conv.say(turn, "request_thanks", toast=True, brand=name)
    return None


def conv_topics() -> tuple[str, ...]:
    from .vocab import DERIVED_TOPICS, PLATFORM_TOPICS

    return PLATFORM_TOPICS + DERIVED_TOPICS
