"""Review F-11, F-16 through the real discord.py client: options outside the declared choices and lengths."""
from __future__ import annotations

import time

from discord_payloads import slash

from bot.core.render import message


async def test_topic_outside_the_choices_gets_the_usage(harness):
    for topic in ("website-crawlers", "zzz"):
        await harness.interaction(slash("optout", {"platform": "linkedin", "topic": topic}))
    assert [r["content"] for r in harness.fake.replies()] == [message("optout_usage", "discord", "en")] * 2
    # (the harness fails the test if anything was logged as ERROR)


async def test_overlong_platform_names_stay_cheap(harness):
    t0 = time.perf_counter()
    await harness.interaction(slash("optout", {"platform": "\u33af" * 6000}))
    await harness.interaction(slash("letter", {"platform": "\u33af" * 6000}))
    assert time.perf_counter() - t0 < 0.5 and len(harness.fake.replies()) == 2
