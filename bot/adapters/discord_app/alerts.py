"""Discord side of /new, /subscribe, /unsubscribe and the policy-change alerts (bot/core/alerts.py decides and
phrases everything; this is glue). Alerts to a person go to their DMs, alerts of a server channel to that channel.
Discord's own rate limiting is discord.py's (per-route buckets, 429 retries); the dispatcher also paces its sends.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.core.alerts import ALL, AlertDispatcher, SubscriberGone

from .commands import CONTEXTS, INSTALLS, command
from .payloads import outs
from .strings import ls

log = logging.getLogger("bot.discord")
SURFACE = "discord"


def register(client) -> None:
    """/new, /subscribe [platform] and /unsubscribe [platform], with platform autocomplete (and "all")."""

    @command("new")
    async def new(interaction: discord.Interaction) -> None:
        await client.command(interaction, "new")

    @command("subscribe")
    @app_commands.rename(platform=ls("discord_opt_platform_name"))
    @app_commands.describe(platform=ls("discord_opt_alert_platform_desc"))
    async def subscribe(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100] | None = None) -> None:
        await alert_command(client, interaction, "subscribe", platform or "")

    @command("unsubscribe")
    @app_commands.rename(platform=ls("discord_opt_platform_name"))
    @app_commands.describe(platform=ls("discord_opt_alert_stop_desc"))
    async def unsubscribe(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100] | None = None) -> None:
        await alert_command(client, interaction, "unsubscribe", platform or "")

    @subscribe.autocomplete("platform")
    @unsubscribe.autocomplete("platform")
    async def alert_platform(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return complete(client, current)

    for cmd in (new, subscribe, unsubscribe):
        cmd.allowed_installs, cmd.allowed_contexts = INSTALLS, CONTEXTS
        client.tree.add_command(cmd)


def complete(client, current: str) -> list[Choice[str]]:
    found = client.complete_platform(current)
    if ALL.startswith((current or "").strip().lower()):
        found = [Choice(name=ALL, value=ALL), *found]
    return found[:25]


async def alert_command(client, interaction: discord.Interaction, name: str, arg: str) -> None:
    """In a server, only members with Manage Server may subscribe the channel (the core says so to others)."""
    turn = client.turn(interaction)
    if turn.in_group:
        perms = interaction.permissions
        turn = replace(turn, admin=bool(perms and perms.manage_guild))
    await client.respond(interaction, client.conv.command(turn, name, arg), writes=bool(arg) or name == "unsubscribe")


def start(client) -> AlertDispatcher:
    """Start sending alerts from this client (on_ready; tests call it directly)."""
    if client.alerts is None:
        s = client.settings
        client.alerts = AlertDispatcher(client.conv, SURFACE, lambda sub, reply: send(client, sub, reply),
                                        poll=s.alerts_poll_seconds, lease=s.alerts_lease_seconds,
                                        interval=max(s.alerts_send_interval, 0.2))
        client.conv.reload_hooks.append(client.alerts.knowledge_loaded)
    client.alerts.start()
    return client.alerts


async def send(client, sub, reply) -> None:
    """A DM to a person or a post in a server channel. Discord saying the user cannot be messaged (403, e.g.
    50007), the channel is gone or out of reach (403/404): SubscriberGone."""
    try:
        if sub.kind == "user":
            channel = await client.create_dm(discord.Object(id=int(sub.target)))
        else:
            channel = client.get_partial_messageable(int(sub.target))
        for out in outs(reply):
            await channel.send(**out.kwargs())
    except (discord.Forbidden, discord.NotFound) as exc:
        raise SubscriberGone(f"HTTP {exc.status}, code {exc.code}: {exc.text}") from None
