"""Find the platforms a message names: an alias index, typo tolerance within guards, owners, uncovered brands.

Why not a fuzzy scan over everything: an exact n-gram lookup of aliases costs microseconds. Only unknown words
of 5+ letters are compared by edit distance (rapidfuzz OSA), and only against aliases with the same first
letter, so "credit" never reads as "reddit". A word the knowledge base uses in its questions, or a well-known
brand we have no guide for ("telegram", "spotify"), is never read as a typo of a platform name.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz.distance import OSA

from . import normalize as normalize_module
from .cache import cached_words
from .knowledge import KnowledgeBase, KnowledgeError, UniqueKeyLoader, default_root, load_yaml
from .normalize import tokens as tokenize
from .vocab import MATCH_LANGS, REGIONS

BRAND = "brand:"  # prefix of an uncovered brand's id in the alias index
QUESTION_OPENER_WITHIN = 3  # a question word among the first words after any address opens a question
ELISIONS = ("d", "l")  # French and Italian "d'instagram", "l'iphone" read as one word once the apostrophe is gone
LONG_ELISIONS = ("dall", "dell", "nell", "all", "sull")  # Italian "dall'italia", "nell'ue": places are named after these
TRAINING_BEFORE_WITHIN = 3  # "treino de [ia da meta]": a training word this close before an assistant's name
IDENTITY_TRAILER_MAX = 5  # "are you an official meta bot or what": a few words after the name, not a second question
CALLING_ON_MAX_TOKENS = 5  # "artists in the chat, how do you...", "quick q for the group: how do i...": the words
#                            before the comma or colon call on people
_CLAUSE_END = re.compile(r"\s*[,:;\u2013\u2014]\s*|\s+-+\s+")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Brand(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)
    owner: str | None = None  # a covered platform's owner ("OpenAI" for Sora): its name beside the brand is family
    # its one-word name when that is also an everyday word ("booking", "chase", "cursor"): the brand only in a question
    # about AI training that names nothing else, where "which platform?" would be asked instead
    word: str | None = None


class BotIdentity(_Strict):
    asking: list[str] = []  # "are you", "eres", "bist du"
    between: list[str] = []  # what may stand between them and the name: "an official", "made by", "un bot de"


class MatchingFile(_Strict):
    """knowledge/matching.yaml: grammar and geography the matcher needs besides the cards."""

    popular: list[str] = Field(min_length=1)
    not_platforms: list[str] = []
    region_words: dict[str, list[str]] = {}
    right_to_object: list[str] = []  # regions (keys of region_words) whose law gives a right to object
    not_region_in: dict[str, list[str]] = {}  # region words that are ordinary words in a language ("eu" in pt)
    accented_words: list[str] = []  # words that lose their accents into a brand's name ("über" is not Uber)
    question_openers: dict[str, list[str]] = {}
    context_markers: dict[str, list[str]] = {}
    conjunctions: list[str] = []
    alternatives: list[str] = []  # the conjunctions that offer a choice ("gemini or chatgpt for my thesis?")
    articles: list[str] = []
    filler: list[str] = []
    bot_names: list[str] = []
    greetings: list[str] = []
    vocatives: list[str] = []
    acknowledgements: list[str] = []
    asking_how: list[str] = []  # "how", "como", "wie": asking how to do something
    opinion_asked: list[str] = []  # "what do you think", "que opinas", "secondo te": the bot's view is asked
    own_model: list[str] = []  # "my own ai model", "eine eigene ki": a model the person trains
    control_words: list[str] = []  # "setting", "opzione", "where": a control asked for, which is some platform's
    not_one_control: list[str] = []  # "all", "en general", "by default": ...unless asked of all of them
    forgetting: list[str] = []  # "grok los olvida?", "does it forget": whether what was learnt is undone
    forgetting_not: list[str] = []  # "forget it, how do i delete it": the word used otherwise
    phone_words: list[str] = []  # "phone", "celular", "handy": a phone named for its AI
    ai_words: list[str] = []  # "ai", "ia", "ki", "intelligenza artificiale"
    phone_platforms: list[str] = []  # the platforms that put AI on phones: "the ai on my phone" is one of them
    small_talk: dict[str, list[str]] = {}  # by language: "how are you", "ça va": a greeting back, no answer
    thanks: dict[str, list[str]] = {}  # by language: "thanks", "merci": a "you're welcome"
    same_again: list[str] = []
    excluding: list[str] = []  # a platform named just after these is left out ("without killing my instagram")
    together: list[str] = []  # the platforms named are asked about together ("chatgpt vs gemini, stop both")
    context_after_name: list[str] = []  # "the insta one": a name followed by these is context
    inside_words: list[str] = []  # "copilot in word": a product word after these, beside a sibling, is the product
    posted_content: list[str] = []  # what people post: beside an assistant, the platform holding it is the subject
    chats: list[str] = []  # a chat inside an app ("this group"): where an assistant built into it shows up
    switch_on: list[str] = []  # asking to get or switch on a feature ("como activo meta ai en whatsapp")
    switch_off: list[str] = []  # ...and to be rid of one: with these the message is a refusal after all
    separable_off: dict[str, list[str]] = {}  # German: verbs and the particles that end their clause ("schalte...aus")
    separable_off_then: list[str] = []  # words that may follow such a particle at the end ("...aus bitte")
    everyday_before: dict[str, list[str]] = {}  # an everyday-word alias followed by these is that word ("x q")
    everyday_after: dict[str, list[str]] = {}  # an everyday-word alias after these is that word ("an illustrator")
    name_senses: dict[str, dict[str, list[str]]] = {}  # a name two platforms share, and the words that pick one
    site_hosts: list[str] = []  # categories of platforms hosting people's sites, with their own AI-crawler setting
    training_beside_name: list[str] = []  # "meta ai training on instagram": the owner's training of the app's data
    objecting: list[str] = []  # "opposition meta ia sur facebook": an objection to the owner's use of the app's data
    objecting_through: list[str] = []  # ...made through the app's form where it is of these categories (social)
    assistant_nouns: list[str] = []  # "zuck's chatbot": a company named for its AI assistant
    of_words: list[str] = []  # "el chatbot de google": the word between the noun and the company
    crawler_nouns: list[str] = []  # "openai's crawler": a crawler named by its company
    self_hosted: list[str] = []  # a site on one's own server ("my self-hosted wordpress"): no host's setting
    letter_words: list[str] = []  # asking for a letter to be written ("write me an objection letter")
    other_letters: list[str] = []  # letters that are not an objection ("cover letter")
    comparing: list[str] = []  # "the difference between x and y": names joined by "and" compared, not asked about
    moving: list[str] = []  # "moved", "me pasé": moving from one platform to another...
    moving_from: list[str] = []  # ...from the one named after these ("from x", "left x")...
    moving_to: list[str] = []  # ...to the one named after these ("to bluesky"): the subject
    which_platforms: list[str] = []  # "which platforms", "quali app": asking which of them (names none)
    said_to_assistants: list[str] = []  # chats, history, what I asked: what deleting an assistant's data deletes
    getting_back: list[str] = []  # recover, back up, download: keeping what one has, not deleting it
    negations: list[str] = []  # "not", "nicht": a self-hosted site denied right before is not one
    owner_nicknames: dict[str, list[str]] = {}  # owner (as in the platform files) -> names that stand for it ("zuck")
    bot_identity: BotIdentity = BotIdentity()  # "are you an official meta bot?": who the bot is, asked by a name


class _WordsLoader(UniqueKeyLoader):
    """YAML for word lists: 'on', 'no', 'y' are words here, never booleans; a key twice is refused."""


_WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in UniqueKeyLoader.yaml_implicit_resolvers.items()}


def load_matching(kb: KnowledgeBase, root: Path | None = None) -> tuple[MatchingFile, list[Brand]]:
    root = Path(root) if root else default_root()
    problems: list[str] = []
    loader = _WordsLoader
    matching = brands = None
    try:
        matching = MatchingFile.model_validate(load_yaml((root / "matching.yaml").read_text("utf-8"), loader))
        for r in matching.region_words:
            if r not in REGIONS:
                problems.append(f"knowledge/matching.yaml: region_words: unknown region {r!r}")
        for lang in [*matching.question_openers, *matching.context_markers, *matching.small_talk, *matching.thanks]:
            if lang not in MATCH_LANGS:
                problems.append(f"knowledge/matching.yaml: unknown language {lang!r}")
        for field_name in ("popular", "phone_platforms"):
            for pid in getattr(matching, field_name):
                if pid not in kb.platforms:
                    problems.append(f"knowledge/matching.yaml: {field_name}: unknown platform {pid!r}")
    except ValidationError as e:
        problems.extend(f"knowledge/matching.yaml: {'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
    except (OSError, yaml.YAMLError) as e:  # DuplicateKeyError is a YAMLError
        problems.append(f"knowledge/matching.yaml: {str(e).splitlines()[0]}")
    try:
        data = load_yaml((root / "brands.yaml").read_text("utf-8"), loader)
        brands = [Brand.model_validate(b) for b in data["brands"]]
        problems.extend(f"knowledge/brands.yaml: {b.name}: word {b.word!r} is not one word" for b in brands
                        if b.word and len(tokenize(b.word)) != 1)
        owners = {p.owner for p in kb.platforms.values()}
        problems.extend(f"knowledge/brands.yaml: {b.name}: owner {b.owner!r} owns no platform here"
                        for b in brands if b.owner and b.owner not in owners)
    except FileNotFoundError:
        brands = []
    except Exception as e:
        problems.append(f"knowledge/brands.yaml: {str(e).splitlines()[0]}")
    if problems:
        raise KnowledgeError(problems)
    return matching, brands


REAL_NAME, EVERYDAY_NAME, MISSPELT_NAME = 101.0, 100.0, 96.0


@dataclass
class Mention:
    pid: str  # platform id, or BRAND + name
    start: int  # token index
    end: int
    strength: float  # REAL_NAME, EVERYDAY_NAME, MISSPELT_NAME ("linkdin"), or lower: a typo's guess ("queria")
    common_word: bool = False
    company: bool = False  # "google" beside Gemini, "amazon" beside Alexa: the owner, not its own platform
    owned: frozenset[str] = frozenset()  # a company's name ("google"): every platform it owns
    elided: str = ""  # the French/Italian word elided into the name: "d" in "d'instagram" (of), "l" (the)


@dataclass
class Detection:
    mentions: list[Mention] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)  # owner names ("meta") that are not aliases
    owner_at: list[tuple[int, list[str]]] = field(default_factory=list)  # (token index, that owner's platforms)
    rest: list[str] = field(default_factory=list)  # tokens not used by a name
    word_brands: list[str] = field(default_factory=list)  # brands named only by an everyday word (Brand.word)

    @property
    def platforms(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for m in self.mentions:
            if not m.pid.startswith(BRAND):
                out[m.pid] = max(out.get(m.pid, 0.0), m.strength)
        return out

    @property
    def common_word_only(self) -> set[str]:
        real = {m.pid for m in self.mentions if not m.common_word}
        return {m.pid for m in self.mentions if m.common_word and m.pid not in real}

    @property
    def brands(self) -> list[str]:
        return list(dict.fromkeys(m.pid.removeprefix(BRAND) for m in self.mentions if m.pid.startswith(BRAND)))


def _word_vocab(alias: dict[tuple[str, ...], str], not_platforms: list[str],
                vocab_texts: list[tuple[str, str | None]]) -> frozenset[str]:
    """Every word the knowledge base's own phrasings use is a word, not a typo of a platform name; except, in a
    platform's own phrasings, words close to its own names ("linkdin" among LinkedIn's questions)."""
    own_names: dict[str, list[str]] = {}
    for key, pid in alias.items():
        if len(key) == 1:
            own_names.setdefault(pid, []).append(key[0])
    vocab = {t for w in not_platforms for t in tokenize(w)}
    where: dict[str, set] = {}
    for text, pid in vocab_texts:
        for t in tokenize(text):
            where.setdefault(t, set()).add(pid)
    for t, pids in where.items():
        # a word near a platform's own names, used only in that platform's phrasings, is a typo of it
        if any(pid is None or not any(OSA.distance(t, a, score_cutoff=2) <= 2 for a in own_names.get(pid, ()))
               for pid in pids):
            vocab.add(t)
    return frozenset(vocab - {k[0] for k in alias if len(k) == 1})


def _vocab_inputs(alias: dict[tuple[str, ...], str], not_platforms: list[str],
                  vocab_texts: list[tuple[str, str | None]]) -> list[str]:
    """What the vocabulary is computed from, including the code that computes it (tokens come from normalize)."""
    return [Path(__file__).read_text(encoding="utf-8"), Path(normalize_module.__file__).read_text(encoding="utf-8"),
            *(f"{' '.join(k)}\t{pid}" for k, pid in sorted(alias.items())), "", *not_platforms, "",
            *(f"{pid or ''}\t{text}" for text, pid in vocab_texts)]


class PlatformIndex:
    def __init__(self, kb: KnowledgeBase, matching: MatchingFile, brands: list[Brand],
                 vocab_texts: list[tuple[str, str | None]] = ()):
        self.alias: dict[tuple[str, ...], str] = {}
        self.common: set[tuple[str, ...]] = set()
        self.elided: dict[tuple[str, ...], str] = {}  # "dinstagram" -> "d"
        ordinary = {tuple(tokenize(w)) for w in matching.not_platforms}
        for p in kb.platforms.values():
            if p.id == "general":
                continue  # the general cards are reached by what is asked, never by the word "general"
            common = {tuple(tokenize(a)) for a in p.common_word_aliases}
            for a in [p.name, *p.aliases]:
                toks = tuple(tokenize(a))
                # "d'instagram", "l'ia di meta": French and Italian elide the article or "of" into a name that starts
                # with a vowel; a short word so elided is a name only inside a longer alias ("l'ia di meta": Meta AI)
                vowel_initial = bool(toks and toks[0]) and toks[0][0] in "aeiou" and (
                    len(toks) > 1 or len(toks[0]) >= 5)
                elided = {(e + toks[0], *toks[1:]) for e in ELISIONS} if vowel_initial else set()
                for v in {toks, ("".join(toks),), tuple(t.removesuffix(".com") for t in toks), *elided}:
                    if v != toks and v in ordinary:
                        continue  # "dall e" written as one word is Italian "dalle" ("from the"), not DALL-E
                    if v and v[0] and v not in self.alias:
                        self.alias[v] = p.id
                        if v in elided:
                            self.elided[v] = v[0][0]
                        if toks in common:
                            self.common.add(v)
        # "word" -> microsoft-365: a name only beside its owner, or after an answer about the owner's other platform
        self.product_words = {t: p.id for p in kb.platforms.values() for w in p.product_words for t in tokenize(w)}
        self.brand_names: dict[str, str] = {}
        for b in brands:
            for a in [b.name, *b.aliases]:
                toks = tuple(tokenize(a))
                if toks and toks not in self.alias:  # a brand that gained a platform file is that platform now
                    self.alias[toks] = BRAND + b.name
        # "booking" -> "Booking.com" (Brand.word: one word, kb check says so), unless a covered platform has that name
        self.brand_words = {}
        for b in brands:
            word = tokenize(b.word)[0] if b.word else None
            if word and self.alias.get((word,), BRAND).startswith(BRAND):
                self.brand_words[word] = b.name
        def by_alias(words_of: dict[str, list[str]]) -> dict[tuple[str, ...], set[str]]:
            return {tuple(tokenize(a)): {t for w in words for t in tokenize(w)} for a, words in words_of.items()}

        self.everyday_before = by_alias(matching.everyday_before)
        self.everyday_after = by_alias(matching.everyday_after)
        self.articles = {t for w in matching.articles for t in tokenize(w)}
        self.accented: dict[tuple[str, ...], re.Pattern] = {}  # "uber" -> "über" as written: the word, not Uber
        for w in matching.accented_words:
            self.accented[tuple(tokenize(w))] = re.compile(rf"\b{re.escape(w.casefold())}\b")
        # "copilot ... my repos" is GitHub's: alias -> [(platform, the words that choose it)]
        self.senses = {tuple(tokenize(a)): [(pid, {tuple(tokenize(w)) for w in words}) for pid, words in by.items()]
                       for a, by in matching.name_senses.items()}
        self.max_n = max((len(k) for k in self.alias), default=1)
        # the words a name of several words can start with: its own first word ("google photos"), or the start of
        # a one-word name split in two ("linked in"); a window starting with any other word cannot be a name
        self.name_heads = frozenset({k[0] for k in self.alias if len(k) > 1}
                                    | {k[0][:j] for k in self.alias if len(k) == 1 for j in range(1, len(k[0]))})
        owner_map: dict[tuple[str, ...], list[str]] = {}
        for p in kb.platforms.values():
            if p.id != "general":
                owner_map.setdefault(tuple(tokenize(p.owner.split("(")[0].split(",")[0])), []).append(p.id)
        self.owners = {k: sorted(v) for k, v in owner_map.items() if k and k not in self.alias and len(v) > 1}
        for owner, nicknames in matching.owner_nicknames.items():  # "zuck" is Meta
            platforms = self.owners.get(tuple(tokenize(owner)))
            for nickname in nicknames if platforms else ():
                self.owners.setdefault(tuple(tokenize(nickname)), platforms)
        # a company whose name is also one of its platforms' ("google", "amazon"): beside another of its platforms
        # it is the company ("object to google using my data for gemini" is about Gemini)
        self.companies = {k: set(v) for k, v in owner_map.items() if k in self.alias and len(v) > 1}
        self.siblings = {pid: set(v) - {pid} for v in owner_map.values() for pid in v}  # the same owner's others
        assistants = {key: [pid for pid in pids if kb.platforms[pid].category == "ai-assistant"]
                      for key, pids in {**owner_map, **self.owners}.items()}
        self.owner_assistant = {key: found[0] for key, found in assistants.items() if len(found) == 1}
        self.assistant_nouns = Phrases(matching.assistant_nouns)
        self.posted_content = frozenset(t for w in matching.posted_content for t in tokenize(w))
        self.inside_words = Phrases(matching.inside_words)
        self.of_words = frozenset(matching.of_words)
        self.fuzzy: dict[str, list[tuple[str, str]]] = {}
        for key, pid in self.alias.items():
            if len(key) == 1 and len(key[0]) >= 4 and key[0].isalpha() and not pid.startswith(BRAND):
                self.fuzzy.setdefault(key[0][0], []).append((key[0], pid))
        self.vocab = cached_words("vocab", _vocab_inputs(self.alias, matching.not_platforms, vocab_texts),
                                  lambda: _word_vocab(self.alias, matching.not_platforms, vocab_texts))
        self._fuzzy = lru_cache(maxsize=4096)(self._fuzzy_uncached)

    def _fuzzy_uncached(self, tok: str) -> tuple[str, float, bool] | None:
        if len(tok) < 5 or tok in self.vocab or not tok[0].isalpha():
            return None
        limit = 1 if len(tok) < 6 else 2
        best = None
        for alias, pid in self.fuzzy.get(tok[0], ()):
            if abs(len(alias) - len(tok)) > limit:
                continue
            d = OSA.distance(tok, alias, score_cutoff=limit)
            if d == 2 and tok[-1] != alias[-1] and not tok.startswith(alias[:-1]):
                continue  # two edits and another ending, not the name with a suffix ("youtubers"): a word of its
                #           own ("opinas" is not openai)
            if d == 2 and (alias,) in self.common:
                continue  # two slips from an everyday word is another word ("officiel" is not office)
            if d <= limit and (best is None or d < best[1]):
                dropped = len(alias) > len(tok) and (alias,) not in self.elided  # "gemni"; not "dista" ("d'insta")
                best = (pid, d, (alias,) in self.common, tok.startswith(alias) or alias.startswith(tok), dropped)
        if best is None:
            return None
        pid, d, common, affixed, dropped = best
        # one slip inside a long name ("linkdin", "instagarm", or a letter dropped from one: "gemni") is that name
        # misspelt; the name with a letter more or less at the end is often a word of its own ("illustratore"), and
        # two slips a guess ("queria" for quora)
        strength = MISSPELT_NAME if d == 1 and (len(tok) >= 6 or dropped) and not affixed else 100.0 - 8.0 * d
        return pid, strength, common

    def detect(self, toks: list[str], raw: str = "", after: str | None = None) -> Detection:
        """The names in a message's tokens; `raw`, the message as written, tells "über" from Uber; `after`, the
        platform just answered about, lets a product's everyday-word name stand for its platform ("and in word?")."""
        det = Detection()
        n = len(toks)
        used = [False] * n
        everyday: set[int] = set()
        heads = self.name_heads
        for size in range(min(self.max_n, n), 0, -1):
            for i in range(n - size + 1):
                if size > 1 and toks[i] not in heads or any(used[i:i + size]):
                    continue
                key = tuple(toks[i:i + size])
                pid = self.alias.get(key)
                if pid is None and size > 1:
                    key = ("".join(key),)
                    pid = self.alias.get(key)
                if pid is None:
                    continue
                if key in self.accented and pid.startswith(BRAND) and self.accented[key].search(raw.casefold()):
                    everyday.update(range(i, i + size))  # "was speicherst du über mich": not Uber
                    continue
                common = key in self.common
                if common and self._as_a_word(toks, i, key):
                    everyday.update(range(i, i + size))  # "x q no usen...": the Spanish "por", not X;
                    continue  # "i'm an illustrator": a person, not Adobe Illustrator (nor a typo of it)
                used[i:i + size] = [True] * size
                det.mentions.append(Mention(pid, i, i + size, EVERYDAY_NAME if common else REAL_NAME, common,
                                            elided=self.elided.get(key, "")))
        products: list[int] = []
        for i, t in enumerate(toks):
            if used[i] or i in everyday:
                continue
            if t in self.product_words:
                if not self._as_a_word(toks, i, (t,)):
                    products.append(i)  # not "copilot helped me word my email"
                continue
            owner = self.owner_platforms(t, possessive=not (i and toks[i - 1] in self.articles))  # not "mis metas"
            if owner:
                used[i] = True
                det.owners.append(t)
                det.owner_at.append((i, owner))
                continue
            hit = self._fuzzy(t)
            if hit:
                used[i] = True
                det.mentions.append(Mention(hit[0], i, i + 1, hit[1], hit[2]))
        if products:  # "microsoft ... excel", "and in word?" after Copilot
            owned = {pid for _, pids in det.owner_at for pid in pids}
            siblings = {pid for m in det.mentions for pid in self.siblings.get(m.pid, ())}
            if self.posted_content.intersection(toks):  # "copilot in word and excel ... our company docs"
                owned |= siblings
            else:  # "the copilot thing in word": the product, where it is used
                owned |= {self.product_words[toks[i]] for i in products
                          if self.inside_words.ending_at(toks, i) and self.product_words[toks[i]] in siblings}
            if after:
                owned |= self.siblings.get(after, set()) | {after}
            for i in products:
                if self.product_words[toks[i]] in owned:
                    used[i] = True
                    det.mentions.append(Mention(self.product_words[toks[i]], i, i + 1, EVERYDAY_NAME, True))
        det.mentions.sort(key=lambda m: m.start)
        det.rest = [t for i, t in enumerate(toks) if not used[i]]
        if not self.brand_words.keys().isdisjoint(det.rest):
            det.word_brands = list(dict.fromkeys(self.brand_words[t] for t in det.rest if t in self.brand_words))
        if self.senses:
            det.mentions = [self._sense(m, toks) for m in det.mentions]
        for m in det.mentions:
            m.owned = frozenset(self.companies.get(tuple(toks[m.start:m.end]), ()))
        self._owners_assistant(det, toks)
        named = {m.pid for m in det.mentions}  # after the senses: the platforms as finally read
        for m in det.mentions:
            m.company = bool(named & m.owned - {m.pid})
        return det

    def _as_a_word(self, toks: list[str], i: int, key: tuple[str, ...]) -> bool:
        """The everyday word, not the name, by the word after or before it (matching.yaml everyday_before/after)."""
        end = i + len(key)
        return (end < len(toks) and toks[end] in self.everyday_before.get(key, ())
                or i > 0 and toks[i - 1] in self.everyday_after.get(key, ()))

    def _owners_assistant(self, det: Detection, toks: list[str]) -> None:
        """'zuck's chatbot', 'google's assistant', 'el chatbot de google': a company named for its AI assistant (the
        one platform of category ai-assistant it owns) is that assistant."""
        spots = [(i, i + 1, None) for i, _ in det.owner_at] + [(m.start, m.end, m) for m in det.mentions if m.owned]
        for start, end, mention in spots:
            pid = self.owner_assistant.get(tuple(toks[start:end]))
            if not pid:
                continue
            after = self.assistant_nouns.length_at(toks, end)
            before = start >= 2 and toks[start - 1] in self.of_words and self.assistant_nouns.ending_at(toks, start - 1)
            if not (after or before):
                continue
            if mention:
                det.mentions.remove(mention)
            else:
                k = next(k for k, (i, _) in enumerate(det.owner_at) if i == start)
                del det.owner_at[k], det.owners[k]
            det.mentions.append(Mention(pid, start, end, REAL_NAME))
        det.mentions.sort(key=lambda m: m.start)

    def _sense(self, m: Mention, toks: list[str]) -> Mention:
        for pid, words in self.senses.get(tuple(toks[m.start:m.end]), ()):
            if any(tuple(toks[i:i + len(w)]) == w for w in words for i in range(len(toks))):
                return replace(m, pid=pid)
        return m

    def owner_platforms(self, owner: str, possessive: bool = True) -> list[str]:
        """An owner's platforms, by its name or its possessive written without the apostrophe ("amazons ai")."""
        found = self.owners.get((owner,))
        if not found and possessive and owner.endswith("s"):
            found = self.owners.get((owner[:-1],))
        return found or []


class Phrases:
    """Multi-word phrases from matching.yaml, found in a token list."""

    def __init__(self, phrases):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in phrases:
            toks = tuple(tokenize(p))
            if toks:
                self.by_first.setdefault(toks[0], []).append(toks)

    def length_at(self, toks: list[str], i: int) -> int:
        """The length of the longest phrase starting at token index `i` (0: none)."""
        phrases = self.by_first.get(toks[i]) if i < len(toks) else None
        if not phrases:  # most words start no phrase
            return 0
        return max((len(ph) for ph in phrases if tuple(toks[i:i + len(ph)]) == ph), default=0)

    def prefix_length(self, toks: list[str]) -> int:
        """How many tokens at the start are made of these phrases, one after another."""
        i = 0
        while size := self.length_at(toks, i):
            i += size
        return i

    def ending_at(self, toks: list[str], end: int) -> bool:
        """Whether a phrase ends right before token index `end`."""
        for size in range(1, 4):
            i = end - size
            if i < 0:
                break
            if tuple(toks[i:end]) in self.by_first.get(toks[i], ()):
                return True
        return False

    def find(self, toks: list[str]) -> list[tuple[str, ...]]:
        found = []
        for i, t in enumerate(toks):
            for ph in self.by_first.get(t, ()):
                if tuple(toks[i:i + len(ph)]) == ph:
                    found.append(ph)
        return found


class Grammar:
    """Regions, question openers, context markers, conjunctions and filler, from matching.yaml."""

    def __init__(self, m: MatchingFile, assistants: frozenset[str] = frozenset(),
                 owners: dict[str, str] | None = None, built_into: dict[str, frozenset[str]] | None = None,
                 objected_through: frozenset[str] = frozenset()):
        self.assistants = assistants  # AI assistants: they learn from what is posted elsewhere, they hold no posts
        self.objected_through = objected_through  # apps whose own form takes an objection to their owner's AI
        self.training_words = frozenset(t for w in m.training_beside_name for t in tokenize(w))
        self.objecting = Phrases(m.objecting)
        self.built_into = built_into or {}  # an assistant -> the apps it is built into (its card covers it there)
        self.owners = owners or {}  # platform (and BRAND + an uncovered brand of a covered owner) -> its owner
        self.posted_content = {t for w in m.posted_content for t in tokenize(w)}
        region_of = {tuple(tokenize(w)): r for r, words in m.region_words.items() for w in words}
        for key, r in list(region_of.items()):  # "depuis l'europe", "dall'italia", "nell'ue"
            if len(key) == 1 and key[0][:1] in tuple("aeiou"):
                short = ELISIONS if len(key[0]) >= 4 else ()  # "d'eu" would be Portuguese "deu"
                for e in (*short, *LONG_ELISIONS):
                    region_of.setdefault((e + key[0],), r)
        self.region_of = region_of
        self.regions = Phrases([" ".join(k) for k in region_of])
        self.right_to_object = set(m.right_to_object)
        self.not_region_in = {lang: {tuple(tokenize(w)) for w in words} for lang, words in m.not_region_in.items()}
        self.openers = {t for words in m.question_openers.values() for w in words for t in tokenize(w)}
        self.context = Phrases([w for words in m.context_markers.values() for w in words])
        self.context_after = Phrases(m.context_after_name)
        self.conjunctions = {t for w in m.conjunctions for t in tokenize(w)}
        self.alternatives = {t for w in m.alternatives for t in tokenize(w)}
        self.comparing = Phrases(m.comparing)
        self.moving, self.moving_from, self.moving_to = Phrases(m.moving), Phrases(m.moving_from), Phrases(m.moving_to)
        self.articles = {t for w in m.articles for t in tokenize(w)}
        self.filler = {t for w in m.filler for t in tokenize(w)}
        self.bot_names = Phrases(m.bot_names)
        self.greetings = {t for w in m.greetings for t in tokenize(w)}
        self.openings = Phrases([*m.greetings, *m.vocatives, *m.bot_names])
        small_talk = [w for words in m.small_talk.values() for w in words]
        thanks = [w for words in m.thanks.values() for w in words]
        self.social = Phrases([*m.greetings, *m.vocatives, *m.bot_names, *m.acknowledgements, *small_talk, *thanks])
        self.greeting_words = Phrases([*m.greetings, *small_talk])
        self.thanks = Phrases(thanks)
        self.asking_how = {t for w in m.asking_how for t in tokenize(w)}
        self.opinion_asked = Phrases(m.opinion_asked)
        self.own_model = Phrases(m.own_model)
        self.control_words, self.not_one_control = set(m.control_words), set(m.not_one_control)
        self.forgetting, self.forgetting_not = Phrases(m.forgetting), Phrases(m.forgetting_not)
        self.phone_words, self.ai_words = Phrases(m.phone_words), Phrases(m.ai_words)
        self.small_talk_in = {lang: Phrases([*m.small_talk.get(lang, ()), *m.thanks.get(lang, ())])
                              for lang in {*m.small_talk, *m.thanks}}
        self.same_again = Phrases(m.same_again)
        self.excluding = Phrases(m.excluding)
        self.together = Phrases(m.together)
        self.chats = Phrases(m.chats)
        self.switch_on = Phrases(m.switch_on)
        self.switch_off = Phrases(m.switch_off)
        self.separable_verbs = set(m.separable_off.get("verbs", ()))
        self.separable_particles = set(m.separable_off.get("particles", ()))
        self.separable_then = set(m.separable_off_then)
        self.letter = Phrases(m.letter_words)
        self.other_letters = Phrases(m.other_letters)
        self.which_platforms = Phrases(m.which_platforms)
        self.identity_asking = Phrases(m.bot_identity.asking)
        self.identity_between = Phrases(m.bot_identity.between)
        self.self_hosted = Phrases(m.self_hosted)
        self.crawler_nouns = Phrases(m.crawler_nouns)
        self.said = Phrases(m.said_to_assistants)
        self.getting_back = Phrases(m.getting_back)
        self.negations = {t for w in m.negations for t in tokenize(w)}
        # denying the name right after: "not fb itself" (Portuguese "no whatsapp" is in WhatsApp: inside_words)
        self.denying = self.negations - {t for w in m.inside_words for t in tokenize(w)}

    def only_social(self, toks: list[str]) -> bool:
        """'lol', 'thanks!', 'ok cool', 'hey how are you': nothing asked."""
        return bool(toks) and self.social.prefix_length(toks) == len(toks)

    def thanks_in(self, toks: list[str]) -> bool:
        """'thanks!', 'ok merci': a "you're welcome" is owed (read beside only_social)."""
        return bool(self.thanks.find(toks))

    def greeting_in(self, toks: list[str]) -> bool:
        """'hey how are you', 'ça va?': a greeting is owed back (read beside only_social)."""
        return bool(self.greeting_words.find(toks))

    def names_a_phones_ai(self, toks: list[str]) -> bool:
        """'the ai on my phone', 'la ia del celular': an AI word and a phone word."""
        return bool(self.phone_words.find(toks)) and bool(self.ai_words.find(toks))

    def asks_how(self, toks: list[str]) -> bool:
        """'how do we opt out then', 'e como tiro isso': asks how to do something (in its first four words)."""
        return not self.asking_how.isdisjoint(toks[:4])

    def asks_an_opinion(self, toks: list[str]) -> bool:
        """'que opinas de que meta entrene ia con nuestras fotos?': the bot's view is wanted; not when it also asks
        how, or to take something away ("what do you think, should i turn it off?")."""
        return bool(self.opinion_asked.find(toks)) and not (self.asks_how(toks) or self.takes_away(toks))

    def names_an_own_model(self, toks: list[str]) -> bool:
        """'how do i train my own ai model on my photos': a model of one's own, and nothing asked to be taken away."""
        return bool(self.own_model.find(toks)) and not self.takes_away(toks)

    def asks_for_a_control(self, toks: list[str]) -> bool:
        """'where's the opt out setting for ai training', 'il y a un réglage pour refuser l'ia ?': one platform's
        setting, form or link; not 'general tips to protect my data, where do i start' or 'what does opt-out by default
        mean'."""
        return not self.control_words.isdisjoint(toks) and self.not_one_control.isdisjoint(toks)

    def asks_if_it_forgets(self, toks: list[str]) -> bool:
        """'si borro mis tuits, grok los olvida?': whether what was learnt goes away; not 'forget it, ...'."""
        return bool(self.forgetting.find(toks)) and not self.forgetting_not.find(toks)

    def small_talk_language(self, toks: list[str]) -> str | None:
        """The language of the small talk in a message ("hola", "muchas gracias", "hallo wie gehts"): the one whose
        phrases cover most of its words. Too few words for the language model, but these tell."""
        covered = {lang: sum(map(len, phrases.find(toks))) for lang, phrases in self.small_talk_in.items()}
        best = max(covered, key=covered.get, default=None)
        return best if best and covered[best] else None

    def names_a_chat(self, toks: list[str]) -> bool:
        return bool(self.chats.find(toks))

    def asks_to_switch_on(self, toks: list[str]) -> bool:
        """'how do i turn on meta ai in whatsapp', 'como ativo a meta ai no zap': wanting the feature, not rid of
        it ("i turned it on by mistake, how do i remove it" is a refusal)."""
        return bool(self.switch_on.find(toks)) and not self.takes_away(toks)

    def asks_to_switch_off(self, toks: list[str]) -> bool:
        """'como quito meta ai del whatsapp', 'get rid of it': a feature taken away, not what was said to it."""
        return self.takes_away(toks) and not self.names_what_was_said(toks)

    def takes_away(self, toks: list[str]) -> bool:
        """A word of taking something away, whatever is taken ("quitar", "delete my chats", "schalte ... aus")."""
        return bool(self.switch_off.find(toks)) or self._separable_off(toks)

    def _separable_off(self, toks: list[str]) -> bool:
        """'wie schalte ich die ki auf meinem handy aus': a German verb whose particle ends the message (or comes
        just before 'bitte', 'und'...)."""
        end = len(toks)
        while end and toks[end - 1] in self.separable_then:
            end -= 1
        return end > 1 and toks[end - 1] in self.separable_particles and not self.separable_verbs.isdisjoint(
            toks[:end - 1])

    def names_a_crawler_of(self, toks: list[str], operators: set[tuple[str, ...]]) -> bool:
        """A word for a crawler within three words of a company that runs one: "keep openai's crawler off my site",
        "los crawlers de openai"."""
        for i in range(len(toks)):
            if size := self.crawler_nouns.length_at(toks, i):
                near = range(max(0, i - 3), min(len(toks), i + size + 3))
                if any(tuple(toks[j:j + len(op)]) == op for op in operators for j in near):
                    return True
        return False

    def self_hosts(self, toks: list[str]) -> bool:
        """'my self-hosted wordpress', not 'on wordpress.com (not self hosted)'."""
        return any(self.self_hosted.length_at(toks, i) and (i == 0 or toks[i - 1] not in self.negations)
                   for i in range(len(toks)))

    def gets_back(self, toks: list[str]) -> bool:
        return bool(self.getting_back.find(toks))

    def names_what_was_said(self, toks: list[str]) -> bool:
        return bool(self.said.find(toks))

    def asks_for_a_letter(self, toks: list[str]) -> bool:
        return bool(self.letter.find(toks)) and not self.other_letters.find(toks)

    def asks_who_the_bot_is(self, det: Detection, toks: list[str]) -> bool:
        """'are you an official meta bot?', 'eres de meta?', 'are you chatgpt?': the asking words, then only words
        like "an official", "made by" up to a name; after it, a few words ("...or what"), or more that name nothing
        else and take nothing away ("is this bot run by openai? how do i know you're not training on this chat")."""
        name_end = None
        for i in range(len(toks)):
            j = i + self.identity_asking.length_at(toks, i)
            if j == i:
                continue
            if name_end is None:
                name_end = {m.start: m.end for m in det.mentions} | {k: k + 1 for k, _ in det.owner_at}
            while j not in name_end and (step := self.identity_between.length_at(toks, j)):
                j += step
            if j in name_end:
                after = toks[name_end[j]:]
                return len(after) <= IDENTITY_TRAILER_MAX or not (
                    any(k >= name_end[j] for k in name_end) or self.asks_to_switch_off(after) or self.takes_away(after))
        return False

    def asks_which_platforms(self, toks: list[str]) -> bool:
        return bool(self.which_platforms.find(toks))

    def asks_the_same_again(self, toks: list[str]) -> bool:
        return any(self.same_again.length_at(toks, i) for i in range(len(toks)))

    def address_length(self, toks: list[str]) -> int:
        """How many tokens at the start only address someone ("hey guys", "@bot", "ragazzi")."""
        return self.openings.prefix_length(toks)

    def region(self, toks: list[str], lang: str | None = None) -> str | None:
        skip = self.not_region_in.get(lang or "", set())
        found = [ph for ph in self.regions.find(toks) if ph not in skip]
        return self.region_of.get(found[0]) if found else None

    def addresses_bot(self, toks: list[str]) -> bool:
        """'bot, ...', 'hey bot ...': said to the bot, though nobody mentioned or replied to it."""
        start = 1 if toks[:1] and toks[0] in self.greetings else 0
        return self.bot_names.length_at(toks, start) > 0

    def looks_like_question(self, toks: list[str], raw: str) -> bool:
        lead = self.address_length(toks)  # "hey bot, how do i..." opens with "how"
        if "?" in raw or "¿" in raw or any(t in self.openers for t in toks[lead:lead + QUESTION_OPENER_WITHIN]):
            return True
        # a few words that call on people, then a comma or a dash: "artists in the chat, how do you...", "creators
        # in here — how do you..."
        parts = _CLAUSE_END.split(raw, maxsplit=1)
        return len(parts) == 2 and 0 < len(tokenize(parts[0])) <= CALLING_ON_MAX_TOKENS and any(
            t in self.openers for t in tokenize(parts[1])[:QUESTION_OPENER_WITHIN])

    def _after_marker(self, toks: list[str], m: Mention) -> bool:
        """Right after a context marker, maybe with an article between: "same as (the) whatsapp", "out of openai",
        or with one elided into it: "d'instagram"; or with a word after it that makes it so: "the insta one"."""
        return bool(m.elided == "d" or self.context.ending_at(toks, m.start) or (
            m.start > 0 and toks[m.start - 1] in self.articles and self.context.ending_at(toks, m.start - 1))
            or self.context_after.length_at(toks, m.end))

    def _moved_to(self, toks: list[str], mentions: list[Mention]) -> str | None:
        """The platform moved to, in a message about moving from another ("moved from twitter to bluesky", "left x
        for threads"): a name after a "from" word, then within two words one after a "to" word; unless the one
        left is named again after it."""
        if not self.moving.find(toks):
            return None
        for a, b in zip(mentions, mentions[1:]):
            if (a.pid != b.pid and b.start - a.end <= 2 and self.moving_from.ending_at(toks, a.start)
                    and self.moving_to.ending_at(toks, b.start)):
                # "...but my old stuff is still on medium, how do i stop medium": the one left is asked about again
                return None if any(m.pid == a.pid for m in mentions if m.start > b.start) else b.pid
        return None

    def _excluded(self, toks: list[str], m: Mention) -> bool:
        """Left out by the words just before it, maybe with a verb or an article between: "without killing my
        instagram", "sin borrar instagram"."""
        return any(self.excluding.ending_at(toks, end) for end in range(max(0, m.start - 2), m.start + 1))

    def offers_a_choice(self, det: Detection, toks: list[str]) -> bool:
        """Names joined only by "or" ("claude o chatgpt para escribir codigo?"), or by anything after "the difference
        between": alternatives to choose from, which is mostly a comparison, where "instagram and tiktok" asks about
        both."""
        names = [m for m in det.mentions if not m.pid.startswith(BRAND)]
        joins = [set(toks[a.end:b.start]) & self.conjunctions for a, b in zip(names, names[1:]) if a.pid != b.pid]
        return bool(joins) and (all(j and j <= self.alternatives for j in joins) or bool(self.comparing.find(toks)))

    @staticmethod
    def _most_named(pids: list[str]) -> list[str]:
        """Every name after a marker: the one named most often, else the first ("ho lasciato twitter per threads e
        ora scopro che threads addestra...": Threads, named twice)."""
        return [max(dict.fromkeys(pids), key=pids.count)] if pids else []

    def _own_feature(self, app: str, assistants: set[str]) -> bool:
        """Its owner's assistant named inside an app it is not built into is the app's own feature, on the app's card
        ("copilot in outlook": Microsoft 365's Copilot); one built into the app ("meta ai in whatsapp") is itself."""
        return bool(assistants) and all(
            self.owners.get(a) == self.owners.get(app) and app not in self.built_into.get(a, ()) for a in assistants)

    def _owners_training(self, det: Detection, toks: list[str], app: str) -> bool:
        """'meta ai training on instagram', 'o treino de ia da meta no whatsapp', 'opposizione meta ai per facebook':
        the app's owner training its models on its data, or an objection to it."""
        return any(m.pid in self.assistants and self.owners.get(m.pid) == self.owners.get(app) and (
            m.end < len(toks) and toks[m.end] in self.training_words
            or self.training_words.intersection(toks[max(0, m.start - TRAINING_BEFORE_WITHIN):m.start]))
            for m in det.mentions) or app in self.objected_through and bool(self.objecting.find(toks))

    def speaks_of_posts(self, det: Detection, toks: list[str]) -> bool:
        named = {i for m in det.mentions for i in range(m.start, m.end)}  # "google photos" is a name, not photos
        return any(t in self.posted_content for i, t in enumerate(toks) if i not in named)

    def _family_of_a_brand(self, det: Detection, toks: list[str], pid: str) -> bool:
        """A platform named only by its owner's name beside an uncovered brand of that owner, not joined to it: the
        brand is asked about ("openai ... my sora videos"); "copilot de bing" is Copilot, named as itself."""
        owner = self.owners.get(pid)
        brands = [m for m in det.mentions if m.pid.startswith(BRAND) and owner and self.owners.get(m.pid) == owner]
        if not brands or any(tuple(toks[m.start:m.end]) != tuple(tokenize(owner))
                             for m in det.mentions if m.pid == pid):
            return False
        return not any(self._joins(toks[a.end:b.start])
                       for a, b in zip(det.mentions, det.mentions[1:]) if a in brands or b in brands)

    def _joins(self, between: list[str]) -> bool:
        """The words between two names join them: "and", "y en", "or the"."""
        return bool(between) and len(between) <= 3 and any(t in self.conjunctions for t in between) and all(
            t in self.conjunctions or t in self.articles or self.context.ending_at([t], 1) for t in between)

    def subject(self, det: Detection, toks: list[str]) -> tuple[str | None, list[str]]:
        """(the platform the message is about, or None; the platforms to offer when it is really ambiguous).

        Platforms joined by "and"/"or" are asked about together: ask which. Otherwise a platform right after a
        context marker ("same as whatsapp", "left x for threads", "to anthropic", "meta ai in whatsapp") is
        context, a real name beats an everyday word ("linkedin and x"), and one named more often wins.
        """
        mentions = [m for m in det.mentions if not m.pid.startswith(BRAND)]
        ids = list(dict.fromkeys(m.pid for m in mentions))
        for i, owned in det.owner_at:  # "google and microsoft": a company asked about beside another's platform
            for m in mentions:
                if m.pid not in owned and self._joins(toks[m.end:i] if m.end <= i else toks[i + 1:m.start]):
                    return None, list(dict.fromkeys([*ids, *owned]))
        if len(ids) == 1 and self.together.find(toks) and any(m.owned for m in mentions):
            owned = next(m.owned for m in mentions if m.owned)  # "google has 5 of my apps doing ai, stop all of them"
            return None, [ids[0], *sorted(owned - {ids[0]})]
        if len(ids) <= 1:
            first = det.mentions[0].pid if det.mentions else ""
            if ids and first.startswith(BRAND) and (all(self._after_marker(toks, m) for m in mentions) or sum(
                    m.pid == first for m in det.mentions) > len(mentions)):
                return None, []  # "sora: keep my videos out of openai's model", "sora - stop openai training on
                #                  the videos i make in sora": about the brand named first (and more often)
            if ids and self._family_of_a_brand(det, toks, ids[0]):
                return None, []  # "sora app, can i stop openai training on my cameo videos": the owner's name
            return (ids[0] if ids else None), []
        joined: set[str] = set()
        pairs = [(a, b, toks[a.end:b.start]) for a, b in zip(mentions, mentions[1:]) if a.pid != b.pid]
        for a, b, between in pairs:  # "instagram and tiktok", "en instagram y en tiktok"
            if self._joins(between):
                joined.update((a.pid, b.pid))
        if joined:  # and the rest of a list: "instagram, linkedin and chatgpt" (the commas are gone by now)
            joined.update(pid for a, b, between in pairs if not between for pid in (a.pid, b.pid))
        excluded = {m.pid for m in mentions if self._excluded(toks, m)}
        moved_to = self._moved_to(toks, mentions)
        if moved_to and moved_to not in excluded:
            return moved_to, []
        if not joined and self.together.find(toks):  # "chatgpt vs gemini - how do i stop both"
            joined = set(ids) - excluded
        after_marker = [m.pid for m in mentions if m.pid in excluded or self._after_marker(toks, m)]
        # context only where every mention is: "is threads like insta... stop it on threads" is about threads
        context = {pid for pid in after_marker if after_marker.count(pid) == sum(m.pid == pid for m in mentions)} - joined
        companies = {m.pid for m in mentions if m.company and all(n.company for n in mentions if n.pid == m.pid)}
        companies -= joined
        # the company and several of its products: "stop google using my stuff, i use gmail, photos and gemini"
        for company in ([] if joined else [m for m in mentions if m.company]):
            products = [pid for pid in ids if pid in company.owned and pid not in context
                        and any(n.pid == pid and not n.company for n in mentions)]
            if len(products) > 1:
                return None, products
        # an app joined to its owner's assistant holds the posts the assistant learns from ("facebook e l'ia di meta,
        # come evito che usino i miei post"); joined to another's ("instagram and chatgpt") both are asked about
        own_assistant = {pid for pid in joined
                         if any(a in self.assistants and self.owners.get(a) == self.owners.get(pid) for a in ids)}
        holders = {m.pid for m in mentions if m.pid not in self.assistants and not m.company
                   and not (m.start and toks[m.start - 1] in self.denying)} - excluded - (
            joined - own_assistant)
        if len(holders) == 1 and set(ids) - holders <= self.assistants:
            app, assistants = next(iter(holders)), set(ids) - holders
            if (self.speaks_of_posts(det, toks) or not joined and self._own_feature(app, assistants)
                    or self._owners_training(det, toks, app)):
                return app, []  # "my reddit comments ... google's ai", "answers openai got from stack overflow"
        # every name after a marker ("como tiro a meta ai do whatsapp", "quitar ... de meta ai del wasap"): the
        # verb's object comes before the place it is taken from, so the first name is the subject
        exact = [m.pid for m in mentions if m.strength >= MISSPELT_NAME]  # not a guess ("instalo" is not instagram)
        candidates = ([pid for pid in ids if pid not in context | companies]
                      or [pid for pid in ids if companies and pid not in companies] or self._most_named(exact) or ids)
        if exact and not set(candidates) & set(exact):  # only typo guesses left ("quería" for quora): a real
            candidates = list(dict.fromkeys(exact))  # name, even after a marker ("para que el chatgpt"), wins
        # a real name beats an everyday word ("linkedin and x"); a typo's guess is not a real name ("quería ... alexa")
        if not joined:
            written = [pid for pid in candidates if pid in exact] or candidates  # not a typo's guess ("quería")
            candidates = [pid for pid in written if pid not in det.common_word_only] or written
        if len(candidates) == 1:
            return candidates[0], []
        if joined:
            return None, [pid for pid in ids if pid in joined]
        counts = {pid: sum(m.pid == pid for m in mentions) for pid in candidates}
        top = max(counts.values())
        if list(counts.values()).count(top) == 1:
            return max(counts, key=counts.get), []
        return None, candidates
