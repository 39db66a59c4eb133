"""Knowledge base: typed models for knowledge/*.yaml and a loader that refuses a broken KB whole.

Errors read ``knowledge/platforms/x.yaml: topics.ai-training.es: missing``.

Schema v2 (briefs/kb-schema.md): sources carry an ``id``, a ``kind`` and an optional curator ``note``; every card
lists the ``sources`` it rests on and may cite ids inline with ``[[id]]`` / ``[[id1, id2]]`` markers, which the
loader strips from the text users see and keeps in ``Card.citations``; platforms carry dated ``changes``; links may
be ``mailto:``. Beside the platform files: ``audit/<id>.yaml`` (claim-by-claim fact-check records) and
``questions/<id>.yaml`` (extra matching phrasings in the six matching languages), both optional.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .cache import ParsedMemo
from .vocab import ALL_TOPICS, DERIVED_TOPICS, GENERAL_TOPICS, LANGS, MATCH_LANGS, PLATFORM_TOPICS, REGIONS  # noqa: F401
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
# official: the platform's / owner's own pages; regulator: data-protection authorities, courts, governments;
# press: news outlets; secondary: blogs, trackers, mirrors, third-party help copies; archive: archive.org / OTA copies
SOURCE_KINDS = ("official", "regulator", "press", "secondary", "archive")
FIRM_KINDS = ("official", "regulator", "press")  # what a fact shown as confirmed must rest on
# confirmed | reported (secondary sources only) | uncertain; wrong / outdated are accepted while an audit is being
# fixed, and `optout-bot kb audit` fails on them
CLAIM_STATUSES = ("confirmed", "reported", "uncertain", "wrong", "outdated")
CLAIM_FINDINGS = ("wrong", "outdated", "unsupported")

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$|^https?://[^\s/$.?#][^\s]*$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MAILTO = re.compile(r"^mailto:[^@\s/?:]+@[^@\s/?:]+\.[^@\s/?:]+$")
# a citation marker: [[id]] or [[id1, id2]]; the whitespace before it goes too ("text [[a]]." -> "text.")
_CITE = re.compile(r"\s*\[\[([^\[\]]*)\]\]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_url(url: str) -> str:
    if not _URL.match(url) or "." not in url.split("/")[2]:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return url


def _check_slug(v: str) -> str:
    if not _SLUG.match(v):
        raise ValueError(f"not a lowercase slug: {v!r}")
    return v


class Source(Strict):
    id: str  # slug, unique within its file; cited by cards, changes and audit files
    kind: Literal["official", "regulator", "press", "secondary", "archive"]
    url: str
    title: str = Field(min_length=1)  # users see it: no curator notes here
    date: dt.date
    # "published": the page's own date; "accessed": when a curator read it (the page shows no date)
    date_kind: Literal["published", "updated", "accessed"] = "published"
    note: str | None = None  # curator note ("read via the Open Terms Archive copy"), never shown to users

    _url = field_validator("url")(classmethod(lambda cls, v: _check_url(v)))
    _id = field_validator("id")(classmethod(lambda cls, v: _check_slug(v)))


class CrawlerSource(Source):
    id: str | None = None  # crawler sources are inline, one per token: an id is optional

    @field_validator("id")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        return None if v is None else _check_slug(v)


class Link(Strict):
    label: str = Field(min_length=1)
    url: str  # https://... or mailto:address@domain (an email route)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v.startswith("mailto:"):
            if not _MAILTO.match(v):
                raise ValueError(f"not a mailto: address: {v!r}")
            return v
        return _check_url(v)

    @property
    def is_email(self) -> bool:
        return self.url.startswith("mailto:")


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


def strip_citations(text: str) -> tuple[str, list[str]]:
    """'Text [[a]] more [[b, c]].' -> ('Text more.', ['a', 'b', 'c'])."""
    ids: list[str] = []

    def take(m: re.Match) -> str:
        ids.extend(part.strip() for part in m.group(1).split(","))
        return ""

    return _CITE.sub(take, text).strip(), ids


# the card fields whose strings may end with [[id]] citation markers
CITING_FIELDS = ("summary", "steps", "regions", "past_training", "caveats", "uncertain", "verify")


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
    sources: list[str]  # the source ids this card rests on (>= 1)
    verify: str | None = None  # how a user checks it worked (the toggle state, the confirmation email)
    # filled by the loader from [[id]] markers: field path ("summary", "steps.web.0", "regions.eu") -> source ids
    citations: dict[str, list[str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _take_citations(cls, data):
        if not isinstance(data, dict):
            return data
        data = dict(data)
        cites: dict[str, list[str]] = dict(data.get("citations") or {})

        def clean(value, path: str):
            if isinstance(value, str):
                text, ids = strip_citations(value)
                if ids:
                    cites[path] = cites.get(path, []) + ids
                    return text
                return value
            if isinstance(value, list):
                return [clean(v, f"{path}.{i}") for i, v in enumerate(value)]
            if isinstance(value, dict):
                return {k: clean(v, f"{path}.{k}") for k, v in value.items()}
            return value

        for name in CITING_FIELDS:
            if name in data:
                data[name] = clean(data[name], name)
        if cites:
            data["citations"] = cites
        return data

    @field_validator("questions")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        seen = {q.casefold() for q in v}
        if len(seen) != len(v):
            raise ValueError("duplicate questions")
        return v

    @field_validator("sources")
    @classmethod
    def _some_sources(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("no sources: list the ids of the sources this card rests on")
        dupes = sorted({i for i in v if v.count(i) > 1})
        if dupes:
            raise ValueError(f"listed twice: {', '.join(dupes)}")
        return v

    @field_validator("caveats", "uncertain")
    @classmethod
    def _no_empty(cls, v: list[str]) -> list[str]:
        if any(not item.strip() for item in v):
            raise ValueError("empty item")
        return v

    def cited_ids(self) -> list[str]:
        """Every source id the card rests on or cites, card sources first, each once."""
        out = list(self.sources)
        for ids in self.citations.values():
            out.extend(i for i in ids if i not in out)
        return out


TopicCards = dict[Literal["en", "es"], Card]


class Change(Strict):
    """A dated change for users ("what's new", alerts), in both languages, with its sources."""

    date: dt.date
    en: str = Field(min_length=1)
    es: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)


class Platform(Strict):
    id: str
    name: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    aliases: list[str] = []
    # aliases that are also everyday words ("medium", "zoom", "x"): count only in a data/AI/privacy question
    common_word_aliases: list[str] = []
    # its products' names that are everyday words too ("word", "excel"): they name it beside its owner's name
    # ("microsoft ... my excel sheets") or right after an answer about another of the owner's platforms ("and in
    # word?" after Copilot); anywhere else they are words ("how do I word it")
    product_words: list[str] = []
    category: str
    # an assistant whose card covers it inside these platforms' apps (Meta AI in WhatsApp, Instagram, Facebook):
    # after an answer about it, "and on instagram?" asks about it there
    built_into: list[str] = []
    difficulty: Literal["easy", "medium", "hard", "limited", "impossible"]
    updated: dt.date
    verified: dt.date
    sources: list[Source] = Field(min_length=1)
    changes: list[Change] = []  # newest first
    topics: dict[str, TopicCards]

    @field_validator("id", "category")
    @classmethod
    def _slug(cls, v: str) -> str:
        return _check_slug(v)

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
        for w in self.product_words:
            if len(w.split()) != 1 or w in self.aliases:
                raise ValueError(f"product_words: {w!r} must be one word, and not an alias")
        if self.verified < self.updated:
            raise ValueError("verified: earlier than updated")
        ids = [s.id for s in self.sources]
        for i, sid in enumerate(ids):
            if sid in ids[:i]:
                raise ValueError(f"sources.{i}.id: duplicate {sid!r}")
        dates = [c.date for c in self.changes]
        if dates != sorted(dates, reverse=True):
            raise ValueError("changes: not newest first")
        return self

    def card(self, topic: str, lang: str) -> Card | None:
        cards = self.topics.get(topic)
        return cards[lang] if cards else None

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def card_sources(self, card: Card) -> list[Source]:
        """The sources a card rests on and cites: official, regulator and press first, then the card's order."""
        found = [s for s in (self.source(i) for i in card.cited_ids()) if s is not None]
        rank = {k: n for n, k in enumerate(("official", "regulator", "press", "archive", "secondary"))}
        return sorted(found, key=lambda s: rank[s.kind])

    def reference_problems(self) -> list[str]:
        """Cross-references the field validators cannot see, as 'field: message' (kb check refuses them)."""
        kinds = {s.id: s.kind for s in self.sources}
        by_url = {_norm_url(s.url): s for s in self.sources}
        out: list[str] = []
        for topic, cards in self.topics.items():
            for lang, card in cards.items():
                where = f"topics.{topic}.{lang}"
                for sid in card.sources:
                    if sid not in kinds:
                        out.append(f"{where}.sources: unknown source id {sid!r}")
                for path, ids in card.citations.items():
                    for sid in ids:
                        if sid not in kinds:
                            out.append(f"{where}.{path}: cites unknown source id {sid!r}")
                known = [kinds[i] for i in card.sources if i in kinds]
                if known and all(k == "secondary" for k in known):
                    out.append(f"{where}.sources: only secondary sources; add an official, regulator or press source")
                for i, link in enumerate(card.links):
                    src = by_url.get(_norm_url(link.url))
                    if src is not None and src.kind == "secondary":
                        out.append(f"{where}.links.{i}.url: is the secondary source {src.id!r}; "
                                   "link the official page instead")
        for i, change in enumerate(self.changes):
            for sid in change.sources:
                if sid not in kinds:
                    out.append(f"changes.{i}.sources: unknown source id {sid!r}")
        return out


def _norm_url(url: str) -> str:
    u = url.strip().casefold()
    u = re.sub(r"^https?://(www\.)?", "", u)
    return u.split("#")[0].rstrip("/")


class Crawler(Strict):
    token: str = Field(min_length=1)
    called: list[str] = []  # what people call it besides its token ("common crawl" for CCBot): names a crawler too
    operator: str = Field(min_length=1)
    purpose: Literal["training", "search", "user-fetch", "assistant", "preview", "archive", "research", "other"]
    description: str = Field(min_length=1)
    # may-not-apply: the operator says robots.txt rules may not apply (user-initiated fetches)
    respects_robots_txt: Literal["yes", "no", "may-not-apply", "reported-no", "unknown", "not-applicable"]
    source: CrawlerSource  # required: kb check refuses a token without a source


class CrawlerFile(Strict):
    crawlers: list[Crawler] = Field(min_length=1)


class Claim(Strict):
    """One fact a card states, as checked against published sources."""

    claim: str = Field(min_length=1)  # short, in English
    topic: Literal["ai-training", "delete-data", "legal-objection"]
    status: Literal["confirmed", "reported", "uncertain", "wrong", "outdated"]
    sources: list[str] = []  # ids from the platform file; required unless uncertain
    finding: Literal["wrong", "outdated", "unsupported"] | None = None  # what the check found before the fix
    fix: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> "Claim":
        if self.status != "uncertain" and not self.sources:
            raise ValueError(f"sources: a {self.status} claim needs at least one source id")
        return self


class AuditFile(Strict):
    """knowledge/audit/<id>.yaml: the claim-by-claim fact-check of one platform."""

    platform: str
    checked: dt.date
    claims: list[Claim] = Field(min_length=1)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in CLAIM_STATUSES}
        for c in self.claims:
            out[c.status] += 1
        return out


class KnowledgeError(Exception):
    """The knowledge base is broken; .problems lists every 'file: field: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class KnowledgeBase:
    platforms: dict[str, Platform]  # general included
    crawlers: list[Crawler] = field(default_factory=list)
    audits: dict[str, AuditFile] = field(default_factory=dict)  # platform id -> audit file (optional per platform)
    # platform id -> topic -> language (en es pt fr de it) -> extra matching phrasings (knowledge/questions/)
    extra_questions: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)

    @property
    def general(self) -> Platform:
        return self.platforms["general"]

    def stale(self, today: dt.date | None = None) -> list[str]:
        """Ids of platforms whose sources were last verified more than STALE_AFTER_DAYS ago."""
        today = today or dt.date.today()
        return [p.id for p in self.platforms.values() if (today - p.verified).days > STALE_AFTER_DAYS]


REQUIRED_TOPICS = ("ai-training", "delete-data")  # every platform has these cards (legal-objection where a route exists)


def default_root() -> Path:
    """OPTOUT_KNOWLEDGE_DIR (a curator's checkout of a newer version, a test's copy), else knowledge/ here."""
    return Path(os.environ.get("OPTOUT_KNOWLEDGE_DIR") or Path(__file__).resolve().parents[2] / "knowledge")


def _msg(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return f"{loc}: missing"
    msg = err["msg"].removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and loc and " " not in head and "'" not in head:  # a validator named a deeper field: join the paths
        return f"{loc}.{head}: {rest}"
    return f"{loc}: {msg}" if loc else msg


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster: start-up time


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, path: str, first: int, again: int):
        super().__init__(f"{path}: duplicate key (lines {first} and {again})")
        self.path, self.first, self.again = path, first, again


def _check_duplicate_keys(node, path: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            sub = f"{path}.{key}" if path else str(key)
            if key is not None and key != "<<":
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise DuplicateKeyError(sub, seen[key], line)
                seen[key] = line
            _check_duplicate_keys(value_node, sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(item, f"{path}.{i}" if path else str(i))


class UniqueKeyLoader(_YAML_LOADER):
    """Safe loader that refuses a mapping with the same key twice (plain PyYAML keeps the last one silently)."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _check_duplicate_keys(node, "")
        return self.construct_document(node)


PARSED_YAML = ParsedMemo("yaml-parsed")


def load_yaml(text: str, loader: type = UniqueKeyLoader):
    """yaml.load(text, loader), memoised on disk by the text's digest (see cache.ParsedMemo)."""
    return PARSED_YAML.get(loader.__name__, text, lambda t: yaml.load(t, Loader=loader))


def _read(path: Path, rel: str, problems: list[str]):
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except DuplicateKeyError as e:
        problems.append(f"{rel}: {e}")
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
        refs = platform.reference_problems()
        if refs:
            problems.extend(f"{rel(path)}: {p}" for p in refs)
            continue
        platforms[platform.id] = platform

    for p in platforms.values():  # the two questions every platform must answer, in both languages
        missing = [t for t in REQUIRED_TOPICS if p.id != "general" and t not in p.topics]
        if missing:
            problems.append(f"{rel(root / 'platforms' / (p.id + '.yaml'))}: topics: no {' or '.join(missing)} card")

    owners: dict[str, str] = {}
    for p in platforms.values():
        for alias in p.aliases:
            key = " ".join(alias.casefold().split())
            if key in owners and owners[key] != p.id:
                problems.append(f"{rel(root / 'platforms' / (p.id + '.yaml'))}: aliases: {alias!r} is also an alias of {owners[key]}")
            owners[key] = p.id

    for p in platforms.values():
        for other in p.built_into:
            if other not in platforms or other == p.id:
                problems.append(f"{rel(root / 'platforms' / (p.id + '.yaml'))}: built_into: {other!r} is no other platform")

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

    audits = _load_audits(root, platforms, problems, rel)
    extra = _load_questions(root, platforms, problems, rel)

    PARSED_YAML.flush()
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(platforms=platforms, crawlers=crawlers, audits=audits, extra_questions=extra)


def _platform_for(path: Path, platforms: dict[str, Platform], problems: list[str], where: str) -> Platform | None:
    if path.stem not in platforms:
        if not (path.parents[1] / "platforms" / f"{path.stem}.yaml").exists() and path.stem != "general":
            problems.append(f"{where}: unknown platform {path.stem!r} (no knowledge/platforms/{path.stem}.yaml)")
        return None  # a platform file that failed to load has reported its own problems
    return platforms[path.stem]


def _load_audits(root: Path, platforms: dict[str, Platform], problems: list[str], rel) -> dict[str, AuditFile]:
    audits: dict[str, AuditFile] = {}
    for path in sorted((root / "audit").glob("*.yaml")):
        where = rel(path)
        platform = _platform_for(path, platforms, problems, where)
        data = _read(path, where, problems)
        if data is None:
            continue
        audit = _validate(AuditFile, data, where, problems)
        if audit is None or platform is None:
            continue
        if audit.platform != path.stem:
            problems.append(f"{where}: platform: {audit.platform!r} differs from the file name {path.stem!r}")
            continue
        known = {s.id for s in platform.sources}
        bad = False
        for i, c in enumerate(audit.claims):
            if c.topic not in platform.topics:
                problems.append(f"{where}: claims.{i}.topic: {platform.id} has no {c.topic!r} card")
                bad = True
            for sid in c.sources:
                if sid not in known:
                    problems.append(f"{where}: claims.{i}.sources: unknown source id {sid!r}")
                    bad = True
        if not bad:
            audits[platform.id] = audit
    return audits


def _load_questions(root: Path, platforms: dict[str, Platform], problems: list[str], rel):
    extra: dict[str, dict[str, dict[str, list[str]]]] = {}
    for path in sorted((root / "questions").glob("*.yaml")):
        where = rel(path)
        platform = _platform_for(path, platforms, problems, where)
        data = _read(path, where, problems)
        if data is None or platform is None:
            continue
        out: dict[str, dict[str, list[str]]] = {}
        for topic, by_lang in data.items():
            if topic not in platform.topics:
                known = ", ".join(platform.topics)
                problems.append(f"{where}: {topic}: unknown topic for {platform.id} (known: {known})")
                continue
            if not isinstance(by_lang, dict):
                problems.append(f"{where}: {topic}: expected a mapping of language -> questions")
                continue
            for lang, qs in by_lang.items():
                if lang not in MATCH_LANGS:
                    problems.append(f"{where}: {topic}.{lang}: unknown language (known: {', '.join(MATCH_LANGS)})")
                    continue
                if not isinstance(qs, list) or not qs or not all(isinstance(q, str) and q.strip() for q in qs):
                    problems.append(f"{where}: {topic}.{lang}: expected a list of non-empty questions")
                    continue
                folded = [" ".join(q.casefold().split()) for q in qs]
                dupes = sorted({q for q in folded if folded.count(q) > 1})
                if dupes:
                    problems.append(f"{where}: {topic}.{lang}: listed twice: {', '.join(dupes)}")
                    continue
                out.setdefault(topic, {})[lang] = [q.strip() for q in qs]
        extra[platform.id] = out
    return extra


def audit_report(kb: KnowledgeBase) -> tuple[list[dict], list[str]]:
    """Per-platform claim counts and the problems that make `kb audit` fail.

    Rows: {platform, claims, confirmed, reported, uncertain, wrong, outdated} (None counts: no audit file).
    Problems: a claim still wrong or outdated; a confirmed claim citing only secondary / archive sources.
    """
    rows: list[dict] = []
    problems: list[str] = []
    for pid in sorted(p for p in kb.platforms if p != "general") + (["general"] if "general" in kb.audits else []):
        audit = kb.audits.get(pid)
        if audit is None:
            rows.append({"platform": pid, "claims": None})
            continue
        counts = audit.counts()
        rows.append({"platform": pid, "claims": len(audit.claims), **counts})
        platform = kb.platforms[pid]
        for i, c in enumerate(audit.claims):
            where = f"knowledge/audit/{pid}.yaml: claims.{i}"
            if c.status in ("wrong", "outdated"):
                problems.append(f"{where}: still {c.status}: {c.claim}")
            if c.status == "confirmed":
                kinds = [platform.source(s).kind for s in c.sources]
                if not any(k in FIRM_KINDS for k in kinds):
                    problems.append(f"{where}: confirmed but cites only {'/'.join(sorted(set(kinds)))} sources: {c.claim}")
    return rows, problems
