"""The start-up caches: parsed YAML and the word vocabulary are read back only for the very inputs they came from."""
import pickle

import pytest
import yaml

from bot.core import cache
from bot.core.cache import ParsedMemo, cached_words
from bot.core.engine import Engine
from bot.core.knowledge import UniqueKeyLoader, load
from bot.core.platforms import _WordsLoader


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTOUT_CACHE_DIR", str(tmp_path))
    return tmp_path


def _yaml(loader):
    return lambda text: yaml.load(text, Loader=loader)


def test_parsed_yaml_is_read_back_in_a_new_process_without_parsing(tmp_cache):
    first = ParsedMemo("parsed")
    assert first.get("UniqueKeyLoader", "a: [1, 2]\n", _yaml(UniqueKeyLoader)) == {"a": [1, 2]}
    first.flush()
    assert (tmp_cache / "parsed.pickle").exists()

    def must_not_parse(text):
        raise AssertionError("parsed again")

    again = ParsedMemo("parsed")  # a new process: reads the file
    got = again.get("UniqueKeyLoader", "a: [1, 2]\n", must_not_parse)
    assert got == {"a": [1, 2]}
    got["a"].append(3)  # a caller that changes what it got does not change the next caller's copy
    assert again.get("UniqueKeyLoader", "a: [1, 2]\n", must_not_parse) == {"a": [1, 2]}


def test_a_changed_text_or_another_loader_is_parsed_again(tmp_cache):
    memo = ParsedMemo("parsed")
    assert memo.get("UniqueKeyLoader", "word: on\n", _yaml(UniqueKeyLoader)) == {"word": True}
    # the word-list loader reads "on" as a word: the same text under another loader is another entry
    assert memo.get("_WordsLoader", "word: on\n", _yaml(_WordsLoader)) == {"word": "on"}
    assert memo.get("UniqueKeyLoader", "word: off\n", _yaml(UniqueKeyLoader)) == {"word": False}


def test_bad_yaml_is_never_kept(tmp_cache):
    memo = ParsedMemo("parsed")
    with pytest.raises(yaml.YAMLError):
        memo.get("UniqueKeyLoader", "a: 1\na: 2\n", _yaml(UniqueKeyLoader))  # a key twice
    memo.flush()
    assert not (tmp_cache / "parsed.pickle").exists()


def test_a_torn_or_foreign_cache_file_is_parsed_again(tmp_cache):
    (tmp_cache / "parsed.pickle").write_bytes(b"not a pickle")
    assert ParsedMemo("parsed").get("k", "a: 1\n", _yaml(UniqueKeyLoader)) == {"a": 1}
    (tmp_cache / "parsed.pickle").write_bytes(pickle.dumps({"x": ["not bytes"]}))
    assert ParsedMemo("parsed").get("k", "a: 1\n", _yaml(UniqueKeyLoader)) == {"a": 1}


def test_the_file_keeps_this_process_entries_first_and_is_bounded(tmp_cache):
    memo = ParsedMemo("parsed", keep=3)
    for i in range(5):
        memo.get("k", f"a: {i}\n", _yaml(UniqueKeyLoader))
    memo.flush()
    later = ParsedMemo("parsed", keep=3)
    later.get("k", "a: 4\n", _yaml(UniqueKeyLoader))
    later.get("k", "b: 1\n", _yaml(UniqueKeyLoader))
    later.flush()
    with (tmp_cache / "parsed.pickle").open("rb") as f:
        kept = [pickle.loads(v) for v in pickle.load(f).values()]
    assert len(kept) == 3 and {"a": 4} in kept and {"b": 1} in kept


def test_the_knowledge_base_read_from_the_cache_is_the_one_parsed(tmp_cache, monkeypatch):
    monkeypatch.setattr("bot.core.knowledge.PARSED_YAML", ParsedMemo("yaml-parsed"))
    cold = load()  # parses every file and writes the cache
    monkeypatch.setattr("bot.core.knowledge.PARSED_YAML", ParsedMemo("yaml-parsed"))  # a new process
    monkeypatch.setattr(yaml, "load", lambda *a, **k: pytest.fail("parsed again"))
    warm = load()
    assert warm == cold and len(warm.platforms) > 60


def test_word_set_is_computed_once_then_read_back(tmp_cache):
    calls = []

    def compute():
        calls.append(1)
        return frozenset({"linkedin", "posts"})

    assert cached_words("vocab", ["in"], compute) == {"linkedin", "posts"}
    assert cached_words("vocab", ["in"], compute) == {"linkedin", "posts"}
    assert len(calls) == 1
    assert cached_words("vocab", ["in", "changed"], compute) == {"linkedin", "posts"}
    assert len(calls) == 2  # other inputs, another file


def test_word_sets_of_older_inputs_are_cleaned_up(tmp_cache, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_WORD_SETS", 2)
    for i in range(4):
        cached_words("vocab", [str(i)], lambda: frozenset({"w"}))
    assert len(list(tmp_cache.glob("vocab-*.txt"))) == 2


def test_the_index_vocabulary_follows_the_examples(tmp_cache, monkeypatch):
    """A word new in the examples joins the vocabulary at once (a stale cache would read it as a typo)."""
    from bot.core import examples

    engine = Engine(load())
    assert "linkedn" not in engine.index.vocab
    real = examples.load_examples

    def with_new_word(kb, root=None):
        positives, negatives = real(kb, root)
        return positives, negatives + [("my cat linkedn sleeps", "off-topic")]

    monkeypatch.setattr("bot.core.engine.load_examples", with_new_word)
    assert "linkedn" in Engine(load()).index.vocab


def test_released_entries_are_read_again_from_the_file(tmp_cache):
    memo = ParsedMemo("parsed")
    memo.get("k", "a: 1\n", _yaml(UniqueKeyLoader))
    memo.release()  # written, and dropped from memory
    assert memo._entries is None
    assert memo.get("k", "a: 1\n", lambda text: pytest.fail("parsed again")) == {"a": 1}
