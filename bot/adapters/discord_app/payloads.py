"""A conversation Reply as Discord messages: embeds (limits in bot/core/limits.py), buttons and select menus.

Buttons are stateless `DynamicItem`s: the conversation's press data is in the custom_id ("oo:x:<data>"), so they
keep working after a restart and nothing is stored. "oo:pub", "oo:pick" and "oo:choose" are older ids, still
answered on old messages.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import discord

from bot.core.conversation import Reply
from bot.core.limits import DISCORD, cut, embed_batches, embed_size, fit_embed  # noqa: F401

from .strings import plain

NO_MENTIONS = discord.AllowedMentions.none()
LIMITS = DISCORD
_SLUG = r"[a-z0-9][a-z0-9-]{0,39}"
_TOPIC = r"[a-z][a-z-]{0,23}"


@dataclass
class Out:
    """One Discord message to send."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    file: tuple[str, str] | None = None  # (name, text): an attachment

    def kwargs(self) -> dict:
        kw: dict = {"allowed_mentions": NO_MENTIONS}
        if self.file:
            kw["file"] = discord.File(io.BytesIO(self.file[1].encode()), filename=self.file[0])
        if self.content:
            kw["content"] = self.content
        if self.embeds:
            kw["embeds"] = self.embeds
        if self.view is not None:
            kw["view"] = self.view
        return kw


def batches(embeds: list[dict]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages of at most 10 embeds and 6000 characters each."""
    return [[discord.Embed.from_dict(d) for d in group] for group in embed_batches(embeds)]


def outs(reply: Reply, note: str | None = None) -> list[Out]:
    """The messages for a reply; the buttons go under the last one."""
    messages = [Out(embeds=group) for group in batches(reply.embeds)] or \
        [Out(content=cut(chunk, DISCORD["content"])) for chunk in reply.chunks] or [Out(content="…")]
    if note:
        messages[0].content = cut(note, DISCORD["content"])
    messages[-1].view = view(reply)
    messages[-1].file = reply.file
    return messages


# components ------------------------------------------------------------------------------------------------
class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=r"oo:x:(?P<data>[a-z0-9:_-]{1,90})"):
    """Any conversation action (a platform pick, a section, the letter, post publicly, a setting)."""

    def __init__(self, data: str, label: str = "", style=discord.ButtonStyle.secondary):
        self.data = data
        super().__init__(discord.ui.Button(label=cut(label or "…", DISCORD["label"]), style=style, custom_id=f"oo:x:{data}"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["data"], item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_press(interaction, self.data)


class LegacyButton(discord.ui.DynamicItem[discord.ui.Button],
                   template=rf"oo:(?P<kind>pub|pick):(?P<platform>{_SLUG}):(?P<topic>{_TOPIC}):(?P<lang>en|es|):[a-z]{{0,8}}"):
    """Buttons of messages sent before "oo:x": 'Post publicly' and a platform pick."""

    def __init__(self, kind: str, platform: str, topic: str, lang: str, label: str = ""):
        self.data = f"{'p' if kind == 'pub' else 'a'}:{platform}:{topic}:{lang}"
        super().__init__(discord.ui.Button(label=cut(label or "…", DISCORD["label"]),
                                           custom_id=f"oo:{kind}:{platform}:{topic}:{lang}:"))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["kind"], match["platform"], match["topic"], match["lang"], item.label or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_press(interaction, self.data)


class PickSelect(discord.ui.DynamicItem[discord.ui.Select],
                 template=rf"oo:choose:(?P<topic>{_TOPIC}):(?P<lang>en|es|):(?P<region>[a-z]{{0,8}})"):
    """A select menu of platforms (more than 5 choices: clarify, /platforms, the FAQ index)."""

    def __init__(self, topic: str, lang: str, options: list[tuple[str, str]], placeholder: str = ""):
        self.topic, self.lang = topic, lang
        super().__init__(discord.ui.Select(
            custom_id=f"oo:choose:{topic}:{lang}:", placeholder=cut(placeholder, 150), min_values=1, max_values=1,
            options=[discord.SelectOption(label=cut(name, 100), value=pid) for pid, name in options[:25]]
            or [discord.SelectOption(label="-", value="-")]))

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["topic"], match["lang"], [(o.value, o.label) for o in item.options], item.placeholder or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.item.values:
            await interaction.client.on_press(interaction, f"a:{self.item.values[0]}:{self.topic}:{self.lang}")


DYNAMIC_ITEMS = (ActionButton, LegacyButton, PickSelect)


def view(reply: Reply) -> discord.ui.View | None:
    """Link buttons on the first row, actions on the next; more than 5 platform choices become a select menu."""
    v = discord.ui.View(timeout=None)
    choices = [c for c in reply.choices if c.data]
    if len(choices) > 5:
        _, _, topic, lang = choices[0].data.split(":")
        pick_lang = lang if reply.answer is not None else ""  # an index: in each clicker's language
        v.add_item(PickSelect(topic, pick_lang, [(c.data.split(":")[1], c.label) for c in choices],
                              placeholder=plain("choose_platform", lang or "en")))
    else:
        for c in choices:
            v.add_item(ActionButton(c.data, c.label))
    links = [b for row in reply.buttons for b in row if b.url and len(b.url) <= 512][:5]
    for b in links:
        v.add_item(discord.ui.Button(style=discord.ButtonStyle.link, url=b.url, label=cut(b.label, DISCORD["label"]), row=1))
    for row, buttons in action_rows(reply.buttons):
        for b in buttons:
            item = ActionButton(b.data, b.label, discord.ButtonStyle.primary if b.data.startswith("p:") else discord.ButtonStyle.secondary)
            item.row = row
            v.add_item(item)
    return v if v.children else None


def action_rows(rows, first: int = 2, last: int = 4, width: int = 5) -> list[tuple[int, list]]:
    """The reply's action rows on Discord rows `first`..`last`: a row of the reply joins the current Discord row
    when it fits whole (sections and 'Post publicly' share one row; the votes get their own), else starts the next."""
    out: list[tuple[int, list]] = []
    for buttons in ([b for b in r if b.data] for r in rows):
        if not buttons:
            continue
        if out and len(out[-1][1]) + len(buttons) <= width:
            out[-1][1].extend(buttons)
        elif not out or out[-1][0] < last:
            out.append((out[-1][0] + 1 if out else first, buttons[:width]))
    return out
