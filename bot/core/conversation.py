"""One conversation layer for every chat: commands, preferences, follow-up context, group policy, rate limits
and button actions. It returns what to say and which buttons to offer; the adapters translate a Reply into
Telegram or Discord objects and never decide anything themselves.

Button presses carry a short data string (Telegram callback_data, Discord custom_id after "oo:x:"), built and
parsed only here, at most 64 bytes:
    a:<platform>:<topic>:<lang>                       answer (clarify choices, examples, /platforms)
    s:<platform>:<topic>:<lang>:<region>:<section>    one section of the guide, one tap away
    l:<platform>:<lang>                               the objection letter
    la:<lang>, lb:<brand slug>:<lang>                 ...for any company, for a brand we have no guide for
    p:<platform>:<topic>:<lang>                       post the answer publicly (Discord)
    set:<lang|region>:<value>                         a preference
    fc                                                an admin erases the group's settings (confirm button)
    ck:<d|u>:<platform>                               checklist: done / undo (bot/core/checklist.py)
    fb:<y|n>:<platform>:<topic>:<lang>, fb:r:<brand>  helpful? votes, request a guide (bot/core/feedback.py)
    rb:<purpose>[:<format>]                           /robots choices (bot/core/robots_chat.py)
Anything else, or an out-of-range value, gets a polite reply, never a traceback. Telegram deep links
(t.me/<bot>?start=...) are read by /start: <platform>[__<topic>[__<lang>[__full]]], letter__<platform> and letter.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from . import alerts, feedback
from .engine import Answer, Engine, Query
from .render import Renderer, message, text
from .store import StoreError
from .throttle import Cooldown, RateLimit
from .vocab import DERIVED_TOPICS, LANGS, PLATFORM_TOPICS, REGIONS

log = logging.getLogger("bot.conversation")

FORMAT = {"telegram": "telegram", "discord": "discord", "console": "plain"}
COMMANDS = ("start", "help", "optout", "lang", "region", "letter", "platforms", "forget", "privacy", "faq",
            "settings", "more", "new", "subscribe", "unsubscribe", "checklist", "robots")
TOPICS = PLATFORM_TOPICS + DERIVED_TOPICS  # what a platform answer can be about
SECTION_NAMES = ("details", "regions", "sources")
EXAMPLES = (("linkedin", "ai-training"), ("instagram", "ai-training"), ("chatgpt", "delete-data"))
LABEL_MAX = 48  # button labels are shortened on a word boundary to fit a phone (one link a row)
CHOICE_MAX = 32  # platform choices sit two or three a row


def _store_failure(exc: Exception) -> str:
    """What to log when a settings write fails: the store's own message (it masks passwords)."""
    return str(exc)


@dataclass(frozen=True)
class Limits:
    """The numbers of the conversation policy, the same on every surface (Settings can override them)."""

    user: tuple[int, float] = (12, 60.0)  # commands, questions and buttons per user
    faq_user: tuple[int, float] = (3, 60.0)  # group auto-answers a user can trigger
    faq_cooldown: float = 600.0  # the same auto-answer in the same chat
    public_user: tuple[int, float] = (3, 60.0)  # public posts a user can cause (Discord: FAQ, "Post publicly")
    public_channel: tuple[int, float] = (6, 60.0)  # public posts per channel
    context_seconds: float = 600.0  # how long a follow-up ("and for threads?") refers to the last answer


@dataclass(frozen=True)
class Turn:
    """Who speaks, and where. Built by the adapter from the library's objects."""

    surface: str  # telegram | discord | console
    chat_id: int | str
    user_id: int | str | None
    in_group: bool = False
    admin: bool = False  # may change this chat's settings (Telegram chat admin, Discord Manage Channels)
    app_lang: str | None = None  # the chat app's language, when the text shows none
    inline: bool = False  # a Telegram inline-mode message: no callback buttons that need a chat (F-12)
    shared_prefs: bool = True  # in a group, language and region are the chat's (Telegram); else each user's (Discord)

    @property
    def chat_prefs(self) -> bool:
        return self.in_group and self.shared_prefs


@dataclass(frozen=True)
class Button:
    label: str
    url: str | None = None  # a link
    data: str | None = None  # a press, handled by Conversation.press
    deep_link: str | None = None  # Telegram: a t.me/<bot>?start=<payload> link the adapter builds
    share: str | None = None  # Telegram: switch to inline mode with this query


@dataclass
class Reply:
    """What to say. `chunks` (Telegram HTML / plain text) or `embeds` (Discord) hold the messages; buttons go
    under the last one. `choices` are platform picks (Telegram rows, Discord buttons or a select menu)."""

    chunks: list[str] = field(default_factory=list)
    embeds: list[dict] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    choices: list[Button] = field(default_factory=list)
    answer: Answer | None = None
    edit: bool = False  # replace the message the pressed button is on
    public: bool = False  # Discord: post in the channel rather than only to the member
    toast: str | None = None  # a short notice on the pressed button (Telegram callback answer)
    silent: bool = False  # send nothing
    file: tuple[str, str] | None = None  # (file name, text): sent as a document after the chunks (/robots)
    drop_buttons: str | None = None  # Telegram, private chat: remove the pressed message's buttons with this data prefix

    @property
    def text(self) -> str:
        return "\n\n".join(self.chunks)


SILENT = Reply(silent=True)


@dataclass(frozen=True)
class InlineResult:
    """One answer offered in Telegram's inline mode (`@bot linkedin` in any chat)."""

    id: str
    title: str
    description: str | None
    reply: Reply


def short_label(label: str, limit: int = LABEL_MAX) -> str:
    """A button label that fits a phone: cut on a word boundary."""
    label = " ".join(str(label).split())
    if len(label) <= limit:
        return label
    head = label[: limit - 1]
    return (head[: head.rfind(" ")] if " " in head else head).rstrip(" ,;:-(") + "…"


def resolve_platform(engine: Engine, name: str) -> str | None:
    """A platform id for a typed name: an id, a name, alias or typo, or a company that runs several platforms
    when one of them carries its name ("meta" -> Meta AI, whose objection route is Meta's)."""
    if engine.platform(name) is not None:
        return name
    found = engine.find_platform(name)
    if found:
        return found
    from .normalize import tokens

    names = getattr(engine, "index", None) or getattr(engine, "matcher", None)  # the alias index, either design
    owned = (names.owners.get(tuple(tokens(name))) if names is not None else None) or []
    key = " ".join(tokens(name))
    return next((pid for pid in owned if " ".join(tokens(engine.platform(pid).name)).startswith(key)), None)


class Conversation:
    def __init__(self, engine: Engine, renderer: Renderer, store, limits: Limits | None = None, clock=time.monotonic):
        self.engine, self.renderer, self.store = engine, renderer, store
        self.limits = limits = limits or Limits()
        self.clock = clock
        self.user_rate = RateLimit(*limits.user, clock=clock)
        self.rate_notice = Cooldown(limits.user[1], clock=clock)
        self.faq_user_rate = RateLimit(*limits.faq_user, clock=clock)
        self.faq_cooldown = Cooldown(limits.faq_cooldown, clock=clock)
        self.public_user_rate = RateLimit(*limits.public_user, clock=clock)
        self.public_channel_rate = RateLimit(*limits.public_channel, clock=clock)
        self._context: dict[tuple, tuple[float, tuple[str, str, str]]] = {}  # (surface, chat, user) -> (when, (pid, topic, lang))
        self.reload_hooks: list = []  # coroutines called after a reload with the new engine (alerts)
        self.tally = feedback.Tally()  # aggregate counters for curators: no user id, no text
        self.voted = Cooldown(feedback.VOTE_WINDOW, clock=clock)  # in memory only: one vote per user and answer

    async def reload(self, load) -> str:
        """Swap in a knowledge base loaded again by `load()` (SIGHUP, /reload). A broken one is refused whole and
        the old one keeps serving. Returns a one-line report for the operator (in English, like the logs)."""
        from .knowledge import KnowledgeError

        try:
            engine = await asyncio.to_thread(load)
        except KnowledgeError as e:
            report = (f"knowledge base NOT reloaded, the old one keeps serving: {e.problems[0] if e.problems else '?'}"
                      + (f" (and {len(e.problems) - 1} more)" if len(e.problems) > 1 else ""))
            log.warning("%s", report)
            return report
        self.engine, self.renderer = engine, Renderer(engine)
        report = f"knowledge base reloaded: {len(engine.platforms())} platforms"
        log.info("%s", report)
        for hook in self.reload_hooks:
            try:
                await hook(engine)
            except Exception:  # noqa: BLE001 - the reload itself succeeded
                log.exception("after the reload, %r failed", hook)
        return report

    # preferences ------------------------------------------------------------------------------------------
    async def prefs(self, turn: Turn) -> tuple[str | None, str | None]:
        """(lang, region) chosen for this conversation: the user's in private, the chat's (then user's) in groups."""
        user = await self.store.user(turn.surface, turn.user_id) if turn.user_id is not None else None
        if turn.chat_prefs:
            chat = await self.store.chat(turn.surface, turn.chat_id)
            return chat.lang, chat.region or (user.region if user else None)
        return (user.lang, user.region) if user else (None, None)

    async def ui_lang(self, turn: Turn) -> str:
        """The chosen language, else the last answer's (a Spanish question makes /more Spanish), else the app's."""
        last = self._recent(turn)
        return (await self.prefs(turn))[0] or (last[2] if last else None) \
            or (turn.app_lang if turn.app_lang in LANGS else None) or "en"

    # follow-up context: the last platform, topic and language per surface, chat and user; no message text ------
    def _recent(self, turn: Turn) -> tuple[str, str, str] | None:
        hit = self._context.get((turn.surface, turn.chat_id, turn.user_id))
        return hit[1] if hit and self.clock() - hit[0] < self.limits.context_seconds else None

    def previous(self, turn: Turn) -> tuple[str, str] | None:
        """(platform, topic) of the last answer in this conversation, for follow-ups ("and for Threads?")."""
        last = self._recent(turn)
        return last[:2] if last else None

    def remember(self, turn: Turn, answer: Answer) -> None:
        if answer.status == "answer" and answer.platform and answer.platform != "general":
            now = self.clock()
            if len(self._context) > 10_000:
                self._context = {k: v for k, v in self._context.items() if now - v[0] < self.limits.context_seconds}
            self._context[(turn.surface, turn.chat_id, turn.user_id)] = (
                now, (answer.platform, answer.topic or "ai-training", answer.lang))

    # rate limits --------------------------------------------------------------------------------------------
    async def limited(self, turn: Turn) -> Reply | None:
        """None when the user may go on; else the notice (once per window), then silence."""
        if turn.user_id is None or self.user_rate.allow((turn.surface, turn.user_id)):
            return None
        if self.rate_notice.allow((turn.surface, turn.user_id)):
            return await self.say(turn, "rate_limited", toast=True)
        return SILENT

    def public_ok(self, turn: Turn) -> bool:
        """A public post (Discord channel FAQ, 'Post publicly'): per user and per channel (F-3)."""
        return self.public_user_rate.allow((turn.surface, turn.user_id)) and \
            self.public_channel_rate.allow((turn.surface, turn.chat_id))

    # saying things ------------------------------------------------------------------------------------------
    async def say(self, turn: Turn, key: str, *, lang: str | None = None, toast: bool = False, **kw) -> Reply:
        lang = lang or await self.ui_lang(turn)
        fmt = FORMAT[turn.surface]
        reply = Reply(chunks=[message(key, fmt, lang, **kw)])
        if toast:
            reply.toast = text(key, lang, **kw)
        return reply

    def answer_reply(self, turn: Turn, answer: Answer, *, public: bool = False) -> Reply:
        """The first reply for an answer, clarify or abstain, with its buttons."""
        fmt = FORMAT[turn.surface]
        rendered = self.renderer.render(answer, fmt)
        reply = Reply(chunks=list(rendered.chunks), embeds=list(rendered.embeds), answer=answer, public=public)
        lang = answer.lang
        if answer.status == "clarify":
            reply.choices = [Button(short_label(c.name, CHOICE_MAX), data=f"a:{c.platform}:{answer.topic or 'ai-training'}:{lang}")
                             for c in answer.candidates[:12]]
            return reply
        if answer.status != "answer" or not answer.platform:
            brand = answer.hints.get("brand") if answer.reason == "uncovered" else None
            if brand and turn.surface != "console" and not turn.inline:
                reply.buttons = [[Button(short_label(text("request_button", lang, brand=brand)),
                                         data=feedback.request_data(brand))],
                                 [Button(text("letter_button", lang), data=f"lb:{feedback.slug(brand)}:{lang}")]]
            return reply
        links = [Button(short_label(label), url=url) for label, url in rendered.links if url.startswith("https://")]
        reply.buttons = [[b] for b in links[:3]]
        pid, topic = answer.platform, answer.topic or "ai-training"
        if pid == "general":
            if topic == "opt-out-vs-opt-in" and turn.surface != "console":  # objecting: the letter for any company
                letter = text("letter_button", lang)
                reply.buttons.append([Button(letter, deep_link="letter") if turn.inline else Button(letter, data=f"la:{lang}")])
            return reply
        region = answer.region or ""
        more: list[Button] = []
        if turn.surface == "telegram" and (turn.in_group or turn.inline):
            more.append(Button(text("full_in_private", lang), deep_link=f"{pid}__{topic}__{lang}__full"))
        elif turn.surface != "console":
            more += [Button(text(f"section_{name}", lang), data=f"s:{pid}:{topic}:{lang}:{region}:{name}")
                     for name in rendered.sections]
        if more:
            reply.buttons.append(more)
        extra: list[Button] = []
        if topic == "legal-objection":
            letter = text("letter_button", lang)
            extra.append(Button(letter, deep_link=f"letter__{pid}") if turn.inline else Button(letter, data=f"l:{pid}:{lang}"))
        if turn.surface == "telegram":
            extra.append(Button(text("share", lang), share=self.engine.platform(pid).name))
        if turn.surface == "discord" and not public:
            extra.append(Button(text("post_publicly", lang), data=f"p:{pid}:{topic}:{lang}"))
        if extra:
            reply.buttons.append(extra)
        if turn.surface != "console" and not turn.inline:
            yes, no = feedback.vote_data(pid, topic, lang)
            reply.buttons.append([Button(text("vote_yes", lang), data=yes), Button(text("vote_no", lang), data=no)])
        if turn.surface == "console" and rendered.sections:
            reply.chunks[-1] += "\n\n" + text("more_hint", lang)
        return reply

    # messages -----------------------------------------------------------------------------------------------
    async def message(self, turn: Turn, message_text: str, *, addressed: bool = True, public: bool = True) -> Reply:
        """A question: private, a mention or reply in a group (addressed), or overheard in a FAQ chat.
        `public=False`: the answer goes only to the asker (Discord /ask), with a 'Post publicly' button."""
        overheard = turn.in_group and not addressed
        if overheard:
            if not (await self.store.chat(turn.surface, turn.chat_id)).faq:
                return SILENT  # chatter: never answered unless an admin turned the FAQ on
        else:
            blocked = await self.limited(turn)
            if blocked:
                return blocked
            if not message_text.strip():
                return await self.say(turn, "help")
        lang, region = await self.prefs(turn)
        answer = self.engine.answer(Query(message_text, lang=lang, region=region, surface=turn.surface,
                                          in_group=turn.in_group, addressed=addressed, fallback_lang=turn.app_lang,
                                          previous=None if overheard else self.previous(turn)))  # follow-ups only
                                          # when someone talks to the bot, never in overheard group chatter
        if overheard:
            if answer.status != "answer" or not self.faq_user_rate.allow((turn.surface, turn.chat_id, turn.user_id)):
                return SILENT
            if not self.faq_cooldown.allow((turn.surface, turn.chat_id, answer.platform, answer.topic, answer.lang)):
                return SILENT
            if turn.surface == "discord" and not self.public_ok(turn):
                return SILENT
        self.remember(turn, answer)
        if not overheard and answer.status == "clarify" and answer.reason == "several" and answer.topic == "ai-training":
            from .checklist import from_message  # several platforms named: a checklist, not "which one?"

            listed = await from_message(self, turn, message_text, answer)
            if listed is not None:
                self.count(answer, status="checklist")
                return listed
        self.count(answer)
        if answer.hints.get("letter") and not overheard:  # "write me an objection letter (for instagram)"
            pid = answer.platform if answer.status == "answer" and answer.platform != "general" else None
            return self._letter(turn, pid, answer.lang, region, answer.hints.get("brand"))
        return self.answer_reply(turn, answer, public=public or overheard)

    def count(self, answer: Answer, direct: bool = False, status: str | None = None) -> None:
        """Counters for curators: the answer's status (or what was shown instead) and reason, and an uncovered
        brand asked about."""
        self.tally.add("answer", answer.platform, answer.topic, answer.lang,
                       feedback.answer_value(status or answer.status, "direct" if direct else answer.reason))
        if answer.reason == "uncovered" and answer.hints.get("brand"):
            self.tally.add("asked", value=answer.hints["brand"])
        self.tally.schedule(self.store)

    async def flush_counts(self) -> None:
        """Write the pending counters now (adapters at shutdown; tests)."""
        await self.tally.flush(self.store)

    async def answer_publicly(self, turn: Turn, message_text: str) -> tuple[Reply | None, Reply]:
        """Someone asks the bot to answer another member's message in the channel (Discord's context menu):
        for everyone (every region, the message's language) when it is a clear answer and the public limits
        allow; else only to the member who asked. Returns (the public reply or None, the private reply)."""
        blocked = await self.limited(turn)
        if blocked:
            return None, blocked
        for_all = Turn(turn.surface, turn.chat_id, None, turn.in_group, shared_prefs=False)  # nobody's settings
        answer = self.engine.answer(Query(message_text, surface=turn.surface, in_group=turn.in_group))
        private = self.answer_reply(turn, answer, public=False)
        if answer.status != "answer" or not self.public_ok(turn):
            return None, private
        return self.answer_reply(for_all, answer, public=True), private

    # commands -----------------------------------------------------------------------------------------------
    async def command(self, turn: Turn, name: str, arg: str = "", **options) -> Reply:
        """Every command on every surface; `options` carries structured arguments (Discord's topic choice)."""
        blocked = await self.limited(turn)
        if blocked:
            return blocked
        handler = getattr(self, f"cmd_{name}", None) if name in COMMANDS else None
        if handler is None:
            return await self.say(turn, "help")
        limit = 300 if name == "checklist" else 100  # up to ten platform names
        return await handler(turn, " ".join(str(arg or "").split())[:limit], **options)

    async def cmd_start(self, turn: Turn, arg: str) -> Reply:
        if arg:  # a deep link: <platform>[__<topic>[__<lang>[__full]]], letter__<platform> or letter (any company)
            parts = arg[:64].split("__")
            if parts[0] == "letter":
                return await self.cmd_letter(turn, parts[1] if len(parts) > 1 else "")
            pid = parts[0] if self.engine.platform(parts[0]) else self.engine.find_platform(parts[0].replace("_", " "))
            if pid:
                platform = self.engine.platform(pid)
                topic = parts[1] if len(parts) > 1 and (parts[1] in platform.topics or parts[1] in TOPICS) else "ai-training"
                lang, region = await self.prefs(turn)
                lang = lang or (parts[2] if len(parts) > 2 and parts[2] in LANGS else None) or await self.ui_lang(turn)
                if parts[-1] == "full":  # "Full guide in private" under a group or inline answer: the whole guide
                    return self._full(turn, self.engine.answer_for(pid, topic, lang=lang, region=region))
                return self._direct(turn, pid, topic, lang, region)
        lang = await self.ui_lang(turn)
        reply = await self.say(turn, "welcome", lang=lang)
        reply.buttons = [[Button(short_label(text(f"tg_example_{i}", lang), 64), data=f"a:{pid}:{topic}:{lang}")]
                         for i, (pid, topic) in enumerate(EXAMPLES, 1) if self.engine.platform(pid)]
        return reply

    async def cmd_help(self, turn: Turn, arg: str = "") -> Reply:
        return await self.say(turn, "help")

    async def cmd_privacy(self, turn: Turn, arg: str = "") -> Reply:
        lang = await self.ui_lang(turn)
        reply = await self.say(turn, "privacy", lang=lang)
        reply.chunks[-1] += "\n\n" + await alerts.privacy_note(self, turn, lang)  # alert subscriptions, if any
        from .checklist import privacy_note

        reply.chunks[-1] += await privacy_note(self, turn, lang)  # checklist progress, if any
        return reply

    async def cmd_new(self, turn: Turn, arg: str = "") -> Reply:
        return await alerts.cmd_new(self, turn, arg)

    async def cmd_subscribe(self, turn: Turn, arg: str = "") -> Reply:
        return await alerts.cmd_subscribe(self, turn, arg)

    async def cmd_unsubscribe(self, turn: Turn, arg: str = "") -> Reply:
        return await alerts.cmd_unsubscribe(self, turn, arg)

    async def cmd_platforms(self, turn: Turn, arg: str = "") -> Reply:
        """Telegram: a button per platform; Discord: the index and a menu of the popular ones; terminal: the index."""
        lang = await self.ui_lang(turn)
        if turn.surface == "telegram" and arg != "index":
            platforms = self.engine.platforms()
            reply = await self.say(turn, "platforms_header", count=len(platforms))
        else:
            index = self.renderer.platform_index(FORMAT[turn.surface], lang)
            reply = Reply(chunks=list(index.chunks), embeds=list(index.embeds))
            platforms = [] if turn.surface == "console" else \
                [self.engine.platform(c.platform) for c in self.engine.suggest("", limit=25)]
        reply.choices = [Button(short_label(p.name, CHOICE_MAX), data=f"a:{p.id}:ai-training:{lang}") for p in platforms]
        return reply

    async def cmd_optout(self, turn: Turn, arg: str, topic: str = "ai-training") -> Reply:
        if not arg:
            return await self.say(turn, "optout_usage")
        pid = resolve_platform(self.engine, arg)
        if pid is None:
            return await self.not_found(turn, arg)
        if topic not in TOPICS:  # a forged choice (discord.py does not check choices): the usage, never an error
            return await self.say(turn, "optout_usage")
        lang, region = await self.prefs(turn)
        return self._direct(turn, pid, topic, lang or await self.ui_lang(turn), region)

    def _direct(self, turn: Turn, pid: str, topic: str, lang: str, region: str | None, public: bool = False) -> Reply:
        answer = self.engine.answer_for(pid, topic, lang=lang, region=region)
        self.remember(turn, answer)
        self.count(answer, direct=True)
        return self.answer_reply(turn, answer, public=public)

    async def not_found(self, turn: Turn, name: str) -> Reply:
        reply = await self.say(turn, "platform_not_found", name=name[:60])
        lang = await self.ui_lang(turn)
        close = [c for c in self.engine.suggest(name[:100], limit=3) if c.score >= 60]
        reply.choices = [Button(short_label(c.name, CHOICE_MAX), data=f"a:{c.platform}:ai-training:{lang}") for c in close]
        if close and turn.surface == "console":
            reply.chunks[-1] += "\n" + text("did_you_mean", lang, names=", ".join(c.name for c in close))
        return reply

    async def cmd_checklist(self, turn: Turn, arg: str = "") -> Reply:
        from .checklist import command

        return await command(self, turn, arg)

    async def cmd_robots(self, turn: Turn, arg: str = "", purpose: str | None = None, fmt: str | None = None,
                         company: str = "") -> Reply:
        from .robots_chat import command

        return await command(self, turn, arg, purpose, fmt, company)

    async def cmd_letter(self, turn: Turn, arg: str) -> Reply:
        """/letter instagram: its letter; /letter netflix (a brand we have no guide for): one addressed to it;
        /letter alone: one for any company."""
        lang, region = await self.ui_lang(turn), (await self.prefs(turn))[1]
        if not arg:
            return self._letter(turn, None, lang, region)
        pid = resolve_platform(self.engine, arg)
        if pid is None or pid == "general":
            brand = self.engine.brand_named(arg)
            return self._letter(turn, None, lang, region, brand) if brand else await self.not_found(turn, arg)
        return self._letter(turn, pid, lang, region)

    def _letter(self, turn: Turn, pid: str | None, lang: str, region: str | None = None,
                company: str | None = None) -> Reply:
        """The letter for the asker's region: a GDPR objection, or a CCPA/CPRA request in the US. No platform:
        the letter for any company, or for `company`, a brand we have no guide for."""
        fmt = FORMAT[turn.surface]
        rendered = self.renderer.letter(pid, fmt, lang, dt.date.today().isoformat(), region, company=company)
        buttons = [[Button(short_label(label), url=url)] for label, url in rendered.links if url.startswith("https://")]
        return Reply(chunks=list(rendered.chunks) if fmt != "discord" else [], embeds=list(rendered.embeds),
                     buttons=buttons)

    async def cmd_lang(self, turn: Turn, arg: str) -> Reply:
        return await self._setting(turn, "lang", arg.lower(), LANGS)

    async def cmd_region(self, turn: Turn, arg: str) -> Reply:
        return await self._setting(turn, "region", arg.lower(), REGIONS)

    async def cmd_settings(self, turn: Turn, arg: str = "") -> Reply:
        lang = await self.ui_lang(turn)
        _, region = await self.prefs(turn)
        reply = await self.say(turn, "settings_now", lang=lang, language=text(f"lang_name_{lang}", lang),
                               region=text(f"region_{region}", lang) if region else text("region_unset", lang))
        reply.buttons = [self._lang_row(lang), *self._region_rows(lang)]
        return reply

    def _lang_row(self, lang: str) -> list[Button]:
        return [Button(text(f"lang_name_{code}", lang), data=f"set:lang:{code}") for code in LANGS]

    def _region_rows(self, lang: str) -> list[list[Button]]:
        buttons = [Button(text(f"region_{code}", lang), data=f"set:region:{code}") for code in REGIONS]
        return [buttons[:3], buttons[3:]]

    async def _setting(self, turn: Turn, field_name: str, value: str, allowed: tuple) -> Reply:
        lang = await self.ui_lang(turn)
        if not value:  # no argument: offer the choices as buttons (the terminal prints the usage)
            reply = await self.say(turn, f"{field_name}_choose" if turn.surface != "console" else f"{field_name}_usage")
            if turn.surface != "console":
                reply.buttons = [self._lang_row(lang)] if field_name == "lang" else self._region_rows(lang)
            return reply
        if value not in allowed:
            return await self.say(turn, f"{field_name}_usage")
        if turn.chat_prefs and not turn.admin:
            return await self.say(turn, "admin_only")
        try:
            if turn.chat_prefs:
                await self.store.update_chat(turn.surface, turn.chat_id, **{field_name: value})
            else:
                await self.store.update_user(turn.surface, turn.user_id, **{field_name: value})
        except StoreError as exc:  # unavailable or timed out: say so, go on (answers never need the store)
            log.warning("setting not saved: %s", _store_failure(exc))
            return await self.say(turn, "store_unavailable")
        if field_name == "lang":
            return await self.say(turn, "lang_set", lang=value)
        return await self.say(turn, "region_set", region=text(f"region_{value}", lang))

    async def cmd_forget(self, turn: Turn, arg: str = "") -> Reply:
        """Your own settings, always and only yours; in a group an admin can also reset the group's (F-7)."""
        lang = await self.ui_lang(turn)  # say it in the language chosen before it is erased
        wants_group = arg.lower() in ("group", "chat", "grupo", "server", "channel", "canal")
        if wants_group:
            if not turn.in_group:
                return await self.say(turn, "forget_group_only", lang=lang)
            if not turn.admin:
                return await self.say(turn, "admin_only", lang=lang)
            reply = await self.say(turn, "forget_group_confirm", lang=lang)
            reply.buttons = [[Button(text("forget_group_button", lang), data="fc")]]
            return reply
        try:
            erased = await self.store.forget_user(turn.surface, turn.user_id) if turn.user_id is not None else False
            erased = await alerts.forget(self, turn.surface, "user", turn.user_id) or erased
            if not turn.in_group:
                erased = await self.store.forget_chat(turn.surface, turn.chat_id) or erased
        except StoreError as exc:
            log.warning("settings not erased: %s", _store_failure(exc))
            return await self.say(turn, "store_unavailable", lang=lang)
        self._context.pop((turn.surface, turn.chat_id, turn.user_id), None)
        key = ("forget_done" if erased else "forget_nothing") if not turn.in_group else \
            ("forget_done_group" if erased else "forget_nothing_group")
        return await self.say(turn, key, lang=lang)

    async def cmd_faq(self, turn: Turn, arg: str = "") -> Reply:
        action = arg.lower()
        if not turn.in_group:
            return await self.say(turn, "faq_groups_only")
        if action not in ("on", "off", "post"):
            return await self.say(turn, "faq_usage")
        if not turn.admin:
            return await self.say(turn, "faq_admin_only")
        if action == "post":
            reply = await self.cmd_platforms(turn, "index")
            reply.public = True
            return reply
        try:
            await self.store.update_chat(turn.surface, turn.chat_id, faq=action == "on")
        except StoreError as exc:
            log.warning("FAQ switch not saved: %s", _store_failure(exc))
            return await self.say(turn, "store_unavailable")
        reply = await self.say(turn, f"faq_{action}")
        reply.public = True  # everyone in the chat should know whether the bot reads along
        return reply

    async def cmd_more(self, turn: Turn, arg: str = "") -> Reply:
        """The whole guide for the last answer in this conversation (the terminal's 'one tap away')."""
        last = self.previous(turn)
        if last is None:
            return await self.say(turn, "more_nothing")
        lang, region = await self.prefs(turn)
        return self._full(turn, self.engine.answer_for(last[0], last[1], lang=lang or await self.ui_lang(turn),
                                                        region=region))

    def _full(self, turn: Turn, answer: Answer) -> Reply:
        """The whole guide, with the direct links under it."""
        self.remember(turn, answer)
        full = self.renderer.full(answer, FORMAT[turn.surface])
        links = [[Button(short_label(label), url=url)] for label, url in full.links if url.startswith("https://")]
        return Reply(chunks=list(full.chunks), embeds=list(full.embeds), answer=answer,
                     buttons=links if turn.surface != "console" else [])

    # inline mode ------------------------------------------------------------------------------------------
    async def inline(self, turn: Turn, query: str, limit: int = 10) -> tuple[list[InlineResult], str]:
        """Up to `limit` short answers for an inline query: the clear answer first, then the candidates and the
        names that start like the query; and the language to label them in."""
        query = query.strip()[:200]
        chosen, region = await self.prefs(turn)
        lang = chosen or turn.app_lang or "en"
        picks: list[tuple[str, str]] = []
        if query:
            found = self.engine.answer(Query(query, lang=chosen, region=region, surface=turn.surface, fallback_lang=lang))
            if found.status == "answer":
                picks.append((found.platform, found.topic or "ai-training"))
            if found.status != "abstain":
                lang = found.lang
            picks += [(c.platform, "ai-training") for c in found.candidates if found.status == "clarify"]
        picks += [(c.platform, "ai-training") for c in self.engine.suggest(query[:100], limit=limit)]
        results: list[InlineResult] = []
        for pid, topic in dict.fromkeys(picks):
            if len(results) == limit:
                break
            platform = self.engine.platform(pid)
            card = platform.card(topic, lang) or platform.card("ai-training", lang)
            reply = self.answer_reply(turn, self.engine.answer_for(pid, topic, lang=lang, region=region))
            results.append(InlineResult(f"{pid}:{topic}:{lang}"[:64], card.title if card else platform.name,
                                        card.summary[:120] if card else None, reply))
        return results, lang

    # button presses -----------------------------------------------------------------------------------------
    async def press(self, turn: Turn, data: str) -> Reply:
        blocked = await self.limited(turn)
        if blocked:
            return blocked
        parts = (data or "").split(":")
        kind, args = parts[0], parts[1:]
        try:
            if kind == "a" and len(args) == 3 and args[2] in ("", *LANGS):
                if not self._platform_ok(args[0]):
                    return await self.say(turn, "platform_not_found", name=args[0][:60], toast=True)
                _, region = await self.prefs(turn)
                topic = args[1] if args[1] in TOPICS or args[0] == "general" else "ai-training"
                return self._direct(turn, args[0], topic, args[2] or await self.ui_lang(turn), region)
            if kind == "s" and len(args) == 5 and self._platform_ok(args[0], general=False) and args[1] in TOPICS \
                    and args[2] in LANGS and args[3] in ("", *REGIONS) and args[4] in SECTION_NAMES:
                return self.section(turn, args[0], args[1], args[2], args[3] or None, args[4])
            if kind == "l" and len(args) == 2 and self._platform_ok(args[0], general=False) and args[1] in LANGS:
                return self._letter(turn, args[0], args[1], (await self.prefs(turn))[1])
            if kind == "la" and len(args) == 1 and args[0] in LANGS:
                return self._letter(turn, None, args[0], (await self.prefs(turn))[1])
            brand = feedback.brand_names(self.engine).get(args[0]) if kind == "lb" and len(args) == 2 else None
            if brand and args[1] in LANGS:  # a brand from knowledge/brands.yaml, never text from a forged button
                return self._letter(turn, None, args[1], (await self.prefs(turn))[1], brand)
            if kind == "p" and len(args) == 3 and self._platform_ok(args[0]) and args[1] in TOPICS and args[2] in LANGS:
                if not self.public_ok(turn):
                    return await self.say(turn, "rate_limited", toast=True)
                # posted for everyone: without the poster's region, so that every region's rules show
                return self._direct(turn, args[0], args[1], args[2], None, public=True)
            if kind == "set" and len(args) == 2 and args[1] in {"lang": LANGS, "region": REGIONS}.get(args[0], ()):
                return await self._setting(turn, args[0], args[1], LANGS if args[0] == "lang" else REGIONS)
            if kind == "fc" and not args:
                return await self._forget_group(turn)
            if kind in ("ck", "fb", "rb"):
                from . import checklist, robots_chat

                handled = await {"ck": checklist, "fb": feedback, "rb": robots_chat}[kind].press(self, turn, args)
                if handled is not None:
                    return handled
        except Exception:  # noqa: BLE001 - a press must never end in a traceback for the user
            log.exception("button %r failed", data[:64])
            return await self.say(turn, "apology", toast=True)
        return await self.say(turn, "button_invalid", toast=True)

    def _platform_ok(self, pid: str, general: bool = True) -> bool:
        return self.engine.platform(pid) is not None and (general or pid != "general")

    def section(self, turn: Turn, pid: str, topic: str, lang: str, region: str | None, name: str) -> Reply:
        """Telegram: the message becomes the short form plus the section (or the section alone when both do not
        fit one message). Discord: the section, only for the member who asked."""
        from .limits import TELEGRAM_LIMIT, visible_len

        fmt = FORMAT[turn.surface]
        answer = self.engine.answer_for(pid, topic, lang=lang, region=region)
        part = self.renderer.section(answer, fmt, name)
        if fmt == "discord":
            return Reply(embeds=list(part.embeds), answer=answer)
        first = self.answer_reply(turn, answer)
        combined = f"{first.chunks[0]}\n\n{part.chunks[0]}"
        chunks = [combined, *part.chunks[1:]] if visible_len(combined) < TELEGRAM_LIMIT else list(part.chunks)
        return Reply(chunks=chunks, buttons=first.buttons, answer=answer, edit=True)

    async def _forget_group(self, turn: Turn) -> Reply:
        if not turn.in_group or not turn.admin:
            return await self.say(turn, "admin_only", toast=True)
        lang = await self.ui_lang(turn)
        try:
            erased = await self.store.forget_chat(turn.surface, turn.chat_id)
            erased = await alerts.forget(self, turn.surface, "chat", turn.chat_id) or erased
        except StoreError as exc:
            log.warning("group settings not erased: %s", _store_failure(exc))
            return await self.say(turn, "store_unavailable", lang=lang)
        reply = await self.say(turn, "forget_group_done" if erased else "forget_group_nothing", lang=lang)
        reply.edit = reply.public = True
        return reply
