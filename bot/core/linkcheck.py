"""`optout-bot kb links`: check every URL of the knowledge base live, concurrently, with timeouts.

Standard library only (urllib + threads): it runs rarely, from CI or a curator's machine, and needs no extra
dependency. HEAD first; servers that refuse HEAD (405/403/501) get a GET.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .knowledge import KnowledgeBase

USER_AGENT = "optout-bot-linkcheck/0.1 (+knowledge base link check)"
_RETRY_WITH_GET = {403, 405, 501}


@dataclass
class LinkResult:
    url: str
    status: int | None
    ok: bool
    error: str = ""
    seconds: float = 0.0
    used_in: list[str] = field(default_factory=list)


def collect_urls(kb: KnowledgeBase) -> dict[str, list[str]]:
    """url -> where it is used ('linkedin: sources', 'linkedin: ai-training.en links', 'crawlers: GPTBot')."""
    urls: dict[str, list[str]] = {}
    for p in kb.platforms.values():
        for s in p.sources:
            urls.setdefault(s.url, []).append(f"{p.id}: sources")
        for topic, cards in p.topics.items():
            for lang, card in cards.items():
                for link in card.links:
                    if not link.is_email:  # mailto: routes cannot be fetched
                        urls.setdefault(link.url, []).append(f"{p.id}: {topic}.{lang} links")
    for c in kb.crawlers:
        urls.setdefault(c.source.url, []).append(f"crawlers: {c.token}")
    return urls


def _open(url: str, method: str, timeout: float) -> int:
    req = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # follows redirects
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def check_url(url: str, timeout: float = 10.0) -> LinkResult:
    start = time.monotonic()
    try:
        status = _open(url, "HEAD", timeout)
        if status in _RETRY_WITH_GET:
            status = _open(url, "GET", timeout)
        return LinkResult(url, status, 200 <= status < 400, seconds=time.monotonic() - start)
    except Exception as e:  # DNS, refused, timeout, TLS: all are "broken link" results, never a crash
        reason = getattr(e, "reason", None) or e
        return LinkResult(url, None, False, f"{type(e).__name__}: {reason}"[:200], time.monotonic() - start)


def check_urls(urls: dict[str, list[str]] | list[str], timeout: float = 10.0, workers: int = 16) -> list[LinkResult]:
    where = urls if isinstance(urls, dict) else {u: [] for u in urls}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda u: check_url(u, timeout), where))
    for r in results:
        r.used_in = where[r.url]
    return sorted(results, key=lambda r: (r.ok, r.url))


def check_links(kb: KnowledgeBase, timeout: float = 10.0, workers: int = 16) -> list[LinkResult]:
    return check_urls(collect_urls(kb), timeout, workers)


def summary_table(results: list[LinkResult]) -> str:
    broken = [r for r in results if not r.ok]
    lines = [f"{'status':<8}{'time':>7}  url (used in)"]
    for r in results:
        status = str(r.status) if r.status is not None else "error"
        lines.append(f"{status:<8}{r.seconds:>6.1f}s  {r.url}  ({'; '.join(r.used_in[:3])})"
                     + (f"\n{'':17}{r.error}" if r.error else ""))
    lines.append(f"\n{len(results)} links: {len(results) - len(broken)} ok, {len(broken)} broken")
    return "\n".join(lines)
