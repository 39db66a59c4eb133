"""The Discord client: events, the answer pipeline and error handling. Commands are declared in commands.py.

Every reply goes through the core (engine -> renderer); this module only decides where and how to send it.
The engine and renderer run in a worker thread so that an interaction can be deferred if they are ever slow.
"""
from __future__ import annotations

import asyncio
import datetime
import logging
import re
from dataclasses import dataclass

import discord
from discord import app_commands

from bot.core.engine import Answer, Query
from bot.core.render import Rendered
from bot.core.store import ChatSettings, StoreUnavailable
from bot.core.throttle import Cooldown, RateLimit

from . import commands
from .payloads import DYNAMIC_ITEMS, NO_MENTIONS, LIMITS, Out, Target, batches, make_view
from .strings import StringsTranslator, lang_of, plain, t

log = logging.getLogger("bot.discord")
SURFACE = "discord"
FAQ_COOLDOWN = 600.0  # seconds before the same answer is auto-posted again in one channel
UNKNOWN_INTERACTION = 10062


@dataclass
class Reply:
    """What to say, computed off the event loop: an answer with its rendering, or one UI message."""

    answer: Answer | None = None
    rendered: Rendered | None = None
    text: str | None = None


class OptoutMixin:
    """Shared by the plain and the auto-sharded client (see discord_bot.create_client)."""

    def __init__(self, *, settings, store, engine=None, renderer=None, message_content: bool = True,
                 defer_after: float = 1.5, **options):
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
        self.message_content = message_content
        self.defer_after = defer_after
        self.faq_channels: set[int] = set()
        self.faq_cooldown = Cooldown(FAQ_COOLDOWN)
        self.user_limit = RateLimit(8, 60.0)
        self.limit_notice = Cooldown(60.0)
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error
        commands.register(self)

    # start-up -------------------------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        if self.engine is None:
            from bot.core.engine import get_engine
            from bot.core.render import Renderer

            self.engine = await asyncio.to_thread(get_engine)  # load the knowledge base once, before any event
            self.renderer = Renderer(self.engine)
        await self.tree.set_translator(StringsTranslator())
        self.faq_channels = {int(c) for c in await self.store.faq_chats(SURFACE)}
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        shard_ids = self.settings.shard_ids
        if shard_ids is None or 0 in shard_ids:  # with shards in several processes, only shard 0's syncs
            await self.sync_commands()

    async def sync_commands(self) -> list:
        guild_id = self.settings.discord_guild_id
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

    async def on_ready(self) -> None:
        log.info("Connected to Discord as %s (id %s) in %d servers; message content intent %s",
                 self.user, self.user.id if self.user else "?", len(self.guilds),
                 "on" if self.message_content else "OFF")
        if not self.message_content:
            log.warning(MISSING_INTENT_LOG)

    # preferences ----------------------------------------------------------------------------------------------
    async def prefs(self, user_id: int, locale=None) -> tuple[str | None, str | None, str]:
        """(stored lang or None, stored region or None, UI language)."""
        settings = await self.store.user(SURFACE, user_id)
        return settings.lang, settings.region, settings.lang or lang_of(locale)

    # computing replies (worker thread) ---------------------------------------------------------------------
    def _reply_for(self, answer: Answer) -> Reply:
        return Reply(answer, self.renderer.render(answer, "discord"))

    def ask(self, query: Query) -> Reply:
        return self._reply_for(self.engine.answer(query))

    def direct(self, platform: str, topic: str, lang: str, region: str | None) -> Reply:
        return self._reply_for(self.engine.answer_for(platform, topic or "ai-training", lang, region or None))

    def outs(self, reply: Reply, *, ephemeral: bool, ui_lang: str = "en", note: str | None = None) -> list[Out]:
        """Discord messages for a reply. Ephemeral answers get a 'Post publicly' button."""
        if reply.answer is None:
            return [Out(content=(reply.text or "")[: LIMITS["content"]])]
        answer, rendered = reply.answer, reply.rendered
        lang = answer.lang or ui_lang
        view = None
        if answer.status == "answer" and answer.platform:
            public = Target(answer.platform, answer.topic or "ai-training", lang, answer.region or "")
            view = make_view(links=rendered.links, public=public if ephemeral else None, lang=lang)
        elif answer.status == "clarify":
            pick = Target("", answer.topic or "ai-training", lang, answer.region or "")
            view = make_view(candidates=answer.candidates[: LIMITS["options"]], pick=pick, lang=lang)
        groups = batches(rendered.embeds)
        outs = [Out(embeds=g) for g in groups] or [Out(content=rendered.text[: LIMITS["content"]])]
        if note:
            outs[0].content = note[: LIMITS["content"]]
        outs[-1].view = view
        return outs

    # sending --------------------------------------------------------------------------------------------------
    async def respond(self, interaction: discord.Interaction, work, *, ephemeral: bool = True, edit: bool = False,
                      ui_lang: str = "en") -> None:
        """Compute `work()` in a thread and answer the interaction; defer first if it takes over `defer_after`."""
        task = asyncio.ensure_future(asyncio.to_thread(work))
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done and not interaction.response.is_done():
            if edit:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        reply = await task
        await self.send_outs(interaction, self.outs(reply, ephemeral=ephemeral, ui_lang=ui_lang),
                             ephemeral=ephemeral, edit=edit)

    async def send_outs(self, interaction: discord.Interaction, outs: list[Out], *, ephemeral: bool,
                        edit: bool = False) -> None:
        first, rest = outs[0], outs[1:]
        if edit:
            kw = {"content": first.content, "embeds": first.embeds, "view": first.view,
                  "allowed_mentions": NO_MENTIONS}
            if interaction.response.is_done():
                await interaction.edit_original_response(**kw)
            else:
                await interaction.response.edit_message(**kw)
        elif interaction.response.is_done():
            await interaction.followup.send(ephemeral=ephemeral, **first.kwargs())
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **first.kwargs())
        for out in rest:
            await interaction.followup.send(ephemeral=ephemeral, **out.kwargs())

    @staticmethod
    async def defer(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
        """Acknowledge now, answer with a followup: for work that may wait on the database (a locked SQLite
        file, a slow server) longer than Discord's 3-second window."""
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)

    async def say(self, interaction: discord.Interaction, text: str, *, ephemeral: bool = True) -> None:
        await self.send_outs(interaction, [Out(content=text[: LIMITS["content"]])], ephemeral=ephemeral)

    async def send_channel(self, channel, outs: list[Out], reference: discord.Message | None = None) -> None:
        for i, out in enumerate(outs):
            kw = out.kwargs()
            if i == 0 and reference is not None:
                kw["reference"] = reference.to_reference(fail_if_not_exists=False)
                kw["mention_author"] = False
            await channel.send(**kw)

    def rate_ok(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, tell the user they are rate limited)."""
        if self.user_limit.allow(user_id):
            return True, False
        return False, self.limit_notice.allow(user_id)

    # slash commands -------------------------------------------------------------------------------------------
    def complete_platform(self, current: str) -> list[app_commands.Choice[str]]:
        try:
            found = self.engine.suggest((current or "")[:100], limit=25)  # declared max 100; forged may be longer
        except Exception:
            log.exception("autocomplete failed")
            return []
        return [app_commands.Choice(name=c.name[:100], value=c.platform) for c in found][:25]

    async def cmd_optout(self, interaction: discord.Interaction, platform: str, topic: str) -> None:
        lang, region, ui = await self.prefs(interaction.user.id, interaction.locale)
        platform = platform[:100]
        if topic not in commands.TOPICS:  # discord.py does not check choices: a forged value gets the usage (F-11)
            return await self.say(interaction, t("optout_usage", ui))

        def work() -> Reply:
            pid = platform if platform in self.engine.kb.platforms else self.engine.find_platform(platform)
            if pid is None:
                return Reply(text=t("platform_not_found", ui, name=platform[:100]))
            return self.direct(pid, topic, ui, region)

        await self.respond(interaction, work, ui_lang=ui)

    async def cmd_letter(self, interaction: discord.Interaction, platform: str) -> None:
        """/letter: a GDPR Art. 21 objection letter in a copyable block, with the platform's objection links."""
        _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
        platform = platform[:100]
        pid = platform if platform in self.engine.kb.platforms else self.engine.find_platform(platform)
        if pid is None or pid == "general":
            return await self.say(interaction, t("platform_not_found", ui, name=platform[:100]))
        rendered = self.renderer.letter(pid, "discord", ui, datetime.date.today().isoformat())
        out = Out(embeds=[discord.Embed.from_dict(e) for e in rendered.embeds], view=make_view(links=rendered.links))
        await self.send_outs(interaction, [out], ephemeral=True)

    async def cmd_ask(self, interaction: discord.Interaction, question: str) -> None:
        lang, region, ui = await self.prefs(interaction.user.id, interaction.locale)
        allowed, tell = self.rate_ok(interaction.user.id)
        if not allowed:
            return await self.say(interaction, t("rate_limited", ui))
        query = Query(question, lang=lang, region=region, surface=SURFACE, in_group=False, addressed=True,
                      fallback_lang=lang_of(interaction.locale))
        await self.respond(interaction, lambda: self.ask(query), ui_lang=ui)

    async def cmd_platforms(self, interaction: discord.Interaction) -> None:
        _, region, ui = await self.prefs(interaction.user.id, interaction.locale)
        await self.send_outs(interaction, self.index_outs(ui, Target("", "ai-training", "", "")), ephemeral=True)

    def index_outs(self, lang: str, pick: Target) -> list[Out]:
        rendered = self.renderer.platform_index("discord", lang)
        outs = [Out(embeds=g) for g in batches(rendered.embeds)] or [Out(content=rendered.text[: LIMITS["content"]])]
        popular = self.engine.suggest("", limit=LIMITS["options"])
        outs[-1].view = make_view(candidates=popular, pick=pick, lang=lang) if len(popular) > 5 else None
        return outs

    async def cmd_lang(self, interaction: discord.Interaction, language: str) -> None:
        if language not in ("en", "es"):
            return await self.say(interaction, t("lang_usage", lang_of(interaction.locale)))
        await self.defer(interaction)
        await self.store.update_user(SURFACE, interaction.user.id, lang=language)
        await self.say(interaction, t("lang_set", language))

    async def cmd_region(self, interaction: discord.Interaction, region: str) -> None:
        _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
        if region not in commands.REGIONS:
            return await self.say(interaction, t("region_usage", ui))
        await self.defer(interaction)
        await self.store.update_user(SURFACE, interaction.user.id, region=region)
        await self.say(interaction, t("region_set", ui, region=plain(f"region_{region}", ui)))

    async def cmd_forget(self, interaction: discord.Interaction) -> None:
        _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
        await self.defer(interaction)
        existed = await self.store.forget_user(SURFACE, interaction.user.id)
        await self.say(interaction, t("forget_done" if existed else "forget_nothing", ui))

    async def cmd_faq(self, interaction: discord.Interaction, action: str) -> None:
        _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
        if interaction.guild_id is None or interaction.channel_id is None:
            return await self.say(interaction, t("discord_faq_server_only", ui))
        if not interaction.permissions.manage_guild:
            return await self.say(interaction, t("faq_admin_only", ui))
        channel_id = interaction.channel_id
        if action == "post":
            return await self.send_outs(interaction, self.index_outs(ui, Target("", "ai-training", "", "")),
                                        ephemeral=False)
        await self.defer(interaction, ephemeral=False)  # a store write follows: stay inside Discord's 3 s
        if action == "on":
            await self.store.update_chat(SURFACE, channel_id, faq=True)
            self.faq_channels.add(channel_id)
            lines = [t("faq_on", ui)]
            if not self.message_content:
                lines.append(t("discord_faq_no_intent", ui))
            if not interaction.app_permissions.send_messages:
                lines.append(t("discord_faq_no_send", ui))
        else:
            if await self.store.update_chat(SURFACE, channel_id, faq=False) == ChatSettings():
                await self.store.forget_chat(SURFACE, channel_id)  # store nothing that says nothing
            self.faq_channels.discard(channel_id)
            lines = [t("faq_off", ui)]
        log.info("FAQ mode %s in channel %s (server %s)", action, channel_id, interaction.guild_id)
        # public: everyone in the channel should know whether the bot reads along
        await self.say(interaction, "\n\n".join(lines), ephemeral=False)

    async def ctx_answer(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Message context menu: answer that message publicly, as a reply to it."""
        _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
        text = (message.content or "").strip()
        if not text:
            return await self.say(interaction, t("discord_no_text", ui))
        allowed, _ = self.rate_ok(interaction.user.id)
        if not allowed:
            return await self.say(interaction, t("rate_limited", ui))
        await interaction.response.defer(ephemeral=True, thinking=True)
        # a public answer for everyone in the channel: all regions, in the language of the message
        query = Query(text, lang=None, region=None, surface=SURFACE, in_group=message.guild is not None,
                      addressed=True)
        reply = await asyncio.to_thread(self.ask, query)
        if reply.answer.status != "answer":  # which platform? / out of scope: tell only the member who asked
            return await self.send_outs(interaction, self.outs(reply, ephemeral=True, ui_lang=ui), ephemeral=True)
        try:
            await self.send_channel(message.channel, self.outs(reply, ephemeral=False), reference=message)
        except discord.Forbidden as e:
            log.warning("No permission to reply in channel %s (%s): answering the member privately",
                        message.channel.id, e.text)
            outs = self.outs(reply, ephemeral=True, ui_lang=ui, note=t("discord_cant_post", ui))
            return await self.send_outs(interaction, outs, ephemeral=True)
        try:
            await interaction.delete_original_response()  # the "thinking…" placeholder
        except discord.HTTPException:
            pass

    # components -----------------------------------------------------------------------------------------------
    async def on_public_button(self, interaction: discord.Interaction, target: Target) -> None:
        try:
            _, _, ui = await self.prefs(interaction.user.id, interaction.locale)
            lang = target.lang or ui
            # posted for everyone: without the poster's region, so that every region's rules show
            await self.respond(interaction, lambda: self.direct(target.platform, target.topic, lang, None),
                               ephemeral=False, ui_lang=lang)
        except Exception as e:
            await self.report_error(interaction, e, "post publicly")

    async def on_pick(self, interaction: discord.Interaction, target: Target) -> None:
        try:
            _, region, ui = await self.prefs(interaction.user.id, interaction.locale)
            lang, region = target.lang or ui, target.region or region
            if target.platform not in self.engine.kb.platforms:
                return await self.say(interaction, t("platform_not_found", ui, name=target.platform))
            own_ephemeral = bool(interaction.message and interaction.message.flags.ephemeral)
            await self.respond(interaction, lambda: self.direct(target.platform, target.topic, lang, region),
                               ephemeral=True, edit=own_ephemeral, ui_lang=lang)
        except Exception as e:
            await self.report_error(interaction, e, "pick")

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

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id or self.user is None or message.author.id == self.user.id:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        try:
            if self.addressed(message):
                await self.answer_addressed(message)
            elif self.faq_on(message.channel):
                await self.answer_overheard(message)
        except discord.Forbidden as e:
            log.warning("No permission to reply in channel %s (%s)", message.channel.id, e.text)
        except discord.HTTPException as e:
            log.warning("Discord refused a reply in channel %s: HTTP %s %s", message.channel.id, e.status, e.text)
        except Exception:
            log.exception("Failed to handle a message in channel %s", message.channel.id)

    def faq_on(self, channel) -> bool:
        return channel.id in self.faq_channels or getattr(channel, "parent_id", None) in self.faq_channels

    async def answer_addressed(self, message: discord.Message) -> None:
        lang, region, ui = await self.prefs(message.author.id)
        allowed, tell = self.rate_ok(message.author.id)
        if not allowed:
            if tell:
                await self.send_channel(message.channel, [Out(content=t("rate_limited", ui))], reference=message)
            return
        text = self.strip_mention(message.content, message)
        if not text:  # a bare mention (or no message content intent and not a mention): show help
            await self.send_channel(message.channel, [Out(content=t("help", ui)[: LIMITS["content"]])],
                                    reference=message)
            return
        query = Query(text, lang=lang, region=region, surface=SURFACE, in_group=message.guild is not None,
                      addressed=True)
        reply = await asyncio.to_thread(self.ask, query)
        await self.send_channel(message.channel, self.outs(reply, ephemeral=False, ui_lang=ui), reference=message)

    async def answer_overheard(self, message: discord.Message) -> None:
        if not message.content:  # no message content intent: nothing to judge
            return
        query = Query(message.content, surface=SURFACE, in_group=True, addressed=False)
        answer = await asyncio.to_thread(self.engine.answer, query)
        if answer.status != "answer":  # abstain or clarify: stay silent when not addressed
            return
        if not self.faq_cooldown.allow((message.channel.id, answer.platform, answer.topic)):
            return
        reply = await asyncio.to_thread(self._reply_for, answer)
        await self.send_channel(message.channel, self.outs(reply, ephemeral=False), reference=message)

    # housekeeping: settings go with their channel -------------------------------------------------------------
    async def on_guild_channel_delete(self, channel) -> None:
        if channel.id in self.faq_channels:
            self.faq_channels.discard(channel.id)
            try:
                await self.store.forget_chat(SURFACE, channel.id)
            except StoreUnavailable as e:
                log.warning("settings of deleted channel %s not erased now: %s", channel.id, e)

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


MISSING_INTENT_LOG = (
    "The Message Content intent is not enabled for this bot, so the channel FAQ (auto-answers) is off. "
    "Slash commands, mentions, DMs and the 'Answer opt-out question' menu still work. To enable it: Discord "
    "Developer Portal > your application > Bot > Privileged Gateway Intents > Message Content Intent "
    "(see docs/discord.md).")


class OptoutClient(OptoutMixin, discord.Client):
    """One process, one gateway connection."""


class ShardedOptoutClient(OptoutMixin, discord.AutoShardedClient):
    """Several shards in this process (DISCORD_SHARD_COUNT, optionally DISCORD_SHARD_IDS)."""
