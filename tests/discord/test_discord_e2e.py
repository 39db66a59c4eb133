"""End to end: `python -m bot.cli run discord` as a subprocess, pointed at the fake REST API and fake gateway."""
from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from discord_payloads import TOKEN, guild, slash
from fake_discord_gateway import FakeDiscordGateway
from fake_discord_rest import APP_ID, FakeDiscordRest

ROOT = Path(__file__).resolve().parents[2]


async def test_run_discord_subprocess(tmp_path):
    rest = await FakeDiscordRest().start()
    gateway = await FakeDiscordGateway(guilds=[guild()]).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_"))}
    env.update(DISCORD_BOT_TOKEN=TOKEN, DISCORD_API_BASE_URL=rest.base, DISCORD_GATEWAY_URL=gateway.url,
               DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", LOG_LEVEL="DEBUG", PYTHONPATH=str(ROOT),
               NO_PROXY="127.0.0.1,localhost")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "discord", cwd=tmp_path, env=env,  # cwd: no developer .env
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output = b""
    try:
        await gateway.wait_ready(timeout=20)
        assert gateway.identifies[0]["token"] == TOKEN
        [sync] = await rest.wait_for("PUT", rf"/applications/{APP_ID}/commands", timeout=5)
        assert len(sync.json) == 9
        await gateway.dispatch("INTERACTION_CREATE", slash("optout", {"platform": "linkedin"}))
        [callback] = await rest.wait_for("POST", r"/interactions/\d+/[^/]+/callback", timeout=5)
        assert callback.json["type"] == 4 and callback.json["data"]["flags"] == 64
        assert "LinkedIn" in callback.json["data"]["embeds"][0]["title"]
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), 10)
        assert proc.returncode == 0, output.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            output += (await proc.communicate())[0]
        await gateway.stop()
        await rest.stop()
    text = output.decode()
    assert "Synced 9 application commands" in text and "Stopping the Discord bot" in text
    assert TOKEN not in text and "SECRET" not in text
