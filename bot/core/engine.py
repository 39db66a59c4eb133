"""The answering core: Query in, Answer out. Never guesses: answer, ask which platform, or abstain."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

from .knowledge import GENERAL_TOPICS, KnowledgeBase, Platform, load
from .matcher import REGION_FIRST, SPECIFIC_TOPICS, Matcher, detect_lang, looks_like_question
from .normalize import normalize, tokens

Status = Literal["answer", "clarify", "abstain"]
PLATFORM_TOPIC_CUES = ("ai-training", "delete-data", "legal-objection", "past-training")
MARGIN = 8.0  # the best platform must lead the next by this much, else clarify
# an assistant built into other apps: "turn off Meta AI in WhatsApp" is about the assistant, not the host app
ASSISTANT_HOSTS = {"meta-ai": {"whatsapp", "instagram", "facebook", "threads"}}
# words that ask to switch an assistant off or get it out of sight (normalised: lower case, no accents)
_SWITCH_OFF = ("turn off", "turn it off", "switch off", "disable", "deactivate", "remove", "get rid", "uninstall",
               "block", "hide", "mute", "stop", "desactiv", "quit", "elimin", "borr", "bloque", "ocult", "silenci",
               "apag", "sacar", "saco")
MAX_GROUP_TOKENS = 60  # an overheard wall of text is not a clear question
_FILLER = {"what", "about", "and", "or", "the", "for", "on", "in", "of", "is", "how", "hey", "hi", "hello", "bot", "please",
           "pls", "y", "de", "el", "la", "en", "que", "con", "sobre", "hola", "there", "with", "yo", "ok", "so",
           "also", "too", "tambien", "a", "an", "ai", "ia", "opt", "out", "optout", "question", "pregunta", "info"}


@dataclass(frozen=True)
class Query:
    text: str
    lang: str | None = None
    region: str | None = None
    surface: str = "plain"
    in_group: bool = False
    addressed: bool = True  # in a group: the bot was mentioned, replied to or commanded
    fallback_lang: str | None = None  # e.g. the chat app's language, used when the text shows none
    previous: tuple[str, str] | None = None  # (platform, topic) answered last in this conversation, for follow-ups

    @property
    def overheard(self) -> bool:
        return self.in_group and not self.addressed


@dataclass(frozen=True)
class Candidate:
    platform: str
    name: str
    score: float


@dataclass(frozen=True)
class Answer:
    status: Status
    platform: str | None
    topic: str | None
    score: float
    candidates: tuple[Candidate, ...] = ()
    lang: str = "en"
    region: str | None = None
    reason: str = ""
    hints: dict = field(default_factory=dict, compare=False)  # e.g. {"owner": "meta"}

    def to_json(self) -> dict:
        return {"status": self.status, "platform": self.platform, "topic": self.topic, "score": round(self.score, 1),
                "lang": self.lang, "candidates": [c.platform for c in self.candidates]}


def _clean(text: str) -> str:
    if not isinstance(text, str):
        text = str(text or "")
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text[:4000])


class Engine:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.matcher = Matcher(kb)
        self._platforms = sorted((p for p in kb.platforms.values() if p.id != "general"), key=lambda p: p.name.casefold())
        self._names = {p.id: p.name for p in kb.platforms.values()}
        self._popular = [pid for pid in kb.topic_cues.popular if pid in self._names]
        # autocomplete runs on every keystroke: normalise the names and aliases once
        self._suggest_keys = [(p.id, [normalize(a) for a in (p.name, *p.aliases, p.id)]) for p in self._platforms]

    @classmethod
    def load(cls, root: Path | str | None = None) -> "Engine":
        return cls(load(root))

    # lookups ----------------------------------------------------------------------------------
    def platforms(self) -> list[Platform]:
        return list(self._platforms)

    def platform(self, platform_id: str) -> Platform | None:
        return self.kb.platforms.get(platform_id)

    def candidate(self, pid: str, score: float) -> Candidate:
        return Candidate(pid, self._names[pid], score)

    def find_platform(self, text: str) -> str | None:
        """Resolve a name, alias or typo ('linkdin', 'insta', 'LinkedIn') to a platform id."""
        toks = tokens(_clean(text))
        if not toks:
            return None
        if "-".join(toks) in self.kb.platforms:  # an id: "meta-ai" normalises to "meta ai"
            return "-".join(toks)
        det = self.matcher.detect(toks)
        if any(t not in _FILLER for t in det.rest) and set(det.platforms) <= det.common_word_only:
            return None  # "<a href='x'>" is not X: an everyday word among other words names nothing
        ranked = sorted(det.platforms.items(), key=lambda kv: -kv[1])
        if ranked and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= MARGIN):
            return ranked[0][0]
        best = self.suggest(text, limit=2)
        if best and best[0].score >= 85 and (len(best) == 1 or best[0].score - best[1].score >= 5):
            return best[0].platform
        return None

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Autocomplete over names and aliases; an empty prefix lists the popular platforms first."""
        p = normalize(_clean(prefix))
        if not p:
            rest = [pl.id for pl in self._platforms if pl.id not in self._popular]
            return [self.candidate(pid, 100.0) for pid in (self._popular + rest)[:limit]]
        scored: list[tuple[float, str]] = []
        for pid, keys in self._suggest_keys:
            best = 0.0
            for na in keys:
                if na.startswith(p):
                    s = 100.0 - min(len(na) - len(p), 10) * 0.5
                elif p in na:
                    s = 90.0
                else:
                    s = fuzz.WRatio(p, na) * 0.9 if len(p) >= 3 else 0.0
                best = max(best, s)
            if best >= 60:
                # a popular platform wins a near tie ("twit": twitter before twitch)
                scored.append((best + (1.0 if pid in self._popular else 0.0), pid))
        scored.sort(key=lambda t: (-t[0], self._names[t[1]].casefold()))
        return [self.candidate(pid, s) for s, pid in scored[:limit]]

    def answer_for(self, platform_id: str, topic: str = "ai-training", lang: str = "en",
                   region: str | None = None) -> Answer:
        """A direct answer (commands, buttons, deep links): no matching involved."""
        if platform_id not in self.kb.platforms:
            return Answer("abstain", None, None, 0.0, lang=lang, region=region, reason="unknown-platform")
        if platform_id == "general" and topic not in GENERAL_TOPICS:
            topic = "about-bot"
        return Answer("answer", platform_id, topic, 100.0, (self.candidate(platform_id, 100.0),), lang, region)

    # the matcher's verdict ---------------------------------------------------------------------
    def answer(self, query: Query) -> Answer:
        raw = _clean(query.text)
        toks = tokens(raw)
        lang = (query.lang if query.lang in ("en", "es") else None) or detect_lang(toks, raw) \
            or (query.fallback_lang if query.fallback_lang in ("en", "es") else None) or "en"
        m = self.matcher
        region = query.region or (m.region(toks) if toks else None)

        def verdict(status: Status, platform=None, topic=None, score=0.0, candidates=(), reason="", **hints) -> Answer:
            if query.overheard and status != "answer":
                status, reason = "abstain", reason or "group-silent"
            return Answer(status, platform, topic, score, tuple(candidates), lang, region, reason, hints)

        if not toks:
            return verdict("abstain", reason="empty")

        det = m.detect(toks)
        hits = m.topic_hits(det.rest)
        strong, weak = m.scope_hits(det.rest)
        topic_cued = [t for t in PLATFORM_TOPIC_CUES if t in hits]
        technical, website = m.website_cues(hits.get("website-crawlers", []))
        in_scope = bool(strong or topic_cued or technical)

        plats = dict(det.platforms)
        bare = [t for t in det.rest if t not in _FILLER]  # words besides platform names and filler
        if any(pid not in det.common_word_only for pid in plats):
            plats = {pid: s for pid, s in plats.items() if pid not in det.common_word_only}
        elif not (in_scope or weak or hits or (not bare and len(toks) <= 4)):  # "and for threads?" names it
            plats = {}
        plats.pop("general", None)

        if query.overheard:
            if not looks_like_question(toks, raw) or len(toks) > MAX_GROUP_TOKENS:
                return verdict("abstain", reason="group-not-a-question")
            about_bot = "about-bot" in hits and "bot" in toks and not plats
            if not (technical or about_bot or (plats and topic_cued)):
                return verdict("abstain", reason="group-silent")

        if technical or (website and not plats and (in_scope or weak)):
            return verdict("answer", "general", "website-crawlers", 100.0, [self.candidate("general", 100.0)])

        if not plats:
            if det.owners and in_scope:
                owner_ids = sorted(m.owners[(det.owners[0],)], key=lambda pid: self._names[pid].casefold())
                return verdict("clarify", topic=self._topic_for(hits),
                               candidates=[self.candidate(pid, 50.0) for pid in owner_ids], reason="owner",
                               owner=det.owners[0])
            if "opt-out-vs-opt-in" in hits and (in_scope or len(hits["opt-out-vs-opt-in"]) > 1):
                return verdict("answer", "general", "opt-out-vs-opt-in", 90.0, [self.candidate("general", 90.0)])
            distinct = set(strong) | {h for t in topic_cued for h in hits[t]}
            if len(distinct) >= 2 or (distinct and weak):
                return verdict("clarify", topic=self._topic_for(hits),
                               candidates=[self.candidate(pid, 0.0) for pid in self._popular], reason="no-platform")
            if "about-bot" in hits:
                return verdict("answer", "general", "about-bot", 90.0, [self.candidate("general", 90.0)])
            return verdict("abstain", reason="off-topic")

        for assistant, hosts in ASSISTANT_HOSTS.items():  # "turn off meta ai in whatsapp": the assistant's card
            if assistant in plats and any(w in " ".join(toks) for w in _SWITCH_OFF):
                plats = {pid: s for pid, s in plats.items() if pid not in hosts}
                in_scope = True
        ranked = sorted(plats.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and not in_scope:  # "which is smarter, claude or gemini?"
            return verdict("abstain", reason="near-miss")
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
            return verdict("clarify", topic=self._topic_for(hits),
                           candidates=[self.candidate(pid, min(s, 100.0)) for pid, s in ranked], reason="several")
        pid, strength = ranked[0]
        score = min(strength, 100.0)
        if not in_scope:
            if not bare and not query.overheard and not det.owners:
                return verdict("answer", pid, "ai-training", score, [self.candidate(pid, score)], reason="name-only")
            return verdict("abstain", reason="near-miss", platform_named=pid)
        return verdict("answer", pid, self._topic_for(hits), score, [self.candidate(pid, score)])

    @staticmethod
    def _topic_for(hits: dict[str, list[str]]) -> str:
        """The most specific topic cued wins (past-training, legal-objection, delete-data, region), else ai-training."""
        if REGION_FIRST.intersection(hits.get("region", ())):
            return "region"
        return next((topic for topic in SPECIFIC_TOPICS if topic in hits), "ai-training")


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return Engine.load()
