"""Interface strings for Discord: messages through the core renderer, and command localisation."""
from __future__ import annotations

import discord
from discord import app_commands

from bot.core.render import message

SPANISH = frozenset({discord.Locale.spain_spanish, discord.Locale.latin_american_spanish})
# The locales whose command names and descriptions we localise (English is also the default).
LOCALISED = {discord.Locale.american_english: "en", discord.Locale.spain_spanish: "es",
             discord.Locale.latin_american_spanish: "es"}


def lang_of(locale) -> str:
    """The answer language for a Discord locale: Spanish for es-ES and es-419, English otherwise."""
    return "es" if locale in SPANISH else "en"


def t(key: str, lang: str, **kw) -> str:
    """A UI string for message content or embeds: Discord markdown, values escaped."""
    return message(key, "discord", lang, **kw)


def plain(key: str, lang: str = "en", **kw) -> str:
    """A UI string as plain text (button labels, command names: Discord shows them verbatim)."""
    return message(key, "plain", lang, **kw)


def ls(key: str) -> app_commands.locale_str:
    """A localisable command string: English by default, translated by StringsTranslator."""
    return app_commands.locale_str(plain(key, "en"), key=key)


class StringsTranslator(app_commands.Translator):
    """Command, option and choice names and descriptions from templates/strings/discord.<lang>.yaml."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        key, lang = string.extras.get("key"), LOCALISED.get(locale)
        if not key or not lang:
            return None
        try:
            return plain(key, lang)
        except KeyError:
            return None
