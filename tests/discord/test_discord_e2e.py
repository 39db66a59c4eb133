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
    assert "Stopping the Discord bot" in text and not rest.find("PUT", rf"/applications/{APP_ID}/commands")
    assert TOKEN not in text and "SECRET" not in text


async def test_discord_sync_subprocess_registers_the_commands(tmp_path):
    """`optout-bot discord sync`: the commands are registered on request, not at every start."""
    rest = await FakeDiscordRest().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_"))}
    env.update(DISCORD_BOT_TOKEN=TOKEN, DISCORD_API_BASE_URL=rest.base, PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", NO_PROXY="127.0.0.1,localhost",
               DISCORD_GUILD_ID="800000000000000001")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "discord", "sync", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, output.decode()
        [put] = rest.find("PUT", rf"/applications/{APP_ID}/commands")
        assert len(put.json) == 17 and b"synced 17 commands globally" in output
        [cleared] = rest.find("PUT", rf"/applications/{APP_ID}/guilds/800000000000000001/commands")
        assert cleared.json == []  # the development server's copy goes, so nothing shows twice
    finally:
        await rest.stop()
