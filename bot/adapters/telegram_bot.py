"""Telegram adapter (python-telegram-bot 22): private chats, groups, inline mode, buttons.

The adapter only routes: it builds a core Query, calls the engine and sends what the core renderer made
(Telegram HTML chunks, parse_mode HTML, link previews off). Every user-facing string comes from the renderer or
from templates/strings/*.yaml through bot.core.render.message. No message text is stored: only the settings
the user or a chat admin chose (language, region, group FAQ switch), erased by /forget.

Groups: the bot answers commands, mentions of it and replies to it. Other messages are only judged when an
admin turned the group FAQ on (/faq on); the engine then answers clear questions only, with a cooldown per
chat and answer and a per-user rate limit, and sends nothing for abstain/clarify.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import threading
import time
import traceback
from urllib.parse import urlparse

from telegram import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Chat,
                      InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent,
                      LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update, User)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, ChatMemberHandler,
                          CommandHandler, ContextTypes, Defaults, InlineQueryHandler, MessageHandler, filters)

from bot.adapters.tg_concurrency import ChatRateLimiter, ChatUpdateProcessor, retry_seconds
from bot.config import Redactor, Settings, redact_in_logs
from bot.core import render as core_render
from bot.core.engine import Answer, Engine, Query, get_engine
from bot.core.knowledge import KnowledgeError
from bot.core.reload import reload_knowledge
from bot.core.store import Store, StoreError, StoreUnavailable
from bot.core.throttle import Cooldown, RateLimit

log = logging.getLogger("bot.telegram")

SURFACE = FMT = "telegram"
LANGS = ("en", "es")
REGIONS = ("eu", "uk", "ch", "us", "other")
MAX_RETRIES = 5  # a 429 (RetryAfter) is retried this many times, never dropped silently
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# /start examples: (platform, topic) answered by the buttons labelled tg_example_1..3
EXAMPLES = (("linkedin", "ai-training"), ("instagram", "ai-training"), ("chatgpt", "delete-data"))
PRIVATE_COMMANDS = ("start", "help", "platforms", "optout", "letter", "lang", "region", "forget")
GROUP_COMMANDS = ("help", "platforms", "optout", "letter", "faq", "lang", "region", "forget")
CB_SEP = ":"  # callback data "a:<platform>:<topic>:<lang>", always under Telegram's 64 bytes


def tg_lang(user: User | None) -> str | None:
    code = (user.language_code or "").lower() if user else ""
    return next((lang for lang in LANGS if code == lang or code.startswith(lang + "-")), None)


def callback_data(platform: str, topic: str | None, lang: str) -> str:
    data = CB_SEP.join(("a", platform, topic or "ai-training", lang))
    return data if len(data.encode()) <= 64 else CB_SEP.join(("a", platform, "ai-training", lang))[:64]


class TelegramBot:
    """The handlers and the little state they share (engine, store, throttles, admin cache)."""

    def __init__(self, engine: Engine, store: Store | None, *, redact: Redactor | None = None,
                 faq_cooldown: float = 600.0, faq_user_rate: tuple[int, float] = (3, 60.0),
                 user_rate: tuple[int, float] = (20, 60.0), admin_cache_seconds: float = 30.0):
        self.engine, self.store = engine, store
        self.redact = redact or Redactor()
        self.faq_cooldown = Cooldown(faq_cooldown)  # same answer in the same chat: once per window
        self.faq_user_rate = RateLimit(*faq_user_rate)  # auto-answers triggered by one user
        self.user_rate = RateLimit(*user_rate)  # questions a user asks the bot (private, mention, reply, button)
        self.rate_notice = Cooldown(user_rate[1])  # tell a user they are rate limited at most once per window
        self.admin_cache_seconds = admin_cache_seconds
        self._admins: dict[int, tuple[float, set[int]]] = {}
        self.settings: Settings | None = None
        self._own_store = False

    # ------------------------------------------------------------------ wiring
    def register(self, app: Application) -> None:
        private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
        new_msg = filters.UpdateType.MESSAGE
        commands = {"start": self.cmd_start, "help": self.cmd_help, "platforms": self.cmd_platforms,
                    "optout": self.cmd_optout, "lang": self.cmd_lang, "region": self.cmd_region,
                    "forget": self.cmd_forget, "faq": self.cmd_faq, "letter": self.cmd_letter,
                    "reload": self.cmd_reload}
        for name, callback in commands.items():
            app.add_handler(CommandHandler(name, callback, filters=new_msg))
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(MessageHandler(new_msg & private & filters.COMMAND, self.cmd_help))  # unknown command
        app.add_handler(MessageHandler(new_msg & private & filters.TEXT & ~filters.COMMAND, self.on_private_text))
        app.add_handler(MessageHandler(new_msg & groups & filters.TEXT & ~filters.COMMAND, self.on_group_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_handler(ChatMemberHandler(self.on_my_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Open the store (on the application's event loop) unless one was given; then the command menus per
        scope (private chats, groups) and per language (default English, Spanish)."""
        if self.store is None:
            self.store = await Store.open(self.settings.database_url, self.settings)
            self._own_store = True
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # `kill -HUP`: reload the knowledge base
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: app.create_task(self.reload()))
        for scope, names in ((BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
                             (BotCommandScopeAllGroupChats(), GROUP_COMMANDS)):
            for lang in LANGS:
                cmds = [BotCommand(n, self.text(f"tg_cmd_{n}", lang, fmt="plain")) for n in names]
                try:
                    await app.bot.set_my_commands(cmds, scope=scope, language_code=None if lang == "en" else lang)
                except TelegramError as exc:
                    log.warning("setMyCommands failed: %s", self.redact(str(exc)))

    async def reload(self) -> str:
        """Load the knowledge base again (SIGHUP, /reload). A broken one is refused whole: the old one keeps
        serving. Returns a one-line report for the operator."""
        try:
            self.engine = await asyncio.to_thread(reload_knowledge)
        except KnowledgeError as e:
            report = (f"knowledge base NOT reloaded, the old one keeps serving: {e.problems[0] if e.problems else '?'}"
                      + (f" (and {len(e.problems) - 1} more)" if len(e.problems) > 1 else ""))
            log.warning("%s", report)
            return report
        report = f"knowledge base reloaded: {len(self.engine.platforms())} platforms"
        log.info("%s", report)
        return report

    async def cmd_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload, for the owner (TELEGRAM_OWNER_ID) in a private chat; anyone else gets the help."""
        owner = self.settings.telegram_owner_id if self.settings else None
        user, chat = update.effective_user, update.effective_chat
        if owner is None or user is None or user.id != owner or chat.type != Chat.PRIVATE:
            await self.cmd_help(update, context)
            return
        report = await self.reload()  # an operator's tool: the report is in English, like the logs
        await context.bot.send_message(chat.id, core_render.escape_telegram(report), parse_mode=ParseMode.HTML)

    async def post_shutdown(self, app: Application) -> None:
        if self._own_store and self.store is not None:
            await self.store.close()

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def text(key: str, lang: str, fmt: str = FMT, **kw) -> str:
        return core_render.message(key, fmt, lang, **kw)

    async def prefs(self, update: Update) -> tuple[str | None, str | None]:
        """(lang, region) chosen for this conversation: the user's in private, the chat's (then user's) in groups."""
        chat, user = update.effective_chat, update.effective_user
        u = await self.store.user(SURFACE, user.id) if user else None
        if chat and chat.type != Chat.PRIVATE:
            c = await self.store.chat(SURFACE, chat.id)
            return c.lang, c.region or (u.region if u else None)
        return (u.lang, u.region) if u else (None, None)

    async def ui_lang(self, update: Update) -> str:
        return (await self.prefs(update))[0] or tg_lang(update.effective_user) or "en"

    async def ask(self, update: Update, text: str, *, in_group: bool = False, addressed: bool = True) -> Answer:
        """Language: the chosen one, else the question's, else Telegram's language_code (when the text has none)."""
        lang, region = await self.prefs(update)
        return self.engine.answer(Query(text, lang=lang, region=region, surface=SURFACE, in_group=in_group,
                                        addressed=addressed, fallback_lang=tg_lang(update.effective_user)))

    async def send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, chunks: list[str],
                   markup: InlineKeyboardMarkup | None = None, reply_to: Message | None = None) -> None:
        """Send renderer output: HTML, link previews off, buttons under the last piece."""
        if not isinstance(reply_to, Message):  # e.g. the InaccessibleMessage of an old button
            reply_to = None
        thread = reply_to.message_thread_id if reply_to is not None and reply_to.is_topic_message else None
        for i, chunk in enumerate(chunks):
            reply = ReplyParameters(reply_to.message_id, allow_sending_without_reply=True) \
                if (i == 0 and reply_to is not None and reply_to.chat.type != Chat.PRIVATE) else None
            await context.bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                                           reply_markup=markup if i == len(chunks) - 1 else None,
                                           reply_parameters=reply, message_thread_id=thread)

    async def say(self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, *, lang: str | None = None,
                  markup: InlineKeyboardMarkup | None = None, **kw) -> None:
        """A UI string from templates/strings, as a reply to the current message."""
        lang = lang or await self.ui_lang(update)
        await self.send(context, update.effective_chat.id, [self.text(key, lang, **kw)], markup, update.effective_message)

    async def send_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, answer: Answer,
                          reply_to: Message | None = None) -> None:
        rendered = core_render.render(answer, FMT)
        chunks = list(rendered.chunks) or [rendered.text]
        await self.send(context, update.effective_chat.id, chunks, self.answer_markup(answer, rendered), reply_to)

    def answer_markup(self, answer: Answer, rendered) -> InlineKeyboardMarkup | None:
        rows: list[list[InlineKeyboardButton]] = []
        if answer.status == "answer":
            for label, url in list(rendered.links)[:3]:
                if url.startswith(("https://", "http://")):
                    rows.append([InlineKeyboardButton(label[:64], url=url)])
            platform = self.engine.platform(answer.platform) if answer.platform else None
            if platform is not None and platform.id != "general":
                if answer.topic == "legal-objection":
                    rows.append([InlineKeyboardButton(self.text("letter_button", answer.lang, fmt="plain"),
                                                      callback_data=CB_SEP.join(("l", platform.id, answer.lang)))])
                rows.append([InlineKeyboardButton(self.text("share", answer.lang, fmt="plain"),
                                                  switch_inline_query=platform.name)])
        elif answer.status == "clarify":
            buttons = [InlineKeyboardButton(c.name[:64], callback_data=callback_data(c.platform, answer.topic, answer.lang))
                       for c in answer.candidates[:12]]
            rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        return InlineKeyboardMarkup(rows) if rows else None

    async def is_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Chat admins, as Telegram lists them (cached briefly); anonymous admins post as the chat itself."""
        chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
        if chat.type == Chat.PRIVATE:
            return True
        if msg is not None and msg.sender_chat is not None and msg.sender_chat.id == chat.id:
            return True
        return user is not None and user.id in await self.admin_ids(chat.id, context)

    async def admin_ids(self, chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> set[int]:
        cached = self._admins.get(chat_id)
        if cached is None or time.monotonic() - cached[0] > self.admin_cache_seconds:
            members = await context.bot.get_chat_administrators(chat_id)
            ids = {m.user.id for m in members if m.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)}
            cached = self._admins[chat_id] = (time.monotonic(), ids)
        return cached[1]

    async def sees_all_messages(self, chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Privacy mode off (getMe), or the bot is an admin of the chat: only then can FAQ mode hear questions."""
        return bool(context.bot.can_read_all_group_messages) or context.bot.id in await self.admin_ids(chat_id, context)

    def addressed(self, msg: Message, bot_id: int, username: str | None) -> tuple[bool, str]:
        """Whether a group message mentions the bot or replies to it, and its text without the mention."""
        text = msg.text or ""
        hit = False
        for entity, value in msg.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
            if (entity.type == MessageEntity.MENTION and username and value.lower() == f"@{username.lower()}") or \
                    (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id):
                hit = True
                text = text.replace(value, " ")
        reply = msg.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id \
                and reply.forum_topic_created is None:
            hit = True
        return hit, " ".join(text.split())

    async def rate_limited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        user = update.effective_user
        if user is None or self.user_rate.allow(user.id):
            return False
        if self.rate_notice.allow(user.id) and update.effective_message is not None:
            await self.say(update, context, "rate_limited")
        return True

    # ------------------------------------------------------------------ commands
    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.args:  # deep link t.me/<bot>?start=<platform>[__<topic>[__<lang>]]
            answer = await self.deep_link(update, context.args[0])
            if answer is not None:
                await self.send_answer(update, context, answer, update.effective_message)
                return
        lang = await self.ui_lang(update)
        examples = [[InlineKeyboardButton(self.text(f"tg_example_{i}", lang, fmt="plain")[:64],
                                          callback_data=callback_data(pid, topic, lang))]
                    for i, (pid, topic) in enumerate(EXAMPLES, 1) if self.engine.platform(pid) is not None]
        await self.say(update, context, "welcome", lang=lang, markup=InlineKeyboardMarkup(examples) if examples else None)

    async def deep_link(self, update: Update, payload: str) -> Answer | None:
        parts = payload[:64].split("__")  # Telegram's own limit for a start payload; a forged one is cut (F-16)
        pid = parts[0] if self.engine.platform(parts[0]) is not None else self.engine.find_platform(parts[0].replace("_", " "))
        if pid is None:
            return None
        platform = self.engine.platform(pid)
        topic = parts[1] if len(parts) > 1 and parts[1] in platform.topics else "ai-training"
        prefs = await self.prefs(update)
        lang = prefs[0] or (parts[2] if len(parts) > 2 and parts[2] in LANGS else None) \
            or tg_lang(update.effective_user) or "en"
        return self.engine.answer_for(pid, topic, lang=lang, region=prefs[1])

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.say(update, context, "help")

    async def cmd_platforms(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = await self.ui_lang(update)
        buttons = [InlineKeyboardButton(p.name[:64], callback_data=callback_data(p.id, "ai-training", lang))
                   for p in self.engine.platforms()]
        rows = [buttons[i:i + 3] for i in range(0, min(len(buttons), 99), 3)]
        await self.say(update, context, "platforms_header", lang=lang, markup=InlineKeyboardMarkup(rows),
                       count=len(buttons))

    async def cmd_optout(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        name = " ".join(context.args or [])[:100]
        if not name:
            await self.say(update, context, "optout_usage")
            return
        if await self.rate_limited(update, context):
            return
        pid = self.engine.find_platform(name)
        if pid is None:
            await self.say(update, context, "platform_not_found", name=name)
            return
        lang, region = await self.prefs(update)
        answer = self.engine.answer_for(pid, "ai-training", lang=lang or tg_lang(update.effective_user) or "en",
                                        region=region)
        await self.send_answer(update, context, answer, update.effective_message)

    async def cmd_letter(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/letter <platform>: a GDPR objection letter to send or paste into the platform's form."""
        name = " ".join(context.args or [])[:100]
        pid = self.engine.find_platform(name) if name else None
        if pid is None or pid == "general":
            await self.say(update, context, "letter_usage" if not name else "platform_not_found", name=name)
            return
        if await self.rate_limited(update, context):
            return
        await self.send_letter(update, context, pid, await self.ui_lang(update))

    async def send_letter(self, update: Update, context: ContextTypes.DEFAULT_TYPE, pid: str, lang: str) -> None:
        rendered = core_render.objection_letter(pid, FMT, lang)
        rows = [[InlineKeyboardButton(label[:64], url=url)] for label, url in rendered.links if url.startswith("http")]
        await self.send(context, update.effective_chat.id, rendered.chunks, InlineKeyboardMarkup(rows) if rows else None,
                        update.effective_message)

    async def _setting(self, update: Update, context: ContextTypes.DEFAULT_TYPE, field: str, allowed: tuple) -> None:
        value = (context.args[0].lower() if context.args else "")
        if value not in allowed:
            await self.say(update, context, f"{field}_usage")
            return
        chat = update.effective_chat
        if chat.type == Chat.PRIVATE:
            await self.store.update_user(SURFACE, update.effective_user.id, **{field: value})
        elif await self.is_admin(update, context):
            await self.store.update_chat(SURFACE, chat.id, **{field: value})
        else:
            await self.say(update, context, "tg_admin_only")
            return
        if field == "lang":  # confirmed in the new language
            await self.say(update, context, "lang_set", lang=value)
        else:
            await self.say(update, context, "region_set",
                           region=core_render.text(f"region_{value}", await self.ui_lang(update)))

    async def cmd_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._setting(update, context, "lang", LANGS)

    async def cmd_region(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._setting(update, context, "region", REGIONS)

    async def cmd_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        lang = await self.ui_lang(update)  # the language to say it in, before it is erased
        if chat.type != Chat.PRIVATE and await self.is_admin(update, context):
            erased = await self.store.forget_chat(SURFACE, chat.id)
        else:
            erased = await self.store.forget_user(SURFACE, user.id) if user else False
            if chat.type == Chat.PRIVATE:
                erased = await self.store.forget_chat(SURFACE, chat.id) or erased
        await self.say(update, context, "forget_done" if erased else "forget_nothing", lang=lang)

    async def cmd_faq(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat.type == Chat.PRIVATE:
            await self.say(update, context, "tg_faq_groups_only")
            return
        action = (context.args[0].lower() if context.args else "")
        if action not in ("on", "off", "post"):
            await self.say(update, context, "faq_usage")
            return
        if not await self.is_admin(update, context):
            await self.say(update, context, "faq_admin_only")
            return
        if action == "post":
            index = core_render.platform_index(FMT, await self.ui_lang(update))
            await self.send(context, chat.id, list(index.chunks) or [index.text])
            return
        await self.store.update_chat(SURFACE, chat.id, faq=action == "on")
        if action == "off":
            await self.say(update, context, "faq_off")
            return
        lang = await self.ui_lang(update)
        text = self.text("faq_on", lang)
        if not await self.sees_all_messages(chat.id, context):  # privacy mode: tell the admin what to change
            text += "\n\n" + self.text("tg_faq_privacy_hint", lang, bot=f"@{context.bot.username}")
        await self.send(context, chat.id, [text], reply_to=update.effective_message)

    # ------------------------------------------------------------------ messages
    async def on_private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self.rate_limited(update, context):
            return
        answer = await self.ask(update, update.message.text)
        await self.send_answer(update, context, answer)

    async def on_group_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, chat, user = update.message, update.effective_chat, update.effective_user
        anonymous_admin = msg.sender_chat is not None and msg.sender_chat.id == chat.id
        if user is None or (user.is_bot and not anonymous_admin) or msg.is_automatic_forward \
                or (msg.via_bot is not None and msg.via_bot.id == context.bot.id):
            return  # never answer bots, channel auto-forwards, nor our own inline results posted in the group
        addressed, text = self.addressed(msg, context.bot.id, context.bot.username)
        if addressed:
            if await self.rate_limited(update, context):
                return
            if not text:
                await self.say(update, context, "help")
                return
            answer = await self.ask(update, text, in_group=True, addressed=True)
            await self.send_answer(update, context, answer, msg)
            return
        if not (await self.store.chat(SURFACE, chat.id)).faq:
            return  # chatter: never answered unless an admin turned the group FAQ on
        answer = await self.ask(update, text, in_group=True, addressed=False)
        if answer.status != "answer":
            return  # overheard: abstain and clarify send nothing
        if not self.faq_user_rate.allow((chat.id, user.id)):
            return
        if not self.faq_cooldown.allow((chat.id, answer.platform, answer.topic, answer.lang)):
            return
        await self.send_answer(update, context, answer, msg)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cq = update.callback_query
        parts = (cq.data or "").split(CB_SEP)
        if len(parts) == 3 and parts[0] == "l" and self.engine.platform(parts[1]) is not None \
                and parts[1] != "general" and cq.message is not None:  # general has no objection letter (F-11)
            await cq.answer()
            if not await self.rate_limited(update, context):
                await self.send_letter(update, context, parts[1], parts[2] if parts[2] in LANGS else "en")
            return
        platform = self.engine.platform(parts[1]) if len(parts) == 4 and parts[0] == "a" else None
        if platform is None or cq.message is None or (platform.id == "general" and parts[2] not in platform.topics):
            # forged or stale data (or a button of an inline-mode message): a polite note, never an error (F-11)
            name = (parts[1] if len(parts) > 1 else cq.data or "")[:40]
            await cq.answer(self.text("platform_not_found", await self.ui_lang(update), fmt="plain", name=name))
            return
        topic = parts[2] if parts[2] in platform.topics else "ai-training"
        lang = parts[3] if parts[3] in LANGS else "en"
        await cq.answer()
        if await self.rate_limited(update, context):
            return
        answer = self.engine.answer_for(platform.id, topic, lang=lang, region=(await self.prefs(update))[1])
        in_group = isinstance(cq.message, Message) and cq.message.chat.type != Chat.PRIVATE
        await self.send_answer(update, context, answer, cq.message if in_group else None)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot linkedin` in any chat: up to 10 answers as articles."""
        iq = update.inline_query
        text = iq.query.strip()[:200]
        stored = await self.store.user(SURFACE, iq.from_user.id)
        lang = stored.lang or tg_lang(iq.from_user) or "en"
        picks: list[tuple[str, str]] = []
        if text:
            found = self.engine.answer(Query(text, lang=stored.lang, region=stored.region, surface=SURFACE,
                                             fallback_lang=lang))
            if found.status == "answer":
                picks.append((found.platform, found.topic or "ai-training"))
            if found.status != "abstain":
                lang = found.lang
            picks += [(c.platform, "ai-training") for c in found.candidates if found.status == "clarify"]
        picks += [(c.platform, "ai-training") for c in self.engine.suggest(text[:100], limit=10)]
        results, seen = [], set()
        for pid, topic in picks:
            if (pid, topic) in seen or len(results) >= 10:
                continue
            seen.add((pid, topic))
            results.append(self.article(pid, topic, lang, stored.region, context.bot.username))
        await iq.answer([r for r in results if r is not None], cache_time=60, is_personal=True)

    def article(self, pid: str, topic: str, lang: str, region: str | None, username: str | None):
        platform = self.engine.platform(pid)
        if platform is None:
            return None
        answer = self.engine.answer_for(pid, topic, lang=lang, region=region)
        rendered = core_render.render(answer, FMT)
        chunks = list(rendered.chunks) or [rendered.text]
        markup = self.answer_markup(answer, rendered)
        if len(chunks) > 1 and username:  # the whole answer does not fit one message: link to it in the bot
            more = InlineKeyboardButton(self.text("tg_read_more", lang, fmt="plain"),
                                        url=f"https://t.me/{username}?start={pid}__{topic}__{lang}")
            markup = InlineKeyboardMarkup([[more], *(markup.inline_keyboard if markup else ())])
        card = platform.card(topic, lang) or platform.card("ai-training", lang)
        return InlineQueryResultArticle(
            id=f"{pid}:{topic}:{lang}"[:64], title=card.title if card else platform.name,
            description=(card.summary[:120] if card else None),
            input_message_content=InputTextMessageContent(chunks[0], parse_mode=ParseMode.HTML,
                                                          link_preview_options=NO_PREVIEW),
            reply_markup=markup)

    # ------------------------------------------------------------------ chat life cycle
    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its settings follow it to the new chat id."""
        msg = update.effective_message
        if msg.migrate_to_chat_id:
            await self.store.migrate_chat(SURFACE, msg.chat.id, msg.migrate_to_chat_id)
        elif msg.migrate_from_chat_id:
            await self.store.migrate_chat(SURFACE, msg.migrate_from_chat_id, msg.chat.id)

    async def on_my_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Removed from a group: forget its settings."""
        change = update.my_chat_member
        if change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) \
                and change.chat.type != Chat.PRIVATE:
            await self.store.forget_chat(SURFACE, change.chat.id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without the token; tell the user with a short apology when they were talking to the bot."""
        err = context.error
        if isinstance(err, Forbidden):  # blocked by the user, removed from the group: expected, no traceback
            log.warning("Telegram refused a reply (403): %s", self.redact(str(err)))
            return
        if isinstance(err, RetryAfter):
            log.warning("Telegram flood limit: a reply was dropped (retry after %.0f s)", retry_seconds(err))
            return
        if isinstance(err, StoreUnavailable):
            log.warning("update not completed: %s", err)
        else:
            detail = "".join(traceback.format_exception(type(err), err, err.__traceback__)) if err else "?"
            log.error("update failed: %s", self.redact(detail))
        if not isinstance(update, Update):
            return
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(self.text("apology", await self.ui_lang(update), fmt="plain"))
                return
            msg, chat = update.effective_message, update.effective_chat
            if msg is None or chat is None or update.inline_query is not None:
                return
            talking = chat.type == Chat.PRIVATE or (msg.text or "").startswith("/") or \
                self.addressed(msg, context.bot.id, context.bot.username)[0]
            if talking:
                await self.say(update, context, "apology")
        except Exception as exc:  # noqa: BLE001 - the apology is best effort
            log.warning("could not send the apology: %s", self.redact(repr(exc)))


# ---------------------------------------------------------------------- application
def build_application(settings: Settings, *, engine: Engine | None = None, store: Store | None = None,
                      request=None, rate_limiter=None, **bot_options) -> Application:
    """The configured Application. `request` (a telegram.request.BaseRequest) replaces HTTP, for tests."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    handlers = TelegramBot(engine or get_engine(), store, redact=Redactor(token, secret), **bot_options)
    handlers.settings = settings
    processor = ChatUpdateProcessor(settings.telegram_max_concurrent_updates, settings.telegram_chat_queue)
    builder = (ApplicationBuilder().token(token)
               .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
               .rate_limiter(rate_limiter or ChatRateLimiter(max_retries=MAX_RETRIES,
                                                             max_retry_after=settings.telegram_max_retry_after))
               .concurrent_updates(processor)
               .post_init(handlers.post_init)
               .post_shutdown(handlers.post_shutdown))
    if settings.telegram_base_url:
        base = settings.telegram_base_url
        builder = builder.base_url(base)
        if base.rstrip("/").endswith("/bot"):
            builder = builder.base_file_url(base.rstrip("/")[: -len("/bot")] + "/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    app = builder.build()
    processor.stopping = lambda: not app.running
    handlers.register(app)
    app.bot_data["optout"] = handlers
    return app


def cap_webhook_body(max_bytes: int) -> None:
    """The webhook listener (tornado) buffers bodies up to 100 MB before PTB even checks the secret token (review
    F-20). Give its HTTPServer a body cap: a longer Content-Length closes the connection before the body is read.
    PTB offers no setting for it, so its module's HTTPServer is wrapped (python-telegram-bot 22.x)."""
    import functools

    from telegram.ext._utils import webhookhandler
    from tornado.httpserver import HTTPServer

    webhookhandler.HTTPServer = functools.partial(HTTPServer, max_body_size=max_bytes,
                                                  max_buffer_size=max(max_bytes, 1 << 20))


async def _check_store(settings: Settings) -> None:
    store = await Store.open(settings.database_url, settings)
    await store.close()


def run(settings: Settings) -> int:
    """`optout-bot run telegram`: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set. Blocks; SIGTERM -> 0."""
    if settings.telegram_bot_token is None:
        log.error("TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather; see docs/telegram.md)")
        return 2
    token = settings.telegram_bot_token.get_secret_value()
    redact = redact_in_logs(token, settings.telegram_webhook_secret.get_secret_value()
                            if settings.telegram_webhook_secret else None)
    try:
        asyncio.run(_check_store(settings))  # refuse a bad or unreachable database before going online
    except StoreError as exc:
        log.error("%s", redact(str(exc)))
        return exc.exit_code
    try:
        app = build_application(settings, engine=get_engine())
        stop_signals = (signal.SIGINT, signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
        if settings.telegram_webhook_url:
            cap_webhook_body(settings.telegram_webhook_max_body)
            secret = (settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret
                      else secrets.token_urlsafe(32))
            redact.secrets.append(secret)
            app.run_webhook(listen=settings.telegram_webhook_listen, port=settings.telegram_webhook_port,
                            url_path=urlparse(settings.telegram_webhook_url).path.lstrip("/"),
                            webhook_url=settings.telegram_webhook_url, secret_token=secret,
                            allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
    except InvalidToken:
        log.error("Telegram refused the bot token (check TELEGRAM_BOT_TOKEN)")
        return 1
    except (NetworkError, TimedOut) as exc:
        log.error("cannot reach the Telegram Bot API at %s (%s): check the network or TELEGRAM_BASE_URL",
                  settings.telegram_base_url or "api.telegram.org", redact(str(exc)))
        return 1
    except StoreError as exc:
        log.error("%s", redact(str(exc)))
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - report without a traceback that could carry the token
        log.error("the Telegram adapter stopped: %s", redact(repr(exc)))
        return 1
    log.info("Telegram adapter stopped")
    return 0
