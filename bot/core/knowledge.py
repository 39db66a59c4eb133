"""Knowledge base: typed models for knowledge/*.yaml and a loader that refuses a broken KB whole.

Errors read ``knowledge/platforms/x.yaml: topics.ai-training.es: missing``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .vocab import ALL_TOPICS, DERIVED_TOPICS, GENERAL_TOPICS, LANGS, PLATFORM_TOPICS, REGIONS  # noqa: F401
STEP_SURFACES = ("web", "app", "ios", "android", "desktop", "all")
DIFFICULTIES = ("easy", "medium", "hard", "limited", "impossible")
MIN_QUESTIONS = 8
# The platforms the design promises (DESIGN.md); the tests hold the knowledge base to it.
DESIGN_PLATFORM_IDS = (
    "linkedin facebook instagram threads whatsapp meta-ai x reddit tiktok snapchat pinterest youtube tumblr wordpress "
    "quora medium substack bluesky discord stackoverflow deviantart artstation chatgpt claude gemini google "
    "microsoft-copilot github-copilot slack zoom adobe figma grammarly notion canva perplexity alexa apple dropbox otter "
    "character-ai mistral deepseek"
).split()
STALE_AFTER_DAYS = 180

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$|^https?://[^\s/$.?#][^\s]*$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_url(url: str) -> str:
    if not _URL.match(url) or "." not in url.split("/")[2]:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


class Source(Strict):
    url: str
    title: str = Field(min_length=1)
    date: dt.date
    # "published": the page's own date; "accessed": when a curator read it (the page shows no date)
    date_kind: Literal["published", "updated", "accessed"] = "published"

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class Link(Strict):
    label: str = Field(min_length=1)
    url: str

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))


class Steps(Strict):
    """Steps per surface, in the order they are shown. `all` is for steps that apply everywhere."""

    all: list[str] = []
    web: list[str] = []
    app: list[str] = []  # iOS and Android alike
    ios: list[str] = []
    android: list[str] = []
    desktop: list[str] = []

    @model_validator(mode="after")
    def _not_empty(self) -> "Steps":
        if not any(getattr(self, s) for s in STEP_SURFACES):
            raise ValueError("empty steps")
        for s in STEP_SURFACES:
            if any(not step.strip() for step in getattr(self, s)):
                raise ValueError(f"{s}: empty step")
        return self

    def by_surface(self) -> list[tuple[str, list[str]]]:
        return [(s, getattr(self, s)) for s in STEP_SURFACES if getattr(self, s)]


class Card(Strict):
    """One topic of one platform in one language: everything an answer shows."""

    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    steps: Steps
    links: list[Link] = Field(min_length=1)
    regions: dict[Literal["eu", "uk", "ch", "us", "other"], str] = {}
    past_training: str | None = None
    caveats: list[str] = []
    uncertain: list[str] = []  # statements not confirmed by a source; shown as such
    questions: list[str] = Field(min_length=MIN_QUESTIONS)

    @field_validator("questions")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        seen = {q.casefold() for q in v}
        if len(seen) != len(v):
            raise ValueError("duplicate questions")
        return v


TopicCards = dict[Literal["en", "es"], Card]


class Platform(Strict):
    id: str
    name: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    aliases: list[str] = []
    # aliases that are also everyday words ("medium", "zoom", "x"): count only in a data/AI/privacy question
    common_word_aliases: list[str] = []
    category: str
    difficulty: Literal["easy", "medium", "hard", "limited", "impossible"]
    updated: dt.date
    verified: dt.date
    sources: list[Source] = Field(min_length=1)
    topics: dict[str, TopicCards]

    @field_validator("id", "category")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError(f"not a lowercase slug: {v!r}")
        return v

    @field_validator("topics", mode="before")
    @classmethod
    def _topics_known(cls, v):
        if isinstance(v, dict):
            for topic, cards in v.items():
                if topic not in PLATFORM_TOPICS + GENERAL_TOPICS:
                    raise ValueError(f"unknown topic {topic!r} (known: {', '.join(PLATFORM_TOPICS + GENERAL_TOPICS)})")
                if isinstance(cards, dict):
                    for lang in LANGS:
                        if lang not in cards:
                            raise ValueError(f"{topic}.{lang}: missing")
        return v

    @model_validator(mode="after")
    def _shape(self) -> "Platform":
        if self.id == "general":
            missing = [t for t in GENERAL_TOPICS if t not in self.topics]
            if missing:
                raise ValueError(f"topics.{missing[0]}: missing")
        else:
            if "ai-training" not in self.topics:
                raise ValueError("topics.ai-training: missing")
            if not self.aliases:
                raise ValueError("aliases: missing")
            extra = [t for t in self.topics if t in GENERAL_TOPICS]
            if extra:
                raise ValueError(f"topics.{extra[0]}: only the general file has this topic")
            for lang in LANGS:
                card = self.topics["ai-training"][lang]
                if not card.past_training:
                    raise ValueError(f"topics.ai-training.{lang}.past_training: missing")
                if not card.regions:
                    raise ValueError(f"topics.ai-training.{lang}.regions: missing")
        for a in self.common_word_aliases:
            if a not in self.aliases:
                raise ValueError(f"common_word_aliases: {a!r} is not in aliases")
        if self.verified < self.updated:
            raise ValueError("verified: earlier than updated")
        return self

    def card(self, topic: str, lang: str) -> Card | None:
        cards = self.topics.get(topic)
        return cards[lang] if cards else None


class Crawler(Strict):
    token: str = Field(min_length=1)
    operator: str = Field(min_length=1)
    purpose: Literal["training", "search", "user-fetch", "assistant", "preview", "archive", "research", "other"]
    description: str = Field(min_length=1)
    respects_robots_txt: Literal["yes", "no", "reported-no", "unknown", "not-applicable"]
    source: Source


class CrawlerFile(Strict):
    crawlers: list[Crawler] = Field(min_length=1)


class TopicCues(Strict):
    """Words and phrases that signal a topic, per language (knowledge/topics.yaml)."""

    en: list[str]
    es: list[str]

    @field_validator("en", "es")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        dupes = sorted({c for c in v if v.count(c) > 1})
        if dupes:
            raise ValueError(f"listed twice: {', '.join(dupes)}")
        return v


class TopicsFile(Strict):
    scope: TopicCues  # data / AI / privacy words: a message without any is out of scope
    topics: dict[str, TopicCues]
    popular: list[str] = Field(min_length=1)  # offered first when a question names no platform
    not_platforms: list[str] = []  # ordinary words that look like a typo of a platform name
    region_words: dict[Literal["eu", "uk", "ch", "us", "other"], list[str]] = {}

    @field_validator("topics")
    @classmethod
    def _known(cls, v: dict[str, TopicCues]) -> dict[str, TopicCues]:
        for t in v:
            if t not in ALL_TOPICS:
                raise ValueError(f"unknown topic {t!r}")
        return v


class KnowledgeError(Exception):
    """The knowledge base is broken; .problems lists every 'file: field: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class KnowledgeBase:
    platforms: dict[str, Platform]  # general included
    topic_cues: TopicsFile
    crawlers: list[Crawler] = field(default_factory=list)

    @property
    def general(self) -> Platform:
        return self.platforms["general"]

    def stale(self, today: dt.date | None = None) -> list[str]:
        """Ids of platforms whose sources were last verified more than STALE_AFTER_DAYS ago."""
        today = today or dt.date.today()
        return [p.id for p in self.platforms.values() if (today - p.verified).days > STALE_AFTER_DAYS]


def default_root() -> Path:
    return Path(__file__).resolve().parents[2] / "knowledge"


def _msg(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return f"{loc}: missing"
    msg = err["msg"].removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and loc and " " not in head and "'" not in head:  # a validator named a deeper field: join the paths
        return f"{loc}.{head}: {rest}"
    return f"{loc}: {msg}" if loc else msg


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml is ~10x faster: start-up time
    """Refuses a mapping that repeats a key: YAML would silently keep the last value (review F-9)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _UniqueKeyLoader.construct_mapping)
_YAML_LOADER = _UniqueKeyLoader


def _read(path: Path, rel: str, problems: list[str]):
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.constructor.ConstructorError as e:
        problems.append(f"{rel}:{e.problem_mark.line + 1 if e.problem_mark else '?'}: {e.problem}")
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        problems.append(f"{rel}: not valid YAML: {str(e).splitlines()[0]}")
        return None
    except OSError as e:  # a folder named x.yaml, no permission...
        problems.append(f"{rel}: cannot read: {e.strerror}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{rel}: expected a mapping at the top")
        return None
    return data


def _validate(model, data, rel: str, problems: list[str]):
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems.extend(f"{rel}: {_msg(err)}" for err in e.errors())
        return None


def load(root: Path | str | None = None) -> KnowledgeBase:
    """Load and validate knowledge/. Raises KnowledgeError listing every problem; never half-loads."""
    root = Path(root) if root else default_root()
    problems: list[str] = []
    base = root.parent

    def rel(p: Path) -> str:
        try:
            return str(p.relative_to(base))
        except ValueError:
            return str(p)

    platforms: dict[str, Platform] = {}
    files = sorted((root / "platforms").glob("*.yaml")) + [root / "general.yaml"]
    for path in files:
        if not path.exists():
            problems.append(f"{rel(path)}: missing")
            continue
        data = _read(path, rel(path), problems)
        if data is None:
            continue
        platform = _validate(Platform, data, rel(path), problems)
        if platform is None:
            continue
        if platform.id != path.stem:
            problems.append(f"{rel(path)}: id: {platform.id!r} differs from the file name {path.stem!r}")
            continue
        if platform.id in platforms:
            problems.append(f"{rel(path)}: id: duplicate {platform.id!r}")
            continue
        platforms[platform.id] = platform

    owners: dict[str, str] = {}
    for p in platforms.values():
        for alias in p.aliases:
            key = " ".join(alias.casefold().split())
            if key in owners and owners[key] != p.id:
                problems.append(f"{rel(root / 'platforms' / (p.id + '.yaml'))}: aliases: {alias!r} is also an alias of {owners[key]}")
            owners[key] = p.id

    cues = None
    topics_path = root / "topics.yaml"
    data = _read(topics_path, rel(topics_path), problems) if topics_path.exists() else problems.append(f"{rel(topics_path)}: missing")
    if data is not None:
        cues = _validate(TopicsFile, data, rel(topics_path), problems)
        present = {path.stem for path in files}
        for pid in cues.popular if cues else []:
            if pid not in present:
                problems.append(f"{rel(topics_path)}: popular: unknown platform {pid!r}")

    crawlers: list[Crawler] = []
    crawlers_path = root / "crawlers.yaml"
    if crawlers_path.exists():
        data = _read(crawlers_path, rel(crawlers_path), problems)
        if data is not None:
            parsed = _validate(CrawlerFile, data, rel(crawlers_path), problems)
            if parsed:
                crawlers = parsed.crawlers
                tokens = [c.token.casefold() for c in crawlers]
                for t in {t for t in tokens if tokens.count(t) > 1}:
                    problems.append(f"{rel(crawlers_path)}: crawlers: duplicate token {t!r}")

    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(platforms=platforms, topic_cues=cues, crawlers=crawlers)
