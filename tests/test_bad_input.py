"""Review F-16: bad input gets a clear answer, never a traceback, and never costs much."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.normalize import MAX_CHARS, normalize

ROOT = Path(__file__).resolve().parents[1]


def test_normalised_text_is_bounded_after_unicode_expansion():
    assert len(normalize("\u33af" * 600)) <= MAX_CHARS  # each "㎯" expands to six characters


def test_long_expanding_input_stays_cheap(engine):
    text = "linkedin instagram " + "\u33af" * 4000
    for call in (lambda: engine.suggest(text[:100]), lambda: engine.find_platform(text[:100]),
                 lambda: engine.answer(__import__("bot.core.engine", fromlist=["Query"]).Query(text))):
        best = min(_timed(call) for _ in range(3))
        assert best < 0.03, best


def _timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


@pytest.mark.parametrize("text, expected", [
    ("JOHN'S Opt-Out!!! of robots.txt... sooo   NOW", "john opt out of robots.txt so now"),
    ("don`t .hidden c.ai. a.b", "dont hidden c.ai a.b"),
    ("Ünïcode's Straße — über", "unicode strasse uber"),
    ("tab\tand\nnew line_under", "tab and new line under"),
])
def test_normalised_text(text, expected):
    """The ASCII fast path and the Unicode path give what the module docstring promises."""
    assert normalize(text) == expected
