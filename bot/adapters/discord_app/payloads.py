"""Turning rendered answers into Discord messages: embeds within Discord's limits, buttons and select menus.

The buttons are stateless `DynamicItem`s: everything they need (platform, topic, language, region) is in the
custom_id, so they keep working after a restart and no message text is stored anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import discord

from bot.core.limits import DISCORD, cut, embed_batches, embed_size, fit_embed  # noqa: F401

from .strings import plain

NO_MENTIONS = discord.AllowedMentions.none()
LIMITS = DISCORD
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


# embeds: limits and fitting live in bot/core/limits.py ---------------------------------------------------------
_cut = cut


def batches(embeds: list[dict]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages of at most 10 embeds and 6000 characters each."""
    return [[discord.Embed.from_dict(d) for d in group] for group in embed_batches(embeds)]


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
