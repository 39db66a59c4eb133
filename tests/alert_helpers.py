"""Shared by the alert tests: a knowledge base with one more change (a new knowledge version), and its texts."""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from bot.core.knowledge import Change

NEW_EN = "LinkedIn turned AI training on by default for members in more countries; the opt-out switch stays."
NEW_ES = "LinkedIn activó por defecto el entrenamiento de IA para miembros de más países; el ajuste para excluirse sigue."


def with_change(engine, pid: str = "linkedin", when: dt.date | None = None, en: str = NEW_EN, es: str = NEW_ES,
                sources: tuple[str, ...] = ("li-gulfnews",)):
    """The engine with a new change entry on top of `pid`'s changes (dated today unless `when`): what a curator's
    edit of knowledge/platforms/<pid>.yaml gives after a reload."""
    kb = engine.kb
    platform = kb.platforms[pid]
    change = Change(date=when or dt.date.today(), en=en, es=es, sources=list(sources))
    newer = platform.model_copy(update={"changes": [change, *platform.changes]})
    out = copy.copy(engine)
    out.kb = dataclasses.replace(kb, platforms={**kb.platforms, pid: newer})
    return out
