"""The alert core without a chat library: change ids, which changes alert, the terminal's /new and /subscribe."""
import datetime as dt

import pytest

from bot.adapters.console import ConsoleChat
from bot.core.alerts import change_id, known_changes
from bot.core.knowledge import load

LI_ID = "linkedin:2025-11-03:71ed14f80d"  # platform : date : sha256(English text)[:10]


@pytest.fixture(scope="module")
def kb():
    return load()


def test_a_change_id_is_platform_date_and_a_hash_of_the_english_text(kb):
    change = kb.platforms["linkedin"].changes[0]
    assert change_id("linkedin", change) == LI_ID
    # the Spanish text, the sources and the whitespace do not change it; rewording the English does
    assert change_id("linkedin", change.model_copy(update={"es": "otro", "sources": ["li-ota"]})) == LI_ID
    assert change_id("linkedin", change.model_copy(update={"en": "  " + change.en.replace(" ", "  ") + "\n"})) == LI_ID
    assert change_id("linkedin", change.model_copy(update={"en": change.en + " More."})) != LI_ID


def test_only_changes_of_the_last_90_days_alert(kb):
    li = {k.change_id: k for k in known_changes(kb, on=dt.date(2025, 11, 30)) if k.platform == "linkedin"}
    assert li[LI_ID].alert is True and li[LI_ID].date == "2025-11-03"
    assert [k.alert for cid, k in li.items() if cid != LI_ID] == [False]  # the 2024-09-18 one
    later = {k.change_id: k for k in known_changes(kb, on=dt.date(2026, 2, 2))}
    assert later[LI_ID].alert is False  # 91 days later: recorded without alerting
    assert len(known_changes(kb)) == sum(len(p.changes) for p in kb.platforms.values())


async def test_the_terminal_has_new_but_no_alerts(engine, monkeypatch):
    from bot.core import alerts

    monkeypatch.setattr(alerts, "today", lambda: dt.date(2026, 11, 29))
    chat = ConsoleChat(engine)
    shown = await chat.reply("/new")
    assert shown.startswith("No platform changed its rules on your data in the last 90 days. The latest changes I "
                            "know of:\n\n• 2026-08-12 · Twitch: ")
    assert shown.endswith("\n  1. Twitch\n  2. Character.AI\n  3. Google (account, Search, Gmail)\n"
                          "  4. Apple (Apple Intelligence, Siri)\n  5. Threads")
    assert (await chat.reply("1")).startswith("Twitch")  # the numbered choice is the platform's answer
    assert await chat.reply("/subscribe linkedin") == ("Alerts are sent in Telegram and Discord; here, /new shows "
                                                       "what changed.")
    assert "older ones in this period." in await chat.reply("/new 400")
