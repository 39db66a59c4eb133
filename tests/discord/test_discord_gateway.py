"""The whole adapter in-process against the fake gateway and fake REST: connect, IDENTIFY intents, the missing
message content intent (close 4014, reconnect without it), shards, and a clean stop."""
from __future__ import annotations

import asyncio
import logging

import discord
import pytest
import yarl
from discord_payloads import CHANNEL_ID, TOKEN, guild, make_settings, message, slash
from fake_discord_gateway import MESSAGE_CONTENT_INTENT, FakeDiscordGateway
from fake_discord_rest import APP_ID, BOT_ID

from bot.adapters import discord_bot
from bot.adapters.discord_app.client import ShardedOptoutClient
from bot.core.store import Store

CLEAR = "how do I stop linkedin training ai on my data?"
CALLBACK = r"/interactions/\d+/[^/]+/callback"
SENT = rf"/channels/{CHANNEL_ID}/messages"
GUILD_MESSAGES, DM_MESSAGES = 1 << 9, 1 << 12


async def until(condition, timeout: float = 3.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def gateway_factory(monkeypatch):
    made = []

    async def make(**kw) -> FakeDiscordGateway:
        gw = await FakeDiscordGateway(guilds=[guild()], **kw).start()
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(gw.url))
        made.append(gw)
        return gw

    yield make
    for gw in made:
        await gw.stop()


@pytest.fixture
def serve(tmp_path, engine, renderer):
    """Start discord_bot.serve() as a task; returns (settings, stop event, task)."""
    tasks = []

    def start(**settings_kw):
        settings = make_settings(tmp_path, **settings_kw)
        stop = asyncio.Event()
        task = asyncio.create_task(discord_bot.serve(settings, stop, engine=engine, renderer=renderer,
                                                     guild_ready_timeout=0.05))
        tasks.append((stop, task))
        return settings, stop, task

    yield start
    for stop, task in tasks:
        if not task.done():
            stop.set()
            task.cancel()


async def test_connect_identify_answer_and_stop(fake, gateway_factory, serve, caplog):
    caplog.set_level(logging.INFO)
    gw = await gateway_factory()
    _, stop, task = serve()
    await gw.wait_ready()
    [identify] = gw.identifies
    assert identify["token"] == TOKEN
    assert identify["intents"] & MESSAGE_CONTENT_INTENT and identify["intents"] & GUILD_MESSAGES
    assert identify["intents"] & DM_MESSAGES
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")  # synced on request, not at start
    await gw.dispatch("INTERACTION_CREATE", slash("optout", {"platform": "linkedin"}))
    [callback] = await fake.wait_for("POST", CALLBACK)
    assert callback.json["data"]["flags"] == 64
    await gw.dispatch("MESSAGE_CREATE", message(f"<@{BOT_ID}> {CLEAR}", mention_bot=True))
    await fake.wait_for("POST", SENT)
    await until(lambda: "Connected to Discord as optout" in caplog.text)  # on_ready
    assert "message content intent on" in caplog.text
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0
    assert TOKEN not in caplog.text


async def test_missing_message_content_intent_reconnects_without_it(fake, gateway_factory, serve, caplog, tmp_path):
    gw = await gateway_factory(allow_message_content=False)
    settings = make_settings(tmp_path)
    store = await Store.open(settings.database_url)
    await store.update_chat("discord", CHANNEL_ID, faq=True)  # an admin had turned the FAQ on
    await store.close()
    _, stop, task = serve()
    await gw.wait_ready()
    first, second = gw.identifies
    assert gw.closes == [4014]
    assert first["intents"] & MESSAGE_CONTENT_INTENT and not second["intents"] & MESSAGE_CONTENT_INTENT
    assert "Message Content intent is not enabled" in caplog.text
    await gw.dispatch("MESSAGE_CREATE", message(CLEAR))  # the gateway blanks its content
    await gw.dispatch("MESSAGE_CREATE", message(f"<@{BOT_ID}> {CLEAR}", mention_bot=True))
    await fake.wait_for("POST", SENT)
    await asyncio.sleep(0.05)
    assert len(fake.find("POST", SENT)) == 1  # only the mention was answered
    stop.set()
    assert await asyncio.wait_for(task, 5) == 0


async def test_shards_in_separate_processes(fake, gateway_factory, serve, monkeypatch):
    async def no_identify_wait(self, shard_id, *, initial=False):  # skip discord.py's 5 s between IDENTIFYs
        return None

    monkeypatch.setattr(ShardedOptoutClient, "before_identify_hook", no_identify_wait)
    gw = await gateway_factory()
    _, stop_b, task_b = serve(discord_shard_count=2, discord_shard_ids="1")
    await gw.wait_ready(1)
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")  # no process syncs at start
    _, stop_a, task_a = serve(discord_shard_count=2, discord_shard_ids="0")
    await gw.wait_ready(2)
    assert sorted(tuple(i["shard"]) for i in gw.identifies) == [(0, 2), (1, 2)]
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")
    stop_a.set()
    stop_b.set()
    assert await asyncio.wait_for(asyncio.gather(task_a, task_b), 5) == [0, 0]


def test_configuration_errors_exit_2_without_connecting(tmp_path, caplog):
    bad = [{"discord_bot_token": None}, {"discord_shard_ids": "0,1"},
           {"discord_shard_count": 2, "discord_shard_ids": "2"}, {"discord_shard_count": 2, "discord_shard_ids": "x"}]
    for kw in bad:
        settings = make_settings(tmp_path).model_copy(update=kw)
        assert discord_bot.run(settings) == 2
    assert "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT" in caplog.text


def test_configure_endpoints(monkeypatch, tmp_path):
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    settings = make_settings(tmp_path, discord_api_base_url="http://127.0.0.1:1/api/v10/",
                             discord_gateway_url="ws://127.0.0.1:2/")
    discord_bot.configure_endpoints(settings)
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:1/api/v10/users/@me"
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL("ws://127.0.0.1:2/")


async def test_rejected_token_exits_1_without_logging_it(fake, serve, caplog):
    fake.fail("GET", "/users/@me", 401, body={"message": "401: Unauthorized", "code": 0})
    _, _, task = serve()
    assert await asyncio.wait_for(task, 5) == 1
    assert "Discord rejected the bot token" in caplog.text and TOKEN not in caplog.text
