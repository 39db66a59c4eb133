"""Feedback counters and `optout-bot stats`: aggregates only (no user id, no message text), counted once each."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3

import pytest

from bot.core import feedback
from bot.core.conversation import Conversation, Limits, Turn
from bot.core.render import Renderer, text
from bot.core.store import Store

MONTH = feedback.period(dt.date.today())
USER, CHAT = 987654321, 555444333


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every table, every column."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


def counters(path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT period, kind, platform, topic, lang, value, count FROM counters "
                          "ORDER BY kind, platform, value").fetchall()


def turn(surface: str = "telegram") -> Turn:
    return Turn(surface, CHAT, USER)


async def test_a_vote_increments_exactly_one_counter_and_stores_no_user_or_text(stored_conv):
    question = "how do I stop linkedin training ai on my data? my name is Zoe Quux"
    reply = await stored_conv.message(turn(), question)
    yes, no = feedback.vote_data("linkedin", "ai-training", "en")
    assert [b.data for b in reply.buttons[-1]] == [yes, no]
    assert [b.label for b in reply.buttons[-1]] == ["👍 Helpful", "👎 Not helpful"]
    await stored_conv.flush_counts()
    before = counters(stored_conv.db)
    thanks = await stored_conv.press(turn(), yes)
    assert thanks.toast == text("vote_thanks", "en")
    await stored_conv.flush_counts()
    after = counters(stored_conv.db)
    assert set(after) - set(before) == {(MONTH, "vote", "linkedin", "ai-training", "en", "yes", 1)}
    assert set(before) - set(after) == set()
    tables = dump(stored_conv.db)
    cells = [str(c) for name, table in tables.items() if name != "alembic_version" for row in table for c in row]
    assert not [c for c in cells if str(USER) in c or str(CHAT) in c or "Zoe" in c or "quux" in c.casefold()
                or "how do i" in c.casefold()]
    assert tables["checklist_done"] == [] and tables["user_settings"] == []


async def test_counts_add_up_per_key(stored_conv):
    for user in range(3):
        await stored_conv.press(Turn("discord", CHAT, user), "fb:n:chatgpt:delete-data:es")
    await stored_conv.flush_counts()
    await stored_conv.press(Turn("discord", CHAT, 3), "fb:n:chatgpt:delete-data:es")
    await stored_conv.flush_counts()
    assert [r for r in counters(stored_conv.db) if r[1] == "vote"] == [(MONTH, "vote", "chatgpt", "delete-data", "es", "no", 4)]


async def test_one_vote_per_user_and_answer_kept_in_memory_only(stored_conv):
    first = await stored_conv.press(turn(), "fb:y:linkedin:ai-training:en")
    assert first.drop_buttons == "fb:"  # private chat: the pair leaves the message
    again = await stored_conv.press(turn(), "fb:n:linkedin:ai-training:en")
    assert again.toast == text("vote_already", "en")
    other_card = await stored_conv.press(turn(), "fb:n:linkedin:delete-data:en")
    assert other_card.toast == text("vote_thanks", "en")
    in_group = await stored_conv.press(Turn("telegram", -100, 77, in_group=True), "fb:n:linkedin:ai-training:en")
    assert in_group.toast == text("vote_thanks", "en") and in_group.drop_buttons is None  # others may still vote
    await stored_conv.flush_counts()
    assert sorted(r[2:] for r in counters(stored_conv.db) if r[1] == "vote") == [
        ("linkedin", "ai-training", "en", "no", 1), ("linkedin", "ai-training", "en", "yes", 1),
        ("linkedin", "delete-data", "en", "no", 1)]


async def test_uncovered_brand_is_counted_and_can_be_requested(stored_conv):
    reply = await stored_conv.message(turn(), "does signal use my chats to train ai?")
    assert reply.answer.reason == "uncovered" and reply.answer.hints["brand"] == "Signal"
    [[button], [letter]] = reply.buttons  # ...and a letter addressed to it, meanwhile
    assert button.label == "Request a guide for Signal" and button.data == "fb:r:signal"
    assert letter.label == "Objection letter" and letter.data == "lb:signal:en"
    thanks = await stored_conv.press(turn(), button.data)
    assert thanks.toast == text("request_thanks", "en", brand="Signal")
    await stored_conv.flush_counts()
    rows = counters(stored_conv.db)
    assert (MONTH, "asked", "", "", "", "Signal", 1) in rows and (MONTH, "request", "", "", "", "Signal", 1) in rows
    assert (MONTH, "answer", "", "", "en", "abstain/uncovered", 1) in rows


@pytest.mark.parametrize("forged", ["fb:r:my-secret-text", "fb:r:", "fb:y:nope:ai-training:en", "fb:y:linkedin:x:en",
                                    "fb:y:linkedin:ai-training:fr", "fb:y:general:about-bot:en", "fb:q:linkedin"])
async def test_forged_feedback_counts_nothing(stored_conv, forged):
    reply = await stored_conv.press(turn(), forged)
    assert reply.toast == text("button_invalid", "en")
    await stored_conv.flush_counts()
    assert counters(stored_conv.db) == []


async def test_no_vote_buttons_where_they_cannot_work(stored_conv):
    def votes(reply):
        return [b for row in reply.buttons for b in row if b.data and b.data.startswith("fb:")]

    assert votes(await stored_conv.command(Turn("telegram", USER, USER), "optout", "linkedin"))  # where they work
    assert not votes(await stored_conv.command(Turn("telegram", USER, USER, inline=True), "optout", "linkedin"))
    assert not votes(await stored_conv.command(Turn("console", "console", "you"), "optout", "linkedin"))


async def test_a_dead_store_never_delays_an_answer_and_counts_are_kept(engine):
    class Down:
        calls = 0

        async def add_counts(self, counts):
            Down.calls += 1
            raise OSError("database is down")

        async def user(self, *a):
            from bot.core.store import UserSettings
            return UserSettings()

    conv = Conversation(engine, Renderer(engine), Down(), Limits())
    conv.tally.every = 0.0
    reply = await conv.message(turn(), "how do I stop linkedin training ai on my data?")
    assert reply.answer.status == "answer"
    await conv.flush_counts()
    assert Down.calls >= 1 and sum(conv.tally.pending.values()) == 1  # kept for the next try


async def test_stats_after_a_scripted_conversation(stored_conv, tmp_path, monkeypatch, capsys):
    from bot.cli import main

    script = ["how do I stop linkedin training ai on my data?", "does signal use my chats to train ai?",
              "I use instagram, linkedin and chatgpt, what do I do?", "how do I stop meta training ai on my data?",
              "what's the weather tomorrow?"]
    for line in script:
        await stored_conv.message(turn(), line)
    for user, vote in ((1, "y"), (2, "n"), (3, "y"), (3, "n")):  # user 3's second vote is not counted
        await stored_conv.press(Turn("telegram", user, user), f"fb:{vote}:linkedin:ai-training:en")
    await stored_conv.press(turn(), "fb:r:signal")
    await stored_conv.flush_counts()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{stored_conv.db}")
    assert await asyncio.to_thread(main, ["stats", "--json", "--today", "2026-11-29"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["periods"] == [MONTH]
    answers = {(a["status"], a["reason"]): a["count"] for a in report["answers"]}
    assert answers == {("answer", "-"): 1, ("abstain", "uncovered"): 1, ("checklist", "several"): 1,
                       ("clarify", "owner"): 1, ("abstain", "off-topic"): 1}
    assert report["votes"] == [{"platform": "linkedin", "topic": "ai-training", "yes": 2, "no": 1}]
    assert report["brands"] == [{"brand": "Signal", "asked": 1, "requested": 1}]
    assert await asyncio.to_thread(main, ["stats", "--today", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert "Answers by status and reason (5 in all):" in out
    assert "  linkedin ai-training                    2 yes    1 no" in out
    assert "  Signal                                  1 asked    1 requested" in out
    assert "Cards not verified for over 180 days:\n  (none)" in out


def test_stats_lists_cards_not_verified_for_180_days(engine):
    from bot.core.stats import report

    oldest = min(p.verified for p in engine.kb.platforms.values())
    later = oldest + dt.timedelta(days=181)
    stale = report([], engine.kb, today=later)["stale"]
    assert stale and all(s["days"] > 180 for s in stale)
    assert {s["platform"] for s in stale} == {p.id for p in engine.kb.platforms.values()
                                              if (later - p.verified).days > 180}
    assert report([], engine.kb, today=oldest + dt.timedelta(days=180))["stale"] == []


async def test_counters_add_up_across_processes_on_postgresql(postgres_url):
    """Two stores (two bot processes) adding to the same counters: the sums are exact (one upsert each)."""
    a, b = await Store.open(postgres_url), await Store.open(postgres_url)
    key = ("2026-11", "vote", "claude", "ai-training", "en", "yes")
    try:
        await asyncio.gather(*(s.add_counts({key: 1}) for _ in range(10) for s in (a, b)))
        assert [r for r in await a.counts("vote") if r[:6] == key] == [(*key, 20)]
    finally:
        await a.close()
        await b.close()


async def test_a_vote_counts_again_after_the_window(engine):
    from bot.core.memory_store import MemoryStore

    now = [0.0]
    conv = Conversation(engine, Renderer(engine), MemoryStore(), Limits(user=(1000, 60.0)), clock=lambda: now[0])
    assert (await conv.press(turn(), "fb:y:claude:ai-training:en")).toast == text("vote_thanks", "en")
    now[0] = feedback.VOTE_WINDOW - 1
    assert (await conv.press(turn(), "fb:y:claude:ai-training:en")).toast == text("vote_already", "en")
    now[0] = feedback.VOTE_WINDOW + 1
    assert (await conv.press(turn(), "fb:y:claude:ai-training:en")).toast == text("vote_thanks", "en")
    await conv.flush_counts()
    assert await conv.store.counts("vote") == [(MONTH, "vote", "claude", "ai-training", "en", "yes", 2)]


async def test_tally_writes_in_the_background_when_due_and_stays_bounded(monkeypatch):
    from bot.core.memory_store import MemoryStore

    now = [0.0]
    tally = feedback.Tally(every=5.0, clock=lambda: now[0], today=lambda: dt.date(2026, 11, 29))
    store = MemoryStore()
    tally.add("asked", value="Signal")
    tally.schedule(store)  # not due yet: nothing written
    await asyncio.sleep(0)
    assert await store.counts() == []
    now[0] = 5.0
    tally.schedule(store)
    await asyncio.sleep(0.01)
    assert await store.counts() == [("2026-11", "asked", "", "", "", "Signal", 1)] and not tally.pending
    monkeypatch.setattr(feedback, "MAX_PENDING", 2)
    for brand in ("A", "B", "C"):
        tally.add("asked", value=brand)
    tally.add("asked", value="A")  # a key already pending still counts
    assert {k[5]: n for k, n in tally.pending.items()} == {"A": 2, "B": 1}  # "C" found no room


def test_stats_since_leaves_out_older_months(engine):
    from bot.core.stats import report

    rows = [("2026-10", "vote", "x", "ai-training", "en", "yes", 3), ("2026-11", "vote", "x", "ai-training", "en", "no", 1)]
    assert report(rows, engine.kb, since="2026-11")["votes"] == [{"platform": "x", "topic": "ai-training", "yes": 0, "no": 1}]
    assert report(rows, engine.kb)["votes"] == [{"platform": "x", "topic": "ai-training", "yes": 3, "no": 1}]
