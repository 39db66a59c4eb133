"""Telegram adapter (python-telegram-bot 22): glue between PTB and the conversation layer.

Library objects in (Update -> Turn, command, text or button data), library calls out (Reply -> sendMessage /
editMessageText with HTML, link previews off, an inline keyboard). What to say, rate limits, group policy and
button actions are decided in bot/core/conversation.py, the same for every surface.
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
from dataclasses import replace
from urllib.parse import urlparse

from telegram import (BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats,
                      BotCommandScopeAllPrivateChats, Chat, InlineKeyboardButton, InlineKeyboardMarkup,
                      InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent, LinkPreviewOptions,
                      Message, MessageEntity, ReplyParameters, Update)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, ChatMemberHandler,
                          CommandHandler, ContextTypes, Defaults, InlineQueryHandler, MessageHandler, filters)
from telegram.helpers import create_deep_linked_url

from bot.adapters.tg_concurrency import ChatRateLimiter, ChatUpdateProcessor, retry_seconds
from bot.config import Redactor, Settings, redact_in_logs
from bot.core.alert_store import Subscriber
from bot.core.alerts import AlertDispatcher, SubscriberGone, alert_store
from bot.core.conversation import COMMANDS, Button, Conversation, Limits, Reply, Turn
from bot.core.engine import Engine, get_engine
from bot.core.reload import reload_knowledge
from bot.core.render import Renderer, escape_telegram, message
from bot.core.store import Store, StoreError, StoreUnavailable
from bot.core.vocab import LANGS

log = logging.getLogger("bot.telegram")

SURFACE = "telegram"
MAX_RETRIES = 5  # a 429 (RetryAfter) is retried this many times, never dropped silently
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PRIVATE_COMMANDS = ("start", "help", "platforms", "optout", "checklist", "letter", "robots", "settings", "lang", "region",
                    "privacy", "forget", "new", "subscribe", "unsubscribe")
GROUP_COMMANDS = ("help", "platforms", "optout", "checklist", "letter", "robots", "settings", "lang", "region", "privacy",
                  "forget", "new")
ADMIN_COMMANDS = (*GROUP_COMMANDS, "faq", "subscribe", "unsubscribe")  # these show only in the admins' menu
ADMIN_CHECKED = ("lang", "region", "faq", "forget", "settings", "subscribe", "unsubscribe")  # need the admin list
BUTTON_PATTERNS = (r"^a:", r"^s:", r"^l:", r"^p:", r"^set:", r"^fc$", r"^ck:", r"^fb:", r"^rb:")  # one handler per action kind


def tg_lang(user) -> str | None:
    code = (user.language_code or "").lower() if user else ""
    return next((lang for lang in LANGS if code == lang or code.startswith(lang + "-")), None)


class TelegramBot:
    def __init__(self, conversation: Conversation, *, redact: Redactor | None = None, admin_cache_seconds: float = 30.0,
                 settings: Settings | None = None):
        self.conv, self.settings = conversation, settings
        self._own_store = conversation.store is None  # opened in post_init, on the application's event loop
        self.redact = redact or Redactor()
        self.admin_cache_seconds = admin_cache_seconds
        self._admins: dict[int, tuple[float, set[int]]] = {}
        self.alerts: AlertDispatcher | None = None

    # ------------------------------------------------------------------ wiring
    def register(self, app: Application) -> None:
        new_msg = filters.UpdateType.MESSAGE
        for name in COMMANDS:
            app.add_handler(CommandHandler(name, self.on_command, filters=new_msg))
        app.add_handler(CommandHandler("reload", self.cmd_reload, filters=new_msg))  # the owner's, not a user command
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(MessageHandler(new_msg & filters.ChatType.PRIVATE & filters.COMMAND, self.on_command))
        app.add_handler(MessageHandler(new_msg & filters.TEXT & ~filters.COMMAND, self.on_text))
        for pattern in BUTTON_PATTERNS:
            app.add_handler(CallbackQueryHandler(self.on_button, pattern=pattern))
        app.add_handler(CallbackQueryHandler(self.on_button))  # stale or forged data: a polite reply
        app.add_handler(InlineQueryHandler(self.on_inline))
        app.add_handler(ChatMemberHandler(self.on_my_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Open the store unless one was given; the command menus per scope and language; the bot's description
        and short description per language."""
        if self.conv.store is None:
            self.conv.store = await Store.open(self.settings.database_url, self.settings)
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # `kill -HUP`: reload the knowledge base
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, lambda: app.create_task(self.reload()))
        self.start_alerts(app)
        menus = ((BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS), (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
                 (BotCommandScopeAllChatAdministrators(), ADMIN_COMMANDS))
        for lang in LANGS:
            code = None if lang == "en" else lang
            try:
                for scope, names in menus:
                    cmds = [BotCommand(n, message(f"tg_cmd_{n}", "plain", lang)) for n in names]
                    await app.bot.set_my_commands(cmds, scope=scope, language_code=code)
                await app.bot.set_my_description(message("tg_description", "plain", lang), language_code=code)
                await app.bot.set_my_short_description(message("tg_short_description", "plain", lang), language_code=code)
            except TelegramError as exc:
                log.warning("setting the command menus failed: %s", self.redact(str(exc)))

    async def reload(self) -> str:
        """SIGHUP or /reload: the knowledge base loaded again (a broken one is refused, the old one serves on)."""
        return await self.conv.reload(reload_knowledge)

    @property
    def engine(self) -> Engine:
        return self.conv.engine

    async def cmd_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/reload, for the owner (TELEGRAM_OWNER_ID) in a private chat; anyone else gets the help."""
        owner = self.settings.telegram_owner_id if self.settings else None
        user, chat = update.effective_user, update.effective_chat
        if owner is None or user is None or user.id != owner or chat.type != Chat.PRIVATE:
            return await self.on_command(update, context)
        report = await self.reload()  # an operator's tool: the report is in English, like the logs
        await context.bot.send_message(chat.id, escape_telegram(report), parse_mode=ParseMode.HTML)

    def start_alerts(self, app: Application) -> AlertDispatcher:
        """Policy-change alerts in the background: changes recorded now and after each reload, then delivered."""
        if self.alerts is None:
            s = self.settings
            options = {} if s is None else {"poll": s.alerts_poll_seconds, "lease": s.alerts_lease_seconds,
                                            "interval": s.alerts_send_interval}
            self.alerts = AlertDispatcher(self.conv, SURFACE, lambda sub, reply: self.send_alert(app.bot, sub, reply),
                                          **options)
            self.conv.reload_hooks.append(self.alerts.knowledge_loaded)
        self.alerts.start()
        return self.alerts

    async def send_alert(self, bot, sub, reply: Reply) -> None:
        """One alert to a user's private chat or a group, through the application's rate limiter. A user who
        blocked the bot, a group that removed it or a chat that no longer exists: SubscriberGone."""
        markup = self.markup(reply, bot.username)
        try:
            for i, chunk in enumerate(reply.chunks):
                await bot.send_message(int(sub.target), chunk, reply_markup=markup if i == len(reply.chunks) - 1 else None)
        except Forbidden as exc:  # 403: blocked by the user, kicked from the group, user deactivated
            raise SubscriberGone(self.redact(str(exc))) from None
        except BadRequest as exc:
            if "not found" in exc.message.lower():  # "Chat not found", "User not found"
                raise SubscriberGone(self.redact(str(exc))) from None
            raise

    async def post_stop(self, app: Application) -> None:
        if self.alerts is not None:
            await self.alerts.stop()

    async def post_shutdown(self, app: Application) -> None:
        await self.post_stop(app)
        await self.conv.flush_counts()
        if self._own_store and self.conv.store is not None:
            await self.conv.store.close()

    # ------------------------------------------------------------------ Update -> Turn
    async def turn(self, update: Update, context: ContextTypes.DEFAULT_TYPE, *, need_admin: bool = False) -> Turn:
        chat, user = update.effective_chat, update.effective_user
        in_group = chat is not None and chat.type != Chat.PRIVATE
        admin = not in_group or (need_admin and await self.is_admin(update, context))
        return Turn(SURFACE, chat.id if chat else (user.id if user else 0), user.id if user else None, in_group,
                    admin, tg_lang(user))

    async def is_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Chat admins, as Telegram lists them (cached briefly); anonymous admins post as the chat itself."""
        chat, user, msg = update.effective_chat, update.effective_user, update.effective_message
        if isinstance(msg, Message) and msg.sender_chat is not None and msg.sender_chat.id == chat.id:
            return True
        return user is not None and user.id in await self.admin_ids(chat.id, context)

    async def admin_ids(self, chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> set[int]:
        cached = self._admins.get(chat_id)
        if cached is None or time.monotonic() - cached[0] > self.admin_cache_seconds:
            members = await context.bot.get_chat_administrators(chat_id)
            ids = {m.user.id for m in members if m.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)}
            cached = self._admins[chat_id] = (time.monotonic(), ids)
        return cached[1]

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

    # ------------------------------------------------------------------ Reply -> Telegram
    def markup(self, reply: Reply, username: str | None) -> InlineKeyboardMarkup | None:
        rows = [[self.button(b, username) for b in row] for row in reply.buttons]
        per_row = 3 if len(reply.choices) > 12 else 2
        rows += [[self.button(b, username) for b in reply.choices[i:i + per_row]]
                 for i in range(0, min(len(reply.choices), 99), per_row)]
        rows = [[b for b in row if b is not None] for row in rows]
        return InlineKeyboardMarkup([r for r in rows if r]) if any(rows) else None

    @staticmethod
    def button(b: Button, username: str | None) -> InlineKeyboardButton | None:
        if b.url:
            return InlineKeyboardButton(b.label, url=b.url)
        if b.deep_link:
            return InlineKeyboardButton(b.label, url=create_deep_linked_url(username, b.deep_link)) if username else None
        if b.share:
            return InlineKeyboardButton(b.label, switch_inline_query=b.share)
        return InlineKeyboardButton(b.label, callback_data=b.data)

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply,
                   reply_to: Message | None = None) -> None:
        if reply.silent or not reply.chunks:
            return
        markup = self.markup(reply, context.bot.username)
        chunks = list(reply.chunks)
        cq = update.callback_query
        if reply.edit and cq is not None and isinstance(cq.message, Message):
            await cq.message.edit_text(chunks.pop(0), reply_markup=markup if not chunks else None)
            reply_to = None
        if not isinstance(reply_to, Message):  # e.g. the InaccessibleMessage of an old button
            reply_to = None
        thread = reply_to.message_thread_id if reply_to is not None and reply_to.is_topic_message else None
        chat_id = update.effective_chat.id if update.effective_chat else update.effective_user.id
        for i, chunk in enumerate(chunks):
            in_group = reply_to is not None and reply_to.chat.type != Chat.PRIVATE
            params = ReplyParameters(reply_to.message_id, allow_sending_without_reply=True) if (i == 0 and in_group) else None
            await context.bot.send_message(chat_id, chunk, reply_markup=markup if i == len(chunks) - 1 else None,
                                           reply_parameters=params, message_thread_id=thread)
        if reply.file:  # /robots output too long for a message
            await context.bot.send_document(chat_id, reply.file[1].encode(), filename=reply.file[0],
                                            message_thread_id=thread)

    # ------------------------------------------------------------------ handlers
    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.effective_message
        name = (msg.text or "").split()[0][1:].split("@")[0].lower()
        arg = " ".join(context.args or []) if context.args is not None else " ".join((msg.text or "").split()[1:])
        turn = await self.turn(update, context, need_admin=name in ADMIN_CHECKED)
        reply = await self.conv.command(turn, name if name in COMMANDS else "help", arg)
        if name == "faq" and arg.lower() == "on" and turn.admin and turn.in_group and not reply.silent \
                and not await self.sees_all_messages(turn.chat_id, context):  # privacy mode: say what to change
            reply.chunks[-1] += "\n\n" + message("tg_faq_privacy_hint", "telegram", await self.conv.ui_lang(turn),
                                                 bot=f"@{context.bot.username}")
        await self.send(update, context, reply, msg)

    async def sees_all_messages(self, chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Privacy mode off (getMe), or the bot is an admin of the chat: only then can FAQ mode hear questions."""
        return bool(context.bot.can_read_all_group_messages) or context.bot.id in await self.admin_ids(chat_id, context)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, chat, user = update.message, update.effective_chat, update.effective_user
        turn = await self.turn(update, context)
        if not turn.in_group:
            return await self.send(update, context, await self.conv.message(turn, msg.text or ""))
        anonymous_admin = msg.sender_chat is not None and msg.sender_chat.id == chat.id
        if user is None or (user.is_bot and not anonymous_admin) or msg.is_automatic_forward \
                or (msg.via_bot is not None and msg.via_bot.id == context.bot.id):
            return  # never answer bots, channel auto-forwards, nor our own inline results posted in the group
        addressed, text = self.addressed(msg, context.bot.id, context.bot.username)
        await self.send(update, context, await self.conv.message(turn, text, addressed=addressed), msg)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        cq = update.callback_query
        data = cq.data or ""
        turn = await self.turn(update, context, need_admin=data.startswith(("set:", "fc")))
        reply = await self.conv.press(turn, data)
        await cq.answer(reply.toast[:200] if reply.toast else None)
        if reply.drop_buttons and isinstance(cq.message, Message) and cq.message.reply_markup is not None:
            rows = [[b for b in row if not (b.callback_data or "").startswith(reply.drop_buttons)]
                    for row in cq.message.reply_markup.inline_keyboard]
            await cq.message.edit_reply_markup(InlineKeyboardMarkup([r for r in rows if r]))
        if reply.toast is None:
            in_group = isinstance(cq.message, Message) and cq.message.chat.type != Chat.PRIVATE
            await self.send(update, context, reply, cq.message if in_group else None)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`@bot linkedin` in any chat: up to 10 short answers, each with the way into the bot for the rest."""
        iq = update.inline_query
        turn = Turn(SURFACE, iq.from_user.id, iq.from_user.id, app_lang=tg_lang(iq.from_user), inline=True)
        results, lang = await self.conv.inline(turn, iq.query)
        articles = [InlineQueryResultArticle(
            id=r.id, title=r.title, description=r.description, reply_markup=self.markup(r.reply, context.bot.username),
            input_message_content=InputTextMessageContent(r.reply.chunks[0], parse_mode=ParseMode.HTML,
                                                          link_preview_options=NO_PREVIEW)) for r in results]
        open_bot = InlineQueryResultsButton(message("tg_open_bot", "plain", lang), start_parameter="inline")
        await iq.answer(articles, cache_time=60, is_personal=True, button=open_bot)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: its settings follow it to the new chat id."""
        msg = update.effective_message
        moves = alert_store(self.conv.store)  # alert subscriptions follow the group too
        if msg.migrate_to_chat_id:
            await self.conv.store.migrate_chat(SURFACE, msg.chat.id, msg.migrate_to_chat_id)
            if moves:
                await moves.move_chat(SURFACE, msg.chat.id, msg.migrate_to_chat_id)
        elif msg.migrate_from_chat_id:
            await self.conv.store.migrate_chat(SURFACE, msg.migrate_from_chat_id, msg.chat.id)
            if moves:
                await moves.move_chat(SURFACE, msg.migrate_from_chat_id, msg.chat.id)

    async def on_my_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Added to a group: a short hello that tells admins about /faq. Removed: forget the group's settings."""
        change = update.my_chat_member
        if change.chat.type == Chat.PRIVATE:
            return
        old, new = change.old_chat_member.status, change.new_chat_member.status
        gone = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        if new in gone:
            await self.conv.store.forget_chat(SURFACE, change.chat.id)
            if alert_store(self.conv.store):  # removed from the group: its alert subscriptions go too
                await alert_store(self.conv.store).forget(Subscriber(SURFACE, "chat", str(change.chat.id)))
        elif old in gone:
            lang = tg_lang(change.from_user) or "en"
            add_link = f"https://t.me/{context.bot.username}?startgroup=true"
            await context.bot.send_message(change.chat.id, message("tg_added_to_group", "telegram", lang, link=add_link))

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
            lang = tg_lang(update.effective_user) or "en"
            if update.callback_query is not None:
                await update.callback_query.answer(message("apology", "plain", lang))
                return
            msg, chat = update.effective_message, update.effective_chat
            if msg is None or chat is None or update.inline_query is not None:
                return
            talking = chat.type == Chat.PRIVATE or (msg.text or "").startswith("/") or \
                self.addressed(msg, context.bot.id, context.bot.username)[0]
            if talking:
                await context.bot.send_message(chat.id, message("apology", "telegram", lang))
        except Exception as exc:  # noqa: BLE001 - the apology is best effort
            log.warning("could not send the apology: %s", self.redact(repr(exc)))


# ---------------------------------------------------------------------- application
def build_application(settings: Settings, *, engine: Engine | None = None, store=None,
                      request=None, rate_limiter=None, limits: Limits | None = None, user_rate: tuple[int, float] | None = None,
                      **bot_options) -> Application:
    """The configured Application. `request` (a telegram.request.BaseRequest) replaces HTTP, for tests; `limits`
    or just `user_rate` replace the conversation's limits (load tests)."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    engine = engine or get_engine()
    limits = limits or settings.limits()
    conversation = Conversation(engine, Renderer(engine), store, replace(limits, user=user_rate) if user_rate else limits)
    handlers = TelegramBot(conversation, redact=Redactor(token, secret), settings=settings, **bot_options)
    processor = ChatUpdateProcessor(settings.telegram_max_concurrent_updates, settings.telegram_chat_queue)
    builder = (ApplicationBuilder().token(token)
               .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
               .rate_limiter(rate_limiter or ChatRateLimiter(max_retries=MAX_RETRIES,
                                                             max_retry_after=settings.telegram_max_retry_after))
               .concurrent_updates(processor)
               .post_init(handlers.post_init)
               .post_stop(handlers.post_stop)
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
    except (NetworkError, TimedOut) as exc:  # the network is down at start: one clean line, no traceback
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
