"""Slash commands and the message context menu. Names and descriptions come from templates/strings/discord.*.yaml
(English by default; es-ES and es-419 through the translator). Each callback hands over to the conversation.

Every command but /faq can be used where the bot is installed by a user as well as in servers (allowed_installs,
allowed_contexts); the answers go through the interaction, so they work in DMs and servers the bot is not in.
"""
from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice

from bot.core.conversation import TOPICS
from bot.core.robots import FORMATS
from bot.core.robots_chat import PURPOSES
from bot.core.vocab import REGIONS

from .strings import ls

INSTALLS = app_commands.AppInstallationType(guild=True, user=True)  # a server app and a user-installed app
CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)


def command(key: str):
    """A slash command named and described by the strings discord_cmd_<key>_name / _desc."""
    return app_commands.command(name=ls(f"discord_cmd_{key}_name"), description=ls(f"discord_cmd_{key}_desc"))


def register(client) -> None:
    tree: app_commands.CommandTree = client.tree

    @command("optout")
    @app_commands.rename(platform=ls("discord_opt_platform_name"), topic=ls("discord_opt_topic_name"))
    @app_commands.describe(platform=ls("discord_opt_platform_desc"), topic=ls("discord_opt_topic_desc"))
    @app_commands.choices(topic=[Choice(name=ls(f"discord_topic_{t}"), value=t) for t in TOPICS])
    async def optout(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100],
                     topic: str = "ai-training") -> None:
        await client.command(interaction, "optout", platform, topic=topic)

    @optout.autocomplete("platform")
    async def optout_platform(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return client.complete_platform(current)

    @command("ask")
    @app_commands.rename(question=ls("discord_opt_question_name"))
    @app_commands.describe(question=ls("discord_opt_question_desc"))
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        await client.cmd_ask(interaction, question)

    @command("platforms")
    async def platforms(interaction: discord.Interaction) -> None:
        await client.command(interaction, "platforms")

    @command("help")
    async def help_(interaction: discord.Interaction) -> None:
        await client.command(interaction, "help")

    @command("privacy")
    async def privacy(interaction: discord.Interaction) -> None:
        await client.command(interaction, "privacy")

    @command("settings")
    async def settings(interaction: discord.Interaction) -> None:
        await client.command(interaction, "settings")

    @command("lang")
    @app_commands.rename(language=ls("discord_opt_language_name"))
    @app_commands.describe(language=ls("discord_opt_language_desc"))
    @app_commands.choices(language=[Choice(name=ls("discord_lang_en"), value="en"),
                                    Choice(name=ls("discord_lang_es"), value="es")])
    async def lang(interaction: discord.Interaction, language: str) -> None:
        await client.command(interaction, "lang", language)

    @command("region")
    @app_commands.rename(region=ls("discord_opt_region_name"))
    @app_commands.describe(region=ls("discord_opt_region_desc"))
    @app_commands.choices(region=[Choice(name=ls(f"region_{r}"), value=r) for r in REGIONS])
    async def region(interaction: discord.Interaction, region: str) -> None:
        await client.command(interaction, "region", region)

    @command("letter")
    @app_commands.rename(platform=ls("discord_opt_platform_name"))
    @app_commands.describe(platform=ls("discord_opt_platform_desc"))
    async def letter(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100]) -> None:
        await client.command(interaction, "letter", platform)

    @letter.autocomplete("platform")
    async def letter_platform(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return client.complete_platform(current)

    @command("forget")
    async def forget(interaction: discord.Interaction) -> None:
        await client.command(interaction, "forget")

    @command("checklist")
    @app_commands.rename(platforms=ls("discord_opt_platforms_name"))
    @app_commands.describe(platforms=ls("discord_opt_platforms_desc"))
    async def checklist(interaction: discord.Interaction, platforms: app_commands.Range[str, 0, 300] = "") -> None:
        await client.command(interaction, "checklist", platforms)

    @command("robots")
    @app_commands.rename(purpose=ls("discord_opt_purpose_name"), fmt=ls("discord_opt_format_name"),
                         company=ls("discord_opt_company_name"))
    @app_commands.describe(purpose=ls("discord_opt_purpose_desc"), fmt=ls("discord_opt_format_desc"),
                           company=ls("discord_opt_company_desc"))
    @app_commands.choices(purpose=[Choice(name=ls(f"robots_purpose_{p}"), value=p) for p in PURPOSES],
                          fmt=[Choice(name=ls(f"robots_format_{f}"), value=f) for f in FORMATS])
    async def robots(interaction: discord.Interaction, purpose: str = "training", fmt: str = "robots",
                     company: app_commands.Range[str, 0, 200] = "") -> None:
        await client.command(interaction, "robots", purpose=purpose, fmt=fmt, company=company)

    faq = app_commands.Group(name=ls("discord_cmd_faq_name"), description=ls("discord_cmd_faq_desc"),
                             guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
                             allowed_installs=app_commands.AppInstallationType(guild=True),
                             default_permissions=discord.Permissions(manage_channels=True))

    @faq.command(name=ls("discord_cmd_faq_on_name"), description=ls("discord_cmd_faq_on_desc"))
    async def faq_on(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "on")

    @faq.command(name=ls("discord_cmd_faq_off_name"), description=ls("discord_cmd_faq_off_desc"))
    async def faq_off(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "off")

    @faq.command(name=ls("discord_cmd_faq_post_name"), description=ls("discord_cmd_faq_post_desc"))
    async def faq_post(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "post")

    @faq.command(name=ls("discord_cmd_faq_reset_name"), description=ls("discord_cmd_faq_reset_desc"))
    async def faq_reset(interaction: discord.Interaction) -> None:
        await client.command(interaction, "forget", "channel")

    @app_commands.context_menu(name=ls("discord_ctx_answer_name"))
    async def answer_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await client.ctx_answer(interaction, message)

    for cmd in (optout, ask, platforms, help_, privacy, settings, lang, region, letter, forget, checklist, robots,
                answer_message):
        cmd.allowed_installs, cmd.allowed_contexts = INSTALLS, CONTEXTS
    for cmd in (optout, ask, platforms, help_, privacy, settings, lang, region, letter, forget, checklist, robots, faq,
                answer_message):
        tree.add_command(cmd)
