"""The learned judge with a stand-in embedder: what it decides from the examples, without the model."""
import numpy as np

from bot.core.judge import OUT, Judge

VECTORS = {
    "cancel my app": [1.0, 0.0, 0.0],  # written once, as out of scope
    "cancel app and delete my data": [1.0, 0.3, 0.0],  # four close phrasings about deleting data
    "cancel app and delete account": [1.0, 0.3, 0.05],
    "cancel apps and delete my data": [1.0, 0.3, -0.05],
    "cancel and delete free app": [1.0, 0.32, 0.0],
    "stop app training on my posts": [0.0, 1.0, 0.0],
    "good morning everyone": [0.0, 0.0, 1.0],
}
LABELS = {"cancel my app": OUT, "good morning everyone": OUT, "stop app training on my posts": "ai-training"}


def embedder():
    def embed(texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)  # the model's width
        out[:, :3] = [VECTORS[t] for t in texts]
        return out / np.linalg.norm(out, axis=1, keepdims=True)
    return embed


def test_a_phrasing_we_hold_is_decided_by_the_examples_written_that_way(tmp_path):
    examples = [(t, LABELS.get(t, "delete-data")) for t in VECTORS]
    judge = Judge(lambda: examples, embedder=embedder, cache_path=tmp_path / "vectors.npz")
    verdict = judge.score("cancel my app")
    # four delete-data examples lie at cosine ~0.96, the one written exactly so is out of scope
    assert verdict.best == OUT
    assert verdict.p(OUT) > 0.99


def test_the_word_model_reshares_the_platform_topics_by_their_words(tmp_path):
    """Two phrasings the embedding cannot tell apart (same vector); the words 'undo' and 'stop' can."""
    texts = {
        "stop app training on my posts": "ai-training", "stop app using my photos": "ai-training",
        "please stop app learning from me": "ai-training",
        "undo what app already trained": "past-training", "can app undo the training on old posts": "past-training",
        "undo it for the posts already used": "past-training",
        "good morning everyone": OUT,
    }
    def flat_embedder():
        def embed(items):
            out = np.zeros((len(items), 384), dtype=np.float32)
            out[:, 0] = 1.0
            out[:, 1] = [5.0 if texts.get(t) == OUT else 0.0 for t in items]
            out[:, 2] = [0.0 if t in texts else 0.3 for t in items]  # a new phrasing, not one we hold
            return out / np.linalg.norm(out, axis=1, keepdims=True)
        return embed
    examples = list(texts.items())
    plain = Judge(lambda: examples, embedder=flat_embedder, cache_path=tmp_path / "a.npz")
    words = Judge(lambda: examples, embedder=flat_embedder, cache_path=tmp_path / "b.npz",
                  word_topics=("ai-training", "past-training"), word_scope_weight=0.0)
    question = "can they undo the training already done"
    base = plain.score(question)
    assert abs(base.p("ai-training") - base.p("past-training")) < 0.05  # the embedding alone: a coin toss
    judged = words.score(question)
    assert judged.best == "past-training"
    assert judged.p(OUT) == base.p(OUT)  # resharing the topics leaves scope alone
    assert words.score("please stop them learning from my posts").best == "ai-training"


def test_the_word_model_has_a_small_say_in_scope():
    """The embedding leans out of scope (0.6), the word model is sure it is in scope (0.1): the mean of the
    log-odds, weighted 0.8/0.2, brings the message back just under the 0.5 line; weight 0 leaves it out."""
    class Words:
        def probs(self, text):
            return np.array([0.8, 0.1, 0.1])

    judge = Judge(lambda: [], word_topics=("ai-training", "past-training"))
    judge.labels, judge.words = ["ai-training", OUT, "past-training"], Words()
    mixed = judge._with_words(np.array([0.3, 0.6, 0.1]), "x")
    assert 0.45 < mixed[1] < 0.5 and abs(mixed.sum() - 1.0) < 1e-6
    judge.word_scope_weight = 0.0
    assert judge._with_words(np.array([0.3, 0.6, 0.1]), "x")[1] == 0.6


def test_the_nearest_examples_have_a_quarter_of_the_say_in_scope(tmp_path):
    """The linear model leans out of scope (0.5), the four nearest examples are all in scope: p(OUT) is the weighted
    mean 0.75 * 0.5 + 0.25 * 0.0 = 0.375, under the 0.4 line; with weight 0 the linear model alone decides."""
    examples = [(t, LABELS.get(t, "delete-data")) for t in VECTORS]
    judge = Judge(lambda: examples, embedder=embedder, cache_path=tmp_path / "vectors.npz").warm()
    out = judge.labels.index(OUT)
    linear = np.full(len(judge.labels), 0.5 / (len(judge.labels) - 1))
    linear[out] = 0.5
    nearest = np.zeros(len(judge.labels))
    nearest[judge.labels.index("ai-training")] = 1.0
    judge._linear = lambda q: linear
    judge._nearest = lambda sims: nearest
    question = "cancel app and stop the training"  # no example written so: the mixture decides
    VECTORS[question] = [0.5, 0.5, 0.2]
    try:
        assert abs(judge.score(question).p(OUT) - 0.375) < 1e-6
        assert judge.score(question).best == "ai-training"
        judge.scope_nearest_weight = 0.0
        judge._recent.clear()
        assert abs(judge.score(question).p(OUT) - 0.5) < 1e-6
    finally:
        del VECTORS[question]


def test_a_remark_is_judged_by_its_own_model_and_the_nearest_group_lines(tmp_path):
    """remark() = 0.75 * the remark model + 0.25 * the share of remarks among the 8 nearest group lines."""
    from bot.core import judge as judge_module

    examples = [(t, LABELS.get(t, "delete-data")) for t in VECTORS]
    group = [("stop app training on my posts", False), ("cancel app and delete my data", False),
             ("good morning everyone", True), ("cancel my app", True)]
    judge = Judge(lambda: examples, embedder=embedder, cache_path=tmp_path / "vectors.npz",
                  group_examples=lambda: group).warm()
    assert judge.remark("good morning everyone") > judge.remark("stop app training on my posts")
    judge._linear = lambda q, model=None: np.array([0.2, 0.8]) if model is judge.remark_model else None
    # 4 group lines, all among the nearest: 2 of 4 are remarks
    assert abs(judge.remark("stop app training on my posts") - (0.75 * 0.8 + 0.25 * 0.5)) < 1e-6
    assert judge_module.REMARK_NEAREST_WEIGHT == 0.25


def test_without_group_lines_nothing_is_a_remark(tmp_path):
    examples = [(t, LABELS.get(t, "delete-data")) for t in VECTORS]
    judge = Judge(lambda: examples, embedder=embedder, cache_path=tmp_path / "vectors.npz")
    assert judge.remark("good morning everyone") == 0.0


def test_a_phrasing_held_word_for_word_is_not_outvoted_by_near_copies(tmp_path):
    """Two near-copies (cosine 0.99, within same_text) labelled otherwise: the one written exactly so decides."""
    vectors = {"block ai bots on my site": [0.0, 0.0, 1.0], "block ai bots on my site app": [0.0, 0.142, 1.0],
               "block ai bots on my site my apps": [0.142, 0.0, 1.0], "delete my account": [1.0, 0.0, 0.0]}
    labels = {"block ai bots on my site": "website-crawlers", "delete my account": "delete-data"}

    def embed_factory():
        def embed(texts):
            out = np.zeros((len(texts), 384), dtype=np.float32)
            out[:, :3] = [vectors[t] for t in texts]
            return out / np.linalg.norm(out, axis=1, keepdims=True)
        return embed

    examples = [(t, labels.get(t, "ai-training")) for t in vectors]
    judge = Judge(lambda: examples, embedder=embed_factory, cache_path=tmp_path / "v.npz")
    assert judge.score("block ai bots on my site").best == "website-crawlers"
    judge._recent.clear()
    from bot.core import judge as judge_module
    judge_module.SAME_TEXT_BAND, band = 1.0, judge_module.SAME_TEXT_BAND  # every phrasing within same_text votes
    try:
        assert judge.score("block ai bots on my site").best == "ai-training"
    finally:
        judge_module.SAME_TEXT_BAND = band


def test_only_the_most_recently_used_trained_models_are_kept(tmp_path):
    import os

    from bot.core.judge import CACHE_VERSION, KEEP_MODELS

    for i in range(KEEP_MODELS + 3):  # models of earlier knowledge bases
        old = tmp_path / f"judge-{CACHE_VERSION}-old{i:02d}.npz"
        old.write_bytes(b"")
        os.utime(old, (1000 + i, 1000 + i))
    examples = [(t, LABELS.get(t, "delete-data")) for t in VECTORS]
    Judge(lambda: examples, embedder=embedder, cache_path=tmp_path / "vectors.npz").warm()
    kept = sorted(f.name for f in tmp_path.glob(f"judge-{CACHE_VERSION}-*.npz"))
    newest_old = {f"judge-{CACHE_VERSION}-old{i:02d}.npz" for i in range(4, KEEP_MODELS + 3)}
    assert len(kept) == KEEP_MODELS and {n for n in kept if "-old" in n} == newest_old  # and the new one


def test_the_cache_keeps_the_rows_asked_for_in_their_order_and_serves_them_without_a_copy(tmp_path):
    from bot.core.judge import VectorCache

    embed = embedder()
    path = tmp_path / "vectors.npz"
    first = VectorCache(path)
    first.get_many(["good morning everyone", "cancel my app", "stop app training on my posts"], embed)
    first.save(["stop app training on my posts", "cancel my app"])  # what the next start-up asks for
    cache = VectorCache(path)
    assert len(cache.keys) == 2  # the greeting was not kept
    asked = cache.get_many(["stop app training on my posts", "cancel my app"], embed)
    assert np.shares_memory(asked, cache.vectors) and not cache.dirty
    assert np.allclose(asked[:, :3], [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    reordered = cache.get_many(["cancel my app", "stop app training on my posts"], embed)
    assert not np.shares_memory(reordered, cache.vectors) and cache.dirty  # rewritten in this order on save
    assert np.allclose(reordered[:, :3], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_the_word_model_keeps_only_features_seen_twice():
    from bot.core.judge import WordModel, word_features

    texts = ["delete my account", "delete my chats", "stop training on my posts", "stop training on my chats"]
    model = WordModel(texts, np.array([0, 0, 1, 1]), 2)
    assert model.probs("zebra quokka") is None  # nothing known
    assert model.probs("please delete")[0] > 0.5 and model.probs("stop training")[1] > 0.5
    seen_twice = {f for t in texts for f in word_features(t) if sum(f in word_features(u) for u in texts) >= 2}
    assert len(model.logp) == len(seen_twice)  # one row each ("delete", "my", "stop training"...), no more
