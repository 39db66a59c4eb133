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
