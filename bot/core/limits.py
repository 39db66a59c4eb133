"""Each chat platform's message limits, and fitting text and embeds into them: the one place for both.

Telegram counts a message's length after entity parsing, so HTML is measured by its visible text. Discord counts
embed characters (title, description, field names and values, footer, author) against 6,000 per message.
"""
from __future__ import annotations

import html
import re

TELEGRAM_LIMIT = 4096  # visible characters of one message
TELEGRAM_CALLBACK_BYTES = 64
DISCORD = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "fields": 25, "footer": 2048,
           "author": 256, "total": 6000, "embeds": 10, "content": 2000, "label": 80, "options": 25}
_TAG = re.compile(r"<[^>]+>")


def visible(text_html: str) -> str:
    """What a Telegram user sees of an HTML message."""
    return html.unescape(_TAG.sub("", text_html))


def visible_len(text_html: str) -> int:
    return len(visible(text_html))


def cut(text, limit: int) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_chunks(body: str, limit: int = TELEGRAM_LIMIT, measure=visible_len) -> list[str]:
    """Split on blank lines, then on lines, so that each piece's measured length stays under limit and tags are
    never cut (our templates never open a tag on one line and close it on another)."""
    pieces: list[str] = []
    current = ""
    for para in body.split("\n\n"):
        candidates = [para] if measure(para) < limit else para.split("\n")
        for part in candidates:
            while measure(part) >= limit:  # one enormous line: cut it (plain text, no tags cross lines)
                pieces.append(part[: limit - 1])
                part = part[limit - 1:]
            sep = "\n\n" if part is para else "\n"
            if current and measure(current) + len(sep) + measure(part) >= limit:
                pieces.append(current)
                current = part
            else:
                current = f"{current}{sep}{part}" if current else part
    if current:
        pieces.append(current)
    return pieces


# Discord ---------------------------------------------------------------------------------------------------
def embed_size(d: dict) -> int:
    """Characters that count towards Discord's 6000 per message."""
    return (len(d.get("title", "")) + len(d.get("description", "")) + len((d.get("footer") or {}).get("text", ""))
            + len((d.get("author") or {}).get("name", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in d.get("fields", [])))


def fit_embed(d: dict) -> dict:
    """A copy of an embed dict cut to Discord's limits (title 256, description 4096, 25 fields of 1024, 6000 in
    all). A safety net for foreign input: the renderer's embeds are already within them (see section_embeds)."""
    d = dict(d)
    if "title" in d:
        d["title"] = cut(d["title"], DISCORD["title"])
    if "description" in d:
        d["description"] = cut(d["description"], DISCORD["description"])
    if d.get("footer"):
        d["footer"] = {**d["footer"], "text": cut(d["footer"].get("text"), DISCORD["footer"])}
    if d.get("author"):
        d["author"] = {**d["author"], "name": cut(d["author"].get("name"), DISCORD["author"])}
    d["fields"] = [{"name": cut(f.get("name") or "\u200b", DISCORD["field_name"]),
                    "value": cut(f.get("value") or "\u200b", DISCORD["field_value"]),
                    "inline": bool(f.get("inline"))} for f in d.get("fields", [])][: DISCORD["fields"]]
    while embed_size(d) > DISCORD["total"] and d["fields"]:
        d["fields"].pop()
    excess = embed_size(d) - DISCORD["total"]
    if excess > 0:
        d["description"] = cut(d.get("description", ""), max(1, len(d.get("description", "")) - excess))
    if not d["fields"]:
        del d["fields"]
    return d


def field_values(name: str, value: str) -> list[dict]:
    """One section as embed fields of at most 1024 characters each, cut at line ends."""
    fields: list[dict] = []
    value = value.strip()
    limit = DISCORD["field_value"]
    while value:
        head = value[:limit]
        cut_at = len(value) if len(value) <= limit else (head.rfind("\n") if "\n" in head else limit - 1)
        fields.append({"name": cut(name + (" (…)" if fields else ""), DISCORD["field_name"]),
                       "value": value[:cut_at], "inline": False})
        value = value[cut_at:].strip()
    return fields


def section_embeds(base: dict, fields: list[dict]) -> list[dict]:
    """`base` (title, description, footer...) with `fields`, spread over as many embeds as Discord's per-embed
    limits need: no field is ever dropped to fit."""
    out: list[dict] = []
    current = dict(base, fields=[])
    for f in fields:
        if current["fields"] and (len(current["fields"]) == DISCORD["fields"]
                                  or embed_size(current) + len(f["name"]) + len(f["value"]) > DISCORD["total"]):
            out.append(current)
            current = {"color": base.get("color"), "fields": []}
        current["fields"].append(f)
    out.append(current)
    for d in out:
        if not d["fields"]:
            del d["fields"]
        if d.get("color") is None:
            d.pop("color", None)
    return out


def embed_batches(embeds: list[dict]) -> list[list[dict]]:
    """Embeds grouped into messages of at most 10 embeds and 6000 characters each."""
    out: list[list[dict]] = []
    current: list[dict] = []
    total = 0
    for d in map(fit_embed, embeds):
        size = embed_size(d)
        if current and (len(current) == DISCORD["embeds"] or total + size > DISCORD["total"]):
            out.append(current)
            current, total = [], 0
        current.append(d)
        total += size
    if current:
        out.append(current)
    return out
