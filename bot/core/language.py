"""Which language a message is in: py3langid restricted to the languages we understand.

py3langid ships its model xz-compressed (0.5 s to unpack at every start). The model restricted to our six
languages is cached unpacked (pickle, our own file) beside the other caches, so later starts load it fast.
Short texts say little: under two words, or with low confidence, the caller's fallback decides.
"""
from __future__ import annotations

import logging
import os
import pickle
import threading

from .cache import cache_dir
from .vocab import MATCH_LANGS

log = logging.getLogger(__name__)
MIN_CONFIDENCE = 0.5
# Most people write to us in the languages we answer in: on short, ambiguous texts (es or pt?) that tips it.
PRIOR = {"en": 0.3, "es": 0.3, "pt": 0.1, "fr": 0.1, "de": 0.1, "it": 0.1}
_lock = threading.Lock()
_identifier = None


def _build_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    path = cache_dir() / f"langid-{'-'.join(MATCH_LANGS)}.pickle"
    if path.exists():
        try:
            with path.open("rb") as f:
                parts = pickle.load(f)  # our own file, written below, in a 0700 folder
            return LanguageIdentifier(*parts[:5], norm_probs=True, tk_row=parts[5])
        except Exception as e:  # a torn or old cache: rebuild it
            log.warning("language model cache unreadable (%s); rebuilding", e)
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(MATCH_LANGS))
    parts = (ident.nb_ptc, ident.nb_pc, ident.nb_classes, ident.tk_nextmove, ident.tk_output, ident.tk_row)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            pickle.dump(parts, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as e:
        log.warning("cannot cache the language model in %s: %s", path.parent, e)
    return ident


def _ident():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                _identifier = _build_identifier()
    return _identifier


def detect(text: str) -> tuple[str | None, float]:
    """(language, confidence); (None, 0) when the text is too short to tell."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if len(words) < 2:
        return None, 0.0
    ranked = {lang: float(p) * PRIOR.get(lang, 0.1) for lang, p in _ident().rank(text)}
    total = sum(ranked.values()) or 1.0
    lang = max(ranked, key=ranked.get)
    prob = ranked[lang] / total
    return (lang, prob) if prob >= MIN_CONFIDENCE else (None, prob)
