"""Turning rendered answers into Discord messages: embeds within Discord's limits, buttons and select menus.

The buttons are stateless `DynamicItem`s: everything they need (platform, topic, language, region) is in the
custom_id, so they keep working after a restart and no message text is stored anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import discord

from .strings import plain

NO_MENTIONS = discord.AllowedMentions.none()
LIMITS = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "fields": 25, "footer": 2048,
          "author": 256, "total": 6000, "embeds": 10, "content": 2000, "label": 80, "options": 25}
_SLUG = r"[a-z0-9][a-z0-9-]{0,39}"
_TOPIC = r"[a-z][a-z-]{0,23}"


@dataclass(frozen=True)
class Target:
    """What a button answers: a platform's topic, in a language ('' = the clicker's) and a region ('' = none)."""

    platform: str
    topic: str = "ai-training"
    lang: str = ""
    region: str = ""


@dataclass
class Out:
    """One Discord message to send."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def kwargs(self) -> dict:
        kw: dict = {"allowed_mentions": NO_MENTIONS}
        if self.content:
            kw["content"] = self.content
        if self.embeds:
            kw["embeds"] = self.embeds
        if self.view is not None:
            kw["view"] = self.view
        return kw


# embeds ----------------------------------------------------------------------------------------------------
def _cut(text, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def embed_size(d: dict) -> int:
    """Characters that count towards Discord's 6000 per message."""
    return (len(d.get("title", "")) + len(d.get("description", "")) + len((d.get("footer") or {}).get("text", ""))
            + len((d.get("author") or {}).get("name", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in d.get("fields", [])))


def fit_embed(d: dict) -> dict:
    """A copy of an embed dict cut to Discord's limits (title 256, description 4096, 25 fields of 1024, 6000 in all)."""
    d = dict(d)
    if "title" in d:
        d["title"] = _cut(d["title"], LIMITS["title"])
    if "description" in d:
        d["description"] = _cut(d["description"], LIMITS["description"])
    if d.get("footer"):
        d["footer"] = {**d["footer"], "text": _cut(d["footer"].get("text"), LIMITS["footer"])}
    if d.get("author"):
        d["author"] = {**d["author"], "name": _cut(d["author"].get("name"), LIMITS["author"])}
    d["fields"] = [{"name": _cut(f.get("name") or "\u200b", LIMITS["field_name"]),
                    "value": _cut(f.get("value") or "\u200b", LIMITS["field_value"]),
                    "inline": bool(f.get("inline"))} for f in d.get("fields", [])][: LIMITS["fields"]]
    while embed_size(d) > LIMITS["total"] and d["fields"]:
        d["fields"].pop()  # the least needed sections come last
    excess = embed_size(d) - LIMITS["total"]
    if excess > 0:
        d["description"] = _cut(d.get("description", ""), max(1, len(d.get("description", "")) - excess))
    if not d["fields"]:
        del d["fields"]
    return d


def batches(embeds: list[dict]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages of at most 10 embeds and 6000 characters each."""
    out: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    total = 0
    for d in map(fit_embed, embeds):
        size = embed_size(d)
        if current and (len(current) == LIMITS["embeds"] or total + size > LIMITS["total"]):
            out.append(current)
            current, total = [], 0
        current.append(discord.Embed.from_dict(d))
        total += size
    if current:
        out.append(current)
    return out


# components ------------------------------------------------------------------------------------------------
def _target(match) -> Target:
    g = match.groupdict()
    return Target(g.get("platform") or "", g.get("topic") or "ai-training", g.get("lang") or "", g.get("region") or "")


class PublicButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=rf"oo:pub:(?P<platform>{_SLUG}):(?P<topic>{_TOPIC}):(?P<lang>en|es|):(?P<region>[a-z]{{0,8}})"):
    """'Post publicly' under an ephemeral answer: posts the same answer in the channel."""

    def __init__(self, target: Target, label: str = "Post publicly"):
        self.target = target
        super().__init__(discord.ui.Button(
            label=_cut(label, LIMITS["label"]), style=discord.ButtonStyle.primary,
            custom_id=f"oo:pub:{target.platform}:{target.topic}:{target.lang}:{target.region}"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(_target(match), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_public_button(interaction, self.target)


class PickButton(discord.ui.DynamicItem[discord.ui.Button],
                 template=rf"oo:pick:(?P<platform>{_SLUG}):(?P<topic>{_TOPIC}):(?P<lang>en|es|):(?P<region>[a-z]{{0,8}})"):
    """One candidate platform under a 'which platform?' question."""

    def __init__(self, target: Target, label: str):
        self.target = target
        super().__init__(discord.ui.Button(
            label=_cut(label, LIMITS["label"]), style=discord.ButtonStyle.secondary,
            custom_id=f"oo:pick:{target.platform}:{target.topic}:{target.lang}:{target.region}"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(_target(match), item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_pick(interaction, self.target)


class PickSelect(discord.ui.DynamicItem[discord.ui.Select],
                 template=rf"oo:choose:(?P<topic>{_TOPIC}):(?P<lang>en|es|):(?P<region>[a-z]{{0,8}})"):
    """A select menu of platforms (clarify with more than 5 candidates, /platforms, the FAQ index)."""

    def __init__(self, target: Target, options: list[tuple[str, str]], placeholder: str):
        self.target = target
        select = discord.ui.Select(
            custom_id=f"oo:choose:{target.topic}:{target.lang}:{target.region}",
            placeholder=_cut(placeholder, 150), min_values=1, max_values=1,
            options=[discord.SelectOption(label=_cut(name, 100), value=pid)
                     for pid, name in options[: LIMITS["options"]]] or [discord.SelectOption(label="-", value="-")])
        super().__init__(select)

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        options = [(o.value, o.label) for o in item.options]
        return cls(_target(match), options, item.placeholder or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        if values:
            target = self.target
            await interaction.client.on_pick(interaction, Target(values[0], target.topic, target.lang, target.region))


DYNAMIC_ITEMS = (PublicButton, PickButton, PickSelect)


def link_buttons(links) -> list[discord.ui.Button]:
    out = []
    for label, url in list(links or [])[:4]:
        if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 512:
            out.append(discord.ui.Button(style=discord.ButtonStyle.link, url=url,
                                         label=_cut(label or url, LIMITS["label"]), row=1))
    return out


def make_view(*, links=(), public: Target | None = None, candidates=(), pick: Target | None = None,
              lang: str = "en") -> discord.ui.View | None:
    """Buttons for one message: candidates (row 0), then 'Post publicly' and the link buttons (row 1)."""
    view = discord.ui.View(timeout=None)
    candidates = [(c.platform, c.name) for c in candidates]
    if candidates and pick is not None:
        if len(candidates) <= 5:
            for pid, name in candidates:
                view.add_item(PickButton(Target(pid, pick.topic, pick.lang, pick.region), name))
        else:
            view.add_item(PickSelect(pick, candidates, plain("choose_platform", lang)))
    if public is not None:
        item = PublicButton(public, plain("post_publicly", lang))
        item.row = 1
        view.add_item(item)
    for button in link_buttons(links)[: 5 - (public is not None)]:
        view.add_item(button)
    return view if view.children else None
