"""A personal checklist (issue 12 part 2): several platforms at once, one line each (how hard, what to do), a
"done" button per platform and a button to each full guide.

Nothing is stored until the user taps "done" (or types `/checklist done <platform>` in the terminal): then one
row (surface, user id, platform, date). `/checklist` alone shows those rows; /forget erases them.
Button data: "ck:d:<platform>" (done), "ck:u:<platform>" (undo). The guides are ordinary "a:" picks.
Called by bot/core/conversation.py (cmd_checklist, press, and a message naming several platforms).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace

from .brief import brief, cut
from .conversation import CHOICE_MAX, FORMAT, Button, Reply, Turn, resolve_platform, short_label
from .engine import _clean
from .normalize import tokens
from .platforms import BRAND
from .render import escape_discord, escape_telegram, text
from .store import StoreError

log = logging.getLogger("bot.checklist")

MAX_PLATFORMS = 10
LINE_MAX = 120  # the "what to do" part of a line
# words between names in "/checklist instagram, linkedin and chatgpt" (tokens are lower-case, accents removed)
FILLERS = frozenset("and y or o e et und plus also tambien i use uso my mi mis the el la los las".split())
COLOR = 0x5865F2


@dataclass
class Picked:
    platforms: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names we have no guide for (typed words or known brands)
    dropped: list[str] = field(default_factory=list)  # named beyond MAX_PLATFORMS
    common: set[str] = field(default_factory=set)  # named only by an everyday word ("threads", "x")


def pick(engine, words: str, *, report_unknown: bool = True) -> Picked:
    """The platforms named in `words`, in order, each once; with `report_unknown`, the other words too (grouped
    where they stand together: "my bank" is one unknown name)."""
    toks: list[str] = []
    mentions = []
    for part in re.split(r"[,;\n]", _clean(words)):  # commas separate names ("instagram, threads": two)
        part_toks = tokens(part)[:80 - len(toks)]
        mentions += [replace(m, start=m.start + len(toks), end=m.end + len(toks))
                     for m in engine.index.detect(part_toks).mentions]
        toks += part_toks
    found: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    covered = [False] * len(toks)
    for m in mentions:
        covered[m.start:m.end] = [True] * (m.end - m.start)
        if m.pid.startswith(BRAND):
            unknown.append((m.start, m.pid.removeprefix(BRAND)))
        else:
            found.append((m.start, m.pid))
    run: list[int] = []
    for i in range(len(toks) + 1):
        if i < len(toks) and not covered[i] and toks[i] not in FILLERS:
            run.append(i)
            continue
        if run and report_unknown:  # typed names only: a question's other words are not names
            name = " ".join(toks[j] for j in run)
            pid = resolve_platform(engine, name)  # an owner ("meta") or a typo the index left alone
            if pid and pid != "general":
                found.append((run[0], pid))
            else:
                unknown.append((run[0], name))
        run = []
    pids = list(dict.fromkeys(pid for _, pid in sorted(found)))
    real = {m.pid for m in mentions if not m.common_word}
    return Picked(pids[:MAX_PLATFORMS], list(dict.fromkeys(n for _, n in sorted(unknown)))[:10], pids[MAX_PLATFORMS:],
                  {m.pid for m in mentions if m.common_word and m.pid not in real})


def verdict(engine, pid: str, lang: str) -> tuple[str, str]:
    """(badge, what to do) for one platform's AI-training card: the badge says whether an opt-out exists and how
    hard it is; the action is the setting's path, else the summary, cut to one line."""
    platform = engine.platform(pid)
    card = platform.card("ai-training", lang) or platform.card("ai-training", "en")
    b = brief(card, card, "ai-training", None, platform.difficulty)
    action = b.path or b.what
    return text(b.badge, lang) if b.badge else "", cut(action, LINE_MAX)


def _esc(fmt: str):
    return {"telegram": escape_telegram, "discord": escape_discord}.get(fmt, str)


def _bold(fmt: str, s: str) -> str:
    return f"<b>{s}</b>" if fmt == "telegram" else f"**{s}**" if fmt == "discord" else s


def build(conv, turn: Turn, picked: Picked, lang: str) -> Reply:
    """The checklist message: a line per platform, the done buttons and a guide button per platform."""
    fmt, esc = FORMAT[turn.surface], _esc(FORMAT[turn.surface])
    names = {pid: conv.engine.platform(pid).name for pid in picked.platforms}
    lines = []
    for i, pid in enumerate(picked.platforms, 1):
        badge, action = verdict(conv.engine, pid, lang)
        lines.append(f"{i}. {_bold(fmt, esc(names[pid]))} · {esc(badge)}\n    {esc(action)}")
    notes = []
    if picked.unknown:
        notes.append(text("checklist_unknown", lang, names=", ".join(picked.unknown)))
    if picked.dropped:
        notes.append(text("checklist_dropped", lang, max=MAX_PLATFORMS,
                          names=", ".join(conv.engine.platform(p).name for p in picked.dropped)))
    intro = text("checklist_intro_console" if turn.surface == "console" else "checklist_intro", lang)
    title = text("checklist_title", lang, count=len(picked.platforms))
    body = "\n".join(lines) + "".join(f"\n\n{esc(n)}" for n in notes) + f"\n\n{esc(intro)}"
    reply = Reply()
    if fmt == "discord":
        reply.embeds = [{"title": title, "description": body, "color": COLOR}]
    else:
        reply.chunks = [f"{_bold(fmt, esc(title))}\n\n{body}"]
    guides = [Button(short_label(names[p], CHOICE_MAX), data=f"a:{p}:ai-training:{lang}") for p in picked.platforms]
    if turn.surface == "console":
        reply.choices = guides  # type a number for the full guide
        return reply
    done = [Button(short_label(text("checklist_done_button", lang, name=names[p]), CHOICE_MAX), data=f"ck:d:{p}")
            for p in picked.platforms]
    if turn.surface == "telegram":  # a row per platform: done, and its guide
        reply.buttons = [[d, g] for d, g in zip(done, guides)]
    else:  # Discord: the done buttons in rows, the guides as buttons or (more than 5) a menu
        reply.buttons = [done[i:i + 2] for i in range(0, len(done), 2)]
        reply.choices = guides
    return reply


async def command(conv, turn: Turn, arg: str) -> Reply:
    """/checklist <platforms>: the checklist; /checklist alone: progress; /checklist done|undo <platform>."""
    lang = await conv.ui_lang(turn)
    words = arg.split()
    if words and words[0].lower() in ("done", "hecho", "undo", "deshacer"):
        undo = words[0].lower() in ("undo", "deshacer")
        pid = resolve_platform(conv.engine, " ".join(words[1:])) if len(words) > 1 else None
        if pid is None or pid == "general":
            return await conv.say(turn, "checklist_done_usage") if len(words) == 1 else \
                await conv.not_found(turn, " ".join(words[1:]))
        return await (unmark(conv, turn, pid) if undo else mark(conv, turn, pid))
    if not arg.strip():
        return await progress(conv, turn)
    picked = pick(conv.engine, arg)
    if not picked.platforms:
        reply = await conv.say(turn, "checklist_usage")
        if picked.unknown:
            reply.chunks[-1] = _esc(FORMAT[turn.surface])(text("checklist_unknown", lang, names=", ".join(picked.unknown))) \
                + "\n\n" + reply.chunks[-1]
        return reply
    return build(conv, turn, picked, lang)


async def from_message(conv, turn: Turn, message_text: str, answer) -> Reply | None:
    """A question naming several platforms ("I use Instagram, LinkedIn and ChatGPT, what do I do?"): the checklist
    instead of "which one?". An everyday word ("threads") counts only when the engine read it as a name too.
    None when fewer than two platforms are named."""
    picked = pick(conv.engine, message_text, report_unknown=False)
    named = {c.platform for c in answer.candidates}
    picked.platforms = [p for p in picked.platforms if p not in picked.common or p in named]
    if len(picked.platforms) < 2:
        return None
    reply = build(conv, turn, picked, answer.lang)
    reply.answer = answer  # `chat --json` shows what the engine read (clarify, several) beside the checklist
    return reply


async def progress(conv, turn: Turn) -> Reply:
    lang = await conv.ui_lang(turn)
    rows = await conv.store.done(turn.surface, turn.user_id) if turn.user_id is not None else []
    rows = [r for r in rows if conv.engine.platform(r.platform) is not None]
    if not rows:
        return await conv.say(turn, "checklist_nothing_done")
    fmt, esc = FORMAT[turn.surface], _esc(FORMAT[turn.surface])
    lines = [esc(text("checklist_progress_line", lang, name=conv.engine.platform(r.platform).name,
                      date=r.done_on.isoformat())) for r in rows]
    footer = text("checklist_progress_footer_console" if turn.surface == "console" else "checklist_progress_footer", lang)
    body = "\n".join(lines) + "\n\n" + esc(footer)
    title = text("checklist_progress_title", lang, count=len(rows))
    reply = Reply()
    if fmt == "discord":
        reply.embeds = [{"title": title, "description": body, "color": COLOR}]
    else:
        reply.chunks = [f"{_bold(fmt, esc(title))}\n\n{body}"]
    if turn.surface != "console":
        undo = [Button(short_label(text("checklist_undo_button", lang, name=conv.engine.platform(r.platform).name),
                                   CHOICE_MAX), data=f"ck:u:{r.platform}") for r in rows[:MAX_PLATFORMS]]
        reply.buttons = [undo[i:i + 2] for i in range(0, len(undo), 2)]
    return reply


async def privacy_note(conv, turn: Turn, lang: str) -> str:
    """/privacy: a line listing the checklist rows stored for this person ("" when there are none)."""
    rows = await conv.store.done(turn.surface, turn.user_id) if turn.user_id is not None else []
    names = ", ".join(f"{conv.engine.platform(r.platform).name} ({r.done_on.isoformat()})" for r in rows
                      if conv.engine.platform(r.platform) is not None)
    return "\n" + _esc(FORMAT[turn.surface])(text("privacy_checklist", lang, names=names)) if names else ""


async def mark(conv, turn: Turn, pid: str, today: dt.date | None = None) -> Reply:
    lang = await conv.ui_lang(turn)
    if turn.user_id is None:
        return await conv.say(turn, "button_invalid", toast=True)
    day = today or dt.date.today()
    try:
        await conv.store.mark_done(turn.surface, turn.user_id, pid, day)
    except StoreError as exc:
        log.warning("checklist not saved: %s", exc)
        return await conv.say(turn, "store_unavailable", toast=True)
    return await conv.say(turn, "checklist_marked", lang=lang, toast=True, name=conv.engine.platform(pid).name,
                          date=day.isoformat())


async def unmark(conv, turn: Turn, pid: str) -> Reply:
    if turn.user_id is None:
        return await conv.say(turn, "button_invalid", toast=True)
    try:
        removed = await conv.store.unmark_done(turn.surface, turn.user_id, pid)
    except StoreError as exc:
        log.warning("checklist not saved: %s", exc)
        return await conv.say(turn, "store_unavailable", toast=True)
    return await conv.say(turn, "checklist_unmarked" if removed else "checklist_not_marked", toast=True,
                          name=conv.engine.platform(pid).name)


async def press(conv, turn: Turn, args: list[str]) -> Reply | None:
    """ck:d:<platform> and ck:u:<platform>; None for anything else (the caller's 'button_invalid')."""
    if len(args) == 2 and args[0] in ("d", "u") and conv._platform_ok(args[1], general=False):
        return await (mark(conv, turn, args[1]) if args[0] == "d" else unmark(conv, turn, args[1]))
    return None
