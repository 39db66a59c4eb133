"""Which sources an answer shows, in which order: official first, at most three, never a mirror or a curator note.

Knowledge schema v2 gives each source a `kind` (official | regulator | press | secondary | archive), an `id` and a
curator `note`, and each card a list of the source ids it rests on. Until every file has them, the kind is guessed
from the address: a mirror host is an archive, the platform's own domain (its links' domains) is official, the
rest is press. `note` is never shown.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

KIND_RANK = {"official": 0, "regulator": 1, "press": 2, "secondary": 3}  # "archive" is never shown
SHOWN = 3
MIRROR_HOSTS = ("web.archive.org", "archive.org", "archive.ph", "archive.today", "raw.githubusercontent.com",
                "github.com/opentermsarchive", "opentermsarchive.org")
# curator notes that v1 titles carry in brackets: "(Open Terms Archive copy)", "(month only)", "(read via ...)"
_CURATOR_NOTE = re.compile(r"\s*[(\[][^)\]]*\b(copy|mirror|read via|month only|cdn|archived?|wayback)\b[^)\]]*[)\]]",
                           re.IGNORECASE)


def host(url: str) -> str:
    netloc = urlparse(url).netloc.lower()
    return netloc.removeprefix("www.")


def _domain(url: str) -> str:
    """The registrable part, roughly: the last two labels (three for co.uk-style names)."""
    labels = host(url).split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "gov", "ac") else 2
    return ".".join(labels[-keep:])


def kind(source, own_domains: set[str]) -> str:
    declared = getattr(source, "kind", None)
    if declared:
        return declared
    address = source.url.lower()
    if any(m in address for m in MIRROR_HOSTS):
        return "archive"
    return "official" if _domain(source.url) in own_domains else "press"


def title(source) -> str:
    """The title users see: v1 titles may still carry a curator note in brackets."""
    return _CURATOR_NOTE.sub("", source.title).strip() or host(source.url)


def ranked(platform, card=None, limit: int | None = SHOWN) -> list:
    """The sources to show for a card: the ones it cites (v2) or the platform's, official first, no archives."""
    pool = list(platform.sources)
    if card is not None and hasattr(platform, "card_sources"):  # schema v2: the card's cited sources
        pool = platform.card_sources(card) or pool
    elif getattr(card, "sources", None):
        by_id = {getattr(s, "id", None): s for s in pool}
        pool = [by_id[i] for i in card.sources if i in by_id] or pool
    own = {_domain(link.url) for c in _cards(platform) for link in c.links}
    shown = [s for s in pool if kind(s, own) in KIND_RANK]
    shown.sort(key=lambda s: KIND_RANK[kind(s, own)])  # stable: the curator's order within a kind
    return shown[:limit] if limit else shown


def _cards(platform):
    for by_lang in platform.topics.values():
        yield from by_lang.values()
