"""Text normalisation shared by the index and the questions, so both sides compare alike.

Lower case, no accents, no emoji or punctuation, runs of 3+ equal letters squeezed to one ("sooo" -> "so"),
hyphens as spaces ("opt-out" -> "opt out"), dots kept only inside words ("robots.txt", "c.ai").
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 600  # a question is short; a pasted essay is judged by its start

_POSSESSIVE = re.compile(r"['’`´]s\b")
_APOSTROPHE = re.compile(r"['’`´]")
_NOT_WORD = re.compile(r"[^a-z0-9.]+")
_EDGE_DOTS = re.compile(r"(?<![a-z0-9])\.|\.(?![a-z0-9])")
_RUNS = re.compile(r"([a-z])\1{2,}")


# ASCII text: every character but a-z, 0-9 and the dot is a space (what _NOT_WORD does, in one C call)
_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == ".")}
                              | {chr(c): chr(c).lower() for c in range(65, 91)})


def normalize(text: str) -> str:
    text = text[:MAX_CHARS]
    if text.isascii():  # most messages: nothing to decompose, no accent to drop, few regexes to run
        if "'" in text or "`" in text:
            text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text.lower()))
        text = text.translate(_ASCII_SPACES)
        if "." in text:
            text = _EDGE_DOTS.sub(" ", text)
        return " ".join(_RUNS.sub(r"\1", text).split())
    text = unicodedata.normalize("NFKD", text)
    # capped again after the expansion: one character may become several ("㎯" -> "rad∕s2"), review F-16
    text = "".join(c for c in text if not unicodedata.combining(c))[:MAX_CHARS].casefold()
    text = _POSSESSIVE.sub("", text)
    text = _APOSTROPHE.sub("", text)
    text = _NOT_WORD.sub(" ", text)
    text = _EDGE_DOTS.sub(" ", text)
    text = _RUNS.sub(r"\1", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    return normalize(text).split()


@lru_cache(maxsize=4096)
def normalize_word(word: str) -> str:
    """One word of a message, normalised: words recur from message to message, so each is worked out once."""
    return normalize(word)
