"""Discord adapter (discord.py 2.7): `optout-bot run discord` calls run(settings).

Slash commands (/optout /ask /platforms /lang /region /forget /faq), the message context menu "Answer opt-out
question", mentions and DMs, and an opt-in channel FAQ. The code lives in bot/adapters/discord_app/.

Endpoints: discord.py has no per-client setting for its REST base or gateway URL; it reads the class attributes
`discord.http.Route.BASE` and `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`. configure_endpoints() sets them
from DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL (a proxy in large deployments, the fakes in the tests).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import traceback

import discord
import yarl

from .discord_app.client import MISSING_INTENT_LOG, OptoutClient, ShardedOptoutClient

log = logging.getLogger("bot.discord")


def configure_endpoints(settings) -> None:
    """Point discord.py at DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL when they are set (process-wide)."""
    if settings.discord_api_base_url:
        discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
        log.info("Discord REST base: %s", discord.http.Route.BASE)
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        log.info("Discord gateway: %s", settings.discord_gateway_url)


def create_client(settings, store, *, message_content: bool = True, **options) -> discord.Client:
    """The bot client: auto-sharded when DISCORD_SHARD_COUNT is set, else a single connection."""
    if settings.discord_shard_count:
        return ShardedOptoutClient(settings=settings, store=store, message_content=message_content,
                                   shard_count=settings.discord_shard_count, shard_ids=settings.shard_ids, **options)
    return OptoutClient(settings=settings, store=store, message_content=message_content, **options)


def sync(settings, guild_id: int | None = None) -> int:
    """`optout-bot discord sync [--guild ID]`: register the slash commands once (not at every start). Globally,
    the server copy used while developing is cleared so that nothing shows twice."""
    problem = _check(settings)
    if problem:
        log.error(problem)
        return 2
    configure_endpoints(settings)
    return asyncio.run(_sync(settings, guild_id))


async def _sync(settings, guild_id: int | None) -> int:
    from bot.core.memory_store import MemoryStore

    client = create_client(settings, MemoryStore())
    try:
        await client.login(settings.discord_bot_token.get_secret_value())
        synced = await client.sync_commands(guild_id)
        if not guild_id and settings.discord_guild_id:
            await client.clear_guild_commands(settings.discord_guild_id)
        print(f"synced {len(synced)} commands" + (f" to server {guild_id}" if guild_id else " globally"))
        return 0 if synced else 1
    except discord.LoginFailure as error:
        log.error("Discord rejected the bot token (DISCORD_BOT_TOKEN): %s", error)
        return 1
    finally:
        await client.close()


def _check(settings) -> str | None:
    if not settings.discord_bot_token:
        return "DISCORD_BOT_TOKEN is not set (see docs/discord.md)."
    try:
        ids = settings.shard_ids
    except ValueError:
        return "DISCORD_SHARD_IDS must be a list of numbers, for example 0,1."
    if ids is not None and not settings.discord_shard_count:
        return "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of shards)."
    if ids is not None and any(not 0 <= i < settings.discord_shard_count for i in ids):
        return "DISCORD_SHARD_IDS must be between 0 and DISCORD_SHARD_COUNT - 1."
    return None


def run(settings) -> int:
    """Run the Discord bot until SIGTERM/SIGINT (exit code 0) or a fatal error (non-zero)."""
    problem = _check(settings)
    if problem:
        log.error(problem)
        return 2
    configure_endpoints(settings)
    from bot.core.store import StoreError

    try:
        return asyncio.run(_main(settings))
    except KeyboardInterrupt:
        return 0
    except StoreError as e:  # one line, password masked (DATABASE_URL)
        log.error("%s", e)
        return e.exit_code


async def _main(settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return await serve(settings, stop)


async def reload_client(client) -> bool:
    """SIGHUP: the knowledge base loaded again and handed to the client (a broken one is refused)."""
    from bot.core.reload import reload_knowledge

    report = await client.conv.reload(reload_knowledge)
    client.engine, client.renderer = client.conv.engine, client.conv.renderer
    return report.startswith("knowledge base reloaded")


async def serve(settings, stop: asyncio.Event, **options) -> int:
    """Connect and answer until `stop` is set. Without the message content intent, reconnect without it."""
    from bot.core.knowledge import KnowledgeError
    from bot.core.store import Store

    store = await Store.open(settings.database_url, settings)
    token = settings.discord_bot_token.get_secret_value()
    message_content = True
    current: list = []
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # `kill -HUP`: reload the knowledge base
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: current and asyncio.ensure_future(reload_client(current[-1])))
    try:
        while True:
            client = create_client(settings, store, message_content=message_content, **options)
            current[:] = [client]
            runner = asyncio.create_task(client.start(token), name="discord-client")
            stopper = asyncio.create_task(stop.wait(), name="discord-stop")
            await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if stop.is_set():
                log.info("Stopping the Discord bot")
                await client.close()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(runner, 10)
                return 0
            error = runner.exception()
            await client.close()
            if isinstance(error, discord.PrivilegedIntentsRequired) and message_content:
                log.warning(MISSING_INTENT_LOG)
                message_content = False  # reconnect without it: everything but the channel FAQ works
                continue
            if error is None:
                return 0
            if isinstance(error, discord.LoginFailure):
                log.error("Discord rejected the bot token (DISCORD_BOT_TOKEN): %s", error)
                return 1
            if isinstance(error, KnowledgeError):
                log.error("The knowledge base is broken: %s", "; ".join(error.problems))
                return 1
            # the traceback goes through the message so that the log filter can redact any secret in it
            log.error("The Discord bot stopped: %s", "".join(traceback.format_exception(error)).rstrip())
            return 1
    finally:
        await store.close()
