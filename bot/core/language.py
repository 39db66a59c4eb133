"""Which language a message is in: py3langid's model restricted to the languages we understand.

py3langid ships its model xz-compressed (0.5 s to unpack at every start). The model restricted to our six
languages is cached unpacked beside the other caches as four plain arrays, memory-mapped for random reads: later
starts load it fast, and a message brings only the few pages it reads into memory.
Short texts say little: under two words, or with low confidence, the caller's fallback decides.
"""
from __future__ import annotations

import logging
import mmap
import os
import shutil
import threading
import unicodedata
from math import exp, log1p, sqrt
from pathlib import Path

import numpy as np

from .cache import cache_dir
from .vocab import MATCH_LANGS

log = logging.getLogger(__name__)
MIN_CONFIDENCE = 0.5
# Most people write to us in the languages we answer in: on short, ambiguous texts (es or pt?) that tips it.
PRIOR = {"en": 0.3, "es": 0.3, "pt": 0.1, "fr": 0.1, "de": 0.1, "it": 0.1}
LAYOUT = 2  # of the cached arrays; another layout is another folder
_TABLES = {"nextmove": "I", "rowbase": "I", "output": "i", "ptc": "f"}  # the arrays, and their item types
_lock = threading.Lock()
_model: Model | None = None


class Model:
    """py3langid's naive Bayes over byte n-grams, scored as py3langid scores it, in plain Python.

    Why not py3langid's own scoring: a message is some 50 bytes and 40 features. Walking the state table through a
    memoryview and summing 40 x 6 weights costs less than numpy's work per call, most of all right after the judge
    has run and the caches are cold (make bench); and plain arrays spare the 100,000-int Python lists that
    py3langid builds at start-up (11 MB)."""

    def __init__(self, tables: dict[str, memoryview], prior_scores: list[float], classes: list[str]):
        # flat memoryviews: they hand back Python ints and floats, where a numpy array makes a numpy scalar a byte
        self.nextmove, self.rowbase, self.output, self.ptc = (tables[name] for name in _TABLES)
        self.prior_scores = prior_scores  # py3langid's nb_pc: log P(language)
        self.classes = classes

    def probabilities(self, text: str) -> list[float]:
        """P(language | text) for each of `classes`, in their order."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")
        nextmove, rowbase, output, ptc = self.nextmove, self.rowbase, self.output, self.ptc
        state, counts = 0, {}
        for byte in data:  # the automaton of every n-gram feature, a byte at a time
            state = nextmove[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                counts[feature] = counts.get(feature, 0) + 1
        n = len(self.classes)
        if counts:
            scores = list(self.prior_scores)
            for feature, count in counts.items():
                weight, row = log1p(count), feature * n
                for j in range(n):
                    scores[j] += weight * ptc[row + j]
        else:
            scores = [0.0] * n  # no feature at all: every language alike
        temperature = 1.0 / sqrt(len(data) or 1)  # py3langid's: keeps the softmax calibrated across lengths
        top = max(scores)
        exps = [exp((s - top) * temperature) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]


def _tables_from_py3langid() -> tuple[dict[str, np.ndarray], list[float], list[str]]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(MATCH_LANGS))
    classes = [str(c) for c in ident.nb_classes]
    if len(set(classes)) != len(classes):  # py3langid folds script aliases (srl -> sr); none among ours
        raise ValueError(f"a language appears twice in the model: {classes}")
    tables = {
        "nextmove": np.asarray(ident.tk_nextmove, dtype=np.uint32),
        "rowbase": np.asarray(ident.tk_row, dtype=np.uint32) << 8,  # a state's row of 256 next states
        "output": np.asarray(ident.tk_output, dtype=np.int32),  # the feature a state completes, or -1
        "ptc": np.ascontiguousarray(ident.nb_ptc, dtype=np.float32),  # log P(feature | language), a row each
    }
    return tables, [float(p) for p in ident.nb_pc], classes


def _flat(table: np.ndarray, name: str) -> memoryview:
    return memoryview(np.ascontiguousarray(table)).cast("B").cast(_TABLES[name])


def _to_cache(tables: dict[str, np.ndarray], prior_scores: list[float], classes: list[str], folder: Path) -> None:
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    tmp.mkdir(mode=0o700, exist_ok=True)
    for name, table in tables.items():
        with (tmp / f"{name}.npy").open("wb") as f:
            np.save(f, table)
            # out of the page cache once on disk: pages cached as they were written come back in large folios,
            # and a read of 4 bytes would then map hundreds of kilobytes into every process that reads them
            f.flush()
            os.fsync(f.fileno())
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    np.save(tmp / "prior.npy", np.asarray(prior_scores, dtype=np.float64))
    (tmp / "classes.txt").write_text("\n".join(classes), encoding="utf-8")
    try:
        os.replace(tmp, folder)
    except OSError:  # another process cached it first
        shutil.rmtree(tmp, ignore_errors=True)


def _mapped(path: Path, name: str) -> tuple[memoryview, tuple[int, ...]]:
    """A cached array as a flat memoryview of its mapped file, and its shape. Advised for random reads: a message
    reads a few scattered entries, and read-ahead would bring megabytes around them into memory."""
    with path.open("rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(f)
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        start = f.tell()
    if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)
    view = memoryview(mapped)[start:].cast(_TABLES[name])
    if fortran_order or dtype.itemsize != view.itemsize or len(view) != int(np.prod(shape)):
        raise ValueError(f"{path.name}: not the array written")
    return view, shape


def _from_cache(folder: Path) -> Model:
    tables, shapes = {}, {}
    for name in _TABLES:
        tables[name], shapes[name] = _mapped(folder / f"{name}.npy", name)
    prior_scores = np.load(folder / "prior.npy").tolist()
    classes = (folder / "classes.txt").read_text(encoding="utf-8").split("\n")
    if len(prior_scores) != len(classes) or shapes["ptc"][1:] != (len(classes),):
        raise ValueError("tables of different sizes")
    return Model(tables, prior_scores, classes)


def _drop_other_layouts(folder: Path) -> None:
    """Older layouts of the same model (40 MB each): nothing reads them any more."""
    for old in folder.parent.glob(f"langid-*{'-'.join(MATCH_LANGS)}"):
        if old != folder and old.is_dir() and not old.name.endswith(".tmp"):
            shutil.rmtree(old, ignore_errors=True)


def _build_model() -> Model:
    folder = cache_dir() / f"langid-{LAYOUT}-{'-'.join(MATCH_LANGS)}"
    try:
        return _from_cache(folder)
    except Exception as e:  # none yet, or a torn one: rebuild it (a folder in the way would keep the new one out)
        if folder.exists():
            log.warning("language model cache unreadable (%s); rebuilding", e)
            shutil.rmtree(folder, ignore_errors=True)
    tables, prior_scores, classes = _tables_from_py3langid()
    try:
        _to_cache(tables, prior_scores, classes, folder)
        _drop_other_layouts(folder)
        return _from_cache(folder)
    except OSError as e:
        log.warning("cannot cache the language model in %s: %s", folder, e)
    return Model({name: _flat(table, name) for name, table in tables.items()}, prior_scores, classes)


def _get_model() -> Model:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _build_model()
    return _model


def detect(text: str) -> tuple[str | None, float]:
    """(language, confidence); (None, 0) when the text is too short to tell."""
    worded = 0
    for w in text.split():  # two words with a letter in them, at least
        if w.isalpha() or any(c.isalpha() for c in w):
            worded += 1
            if worded == 2:
                break
    else:
        return None, 0.0
    model = _get_model()
    ranked = {lang: p * PRIOR.get(lang, 0.1) for lang, p in zip(model.classes, model.probabilities(text))}
    total = sum(ranked.values()) or 1.0
    lang = max(ranked, key=ranked.get)
    prob = ranked[lang] / total
    return (lang, prob) if prob >= MIN_CONFIDENCE else (None, prob)
