"""Slash commands, autocomplete and the command sync, through the real CommandTree and Interaction code."""
from __future__ import annotations

from discord_payloads import slash
from fake_discord_rest import APP_ID


async def test_sync_registers_localised_commands(harness):
    [put] = harness.fake.find("PUT", rf"/applications/{APP_ID}/commands")
    cmds = {c["name"]: c for c in put.json}
    assert set(cmds) == {"optout", "ask", "platforms", "lang", "region", "forget", "faq", "Answer opt-out question"}
    print(cmds["optout"])


async def test_optout_slash(harness):
    await harness.interaction(slash("optout", {"platform": "linkedin"}))
    [cb] = harness.fake.callbacks()
    print(cb)
