"""Review F-11, F-16 through the real Application: forged callback data and oversized deep links."""
from __future__ import annotations

import time

from tests.telegram.fake_bot_api import callback, message as msg


async def test_forged_callbacks_get_a_polite_note_never_an_error(tg):
    """Review F-11: 'l:general:en' crashed the letter renderer; other forged data must not reach the engine."""
    for data in ("l:general:en", "a:general:zzz:en", "a:nope:ai-training:en", "a:linkedin:zzz:xx", "l:x", "", "a:b:c"):
        await tg.send(callback(data))
    assert tg.errors == []
    notes = tg.calls("answerCallbackQuery")
    assert len(notes) == 7 and all("traceback" not in str(n).lower() for n in notes)


async def test_forged_long_deep_link_is_cut(tg):
    t0 = time.perf_counter()
    await tg.send(msg("/start linkedin_instagram_" + "\u33af" * 4000))
    assert tg.errors == [] and time.perf_counter() - t0 < 0.5


async def test_expected_403_and_429_are_one_warning_without_traceback(tg, caplog):
    """Review I-2: a user who blocked the bot, or a flood limit beyond the retries, is not an error."""
    import logging

    caplog.set_level(logging.INFO)
    tg.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await tg.send(msg("/help"))
    # a 429 longer than TELEGRAM_MAX_RETRY_AFTER: given up at once (other chats never waited for it anyway)
    tg.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 100", retry_after=100)
    await tg.send(msg("/help"))
    mine = [r for r in caplog.records if r.name == "bot.telegram"]
    assert [r.levelname for r in mine if r.levelno >= logging.WARNING].count("ERROR") == 0
    assert any("403" in r.getMessage() for r in mine) and any("flood limit" in r.getMessage() for r in mine)
    assert not any(r.exc_info for r in mine) and "Traceback" not in caplog.text
