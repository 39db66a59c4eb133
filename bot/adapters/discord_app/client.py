"""The Discord client: glue between discord.py and the conversation layer. Commands are declared in commands.py.

Interactions and channel messages become a Turn and a command, question or button press; the conversation's
Reply becomes embeds, buttons and select menus (payloads.py). Interactions are always answered through the
interaction itself, so the bot works as a user-installed app in DMs and in servers it is not in.
"""
from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands

from bot.core.conversation import Conversation, Reply, Turn
from bot.core.store import StoreUnavailable

from . import alerts as alert_glue
from . import commands
from .payloads import DYNAMIC_ITEMS, NO_MENTIONS, Out, outs
from .strings import StringsTranslator, lang_of, t

log = logging.getLogger("bot.discord")
SURFACE = "discord"
UNKNOWN_INTERACTION = 10062


class OptoutMixin:
    """Shared by the plain and the auto-sharded client (see discord_bot.create_client)."""

    def __init__(self, *, settings, store, engine=None, renderer=None, message_content: bool = True,
                 defer_after: float = 1.5, sync_on_start: bool = False, **options):
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.dm_messages = True
        intents.message_content = message_content
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here: no warning about it
        options.setdefault("max_ratelimit_timeout", 30.0)  # a longer 429 fails the reply instead of hanging
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS, chunk_guilds_at_startup=False, **options)
        self.settings, self.store = settings, store
        self.engine, self.renderer = engine, renderer
        self.conv: Conversation | None = None
        self.message_content = message_content
        self.defer_after = defer_after
        self.sync_on_start = sync_on_start
        self.faq_channels: set[int] = set()  # cached: channel messages are checked against it, not the database
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error
        self.alerts = None  # the policy-change alert dispatcher, started on_ready (discord_app/alerts.py)
        commands.register(self)
        alert_glue.register(self)

    # start-up -------------------------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        if self.engine is None:
            from bot.core.engine import get_engine

            self.engine = await asyncio.to_thread(get_engine)  # load the knowledge base once, before any event
        if self.renderer is None:
            from bot.core.render import Renderer

            self.renderer = Renderer(self.engine)
        self.conv = Conversation(self.engine, self.renderer, self.store, self.settings.limits())
        await self.tree.set_translator(StringsTranslator())
        self.faq_channels = {int(c) for c in await self.store.faq_chats(SURFACE)}
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.sync_on_start:
            await self.sync_commands()

    async def sync_commands(self, guild_id: int | None = None) -> list:
        """`optout-bot discord sync [--guild ID]`: global commands, or a server's copy while developing (the
        server copy is cleared when syncing globally, so that nothing shows twice)."""
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
            else:
                synced = await self.tree.sync()
        except discord.HTTPException as e:
            log.warning("Could not sync the slash commands (HTTP %s, code %s): %s. Was the bot invited with the "
                        "applications.commands scope?", e.status, e.code, e.text)
            return []
        except discord.RateLimited as e:  # a long 429: keep the commands registered last time
            log.warning("Could not sync the slash commands: rate limited for %.0f s; keeping the current ones",
                        e.retry_after)
            return []
        log.info("Synced %d application commands %s", len(synced),
                 f"to server {guild_id}" if guild_id else "globally (new commands can take a while to show)")
        return synced

    async def clear_guild_commands(self, guild_id: int) -> None:
        guild = discord.Object(id=guild_id)
        self.tree.clear_commands(guild=guild)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        log.info("Connected to Discord as %s (id %s) in %d servers; message content intent %s",
                 self.user, self.user.id if self.user else "?", len(self.guilds),
                 "on" if self.message_content else "OFF")
        if not self.message_content:
            log.warning(MISSING_INTENT_LOG)
        alert_glue.start(self)

    async def close(self) -> None:
        if self.alerts is not None:
            await self.alerts.stop()
        if self.conv is not None:
            await self.conv.flush_counts()  # the feedback counters still in memory
        await super().close()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A short setup message where the bot may write: how to ask, and the FAQ switch for moderators."""
        channel = guild.system_channel
        if channel is not None and channel.permissions_for(guild.me).send_messages:
            lang = "es" if str(guild.preferred_locale).startswith("es") else "en"
            await channel.send(t("discord_setup", lang), allowed_mentions=NO_MENTIONS)

    # Interaction -> Turn -> Reply -> interaction response ------------------------------------------------------
    def turn(self, interaction: discord.Interaction) -> Turn:
        perms = interaction.permissions
        in_server = interaction.guild_id is not None
        return Turn(SURFACE, interaction.channel_id or interaction.user.id, interaction.user.id, in_server,
                    admin=not in_server or bool(perms and perms.manage_channels), app_lang=lang_of(interaction.locale),
                    shared_prefs=False)

    async def respond(self, interaction: discord.Interaction, work, *, edit: bool = False, note: str | None = None,
                      writes: bool = False, public: bool = False) -> Reply:
        """Await the conversation's reply (`work`, a coroutine) and answer through the interaction: ephemeral
        unless the reply is public. Deferred first if it takes over `defer_after`, or at once when it writes
        settings (a locked or slow database must not miss Discord's 3-second window)."""
        if writes and not interaction.response.is_done():
            await interaction.response.defer(ephemeral=not public, thinking=True)
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done and not interaction.response.is_done():
            await (interaction.response.defer() if edit else interaction.response.defer(ephemeral=not public, thinking=True))
        reply = await task
        if reply.silent:  # an interaction must be answered: the rate-limit notice again, only to the member
            reply = Reply(chunks=[t("rate_limited", lang_of(interaction.locale))])
        messages = outs(reply, note)
        if reply.edit or edit:
            kw = {"content": messages[0].content, "embeds": messages[0].embeds, "view": messages[0].view,
                  "allowed_mentions": NO_MENTIONS}
            if interaction.response.is_done():
                await interaction.edit_original_response(**kw)
            else:
                await interaction.response.edit_message(**kw)
            messages = messages[1:]
        elif interaction.response.is_done():
            await interaction.followup.send(ephemeral=not reply.public, **messages.pop(0).kwargs())
        else:
            await interaction.response.send_message(ephemeral=not reply.public, **messages.pop(0).kwargs())
        for out in messages:
            await interaction.followup.send(ephemeral=not reply.public, **out.kwargs())
        return reply

    async def command(self, interaction: discord.Interaction, name: str, arg: str = "", **options) -> Reply:
        return await self.respond(interaction, self.conv.command(self.turn(interaction), name, arg, **options),
                                  writes=name in ("lang", "region", "forget"))

    async def say(self, interaction: discord.Interaction, text: str) -> None:
        await self.respond(interaction, _ready(Reply(chunks=[text])))

    # slash commands -------------------------------------------------------------------------------------------
    def complete_platform(self, current: str) -> list[app_commands.Choice[str]]:
        try:
            found = self.engine.suggest(current or "", limit=25)
        except Exception:
            log.exception("autocomplete failed")
            return []
        return [app_commands.Choice(name=c.name[:100], value=c.platform) for c in found][:25]

    async def cmd_ask(self, interaction: discord.Interaction, question: str) -> None:
        await self.respond(interaction, self.conv.message(self.turn(interaction), question, public=False))

    async def cmd_faq(self, interaction: discord.Interaction, action: str) -> None:
        turn = self.turn(interaction)
        if action != "post" and turn.admin and turn.in_group:  # a store write follows: stay inside Discord's 3 s
            await interaction.response.defer(thinking=True)
        reply = await self.conv.command(turn, "faq", action)
        if turn.admin and turn.in_group and action in ("on", "off") and reply.public:
            (self.faq_channels.add if action == "on" else self.faq_channels.discard)(interaction.channel_id)
            lang = await self.conv.ui_lang(turn)
            if action == "on" and not self.message_content:
                reply.chunks.append(t("discord_faq_no_intent", lang))
            if action == "on" and not interaction.app_permissions.send_messages:
                reply.chunks.append(t("discord_faq_no_send", lang))
            reply.chunks = ["\n\n".join(reply.chunks)]
            log.info("FAQ mode %s in channel %s (server %s)", action, interaction.channel_id, interaction.guild_id)
        await self.respond(interaction, _ready(reply))

    async def ctx_answer(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Message context menu: answer that message publicly, as a reply to it (unclear: only to the member)."""
        turn = self.turn(interaction)
        if not (message.content or "").strip():
            return await self.say(interaction, t("discord_no_text", turn.app_lang))
        await interaction.response.defer(ephemeral=True, thinking=True)
        public, private = await self.conv.answer_publicly(turn, message.content)
        if public is None:
            return await self.respond(interaction, _ready(private))
        try:
            await self.send_channel(message.channel, outs(public), reference=message)
        except discord.Forbidden as e:
            log.warning("No permission to reply in channel %s (%s): answering the member privately",
                        message.channel.id, e.text)
            return await self.respond(interaction, _ready(private), note=t("discord_cant_post", turn.app_lang))
        try:
            await interaction.delete_original_response()  # the "thinking…" placeholder
        except discord.HTTPException:
            pass

    # components -----------------------------------------------------------------------------------------------
    async def on_press(self, interaction: discord.Interaction, data: str) -> None:
        try:
            turn = self.turn(interaction)
            if data.startswith("p:") and interaction.app_permissions and not interaction.app_permissions.send_messages:
                return await self.say(interaction, t("discord_cant_post", turn.app_lang))
            own_ephemeral = bool(interaction.message and interaction.message.flags.ephemeral)
            if data.startswith(("set:", "fc")):  # a store write follows: acknowledge at once
                await interaction.response.defer(**({} if data == "fc" else {"ephemeral": True, "thinking": True}))
            reply = await self.conv.press(turn, data)  # a pick on a private "which platform?" replaces it
            await self.respond(interaction, _ready(reply), edit=own_ephemeral and data.startswith("a:") and reply.answer is not None)
        except Exception as e:  # noqa: BLE001
            await self.report_error(interaction, e, "button")

    # channel messages -----------------------------------------------------------------------------------------
    def addressed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        if self.user in message.mentions or self._own_role_mentioned(message):
            return True
        ref = message.reference.resolved if message.reference else None
        return isinstance(ref, discord.Message) and self.user is not None and ref.author.id == self.user.id

    def _own_role_mentioned(self, message: discord.Message) -> bool:
        """People often pick the bot's managed role instead of the bot in the @ menu."""
        return any(r.tags is not None and r.tags.bot_id == self.user.id for r in message.role_mentions)

    def strip_mention(self, text: str, message: discord.Message | None = None) -> str:
        roles = [r.id for r in message.role_mentions if r.tags and r.tags.bot_id == self.user.id] if message else []
        text = re.sub(rf"<@!?{self.user.id}>", " ", text or "")
        for role_id in roles:
            text = text.replace(f"<@&{role_id}>", " ")
        return text.strip()

    def faq_channel(self, channel) -> int | None:
        """The channel whose FAQ switch applies (a thread follows its parent), if it is on."""
        for cid in (channel.id, getattr(channel, "parent_id", None)):
            if cid in self.faq_channels:
                return cid
        return None

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id or self.user is None or message.author.id == self.user.id:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        try:
            in_server = message.guild is not None
            if self.addressed(message):
                turn = Turn(SURFACE, message.channel.id, message.author.id, in_server, shared_prefs=False)
                reply = await self.conv.message(turn, self.strip_mention(message.content, message), public=True)
            elif self.faq_channel(message.channel) is not None and message.content:
                turn = Turn(SURFACE, self.faq_channel(message.channel), message.author.id, True, shared_prefs=False)
                reply = await self.conv.message(turn, message.content, addressed=False)
            else:
                return
            if not reply.silent:
                await self.send_channel(message.channel, outs(reply), reference=message)
        except discord.Forbidden as e:
            log.warning("No permission to reply in channel %s (%s)", message.channel.id, e.text)
        except discord.HTTPException as e:
            log.warning("Discord refused a reply in channel %s: HTTP %s %s", message.channel.id, e.status, e.text)
        except Exception:
            log.exception("Failed to handle a message in channel %s", message.channel.id)

    async def send_channel(self, channel, messages: list[Out], reference: discord.Message | None = None) -> None:
        for i, out in enumerate(messages):
            kw = out.kwargs()
            if i == 0 and reference is not None:
                kw["reference"] = reference.to_reference(fail_if_not_exists=False)
                kw["mention_author"] = False
            await channel.send(**kw)

    # housekeeping: settings go with their channel -------------------------------------------------------------
    async def on_guild_channel_delete(self, channel) -> None:
        if channel.id in self.faq_channels:
            self.faq_channels.discard(channel.id)
            await self.store.forget_chat(SURFACE, channel.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        for channel in [*guild.channels, *guild.threads]:
            await self.on_guild_channel_delete(channel)

    # errors ---------------------------------------------------------------------------------------------------
    async def on_app_command_error(self, interaction: discord.Interaction, error: Exception) -> None:
        command = interaction.command.name if interaction.command else "?"
        await self.report_error(interaction, getattr(error, "original", error), f"/{command}")

    async def report_error(self, interaction: discord.Interaction, error: BaseException, where: str) -> None:
        if isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION:
            log.warning("%s: the interaction expired before the reply (404 Unknown interaction)", where)
            return
        if isinstance(error, StoreUnavailable):
            log.warning("%s: %s", where, error)
        elif isinstance(error, discord.Forbidden):
            log.warning("%s: missing permissions (%s)", where, error.text)
        elif isinstance(error, discord.HTTPException):
            log.warning("%s: Discord API error HTTP %s: %s", where, error.status, error.text)
        elif isinstance(error, discord.RateLimited):
            log.warning("%s: rate limited for %.0f s; reply dropped", where, error.retry_after)
        elif isinstance(error, app_commands.AppCommandError) and not isinstance(error, app_commands.CommandInvokeError):
            log.info("%s: %s", where, error)
        else:
            log.error("%s failed", where, exc_info=error)
        try:
            await self.say(interaction, t("apology", lang_of(interaction.locale)))
        except Exception:  # the interaction may be gone or already answered: nothing more to do
            pass


async def _ready(reply: Reply) -> Reply:
    return reply


MISSING_INTENT_LOG = (
    "The Message Content intent is not enabled for this bot, so the channel FAQ (auto-answers) is off. "
    "Slash commands, mentions, DMs and the 'Answer opt-out question' menu still work. To enable it: Discord "
    "Developer Portal > your application > Bot > Privileged Gateway Intents > Message Content Intent "
    "(see docs/discord.md).")


class OptoutClient(OptoutMixin, discord.Client):
    """One process, one gateway connection."""


class ShardedOptoutClient(OptoutMixin, discord.AutoShardedClient):
    """Several shards in this process (DISCORD_SHARD_COUNT, optionally DISCORD_SHARD_IDS)."""
