"""The judge's labelled examples, read from knowledge/: what scope and topic are learned from.

- the cards' `questions` (en, es), labelled with their topic;
- knowledge/questions/<platform>.yaml: more phrasings, any of MATCH_LANGS, by topic;
- knowledge/examples.yaml: platform-free phrasings for region, past-training and follow-ups ({p} = a platform);
- knowledge/negatives.yaml: messages out of scope (off-topic, near-miss, chatter), labelled OUT;
- knowledge/group.yaml: what people say to each other in a group (remarks) and ask of it (questions).
Validated like the cards: a broken file is refused whole with `file: field: message`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .knowledge import DuplicateKeyError, KnowledgeBase, KnowledgeError, default_root, load_yaml
from .vocab import ALL_TOPICS, MATCH_LANGS

Lang = Literal["en", "es", "pt", "fr", "de", "it"]
PLACEHOLDER = "{p}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Negative(_Strict):
    text: str = Field(min_length=1)
    lang: Lang
    kind: Literal["off-topic", "near-miss", "chatter"]


def _topics_by_lang(v: dict) -> dict:
    for topic, langs in (v or {}).items():
        if topic not in ALL_TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        for lang, texts in (langs or {}).items():
            if lang not in MATCH_LANGS:
                raise ValueError(f"{topic}: unknown language {lang!r}")
            if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
                raise ValueError(f"{topic}.{lang}: expected a list of non-empty strings")
    return v


class TopicPhrasings(_Strict):
    """topic -> language -> phrasings."""

    topics: dict[str, dict[str, list[str]]]
    _check = field_validator("topics")(classmethod(lambda cls, v: _topics_by_lang(v)))


class NegativesFile(_Strict):
    negatives: list[Negative] = Field(min_length=1)


class GroupLine(_Strict):
    text: str = Field(min_length=1)
    lang: Lang


class GroupFile(_Strict):
    remarks: list[GroupLine] = Field(min_length=1)
    questions: list[GroupLine] = Field(min_length=1)


def _load_yaml(path: Path, problems: list[str], rel: str):
    """The knowledge base's own loader: a key written twice is refused, never silently dropped."""
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except DuplicateKeyError as e:
        problems.append(f"{rel}: {e}")
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        problems.append(f"{rel}: not valid YAML: {str(e).splitlines()[0]}")
    return None


def _errors(e: ValidationError, rel: str) -> list[str]:
    return [f"{rel}: {'.'.join(str(p) for p in err['loc'][1:])}: {err['msg'].removeprefix('Value error, ')}"
            for err in e.errors()]


def load_examples(kb: KnowledgeBase, root: Path | None = None) -> tuple[list[tuple[str, str, str | None]],
                                                                        list[tuple[str, str]]]:
    """(in-scope examples as (text, topic, platform or None), out-of-scope ones as (text, kind)). Unmasked."""
    root = Path(root) if root else default_root()
    problems: list[str] = []
    positives: list[tuple[str, str, str | None]] = []
    for platform in kb.platforms.values():
        for topic, cards in platform.topics.items():
            for card in cards.values():
                positives.extend((q, topic, platform.id) for q in card.questions)
    for pid, topics in kb.extra_questions.items():  # knowledge/questions/<id>.yaml, validated by the loader
        for topic, by_lang in topics.items():
            for texts in by_lang.values():
                positives.extend((t, topic, pid) for t in texts)
    path = root / "examples.yaml"
    if path.exists():
        data = _load_yaml(path, problems, "knowledge/examples.yaml")
        if data is not None:
            try:
                parsed = TopicPhrasings(topics=data)
                for topic, langs in parsed.topics.items():
                    for texts in langs.values():
                        positives.extend((t, topic, None) for t in texts)
            except ValidationError as e:
                problems.extend(_errors(e, "knowledge/examples.yaml"))
    negatives: list[tuple[str, str]] = []
    path = root / "negatives.yaml"
    if path.exists():
        data = _load_yaml(path, problems, "knowledge/negatives.yaml")
        if data is not None:
            try:
                negatives = [(n.text, n.kind) for n in NegativesFile(negatives=data).negatives]
            except ValidationError as e:
                problems.extend(_errors(e, "knowledge/negatives.yaml"))
    if problems:
        raise KnowledgeError(problems)
    return positives, negatives


def load_group(root: Path | None = None) -> tuple[list[str], list[str]]:
    """(questions asked of a group, remarks said to each other) from knowledge/group.yaml; none without it."""
    path = (Path(root) if root else default_root()) / "group.yaml"
    if not path.exists():
        return [], []
    problems: list[str] = []
    data = _load_yaml(path, problems, "knowledge/group.yaml")
    if data is not None:
        try:
            parsed = GroupFile.model_validate(data)
            return [q.text for q in parsed.questions], [r.text for r in parsed.remarks]
        except ValidationError as e:
            problems.extend(f"knowledge/group.yaml: {'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
    raise KnowledgeError(problems)
