"""Where derived data (the language model unpacked, knowledge embeddings, parsed YAML, the word vocabulary) is
cached between runs. Every entry is keyed by a digest of what it is derived from, so a stale one is never read."""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """OPTOUT_CACHE_DIR, else data/cache in the project; created 0700 on first use."""
    path = Path(os.environ.get("OPTOUT_CACHE_DIR") or Path(__file__).resolve().parents[2] / "data" / "cache")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


KEEP_WORD_SETS = 8  # several knowledge bases in turn (tests, a curator's branches) each keep theirs


def keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used files matching `pattern` (one file per set of inputs)."""
    older = sorted(folder.glob(pattern), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in older[keep:]:
        old.unlink(missing_ok=True)


def cached_words(kind: str, inputs: list[str], compute: Callable[[], frozenset[str]]) -> frozenset[str]:
    """A word set derived from `inputs`, kept as <cache>/<kind>-<digest of inputs>.txt.

    Why: the index reads every example's words at start-up (about 9,000 texts, ~100 ms); reading the result
    back takes a few milliseconds. Any change to the inputs is another digest, so a stale file is never read.
    """
    digest = hashlib.sha1("\n".join(inputs).encode("utf-8")).hexdigest()[:16]
    try:
        path = cache_dir() / f"{kind}-{digest}.txt"
    except OSError as e:
        log.warning("no cache folder for the %s words: %s", kind, e)
        return compute()
    try:
        words = frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}
        os.utime(path)  # recently used: kept by the clean-up below
        return words
    except (OSError, UnicodeDecodeError):
        pass
    words = compute()
    try:
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(sorted(words)), encoding="utf-8")
        os.replace(tmp, path)
        keep_newest(path.parent, f"{kind}-*.txt", KEEP_WORD_SETS)
    except OSError as e:
        log.warning("cannot cache the %s words in %s: %s", kind, path.parent, e)
    return words


class ParsedMemo:
    """Values parsed from texts (the knowledge base's YAML), kept pickled by the text's digest in one file.

    Why: libyaml parses in C but PyYAML builds the Python objects in Python, ~150 ms for the knowledge base at
    every start; unpickling the same objects takes a few. Entries used by this process are written first and
    at most `keep` are kept, so a curator's edits do not grow the file for ever.
    """

    def __init__(self, name: str, keep: int = 2000):
        self.name, self.keep = name, keep
        self._lock = threading.Lock()
        self._entries: dict[str, Any] | None = None
        self._used: set[str] = set()
        self._dirty = False

    def _path(self) -> Path:
        return cache_dir() / f"{self.name}.pickle"

    def get(self, kind: str, text: str, parse: Callable[[str], Any]) -> Any:
        """parse(text), memoised; `kind` names the parser (two YAML loaders read the same text differently)."""
        key = hashlib.sha1(f"{kind}\0{text}".encode("utf-8")).hexdigest()
        with self._lock:
            if self._entries is None:
                self._entries = self._read()
            if key in self._entries:
                self._used.add(key)
                return pickle.loads(self._entries[key])  # kept pickled: each caller gets its own objects
        value = parse(text)  # raises on bad YAML: nothing is kept
        with self._lock:
            self._entries[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._used.add(key)
            self._dirty = True
        return value

    def _read(self) -> dict[str, Any]:
        try:
            with self._path().open("rb") as f:
                entries = pickle.load(f)
            return entries if isinstance(entries, dict) and all(type(v) is bytes for v in entries.values()) else {}
        except FileNotFoundError:
            return {}
        except Exception as e:  # torn, old or foreign: parse again
            log.warning("parsed-YAML cache unreadable (%s); rebuilding", e)
            return {}

    def release(self) -> None:
        """Write what is new and drop the entries from memory: a running bot has no more files to parse."""
        self.flush()
        with self._lock:
            self._entries, self._used = None, set()

    def flush(self) -> None:
        """Write the new entries, if any (after a whole knowledge base is read, not after every file)."""
        with self._lock:
            if not self._dirty or self._entries is None:
                return
            used = {k: v for k, v in self._entries.items() if k in self._used}
            rest = [(k, v) for k, v in self._entries.items() if k not in self._used]
            entries = used | dict(rest[:max(0, self.keep - len(used))])
            self._dirty = False
            try:
                path = self._path()
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
                with tmp.open("wb") as f:
                    pickle.dump(entries, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except OSError as e:
                log.warning("cannot cache the parsed YAML: %s", e)
