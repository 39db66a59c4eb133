"""Which language a message is in: py3langid restricted to the languages we understand.

py3langid ships its model xz-compressed (0.5 s to unpack at every start). The model restricted to our six
languages is cached unpacked beside the other caches (its state table memory-mapped), so later starts load it
fast and a message touches only a few pages of it.
Short texts say little: under two words, or with low confidence, the caller's fallback decides.
"""
from __future__ import annotations

import logging
import os
import pickle
import threading

import numpy as np

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

    folder = cache_dir() / f"langid-{'-'.join(MATCH_LANGS)}"
    try:
        return _from_cache(folder, LanguageIdentifier)
    except FileNotFoundError:
        pass
    except Exception as e:  # a torn or old cache: rebuild it
        log.warning("language model cache unreadable (%s); rebuilding", e)
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(MATCH_LANGS))
    try:
        _to_cache(ident, folder)
    except OSError as e:
        log.warning("cannot cache the language model in %s: %s", folder, e)
    return ident


def _to_cache(ident, folder) -> None:
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    tmp.mkdir(mode=0o700, exist_ok=True)
    np.save(tmp / "nextmove.npy", np.asarray(ident.tk_nextmove))
    np.save(tmp / "row.npy", np.asarray(ident.tk_row))
    np.savez(tmp / "nb.npz", ptc=ident.nb_ptc, pc=ident.nb_pc, classes=np.array(ident.nb_classes))
    with (tmp / "output.pickle").open("wb") as f:
        pickle.dump(ident.tk_output, f, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process cached it first
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def _from_cache(folder, cls):
    # the state table (40 MB) is mapped, not read: a message touches a few pages of it
    # a plain array over the mapped pages: indexing a np.memmap goes through Python for every byte of a message
    nextmove = np.load(folder / "nextmove.npy", mmap_mode="r").view(np.ndarray)
    with np.load(folder / "nb.npz") as nb:
        ptc, pc, classes = nb["ptc"], nb["pc"], [str(c) for c in nb["classes"]]
    with (folder / "output.pickle").open("rb") as f:
        output = pickle.load(f)  # our own file, written above, in a 0700 folder
    return cls(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=np.load(folder / "row.npy").tolist())


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
