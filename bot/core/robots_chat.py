"""/robots in the chats (issue 12 part 3): the rules of `optout-bot robots` (bot/core/robots.py) for a purpose
and a format chosen with buttons (Telegram), command options (Discord) or words (`/robots training nginx`).

The rules are exactly the CLI's output, in a code block; when they do not fit one message they come as a file.
Button data: "rb:<purpose>" (then choose the format), "rb:<purpose>:<format>" (the rules).
"""
from __future__ import annotations

from .conversation import FORMAT, Button, Reply, Turn
from .limits import DISCORD, TELEGRAM_LIMIT, visible_len
from .render import escape_telegram, text
from .robots import FORMATS, SelectionError, companies, rules

PURPOSES = ("training", "search", "user-fetch")
FILE_NAMES = {"robots": "robots.txt", "nginx": "ai-crawlers.nginx.conf", "apache": "ai-crawlers.htaccess",
              "caddy": "ai-crawlers.Caddyfile", "cloudflare": "ai-crawlers.cloudflare.txt"}


def parse(arg: str, known_companies: list[str] = ()) -> tuple[str | None, str | None, list[str], list[str]]:
    """'/robots training nginx openai' -> (purpose, format, companies, words not understood); any may be missing."""
    purpose = fmt = None
    bad, chosen = [], []
    aliases = {"robots.txt": "robots", "htaccess": "apache", ".htaccess": "apache", "user-fetches": "user-fetch",
               "entrenamiento": "training", "busqueda": "search", "búsqueda": "search"}
    for word in arg.lower().replace(",", " ").split():
        word = aliases.get(word, word)
        if word in PURPOSES and purpose is None:
            purpose = word
        elif word in FORMATS and fmt is None:
            fmt = word
        elif word in known_companies:
            chosen.append(word)
        else:
            bad.append(word)
    return purpose, fmt, chosen, bad


async def command(conv, turn: Turn, arg: str, purpose: str | None = None, fmt: str | None = None,
                  company: str = "") -> Reply:
    """`options` from Discord (purpose, fmt, company) or words; missing choices are asked for with buttons.
    Companies ('/robots training nginx openai anthropic') narrow the rules; with them, the purpose defaults to
    training and the format to robots.txt (buttons carry no company)."""
    lang = await conv.ui_lang(turn)
    known = companies(conv.engine.kb.crawlers)
    words_purpose, words_fmt, chosen, bad = parse(f"{arg} {company}", known)
    purpose, fmt = purpose or words_purpose, fmt or words_fmt
    usage = bad or (purpose is not None and purpose not in PURPOSES) or (fmt is not None and fmt not in FORMATS)
    if not usage and chosen:
        return output(conv, turn, purpose or "training", fmt or "robots", lang, chosen)
    if not usage and purpose and fmt:
        return output(conv, turn, purpose, fmt, lang)
    if usage or turn.surface == "console":  # the terminal has no buttons to ask with
        return await conv.say(turn, "robots_usage", companies=", ".join(known))
    if purpose:
        return formats(conv, turn, purpose, lang)
    reply = await conv.say(turn, "robots_choose_purpose", lang=lang)
    reply.buttons = [[Button(text(f"robots_purpose_{p}", lang), data=f"rb:{p}")] for p in PURPOSES]
    return reply


def formats(conv, turn: Turn, purpose: str, lang: str, edit: bool = False) -> Reply:
    from .render import message

    reply = Reply(chunks=[message("robots_choose_format", FORMAT[turn.surface], lang,
                                  purpose=text(f"robots_purpose_{purpose}", lang))], edit=edit)
    row = [Button(text(f"robots_format_{f}", lang), data=f"rb:{purpose}:{f}") for f in FORMATS]
    reply.buttons = [row[:3], row[3:]]
    return reply


def output(conv, turn: Turn, purpose: str, fmt: str, lang: str, chosen: list[str] = ()) -> Reply:
    """The rules in a code block; as a file (named for the format) when the message would be too long."""
    from .render import message

    try:
        body = rules(conv.engine.kb.crawlers, purpose, list(chosen) or None, fmt)
    except (SelectionError, ValueError):  # e.g. no crawler of that company has that purpose
        return Reply(chunks=[message("robots_none", FORMAT[turn.surface], lang, companies=", ".join(chosen),
                                     purpose=text(f"robots_purpose_{purpose}", lang))])
    surface = FORMAT[turn.surface]
    intro = message("robots_intro", surface, lang, purpose=text(f"robots_purpose_{purpose}", lang),
                    format=text(f"robots_format_{fmt}", lang))
    if surface == "telegram":
        whole = f"{intro}\n\n<pre>{escape_telegram(body.rstrip())}</pre>"
        fits = visible_len(whole) <= TELEGRAM_LIMIT
    elif surface == "discord":
        whole = f"{intro}\n```\n{body.rstrip()}\n```"
        fits = len(whole) <= DISCORD["content"]
    else:
        whole, fits = f"{intro}\n\n{body.rstrip()}", True
    if fits:
        return Reply(chunks=[whole])
    return Reply(chunks=[intro + "\n\n" + message("robots_as_file", surface, lang)], file=(FILE_NAMES[fmt], body))


async def press(conv, turn: Turn, args: list[str]) -> Reply | None:
    lang = await conv.ui_lang(turn)
    if len(args) == 1 and args[0] in PURPOSES:
        return formats(conv, turn, args[0], lang, edit=turn.surface == "telegram")
    if len(args) == 2 and args[0] in PURPOSES and args[1] in FORMATS:
        return output(conv, turn, args[0], args[1], lang)
    return None
