"""Turn an Answer into chat text with jinja2 templates: plain, Telegram HTML or Discord embeds.

All knowledge-base text and user text is escaped for the target format by the template environment; only
the templates add markup. Interface strings come from templates/strings/*<lang>.yaml.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from .engine import Answer, Engine, get_engine
from .knowledge import REGIONS, STEP_SURFACES, Card

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TELEGRAM_LIMIT = 4096
DISCORD = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "fields": 25, "footer": 2048,
           "total": 6000}
FORMATS = ("plain", "telegram", "discord")
_MD_SPECIAL = re.compile(r"([\\*_~`|>#\[\]()\-])")
_MENTION = re.compile(r"@(?=\S)")


def escape_discord(text: str) -> str:
    """Escape Discord markdown and defuse @mentions (allowed_mentions none is set on every send as well)."""
    text = _MD_SPECIAL.sub(r"\\\1", str(text))
    return _MENTION.sub("@\u200b", text.replace("<", "<\u200b"))


def escape_telegram(text: str) -> str:
    return html.escape(str(text), quote=False)


_ESCAPE = {"plain": str, "telegram": escape_telegram, "discord": escape_discord}


@dataclass
class Rendered:
    text: str
    chunks: list[str] = field(default_factory=list)  # Telegram: HTML pieces, each under 4096 characters
    embeds: list[dict] = field(default_factory=list)  # Discord: embed dicts within Discord's limits
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) for link buttons


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    """templates/strings/*.yaml merged per language; a key defined twice for one language is an error."""
    out: dict[str, dict[str, str]] = {"en": {}, "es": {}}
    for path in sorted((TEMPLATES / "strings").glob("*.yaml")):
        lang = path.stem.rsplit(".", 1)[-1]
        if lang not in out:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            if key in out[lang]:
                raise ValueError(f"{path}: {key}: defined twice for {lang}")
            out[lang][key] = str(value)
    return out


def text(key: str, lang: str, **kw) -> str:
    """An interface string as plain text (unescaped). English fills in a key missing in Spanish."""
    table = strings()
    s = table.get(lang, {}).get(key) or table["en"].get(key)
    if s is None:
        raise KeyError(f"no interface string {key!r}")
    return s.format(**kw) if kw else s


def message(key: str, fmt: str, lang: str, **kw) -> str:
    """An interface string escaped for fmt; placeholder values (user text) are escaped with it."""
    return _ESCAPE[fmt](text(key, lang, **kw))


def _finalize_for(fmt: str):
    esc = _ESCAPE[fmt]

    def finalize(value):
        if isinstance(value, Markup) or value is None:
            return "" if value is None else value
        return esc(value)

    return finalize


@lru_cache(maxsize=None)
def _env(fmt: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=False, autoescape=False,
                      finalize=_finalize_for(fmt))
    env.filters["attr"] = lambda s: Markup(html.escape(str(s), quote=True))  # HTML attribute values (URLs)
    env.filters["raw"] = Markup
    return env


def split_chunks(body: str, limit: int) -> list[str]:
    """Split on blank lines, then on lines, so that each piece stays under limit and tags are never cut."""
    pieces: list[str] = []
    current = ""
    for para in body.split("\n\n"):
        candidates = [para] if len(para) < limit else para.split("\n")
        for part in candidates:
            while len(part) >= limit:  # one enormous line: cut it (plain text, no tags cross lines)
                pieces.append(part[: limit - 1])
                part = part[limit - 1:]
            sep = "\n\n" if part is para else "\n"
            if current and len(current) + len(sep) + len(part) >= limit:
                pieces.append(current)
                current = part
            else:
                current = f"{current}{sep}{part}" if current else part
    if current:
        pieces.append(current)
    return pieces


class Renderer:
    def __init__(self, engine: Engine):
        self.engine = engine

    def _context(self, answer: Answer, fmt: str) -> dict:
        lang = answer.lang
        platform = self.engine.platform(answer.platform)
        topic = answer.topic or "ai-training"
        card_topic = "ai-training" if topic in ("region", "past-training") else topic
        card: Card | None = platform.card(card_topic, lang)
        note = None
        if card is None:  # e.g. a delete question for a platform with no delete route on file
            note = text("no_card_note", lang, topic=text(f"topic_{topic}", lang), platform=platform.name)
            card = platform.card("ai-training", lang) or next(iter(platform.topics.values()))[lang]
        # delete and objection cards borrow the region notes and the past-training answer of the ai-training card
        base = platform.card("ai-training", lang) or card
        region_notes = card.regions or base.regions
        past_training = card.past_training or base.past_training
        region = answer.region if answer.region in REGIONS else None
        regions = [(r, text(f"region_{r}", lang), region_notes[r]) for r in REGIONS if r in region_notes]
        your_region = None
        if region:
            your_region = (text("label_your_region", lang, region=text(f"region_{region}", lang)),
                           region_notes.get(region) or text("region_not_listed", lang, region=text(f"region_{region}", lang)))
        return {
            "fmt": fmt, "lang": lang, "topic": topic, "platform": platform, "card": card, "note": note,
            "steps": [(text(f"label_{s}", lang), steps) for s, steps in card.steps.by_surface()],
            "regions": regions, "your_region": your_region, "show_all_regions": topic == "region" or not region,
            "past_training": past_training, "past_first": topic == "past-training",
            "sources": (platform.card_sources(card) or platform.sources)[:5], "t": lambda key, **kw: text(key, lang, **kw),
            "verified": text("label_verified", lang, verified=platform.verified.isoformat(),
                             updated=platform.updated.isoformat()),
        }

    def render(self, answer: Answer, fmt: str) -> Rendered:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        if answer.status != "answer":
            return self._short(answer, fmt)
        ctx = self._context(answer, fmt)
        links = [(link.label, link.url) for link in ctx["card"].links if not link.is_email][:3]  # buttons: web links
        if fmt == "discord":
            return self._discord(ctx, links)
        body = _env(fmt).get_template(f"{fmt}/answer.j2").render(**ctx).strip()
        body = re.sub(r"\n{3,}", "\n\n", body)
        chunks = split_chunks(body, TELEGRAM_LIMIT) if fmt == "telegram" else [body]
        return Rendered(body, chunks, [], links)

    def _short(self, answer: Answer, fmt: str) -> Rendered:
        lang = answer.lang
        if answer.status == "clarify":
            owner = answer.hints.get("owner")
            key, kw = ("clarify_owner", {"owner": owner.title()}) if owner else ("clarify", {})
        elif answer.reason == "empty":
            key, kw = "abstain_empty", {}
        elif answer.reason == "near-miss" and answer.hints.get("platform_named"):
            key, kw = "abstain_near_miss", {"platform": self.engine.platform(answer.hints["platform_named"]).name}
        else:
            key, kw = "abstain", {}
        body = message(key, fmt, lang, **kw)
        embeds = [{"description": body, "color": 0x5865F2}] if fmt == "discord" else []
        return Rendered(body, [body], embeds, [])

    def _discord(self, ctx: dict, links: list[tuple[str, str]]) -> Rendered:
        raw = _env("discord").get_template("discord/answer.j2").render(**ctx).strip()
        blocks = re.split(r"^§§ ", raw, flags=re.M)
        description = blocks[0].strip()
        fields: list[dict] = []
        for block in blocks[1:]:
            name, _, value = block.partition("\n")
            value = value.strip()
            part = 0
            while value:  # a long section continues in the next field, cut at a line end
                cut = value if len(value) <= DISCORD["field_value"] else value[: value.rfind("\n", 0, DISCORD["field_value"]) if "\n" in value[: DISCORD["field_value"]] else DISCORD["field_value"] - 1]
                fields.append({"name": (name.strip() + (" (…)" if part else ""))[: DISCORD["field_name"]],
                               "value": cut, "inline": False})
                value = value[len(cut):].strip()
                part += 1
        title = f"{ctx['card'].title} · {ctx['platform'].name}"[: DISCORD["title"]]
        footer = ctx["verified"][: DISCORD["footer"]]
        embed = {"title": title, "description": description[: DISCORD["description"]], "color": 0x5865F2,
                 "fields": fields[: DISCORD["fields"]], "footer": {"text": footer}}
        if links:
            embed["url"] = links[0][1]
        # stay within 6000 characters in all: drop the least needed fields from the end (sources come last)
        while _embed_size(embed) > DISCORD["total"] and len(embed["fields"]) > 1:
            embed["fields"].pop()
        return Rendered(raw, [], [embed], links)

    def letter(self, platform_id: str, fmt: str, lang: str, today: str) -> Rendered:
        """The objection letter for one platform, introduced, in a copyable block (Telegram <pre>, Discord code)."""
        platform = self.engine.platform(platform_id)
        body = letter(platform.name, lang, today)
        card = platform.card("legal-objection", lang) or platform.card("ai-training", lang)
        links = [(link.label, link.url) for link in card.links if not link.is_email][:3]
        intro = message("letter_intro", fmt, lang, platform=platform.name)
        if fmt == "telegram":
            whole = f"{intro}\n\n<pre>{escape_telegram(body)}</pre>"
            return Rendered(whole, [whole], [], links)
        if fmt == "discord":
            embed = {"title": text("letter_title", lang, platform=platform.name)[: DISCORD["title"]],
                     "description": f"{intro}\n```\n{body.replace('`', chr(0x2019))}\n```"[: DISCORD["description"]],
                     "color": 0x5865F2}
            return Rendered(body, [], [embed], links)
        return Rendered(f"{intro}\n\n{body}", [f"{intro}\n\n{body}"], [], links)

    def platform_index(self, fmt: str, lang: str) -> Rendered:
        platforms = self.engine.platforms()
        ctx = {"platforms": platforms, "t": lambda key, **kw: text(key, lang, **kw), "lang": lang}
        body = _env(fmt).get_template(f"{'plain' if fmt == 'discord' else fmt}/index.j2").render(**ctx).strip()
        if fmt == "discord":
            names = " · ".join(escape_discord(p.name) for p in platforms)
            embed = {"title": text("index_title", lang), "description": f"{escape_discord(text('index_intro', lang))}\n\n{names}"[:4096],
                     "footer": {"text": text("index_footer", lang)}, "color": 0x5865F2}
            return Rendered(body, [], [embed], [])
        return Rendered(body, split_chunks(body, TELEGRAM_LIMIT), [], [])


def letter(platform_name: str, lang: str, today: str, handle: str | None = None) -> str:
    """A GDPR Art. 21 objection letter (plain text, templates/letters/), to send where a platform has no form or
    to paste into a form's free-text field. The user fills in their name; nothing is sent by the bot."""
    lang = lang if lang in ("en", "es") else "en"
    return _env("plain").get_template(f"letters/objection.{lang}.j2").render(
        platform=platform_name, today=today, handle=handle).strip()


def _embed_size(embed: dict) -> int:
    return (len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", [])))


@lru_cache(maxsize=1)
def _default_renderer() -> Renderer:
    return Renderer(get_engine())


def render(answer: Answer, fmt: str = "plain") -> Rendered:
    return _default_renderer().render(answer, fmt)


def platform_index(fmt: str, lang: str) -> Rendered:
    return _default_renderer().platform_index(fmt, lang)


def objection_letter(platform_id: str, fmt: str, lang: str) -> Rendered:
    import datetime as dt

    return _default_renderer().letter(platform_id, fmt, lang, dt.date.today().isoformat())


__all__ = ["Rendered", "Renderer", "render", "message", "text", "platform_index", "letter", "objection_letter", "escape_discord", "escape_telegram",
           "split_chunks", "STEP_SURFACES"]
