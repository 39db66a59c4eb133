"""Find the platform and the topic a message is about: a small alias index first, cue words second.

Why not one fuzzy scan over every alternate question: that costs ~3-8 ms a question (see DESIGN.md and
bench/), and a nearest question is no verdict on scope. Here a message is tokenised once; aliases are looked up
exactly by n-gram, then by edit distance (rapidfuzz OSA) for unknown long words against the few aliases with the
same first letter; topics and scope come from cue words in knowledge/topics.yaml. The cards' alternate questions
feed the vocabulary: a word the knowledge base uses is never read as a typo of a platform name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from .knowledge import KnowledgeBase
from .normalize import tokens as tokenize

SPECIFIC_TOPICS = ("past-training", "legal-objection", "delete-data", "region")  # beat ai-training when cued, in this order
# region phrases about availability: "is the objection available in the UK?" asks about the region first
REGION_FIRST = {"available in", "disponible en", "in my country", "my country", "mi pais", "where i live", "donde vivo",
                "outside the us", "outside europe", "fuera de europa", "in my region", "en mi region"}
# website-crawlers cues that are technical enough to beat a platform named in the same message
_TECHNICAL_WEBSITE_CUES = {"robots.txt", "robots", "crawler", "crawlers", "crawl*", "gptbot", "ccbot", "claudebot",
                           "google-extended", "user agent", "user-agent", "htaccess", "nginx", "cloudflare", "applebot",
                           "bytespider", "perplexitybot", "common crawl", "ai crawlers", "ai bots", "rastreador",
                           "rastreadores", "rastre*", "bloquear bots"}
# website-crawlers cues that say little on their own ("is reddit scraping my posts" is not about a website)
_WEAK_WEBSITE_CUES = {"scrap*", "scraping", "scraper", "website", "domain", "bloquear la ia", "block ai"}
# past-training cues that count only beside a training or removal cue
_NEEDS_COMPANY = {"already"}
# scope words too vague to put a message in scope on their own
_WEAK_SCOPE = {"account", "setting", "settings", "toggle", "history", "turn off", "disable", "switch off", "cuenta",
               "ajuste", "ajustes", "configuracion", "historial", "desactiv*", "apagar", "use my", "using my", "uses my",
               "used my", "usar mis", "usa mis", "usen mis", "usando mis", "feedback", "learning", "model", "models",
               "modelo", "modelos", "stop them", "private", "privado", "privada"}
_QUESTION_OPENERS = {
    "how", "can", "could", "is", "are", "does", "do", "did", "where", "what", "why", "which", "should", "any", "anyone",
    "anybody", "has", "help", "pls", "please", "como", "puedo", "puede", "se", "hay", "donde", "que", "por", "alguien",
    "sabeis", "saben", "sabes", "existe", "cual", "quiero", "want", "need", "necesito", "ayuda", "pregunta",
    "question",
}
_ES_MARKERS = {
    "como", "que", "mis", "mi", "para", "los", "las", "el", "la", "del", "datos", "puedo", "quiero", "hago", "evito",
    "usen", "use", "usa", "fotos", "por", "hay", "sus", "su", "entrenar", "con", "una", "es", "y", "no", "desactivar",
    "borrar", "eliminar", "cuenta", "se", "lo", "le", "me", "donde", "cual", "oponerme", "ia", "mis", "entrenen",
    "publicaciones", "tambien", "esto", "esta", "pero", "si", "ya", "alguien", "sabe", "q", "xq", "pa", "tengo",
}
_EN_MARKERS = {
    "how", "do", "i", "my", "the", "to", "from", "stop", "is", "does", "can", "what", "of", "on", "and", "using", "use",
    "train", "delete", "it", "you", "this", "that", "with", "for", "turn", "off", "out", "opt", "are", "there", "way",
    "any", "anyone", "know", "want", "should", "why", "where", "data", "ai", "training", "me", "posts", "photos",
}


@dataclass(frozen=True)
class Cue:
    words: tuple[str, ...]
    prefix: bool  # last word ends with '*': matches any word it starts


def _cues(raw: list[str]) -> list[Cue]:
    out = []
    for c in raw:
        prefix = c.endswith("*")
        words = tuple(tokenize(c.rstrip("*")))
        if words:
            out.append(Cue(words, prefix))
    return out


class CueSet:
    """Cue phrases indexed by first word; prefix cues ('train*') are checked with startswith."""

    def __init__(self, raw: list[str]):
        self.by_first: dict[str, list[Cue]] = {}
        self.prefix_single: list[str] = []
        self.names: dict[tuple, str] = {}
        for raw_cue, cue in zip(raw, _cues(raw)):
            self.names[(cue.words, cue.prefix)] = raw_cue
            if cue.prefix and len(cue.words) == 1:
                self.prefix_single.append(cue.words[0])
            else:
                self.by_first.setdefault(cue.words[0], []).append(cue)

    def hits(self, toks: list[str]) -> list[str]:
        """The raw cue strings found in toks (each once)."""
        found: list[str] = []
        n = len(toks)
        for i, t in enumerate(toks):
            for cue in self.by_first.get(t, ()):
                k = len(cue.words)
                if i + k > n:
                    continue
                if cue.prefix:
                    ok = list(toks[i:i + k - 1]) == list(cue.words[:-1]) and toks[i + k - 1].startswith(cue.words[-1])
                else:
                    ok = tuple(toks[i:i + k]) == cue.words
                if ok:
                    name = self.names[(cue.words, cue.prefix)]
                    if name not in found:
                        found.append(name)
            for p in self.prefix_single:
                if t.startswith(p):
                    name = self.names[((p,), True)]
                    if name not in found:
                        found.append(name)
        return found


@dataclass
class Detection:
    platforms: dict[str, float] = field(default_factory=dict)  # id -> strength (100 exact, <100 fuzzy)
    common_word_only: set[str] = field(default_factory=set)  # ids found only through an everyday-word alias
    owners: list[str] = field(default_factory=list)  # owner names mentioned ("meta") that are not aliases
    rest: list[str] = field(default_factory=list)  # tokens not used by a platform name


class Matcher:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        cues = kb.topic_cues
        self.alias: dict[tuple[str, ...], str] = {}
        self.common: set[tuple[str, ...]] = set()
        for p in kb.platforms.values():
            common = {tuple(tokenize(a)) for a in p.common_word_aliases}
            for a in [p.name, *p.aliases]:
                toks = tuple(tokenize(a))
                if not toks:
                    continue
                variants = {toks, (("".join(toks)),), tuple(t.removesuffix(".com") for t in toks)}
                for v in variants:
                    if v and v not in self.alias:
                        self.alias[v] = p.id
                        if toks in common:
                            self.common.add(v)
        self.max_n = max((len(k) for k in self.alias), default=1)
        owner_map: dict[str, list[str]] = {}
        for p in kb.platforms.values():
            if p.id != "general":
                owner_map.setdefault(tuple(tokenize(p.owner)), []).append(p.id)
        self.owners = {k: v for k, v in owner_map.items() if k and k not in self.alias}
        self.not_platforms = {t for w in cues.not_platforms for t in tokenize(w)}
        # fuzzy targets: single-word aliases of 4+ letters, bucketed by first letter
        self.fuzzy: dict[str, list[tuple[str, str]]] = {}
        for key, pid in self.alias.items():
            if len(key) == 1 and len(key[0]) >= 4 and key[0].isalpha():
                self.fuzzy.setdefault(key[0][0], []).append((key[0], pid))
        # cues match whatever the message's language: one set per topic holds both languages' cues
        self.scope = CueSet(cues.scope.en + cues.scope.es)
        region_words = [w for words in cues.region_words.values() for w in words]
        self.topics: dict[str, CueSet] = {
            topic: CueSet(tc.en + tc.es + (region_words if topic == "region" else []))
            for topic, tc in cues.topics.items()
        }
        self.region_words = CueSet(region_words)
        self.region_of = {w: r for r, words in cues.region_words.items() for w in words}
        # every word the KB itself uses: such a word is never a typo of a platform name
        vocab: set[str] = set(self.not_platforms)
        for cue_set in [cues.scope, *cues.topics.values()]:
            for lang in ("en", "es"):
                for c in getattr(cue_set, lang):
                    vocab.update(tokenize(c.rstrip("*")))
        for p in kb.platforms.values():
            for cards in p.topics.values():
                for card in cards.values():
                    for q in card.questions:
                        vocab.update(tokenize(q))
        alias_words = {w for k in self.alias for w in k}
        self.vocab = frozenset(vocab - alias_words)
        self._fuzzy_lookup = lru_cache(maxsize=4096)(self._fuzzy_uncached)

    # platforms ---------------------------------------------------------------------------------
    def _fuzzy_uncached(self, tok: str) -> tuple[str, float, bool] | None:
        if len(tok) < 5 or tok in self.vocab or not tok[0].isalpha():
            return None
        limit = 1 if len(tok) < 6 else 2  # same first letter always: "credit" never reads as "reddit"
        best = None
        for alias, pid in self.fuzzy.get(tok[0], ()):
            if abs(len(alias) - len(tok)) > limit:
                continue
            d = OSA.distance(tok, alias, score_cutoff=limit)
            if d <= limit and (best is None or d < best[1]):
                best = (pid, d, (alias,) in self.common)
        return (best[0], 100.0 - 8.0 * best[1], best[2]) if best else None  # 92 or 84: an exact name leads

    def detect(self, toks: list[str]) -> Detection:
        det = Detection()
        n = len(toks)
        used = [False] * n
        for size in range(min(self.max_n, n), 0, -1):
            for i in range(n - size + 1):
                if any(used[i:i + size]):
                    continue
                key = tuple(toks[i:i + size])
                pid = self.alias.get(key)
                if pid is None and size > 1:
                    pid = self.alias.get(("".join(key),))
                    if pid is not None and ("".join(key),) in self.common:
                        key = ("".join(key),)
                if pid is None:
                    continue
                for j in range(i, i + size):
                    used[j] = True
                det.platforms[pid] = max(det.platforms.get(pid, 0.0), 100.0)
                if key in self.common:
                    det.common_word_only.add(pid)
                else:
                    det.common_word_only.discard(pid)
                    det.platforms[pid] = 101.0  # a real name beats an everyday word
        for i, t in enumerate(toks):
            if used[i]:
                continue
            owner = self.owners.get((t,))
            if owner:
                used[i] = True
                det.owners.append(t)
                continue
            hit = self._fuzzy_lookup(t)
            if hit:
                pid, strength, common = hit
                used[i] = True
                if strength > det.platforms.get(pid, 0.0):
                    if pid not in det.platforms and common:
                        det.common_word_only.add(pid)
                    det.platforms[pid] = strength
        det.rest = [t for i, t in enumerate(toks) if not used[i]]
        return det

    # topics ------------------------------------------------------------------------------------
    def topic_hits(self, toks: list[str]) -> dict[str, list[str]]:
        hits: dict[str, list[str]] = {}
        for topic, cue_set in self.topics.items():
            found = cue_set.hits(toks)
            if found:
                hits[topic] = found
        # a bare "already" ("I already tried the settings") means past training only beside a training/removal cue
        past = hits.get("past-training")
        if past and set(past) <= _NEEDS_COMPANY and not ({"ai-training", "delete-data"} & hits.keys()):
            del hits["past-training"]
        return hits

    def scope_hits(self, toks: list[str]) -> tuple[list[str], list[str]]:
        """(strong, weak) scope cue hits."""
        found = self.scope.hits(toks)
        strong = [h for h in found if h not in _WEAK_SCOPE]
        weak = [h for h in found if h in _WEAK_SCOPE]
        return strong, weak

    def region(self, toks: list[str]) -> str | None:
        for w in self.region_words.hits(toks):
            return self.region_of[w]
        return None

    def website_cues(self, hits: list[str]) -> tuple[list[str], list[str]]:
        """(technical, owner) cues: technical ones beat a named platform; owner ones ('my blog') only stand alone."""
        technical = [h for h in hits if h in _TECHNICAL_WEBSITE_CUES]
        owner = [h for h in hits if h not in _WEAK_WEBSITE_CUES]
        return technical, owner


def detect_lang(toks: list[str], raw: str) -> str | None:
    """'es' or 'en' from marker words; None when the text says nothing (a bare name, emoji)."""
    if any(c in raw for c in "¿¡ñÑ"):
        return "es"
    es = sum(t in _ES_MARKERS for t in toks)
    en = sum(t in _EN_MARKERS for t in toks)
    if not es and not en:
        return None
    return "es" if es > en else "en"


def looks_like_question(toks: list[str], raw: str) -> bool:
    """A question mark, or a question word or request among the first words ("bot, how do i ...")."""
    if "?" in raw or "¿" in raw:
        return True
    return any(t in _QUESTION_OPENERS for t in toks[:4])


__all__ = ["Matcher", "Detection", "detect_lang", "looks_like_question", "SPECIFIC_TOPICS", "REGION_FIRST"]
