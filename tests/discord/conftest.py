"""Discord adapter test harness: the real discord.py client against a fake REST server on 127.0.0.1.

All use of discord.py's private API (pinned: discord.py 2.7.*) is in `Harness` below: `_connection`,
`_add_guild_from_data`, `parse_interaction_create`, `parse_message_create` and the event task names.
No test module touches private API. Note: this directory has no __init__.py on purpose; with one, pytest
could put tests/ on sys.path, and tests/discord would shadow the discord library.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import discord
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from discord_payloads import TOKEN, guild, make_settings  # noqa: E402
from fake_discord_rest import FakeDiscordRest  # noqa: E402

from bot.adapters.discord_bot import create_client  # noqa: E402
from bot.core.engine import Engine, get_engine  # noqa: E402
from bot.core.render import Renderer  # noqa: E402
from bot.core.store import Store  # noqa: E402

_EVENT_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-dynamic-item")


@pytest.fixture(scope="session")
def engine() -> Engine:
    return get_engine()  # the real knowledge base, loaded once per process


@pytest.fixture(scope="session")
def renderer(engine) -> Renderer:
    return Renderer(engine)


@pytest.fixture
async def fake(monkeypatch):
    server = await FakeDiscordRest().start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.base)
    yield server
    await server.stop()


class Harness:
    """A logged-in client with one guild in its cache; events are injected the way the gateway would."""

    def __init__(self, client: discord.Client, fake: FakeDiscordRest, store: Store):
        self.client, self.fake, self.store = client, fake, store

    async def start(self, guild_payload: dict | None = None) -> "Harness":
        await self.client.login(TOKEN)  # GET /users/@me, /oauth2/applications/@me, then setup_hook
        self.client._connection._add_guild_from_data(guild_payload or guild())  # as if GUILD_CREATE arrived
        return self

    async def interaction(self, payload: dict) -> None:
        """INTERACTION_CREATE through the same parser as the gateway (tree, views, dynamic items)."""
        self.client._connection.parse_interaction_create(payload)
        await self.settle()

    async def message(self, payload: dict) -> None:
        """MESSAGE_CREATE through the gateway's parser, then wait for on_message to finish."""
        self.client._connection.parse_message_create(payload)
        await self.settle()

    async def event(self, name: str, payload: dict) -> None:
        getattr(self.client._connection, f"parse_{name}")(payload)
        await self.settle()

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until every task discord.py started for an event (listeners, commands, buttons) is done."""
        me = asyncio.current_task()
        for _ in range(20):
            pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()
                       and t.get_name().startswith(_EVENT_TASKS)]
            if not pending:
                return
            await asyncio.wait(pending, timeout=timeout)

    async def close(self) -> None:
        await self.client.close()
        await self.store.close()


@pytest.fixture
async def harness_factory(fake, tmp_path, engine, renderer, caplog):
    """Make a started Harness (options go to create_client); fails the test if anything logged an ERROR."""
    made: list[Harness] = []
    caplog.set_level(logging.INFO)

    async def make(*, settings_kw: dict | None = None, guild_payload: dict | None = None, **options) -> Harness:
        settings = make_settings(tmp_path, **(settings_kw or {}))
        store = await Store.open(settings.database_url, settings)
        client = create_client(settings, store, engine=engine, renderer=renderer, **options)
        harness = Harness(client, fake, store)
        made.append(harness)
        return await harness.start(guild_payload)

    yield make
    for h in made:
        await h.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, "errors logged: " + "; ".join(r.getMessage() for r in errors)
    assert TOKEN not in caplog.text


@pytest.fixture
async def harness(harness_factory) -> Harness:
    return await harness_factory()
