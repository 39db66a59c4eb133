"""The short form of an answer: what a person can act on in ten seconds (issue 10, DESIGN "Answer form").

Plain-text pieces, chosen from the card by budget; render.py puts markup around them. Whole sentences are kept
where they fit; a piece is cut on a word boundary (with "…") only when its first sentence alone is too long. The
whole card is always one tap away, so nothing here is the only place a fact lives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

BUDGET = 600  # visible characters of the first reply's text (buttons not counted)
WHAT, PATH, REGION, PAST = 200, 150, 160, 130  # each piece's own limit
# "EE. UU." (the United States in Spanish) is one name, not the end of a sentence
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\bEE\.)(?<!\b[Aa]rt\.)(?<!\bNo\.)\s+(?=[A-Z¿¡\"“(0-9ÁÉÍÓÚÑ])")  # not "Art. 21"
# a sentence that says what happens by default, or that there is no switch, is worth keeping in the short form
_DEFAULT_CUES = re.compile(r"default|defecto|opt[- ]in|automatic|automátic|no (?:switch|setting|opt)|"
                           r"no hay|ningún|cannot|can't|no puedes|only in|solo en", re.IGNORECASE)
BADGE_TOPICS = ("ai-training", "region", "past-training")  # the difficulty is about the AI-training opt-out


@dataclass(frozen=True)
class Brief:
    badge: str | None  # interface-string key, e.g. "badge_easy"
    what: str
    path_label: str | None  # interface-string key of the surface, e.g. "label_app"
    path: str | None
    region: tuple[str, str] | None  # (region code, its line)
    past: str | None
    clipped: bool  # whether anything was left for the details


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, on a word boundary, with an ellipsis when shortened."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head[: head.rfind(" ")]
    if head.count("(") > head.count(")"):  # never leave a bracket open: cut before it
        head = head[: head.rfind("(")].rstrip()
    return head.rstrip(",;:(") + "…"


def clip(text: str, limit: int, prefer=None) -> str:
    """Sentences in their original order, within `limit`: the preferred ones (what happens by default) and the
    first one come first; the first is cut on a word boundary when it does not fit whole, the rest follow only
    when the first fits."""
    parts = sentences(text)
    if not parts:
        return ""
    preferred = [i for i in range(1, len(parts)) if prefer and prefer.search(parts[i])]
    chosen: dict[int, str] = {}
    size = -1
    for i in [*preferred, 0, *range(1, len(parts))]:
        if i in chosen or (i > 0 and i not in preferred and 0 not in chosen):
            continue
        if size + 1 + len(parts[i]) <= limit:
            chosen[i] = parts[i]
            size += 1 + len(parts[i])
    room = limit - size - 1
    if 0 not in chosen and (room >= 60 or not chosen):
        chosen[0] = cut(parts[0] if chosen else " ".join(parts), room if chosen else limit)
    if list(chosen) == [0] and len(parts[0]) < 20 and len(parts) > 1:
        return cut(" ".join(parts), limit)  # "No." alone says too little: the explanation, cut
    return " ".join(chosen[i] for i in sorted(chosen))


def path_line(card) -> tuple[str | None, str | None]:
    """One surface's steps on one line: the surface whose steps are shortest (often the app), else 'all'."""
    surfaces = [(s, steps) for s, steps in card.steps.by_surface() if s != "all"] or card.steps.by_surface()
    if not surfaces:
        return None, None
    surface, steps = min(surfaces, key=lambda kv: len(" ".join(kv[1])))
    line = ""
    for step in steps:
        step = step.strip()
        step = step if step.endswith((".", "!", "?", ":")) else step + "."
        if line and len(line) + 1 + len(step) > PATH:
            break
        line = f"{line} {step}".strip()
    return f"path_{surface}", cut(line, PATH)


def brief(card, base, topic: str, region: str | None, difficulty: str) -> Brief:
    """`card` answers the topic; `base` is the platform's ai-training card (regions, past training)."""
    region_notes = card.regions or base.regions
    past = card.past_training or base.past_training
    what = clip(card.summary, WHAT, _DEFAULT_CUES)
    label, path = path_line(card)
    region_line = None
    if region and region in region_notes:
        region_line = (region, clip(region_notes[region], REGION, _DEFAULT_CUES))
    past_line = _past(past) if past else None
    if topic == "region" and region_line is None and region_notes:
        first = next(iter(region_notes))  # no region given: the first listed, the rest one tap away
        region_line = (first, clip(region_notes[first], REGION))
    pieces = [what, path or "", region_line[1] if region_line else "", past_line or ""]
    total = sum(len(p) for p in pieces)
    if total > BUDGET - 140:  # headers, labels and the source line take about 140
        what = clip(card.summary, max(100, WHAT - (total - (BUDGET - 140))), _DEFAULT_CUES)
    clipped = what != " ".join(card.summary.split()) or len(card.steps.by_surface()) > 1 or bool(card.caveats) \
        or bool(card.uncertain) or len(region_notes) > 1
    return Brief(f"badge_{difficulty}" if topic in BADGE_TOPICS else None, what, label, path, region_line,
                 past_line, clipped)


def _past(text: str) -> str:
    """'No.' alone says too little: keep the sentence that explains it when it fits."""
    return clip(text, PAST)
