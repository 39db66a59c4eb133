"""Score the engine on a labelled JSONL question set (tests/eval/questions.jsonl), per slice."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine, Query


@dataclass
class SliceResult:
    total: int = 0
    correct: int = 0
    misses: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


def is_correct(item: dict, got) -> bool:
    expect = item["expect"]
    if got.status != expect:
        return False
    if expect == "answer":
        return got.platform == item.get("platform") and got.topic == item.get("topic")
    if item.get("brand"):  # an uncovered brand: the honest reply, not silence
        return got.reason == "uncovered"
    return True


def ask(engine: Engine, item: dict):
    """The engine's answer to the item's text, after its `context` messages (a conversation's earlier turns)."""
    group = bool(item.get("group"))
    previous = None
    for earlier in item.get("context") or []:
        got = engine.answer(Query(earlier, in_group=group, addressed=not group, previous=previous))
        if got.status == "answer":
            previous = (got.platform, got.topic)
    return engine.answer(Query(item["text"], in_group=group, addressed=not group, previous=previous))


def evaluate(engine: Engine, path: Path | str) -> dict[str, SliceResult]:
    results: dict[str, SliceResult] = defaultdict(SliceResult)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        got = ask(engine, item)
        for name in (item.get("slice") or item["expect"], f"lang:{item.get('lang', '?')}"):
            r = results[name]
            r.total += 1
            if is_correct(item, got):
                r.correct += 1
            elif not name.startswith("lang:"):
                r.misses.append({"text": item["text"], "context": item.get("context") or [],
                                 "want": [item["expect"], item.get("platform"), item.get("topic")],
                                 "got": [got.status, got.platform, got.topic, got.reason]})
    return dict(results)
