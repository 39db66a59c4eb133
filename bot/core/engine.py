"""The answering core: Query in, Answer out. Never guesses: answer, ask which platform, or abstain."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal, TypeVar

import re

from rapidfuzz import fuzz

from . import language
from .examples import PLACEHOLDER, load_examples, load_group
from .judge import OUT, Judge
from .knowledge import GENERAL_TOPICS, PARSED_YAML, KnowledgeBase, Platform, load
from .normalize import MAX_CHARS, normalize, normalize_word, tokens
from .platforms import BRAND, Detection, Grammar, PlatformIndex, load_matching
from .policy import PLATFORM_CARD_TOPICS, Decision, LazyReading, Reading, Tuning, decide
from .vocab import LANGS

Status = Literal["answer", "clarify", "abstain"]
T = TypeVar("T")
MASK = "app"  # what platform names become before the judge reads a message: it judges what is asked, not about whom
HOSTED_MASK = "ai"  # an AI assistant inside another app ("remove meta ai from whatsapp"): a feature, not an account
# Platform questions asked with no platform ("how do I stop apps training on my photos?") must read as platform
# topics too, not as the general cards (which never name one): each example that names a platform is also
# learned with the name replaced by one of these.
GENERIC_NAMES = ("apps", "social media", "these companies", "the platforms", "websites", "my apps")


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
    """Printable text, bounded: a question is short, and a pasted essay is judged by its start."""
    if not isinstance(text, str):
        text = str(text or "")
    text = text[:MAX_CHARS]
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)


def _once(work: Callable[[], T]) -> Callable[[], T]:
    """`work`, done the first time the function returned is called and remembered after (a message's masked text,
    read by the judge and the remark model). Cheaper per message than a functools.cache built for it."""
    done: list[T] = []

    def once() -> T:
        if not done:
            done.append(work())
        return done[0]
    return once


class Engine:
    def __init__(self, kb: KnowledgeBase, judge: Judge | None = None, tuning: Tuning = Tuning()):
        self.kb = kb
        self.tuning = tuning
        self.matching, brands = load_matching(kb)
        positives, negatives = load_examples(kb)
        self._examples = [(text, topic) for text, topic, _ in positives] + [(text, OUT) for text, _ in negatives]
        group_questions, group_remarks = load_group()
        PARSED_YAML.release()  # every file of the knowledge base is read by now: write what is new, free the rest
        # in a group: questions (the cards' and those put to a group) against remarks (what people say to each other)
        self._group = ([(text, False) for text, label in self._examples if label != OUT]
                       + [(t, False) for t in group_questions]
                       + [(text, True) for text, kind in negatives if kind == "chatter"] + [(t, True) for t in group_remarks])
        self._mask_memo: dict[str, str] = {}  # while the judge is built: both of its example lists mask the cards
        vocab_texts = [(text, pid) for text, _, pid in positives] + [(text, None) for text, _ in negatives]
        self.index = PlatformIndex(kb, self.matching, brands, vocab_texts=vocab_texts)
        self._assistants = {p.id for p in kb.platforms.values() if p.category == "ai-assistant"}
        self._site_hosts = {p.id for p in kb.platforms.values() if p.category in self.matching.site_hosts}
        self.grammar = Grammar(self.matching, frozenset(self._assistants),
                               {p.id: p.owner for p in kb.platforms.values()}
                               | {BRAND + b.name: b.owner for b in brands if b.owner},
                               {p.id: frozenset(p.built_into) for p in kb.platforms.values() if p.built_into},
                               frozenset(p.id for p in kb.platforms.values()
                                         if p.category in self.matching.objecting_through))
        self.judge = judge or Judge(self._masked_examples, word_topics=PLATFORM_CARD_TOPICS,
                                    group_examples=self._masked_group_examples)
        # crawler user agents as written ("GPTBot", "Google-Extended") and what people call them ("Common Crawl"), not
        # those that are also a platform's name
        names = {" ".join(k) for k in self.index.alias}
        tokens_ = sorted({name.casefold() for c in kb.crawlers for name in (c.token, *c.called) if len(name) >= 5
                          and normalize(name) not in names}, key=len, reverse=True)
        self._crawlers = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, tokens_)) + r")(?![\w-])") if tokens_ else None
        # the companies that run them ("openai", "anthropic"): "openai's crawler" is about one's site
        self._crawler_operators = {tuple(tokens(c.operator.split("(")[0])) for c in kb.crawlers}
        self._crawler_operators_platforms = {p.id for p in kb.platforms.values()
                                             if tuple(tokens(p.owner)) in self._crawler_operators}
        self._platforms = sorted((p for p in kb.platforms.values() if p.id != "general"), key=lambda p: p.name.casefold())
        self._names = {p.id: p.name for p in kb.platforms.values()}
        self._popular = [pid for pid in self.matching.popular if pid in self._names]
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

    def brand_named(self, text: str) -> str | None:
        """The brand we have no guide for that a short text names ("netflix", "Hinge (dating)"), if only one."""
        det = self.index.detect(tokens(_clean(text))[:12])
        return det.brands[0] if len(det.brands) == 1 and not det.platforms else None

    def find_platform(self, text: str) -> str | None:
        """Resolve a name, alias or typo ('linkdin', 'insta', 'LinkedIn') to a platform id."""
        toks = tokens(_clean(text))[:12]
        if not toks:
            return None
        if "-".join(toks) in self.kb.platforms:  # an id: "meta-ai" normalises to "meta ai"
            return "-".join(toks)
        det = self.index.detect(toks)
        content = [t for t in det.rest if t not in self.grammar.filler]
        if content and set(det.platforms) <= det.common_word_only:
            return None  # "<a href='x'>" is not X: an everyday word among other words names nothing
        subject, ambiguous = self.grammar.subject(det, toks)
        if subject:
            return subject
        best = self.suggest(text, limit=2)
        if not ambiguous and best and best[0].score >= 85 and (len(best) == 1 or best[0].score - best[1].score >= 5):
            return best[0].platform
        return None

    def suggest(self, prefix: str, limit: int = 25) -> list[Candidate]:
        """Autocomplete over names and aliases; an empty prefix lists the popular platforms first."""
        p = normalize(_clean(prefix)[:100])
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

    # reading a message ------------------------------------------------------------------------
    def mask(self, toks: list[str], det: Detection | None = None, subject: str | None = None) -> str:
        """The message as the judge reads it: every platform, brand and owner name becomes MASK, except an AI
        assistant asked about inside another app, which becomes HOSTED_MASK: removing it is switching a feature
        off, while removing an app is deleting an account."""
        if det is None:
            det = self.index.detect(toks)
            subject = self.grammar.subject(det, toks)[0]
        hosted = subject if subject in self._assistants and len(det.platforms) > 1 else None
        out = list(toks)
        for m in det.mentions:
            out[m.start] = HOSTED_MASK if m.pid == hosted else MASK
            for i in range(m.start + 1, m.end):
                out[i] = ""
        for i, t in enumerate(toks):
            if t in det.owners:
                out[i] = MASK
        lead = self.grammar.address_length(toks)
        if lead and len(toks) - lead >= 3:  # "guys, how do I..." is judged as "how do I..." ("hello there" stays)
            out = out[lead:]
        return " ".join(t for t in out if t)

    def _masked_examples(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for i, (text, label) in enumerate(self._examples):
            masked = self._masked_text(text)
            if masked and masked not in seen:
                seen[masked] = label
            if label != OUT and label not in GENERAL_TOPICS and MASK in masked.split():
                generic = GENERIC_NAMES[i % len(GENERIC_NAMES)]
                variant = " ".join(generic if t == MASK else t for t in masked.split())
                seen.setdefault(variant, label)
        return list(seen.items())

    def _masked_group_examples(self) -> list[tuple[str, bool]]:
        seen: dict[str, bool] = {}
        for text, is_remark in self._group:
            masked = self._masked_text(text)
            if masked:
                seen.setdefault(masked, is_remark)
        self._mask_memo.clear()  # the judge asks for this list after the other one: nothing left to share
        return list(seen.items())

    def _masked_text(self, text: str) -> str:
        """An example as the judge reads it ({p} is a platform), masked once for both of the judge's lists."""
        masked = self._mask_memo.get(text)
        if masked is None:
            masked = self._mask_memo[text] = self.mask(tokens(text.replace(PLACEHOLDER, " " + MASK + " ")))
        return masked

    def _languages(self, query: Query, raw: str, toks: list[str],
                   names: set[str] = frozenset()) -> tuple[str, str | None, str | None]:
        """(the language to answer in, the language asked in when we do not answer in it, the one detected).
        Names belong to no language: "como quito meta ai de whatsapp" reads as Portuguese with them, Spanish
        without."""
        words = [w for w in raw.split() if normalize_word(w) not in names] if names else []
        detected = language.detect(" ".join(words))[0] if len(words) >= 2 else None
        detected = detected or language.detect(raw)[0]  # too little left to tell: the names do help a bit
        if detected is None:  # "hola", "muchas gracias": too short for the model, but its small talk tells
            detected = self.grammar.small_talk_language(toks)
        if query.lang in LANGS:
            return query.lang, None, detected
        if detected in LANGS:
            return detected, None, detected
        fallback = query.fallback_lang if query.fallback_lang in LANGS else "en"
        return fallback, detected, detected

    def read(self, query: Query) -> tuple[Reading, str, str | None, str | None]:
        raw = _clean(query.text)
        toks = tokens(raw)
        reading_previous = query.previous if query.previous and query.previous[0] in self.kb.platforms else None
        det = self.index.detect(toks, raw, after=reading_previous[0] if reading_previous else None)
        names = {toks[i] for m in det.mentions for i in range(m.start, m.end)} | set(det.owners)
        lang, asked_in, written_in = self._languages(query, raw, toks, names) if toks else (
            query.lang if query.lang in LANGS else "en", None, None)
        subject, ambiguous = self.grammar.subject(det, toks)
        overheard = query.overheard and not self.grammar.addresses_bot(toks)
        content = [t for t in det.rest if t not in self.grammar.filler]

        masked = _once(lambda: self.mask(toks, det, subject))  # the names were found once, above

        def judge():
            return self.judge.score(masked())

        def remark():
            return self.judge.remark(masked())

        g = self.grammar
        self_hosted = _once(lambda: g.self_hosts(toks))
        facts = {  # worked out only when a rule reads them (policy.LazyReading)
            "question_like": lambda: g.looks_like_question(toks, raw),
            "crawler_named": lambda: self._names_crawler(raw, toks, det),
            "social_only": lambda: g.only_social(toks),
            "asks_how": lambda: g.asks_how(toks),
            "asks_an_opinion": lambda: g.asks_an_opinion(toks),
            "own_model": lambda: g.names_an_own_model(toks),
            "asks_for_a_control": lambda: g.asks_for_a_control(toks),
            "asks_if_it_forgets": lambda: g.asks_if_it_forgets(toks),
            "phones_ai": lambda: g.names_a_phones_ai(toks),
            "thanks": lambda: g.thanks_in(toks),
            "greets": lambda: g.greeting_in(toks),
            "same_again": lambda: g.asks_the_same_again(toks),
            "in_its_app": lambda: self._in_its_app(subject, det, toks),
            "switching_on": lambda: g.asks_to_switch_on(toks),
            "switching_off": lambda: g.asks_to_switch_off(toks),
            "taking_away": lambda: g.takes_away(toks),
            "a_choice": lambda: len(ambiguous) > 1 and g.offers_a_choice(det, toks),
            "in_previous_assistants_app": lambda: bool(
                reading_previous and subject in self.kb.platforms[reading_previous[0]].built_into),
            "hosts_sites": lambda: subject in self._site_hosts and not self_hosted(),
            "self_hosted_site": lambda: subject in self._site_hosts and self_hosted(),
            "letter_asked": lambda: g.asks_for_a_letter(toks),
            "asks_which_platforms": lambda: g.asks_which_platforms(toks),
            "asks_who_the_bot_is": lambda: g.asks_who_the_bot_is(det, toks),
            "deleting_what_was_said": lambda: g.names_what_was_said(toks) and not g.gets_back(toks),
            "speaks_of_posts": lambda: g.speaks_of_posts(det, toks),
        }
        region_named = g.region(toks, written_in)
        reading = LazyReading(
            facts, toks=toks, raw=raw, overheard=overheard, det=det, subject=subject, ambiguous=ambiguous,
            bare=bool(det.mentions) and not content and not det.owners, region_named=region_named,
            objection_right_there=region_named in g.right_to_object, previous=reading_previous,
            judge=judge, remark=remark)
        region = query.region or reading.region_named
        return reading, lang, asked_in, region

    def _in_its_app(self, subject: str | None, det: Detection, toks: list[str]) -> bool:
        """An AI assistant named beside an app of the same owner (Meta AI and WhatsApp, Copilot and Word), or in a
        chat of an app it is built into ("como se quita meta ai de este grupo"): a feature inside that app. Two
        assistants compared, or Alexa with Spotify, are not."""
        if subject not in self._assistants:
            return False
        if self.kb.platforms[subject].built_into and self.grammar.names_a_chat(toks):
            return True
        owner = self.kb.platforms[subject].owner
        return any(pid != subject and pid in self.kb.platforms and pid not in self._assistants
                   and self.kb.platforms[pid].owner == owner for pid in det.platforms)

    def _names_crawler(self, raw: str, toks: list[str], det: Detection) -> bool:
        """A crawler's user agent ("GPTBot"), or a crawler named by its company with no other company's platform
        beside it ("openai's crawler" on my site; "google's crawler ... my reddit posts" is about Reddit)."""
        if self._crawlers and self._crawlers.search(raw.casefold()):
            return True
        return (det.platforms.keys() <= self._crawler_operators_platforms
                and self.grammar.names_a_crawler_of(toks, self._crawler_operators))

    # the verdict -------------------------------------------------------------------------------
    def answer(self, query: Query) -> Answer:
        reading, lang, asked_in, region = self.read(query)
        d: Decision = decide(reading, self.tuning)
        status = d.status
        reason = d.reason
        if reading.overheard and status != "answer":
            status, reason = "abstain", reason if status == "abstain" else "group-silent"
        candidates = d.candidates
        if d.status == "clarify" and not candidates:
            owner = d.hints.get("owner")
            candidates = tuple(self.index.owner_platforms(owner)) if owner else tuple(
                self.matching.phone_platforms if d.reason == "phone" else self._popular)
        score = d.score if d.status == "answer" else 0.0
        hints = dict(d.hints)
        if reading.letter_asked and (status == "answer" or reason == "uncovered"):
            hints["letter"] = True  # "write me an objection letter for instagram": the letter, not the guide
        if asked_in:
            hints["asked_in"] = asked_in
        return Answer(status, d.platform, d.topic, score,
                      tuple(self.candidate(pid, score) for pid in candidates if pid in self._names),
                      lang, region, reason, hints)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return Engine.load()
