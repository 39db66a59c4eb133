"""Slash commands and the message context menu. Names and descriptions come from templates/strings/discord.*.yaml
(English by default; es-ES and es-419 through the translator). Each callback hands over to the client."""
from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice

from .strings import ls

TOPICS = ("ai-training", "delete-data", "legal-objection", "region", "past-training")
REGIONS = ("eu", "uk", "ch", "us", "other")


def register(client) -> None:
    tree: app_commands.CommandTree = client.tree

    @app_commands.command(name=ls("discord_cmd_optout_name"), description=ls("discord_cmd_optout_desc"))
    @app_commands.rename(platform=ls("discord_opt_platform_name"), topic=ls("discord_opt_topic_name"))
    @app_commands.describe(platform=ls("discord_opt_platform_desc"), topic=ls("discord_opt_topic_desc"))
    @app_commands.choices(topic=[Choice(name=ls(f"discord_topic_{t}"), value=t) for t in TOPICS])
    async def optout(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100],
                     topic: str = "ai-training") -> None:
        await client.cmd_optout(interaction, platform, topic)

    @optout.autocomplete("platform")
    async def optout_platform(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return client.complete_platform(current)

    @app_commands.command(name=ls("discord_cmd_ask_name"), description=ls("discord_cmd_ask_desc"))
    @app_commands.rename(question=ls("discord_opt_question_name"))
    @app_commands.describe(question=ls("discord_opt_question_desc"))
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 1000]) -> None:
        await client.cmd_ask(interaction, question)

    @app_commands.command(name=ls("discord_cmd_platforms_name"), description=ls("discord_cmd_platforms_desc"))
    async def platforms(interaction: discord.Interaction) -> None:
        await client.cmd_platforms(interaction)

    @app_commands.command(name=ls("discord_cmd_lang_name"), description=ls("discord_cmd_lang_desc"))
    @app_commands.rename(language=ls("discord_opt_language_name"))
    @app_commands.describe(language=ls("discord_opt_language_desc"))
    @app_commands.choices(language=[Choice(name=ls("discord_lang_en"), value="en"),
                                    Choice(name=ls("discord_lang_es"), value="es")])
    async def lang(interaction: discord.Interaction, language: str) -> None:
        await client.cmd_lang(interaction, language)

    @app_commands.command(name=ls("discord_cmd_region_name"), description=ls("discord_cmd_region_desc"))
    @app_commands.rename(region=ls("discord_opt_region_name"))
    @app_commands.describe(region=ls("discord_opt_region_desc"))
    @app_commands.choices(region=[Choice(name=ls(f"region_{r}"), value=r) for r in REGIONS])
    async def region(interaction: discord.Interaction, region: str) -> None:
        await client.cmd_region(interaction, region)

    @app_commands.command(name=ls("discord_cmd_letter_name"), description=ls("discord_cmd_letter_desc"))
    @app_commands.rename(platform=ls("discord_opt_platform_name"))
    @app_commands.describe(platform=ls("discord_opt_platform_desc"))
    async def letter(interaction: discord.Interaction, platform: app_commands.Range[str, 1, 100]) -> None:
        await client.cmd_letter(interaction, platform)

    @letter.autocomplete("platform")
    async def letter_platform(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return client.complete_platform(current)

    @app_commands.command(name=ls("discord_cmd_forget_name"), description=ls("discord_cmd_forget_desc"))
    async def forget(interaction: discord.Interaction) -> None:
        await client.cmd_forget(interaction)

    faq = app_commands.Group(name=ls("discord_cmd_faq_name"), description=ls("discord_cmd_faq_desc"),
                             guild_only=True, allowed_contexts=app_commands.AppCommandContext(guild=True),
                             default_permissions=discord.Permissions(manage_guild=True))

    @faq.command(name=ls("discord_cmd_faq_on_name"), description=ls("discord_cmd_faq_on_desc"))
    async def faq_on(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "on")

    @faq.command(name=ls("discord_cmd_faq_off_name"), description=ls("discord_cmd_faq_off_desc"))
    async def faq_off(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "off")

    @faq.command(name=ls("discord_cmd_faq_post_name"), description=ls("discord_cmd_faq_post_desc"))
    async def faq_post(interaction: discord.Interaction) -> None:
        await client.cmd_faq(interaction, "post")

    @app_commands.context_menu(name=ls("discord_ctx_answer_name"))
    async def answer_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await client.ctx_answer(interaction, message)

    for command in (optout, ask, platforms, lang, region, letter, forget, faq, answer_message):
        tree.add_command(command)
