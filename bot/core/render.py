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

from . import sources
from .brief import brief
from .engine import Answer, Engine, get_engine
from .knowledge import REGIONS, STEP_SURFACES, Card
from .limits import DISCORD, TELEGRAM_LIMIT, cut, field_values, section_embeds, split_chunks  # noqa: F401

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORMATS = ("plain", "telegram", "discord")
COLOR = 0x5865F2
# The full guide's blocks, and the sections one tap away from the first reply (buttons, /more)
FULL = ("title", "summary", "past", "steps", "links", "regions", "caveats", "sources")
SECTIONS = {"details": ("summary", "steps", "links", "caveats"), "regions": ("regions", "past"),
            "sources": ("sources",)}
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
    """What one reply looks like in one format. For an answer, `text`/`chunks`/`embeds` are the FIRST reply (the
    short form); `full` is the whole guide and `sections` names the parts one tap away."""

    text: str
    chunks: list[str] = field(default_factory=list)  # Telegram: HTML messages, each under 4096 visible characters
    embeds: list[dict] = field(default_factory=list)  # Discord: embed dicts within Discord's limits
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) for link buttons
    full: str = ""  # the whole guide in the same format (Discord: markdown)
    sections: tuple[str, ...] = ()  # names of SECTIONS offered as buttons / /more


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
        shown = sources.ranked(platform, card)
        short = brief(card, base, topic, region, platform.difficulty) if platform.id != "general" else None
        note = " ".join(n for n in (_asked_in_note(answer), note) if n) or None
        return {
            "fmt": fmt, "lang": lang, "topic": topic, "platform": platform, "card": card, "note": note,
            "steps": [(text(f"label_{s}", lang), steps) for s, steps in card.steps.by_surface()],
            "regions": regions, "your_region": your_region, "region": region,
            "past_training": past_training, "past_first": topic == "past-training",
            "sources": [_Shown(sources.title(s), s.url, s.date, s.date_kind) for s in shown],
            "t": lambda key, **kw: text(key, lang, **kw), "brief": short,
            "badge": text(short.badge, lang) if short and short.badge else None,
            "verified": text("label_verified", lang, verified=platform.verified.isoformat(),
                             updated=platform.updated.isoformat()),
        }

    # the first reply ---------------------------------------------------------------------------------------
    def render(self, answer: Answer, fmt: str) -> Rendered:
        """The first reply: for an answer, the short form (<= ~600 visible characters) with `full` and
        `sections` one tap away; for clarify and abstain, the one message."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        if answer.status != "answer":
            return self._short(answer, fmt)
        ctx = self._context(answer, fmt)
        links = _web_links(ctx["card"])
        if ctx["brief"] is None:  # the general guides are short already: the whole guide is the first reply
            return self._guide(ctx, links, fmt, FULL)
        full = self._full_text(ctx, fmt)
        ctx.update(self._short_context(ctx))
        body = _tidy(_env(fmt).get_template(f"{fmt}/short.j2").render(**ctx))
        sections = tuple(SECTIONS)
        if fmt == "discord":
            lang = ctx["lang"]
            embed = {"title": cut(ctx["headline"] + (f" · {ctx['badge']}" if ctx["badge"] else ""), DISCORD["title"]),
                     "description": body, "color": COLOR,
                     "footer": {"text": cut(f"{text('label_source', lang)}: "
                                            + (f"{ctx['source_host']} · " if ctx["source"] else "")
                                            + ctx["checked"], DISCORD["footer"])}}
            if links:
                embed["url"] = links[0][1]
            return Rendered(body, [], [embed], links, full, sections)
        return Rendered(body, [body], [], links, full, sections)

    def _short_context(self, ctx: dict) -> dict:
        b, platform = ctx["brief"], ctx["platform"]
        t = ctx["t"]
        lead: list[tuple[str | None, str]] = [(None, b.what)]
        if b.path:
            lead.append((t(b.path_label), b.path))
        if b.region:
            lead.append(("📍 " + t(f"region_{b.region[0]}"), b.region[1]))
        if b.past:
            lead.append((t("label_past_short"), b.past))
        if ctx["past_first"] and b.past:
            lead.insert(1, lead.pop())
        if ctx["topic"] == "region" and b.region:
            lead.insert(1, lead.pop(-2 if b.past else -1))
        lead = [(None if label is None else label if label.endswith("?") else label + ":", line) for label, line in lead]
        source = ctx["sources"][0] if ctx["sources"] else None
        headline = platform.name if b.badge else ctx["card"].title
        return {"lead": lead, "headline": headline, "source": source,
                "source_host": sources.host(source.url) if source else "",
                "checked": t("label_checked", verified=platform.verified.isoformat())}

    # the rest, one tap away ------------------------------------------------------------------------------
    def full(self, answer: Answer, fmt: str) -> Rendered:
        """The whole guide: every surface's steps, every region, caveats, what is not confirmed, sources."""
        return self._parts(answer, fmt, FULL)

    def section(self, answer: Answer, fmt: str, name: str) -> Rendered:
        """One section of the guide (see SECTIONS); an unknown name gives the whole guide."""
        return self._parts(answer, fmt, SECTIONS.get(name, FULL), name)

    def _parts(self, answer: Answer, fmt: str, parts: tuple[str, ...], name: str | None = None) -> Rendered:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        if answer.status != "answer":
            return self._short(answer, fmt)
        ctx = self._context(answer, fmt)
        return self._guide(ctx, _web_links(ctx["card"]), fmt, parts, name)

    def _guide(self, ctx: dict, links, fmt: str, parts: tuple[str, ...], name: str | None = None) -> Rendered:
        body = self._full_text(ctx, fmt, parts)
        if fmt == "discord":
            title = ctx["card"].title if name is None else f"{text('section_' + name, ctx['lang'])} · {ctx['platform'].name}"
            return Rendered(body, [], self._discord_embeds(body, title, ctx), links, body)
        return Rendered(body, split_chunks(body) if fmt == "telegram" else [body], [], links, body)

    def _full_text(self, ctx: dict, fmt: str, parts: tuple[str, ...] = FULL) -> str:
        return _tidy(_env(fmt).get_template(f"{fmt}/answer.j2").render(**ctx, parts=parts))

    def _short(self, answer: Answer, fmt: str) -> Rendered:
        lang = answer.lang
        if answer.status == "clarify":
            owner = answer.hints.get("owner")
            if owner:
                key, kw = "clarify_owner", {"owner": owner.title()}
            elif answer.reason == "phone":  # "the ai on my phone": whose phone
                key, kw = "clarify_phone", {}
            else:  # named nothing we know: maybe a service we have no guide for
                key, kw = ("clarify_none" if answer.reason == "no-platform" else "clarify"), {}
        elif answer.reason == "empty":
            key, kw = "abstain_empty", {}
        elif answer.reason == "small-talk" and answer.hints.get("small_talk"):
            key, kw = answer.hints["small_talk"], {}  # "greeting" or "thanks": a line back, not the scope notice
        elif answer.reason == "near-miss" and answer.hints.get("platform_named"):
            key, kw = "abstain_near_miss", {"platform": self.engine.platform(answer.hints["platform_named"]).name}
        elif answer.reason == "uncovered" and answer.hints.get("brand"):
            key, kw = "abstain_uncovered", {"brand": answer.hints["brand"]}
        else:
            key, kw = "abstain", {}
        body = message(key, fmt, lang, **kw)
        if _asked_in_note(answer):
            body = f"{_ESCAPE[fmt](_asked_in_note(answer))}\n\n{body}"
        embeds = [{"description": body, "color": COLOR}] if fmt == "discord" else []
        return Rendered(body, [body], embeds, [])

    def _discord_embeds(self, raw: str, title: str, ctx: dict) -> list[dict]:
        """Description, then one or more fields per section, spread over several embeds when needed."""
        blocks = re.split(r"^§§ ", raw, flags=re.M)
        fields = [f for block in blocks[1:] for f in field_values(*block.partition("\n")[::2])]
        base = {"title": cut(title, DISCORD["title"]), "color": COLOR,
                "footer": {"text": cut(ctx["verified"], DISCORD["footer"])}}
        if blocks[0].strip():
            base["description"] = cut(blocks[0].strip(), DISCORD["description"])
        return section_embeds(base, fields)

    def letter(self, platform_id: str | None, fmt: str, lang: str, today: str, region: str | None = None,
               kind: str | None = None, company: str | None = None) -> Rendered:
        """A letter for one platform (see letter_kind), introduced, in a copyable block (Telegram <pre>, Discord
        code), addressed to the platform's objection form or privacy contact. With no platform: the letter for
        any company, addressed to `company` (a brand we have no guide for) or to a blank to fill in; we know no
        contact for it, and say where to find one."""
        kind = letter_kind(region, kind)
        intro_key = "letter_intro" if kind == "objection" else f"letter_intro_{kind}"
        if platform_id:
            platform = self.engine.platform(platform_id)
            name = platform.name
            card = (platform.card("delete-data", lang) if kind == "erasure" else None) \
                or platform.card("legal-objection", lang) or platform.card("ai-training", lang)
            contact, links = _contact(card), _web_links(card)
            intro = message(intro_key, fmt, lang, platform=name)
        else:
            name = company or text("letter_company_blank", lang)
            contact, links = None, []
            intro = "\n\n".join((message(intro_key, fmt, lang, platform=name),
                                  message("letter_no_contact_brand" if company else "letter_no_contact", fmt, lang,
                                          platform=name)))
        body = letter(name, lang, today, kind=kind, contact=contact)
        if fmt == "telegram":
            whole = f"{intro}\n\n<pre>{escape_telegram(body)}</pre>"
            return Rendered(whole, [whole], [], links)
        if fmt == "discord":
            title = text("letter_title" if kind == "objection" else f"letter_title_{kind}", lang, platform=name)
            embed = {"title": title[: DISCORD["title"]],
                     "description": f"{intro}\n```\n{body.replace('`', chr(0x2019))}\n```"[: DISCORD["description"]],
                     "color": COLOR}
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


LETTER_KINDS = ("objection", "erasure", "access", "ccpa")


def letter_kind(region: str | None, kind: str | None = None) -> str:
    """GDPR Art. 21 objection by default; Art. 17 erasure and Art. 15 access on request; in the US a CCPA/CPRA
    request (California), since the GDPR does not apply there."""
    if kind in LETTER_KINDS:
        return kind
    return "ccpa" if region == "us" else "objection"


def letter(platform_name: str, lang: str, today: str, handle: str | None = None, kind: str = "objection",
           contact: str | None = None) -> str:
    """A letter (plain text, templates/letters/<kind>.<lang>.j2) to send where a platform has no form or to paste
    into a form's free-text field. The user fills in their name; nothing is sent by the bot."""
    lang = lang if lang in ("en", "es") else "en"
    return _env("plain").get_template(f"letters/{letter_kind(None, kind)}.{lang}.j2").render(
        platform=platform_name, today=today, handle=handle, contact=contact).strip()


def _contact(card) -> str | None:
    """Where to send a letter: the card's email route if it has one, else its first form or page."""
    links = list(card.links)
    email = next((link.url for link in links if getattr(link, "is_email", False)), None)
    if email:
        return email.removeprefix("mailto:")
    return links[0].url if links else None


@dataclass(frozen=True)
class _Shown:
    """A source as users see it: its title without curator notes, never the `note`."""

    title: str
    url: str
    date: object
    date_kind: str


def _asked_in_note(answer: Answer) -> str | None:
    """The question was in a language we do not answer in (the engine's hint 'asked_in'): say so, plainly."""
    asked_in = (answer.hints or {}).get("asked_in")
    if not asked_in or asked_in in ("en", "es"):
        return None
    name = strings()[answer.lang].get(f"lang_name_{asked_in}") or asked_in
    return text("asked_in_note", answer.lang, language=name)


def _web_links(card) -> list[tuple[str, str]]:
    """Up to three link buttons: web addresses only (an email route is written out in the text)."""
    return [(link.label, link.url) for link in card.links if not getattr(link, "is_email", False)][:3]


def _tidy(body: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", body.strip())


@lru_cache(maxsize=1)
def _default_renderer() -> Renderer:
    return Renderer(get_engine())


def render(answer: Answer, fmt: str = "plain") -> Rendered:
    return _default_renderer().render(answer, fmt)


def platform_index(fmt: str, lang: str) -> Rendered:
    return _default_renderer().platform_index(fmt, lang)


def objection_letter(platform_id: str, fmt: str, lang: str, region: str | None = None, kind: str | None = None) -> Rendered:
    import datetime as dt

    return _default_renderer().letter(platform_id, fmt, lang, dt.date.today().isoformat(), region, kind)


__all__ = ["Rendered", "Renderer", "render", "full_guide", "message", "text", "platform_index", "letter", "objection_letter", "escape_discord", "escape_telegram",
           "split_chunks", "STEP_SURFACES"]


def full_guide(answer: Answer, fmt: str = "plain") -> Rendered:
    return _default_renderer().full(answer, fmt)
