"""The language model: py3langid's scores, read from our cached arrays, and the cache's life."""
from __future__ import annotations

import pytest

from bot.core import language

SAMPLES = [
    "how do I stop linkedin from training ai on my posts",
    "¿cómo evito que instagram use mis fotos para entrenar su IA?",
    "como faço para o whatsapp não usar minhas conversas",
    "comment empêcher facebook d'utiliser mes photos pour l'IA",
    "wie verhindere ich, dass meta meine beiträge für KI nutzt",
    "come impedisco a chatgpt di usare le mie chat per l'addestramento",
    "ok",
    "😂😂😂 !!!",
    "\udcff broken surrogate and text",
]


@pytest.fixture
def fresh_model(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTOUT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(language, "_model", None)
    yield tmp_path
    language._model = None


def test_the_scores_are_py3langids_own():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(["en", "es", "pt", "fr", "de", "it"])
    model = language._get_model()
    for text in SAMPLES:
        ours = dict(zip(model.classes, model.probabilities(text)))
        theirs = dict(reference.rank(text))
        assert ours.keys() == theirs.keys()
        for lang in ours:
            assert ours[lang] == pytest.approx(theirs[lang], abs=1e-5), (text, lang)


@pytest.mark.parametrize("text, lang", [
    ("how do I stop linkedin from training ai on my posts", "en"),
    ("¿cómo evito que instagram use mis fotos para entrenar su IA?", "es"),
    ("comment empêcher facebook d'utiliser mes photos pour l'IA", "fr"),
    ("wie verhindere ich, dass meta meine beiträge für KI nutzt", "de"),
    ("come impedisco a chatgpt di usare le mie chat per l'addestramento", "it"),
])
def test_languages_detected(text, lang):
    assert language.detect(text)[0] == lang


@pytest.mark.parametrize("text", ["linkedin", "ok 👍", "42 17", "", "   "])
def test_under_two_words_with_letters_nothing_is_said(text):
    assert language.detect(text) == (None, 0.0)


def test_the_model_is_cached_as_mapped_arrays_and_read_back(fresh_model, monkeypatch):
    first = language._get_model()
    folder = fresh_model / f"langid-{language.LAYOUT}-en-es-pt-fr-de-it"
    assert {p.name for p in folder.iterdir()} == {"nextmove.npy", "rowbase.npy", "output.npy", "ptc.npy",
                                                  "prior.npy", "classes.txt"}
    language._model = None
    monkeypatch.setattr(language, "_tables_from_py3langid", lambda: pytest.fail("unpacked py3langid again"))
    again = language._get_model()
    assert again.classes == first.classes
    assert again.probabilities(SAMPLES[1]) == first.probabilities(SAMPLES[1])


def test_a_torn_cache_is_rebuilt_and_an_old_layout_dropped(fresh_model):
    old = fresh_model / "langid-en-es-pt-fr-de-it"  # layout 1: a pickle and an npz
    old.mkdir()
    (old / "nb.npz").write_bytes(b"old")
    folder = fresh_model / f"langid-{language.LAYOUT}-en-es-pt-fr-de-it"
    folder.mkdir()
    (folder / "ptc.npy").write_bytes(b"torn")
    assert language.detect("¿cómo evito que instagram use mis fotos?")[0] == "es"
    assert not old.exists()
    classes = (folder / "classes.txt").read_text(encoding="utf-8").split("\n")
    assert sorted(classes) == ["de", "en", "es", "fr", "it", "pt"]


def test_an_unwritable_cache_still_detects(fresh_model, monkeypatch):
    def refuse(*args):
        raise OSError("read-only")

    monkeypatch.setattr(language, "_to_cache", refuse)
    assert language.detect("wie verhindere ich, dass meta meine beiträge nutzt")[0] == "de"
