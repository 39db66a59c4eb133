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
