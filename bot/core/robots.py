"""Blocking rules for website owners, generated from knowledge/crawlers.yaml (issue 12, item 3).

``select(crawlers, purposes, companies)`` chooses crawlers by purpose and operator; ``generate(chosen, fmt, ...)``
writes robots.txt, an nginx map, an Apache .htaccess block, a Caddyfile matcher or a Cloudflare WAF expression.
Every output opens with comment lines of caveats drawn from the data: who says they ignore robots.txt, what blocking
search or user fetches costs, which tokens only work in robots.txt, and when the list was last checked. Output is
sorted by token (case-insensitively) so golden files stay stable.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import get_args

from .knowledge import Crawler

PURPOSES: tuple[str, ...] = get_args(Crawler.model_fields["purpose"].annotation)
FORMATS = ("robots", "nginx", "apache", "caddy", "cloudflare")
SERVER_FORMATS = FORMATS[1:]
DEFAULT_PURPOSES = ("training",)
# respects_robots_txt values meaning robots.txt alone will not keep the crawler out
IGNORES = {"no": "says it does not follow robots.txt",
           "reported-no": "reported not to follow robots.txt",
           "may-not-apply": "its operator says robots.txt may not apply"}
_REGEX_META = set(r"\.^$|?*+()[]{}")
_UNSAFE = re.compile(r"[\"'`\x00-\x1f\x7f]")
_WIDTH = 116  # comment lines are wrapped to this width


class SelectionError(ValueError):
    """A purpose, company or format we do not know; .valid lists the ones we do."""

    def __init__(self, what: str, unknown: Sequence[str], valid: Sequence[str]):
        self.what, self.unknown, self.valid = what, list(unknown), list(valid)
        s = "s" if len(self.unknown) > 1 else ""
        super().__init__(f"unknown {what}{s} {', '.join(map(repr, self.unknown))}; valid: {', '.join(self.valid)}")


def _compact(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def company_slug(operator: str) -> str:
    """'Common Crawl Foundation' -> 'common-crawl-foundation'; 'Ai2 (Allen Institute for AI)' -> 'ai2'."""
    short = operator.split(" (")[0]
    return re.sub(r"[^0-9a-z]+", "-", short.casefold()).strip("-")


def companies(crawlers: Iterable[Crawler]) -> list[str]:
    """The company names `--company` accepts, as slugs, sorted."""
    return sorted({company_slug(c.operator) for c in crawlers})


def _company_matches(query: str, operator: str) -> bool:
    q = _compact(query)
    return bool(q) and q in (_compact(operator), _compact(operator.split(" (")[0]))


def parse_list(values: Iterable[str] | str | None) -> list[str]:
    """'training, search' / ['training', 'search,user-fetch'] -> ['training', 'search', 'user-fetch']."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def select(crawlers: Sequence[Crawler], purposes: Iterable[str] | str | None = DEFAULT_PURPOSES,
           companies_: Iterable[str] | str | None = None) -> list[Crawler]:
    """The crawlers whose purpose is one of `purposes` ("all": any) and, when given, whose operator is one of
    `companies_` (case-insensitive; 'openai', 'OpenAI', 'common-crawl-foundation' and 'Common Crawl Foundation' all
    work). Sorted by token. Raises SelectionError on an unknown purpose or company."""
    wanted = [p.casefold() for p in parse_list(purposes)] or list(DEFAULT_PURPOSES)
    bad = [p for p in wanted if p not in PURPOSES and p != "all"]
    if bad:
        raise SelectionError("purpose", bad, [*PURPOSES, "all"])
    chosen_purposes = set(PURPOSES) if "all" in wanted else set(wanted)
    names = parse_list(companies_)
    bad = [n for n in names if not any(_company_matches(n, c.operator) for c in crawlers)]
    if bad:
        raise SelectionError("company", bad, companies(crawlers))
    out = [c for c in crawlers if c.purpose in chosen_purposes
           and (not names or any(_company_matches(n, c.operator) for n in names))]
    return sorted(out, key=lambda c: (c.token.casefold(), c.token))


def _check_token(token: str) -> str:
    if _UNSAFE.search(token) or not token.strip():
        raise ValueError(f"crawler token {token!r}: quotes and control characters cannot go into server rules")
    return token


def regex_escape(token: str) -> str:
    """Escape regex metacharacters for PCRE (nginx, Apache) and RE2 (Caddy); a space becomes \\s so the pattern
    needs no quoting in any config language."""
    return "".join("\\s" if ch == " " else "\\" + ch if ch in _REGEX_META else ch for ch in _check_token(token))


def last_checked(chosen: Sequence[Crawler]):
    """The newest source date among the chosen crawlers: when the list was last checked."""
    return max(c.source.date for c in chosen) if chosen else None


def _who(c: Crawler) -> str:
    """'GPTBot (OpenAI)'; 'img2dataset' alone when the operator is the token itself."""
    short = c.operator.split(" (")[0]
    return c.token if short.casefold() == c.token.casefold() else f"{c.token} ({short})"


def _names(crawlers: Iterable[Crawler]) -> str:
    return ", ".join(_who(c) for c in crawlers)


def _wrap(text: str, first: str = "# ", more: str = "#   ") -> list[str]:
    lines, line = [], first
    for word in text.split():
        if len(line) + len(word) > _WIDTH and line.strip("# "):
            lines.append(line.rstrip())
            line = more
        line += word + " "
    lines.append(line.rstrip())
    return lines


def caveats(chosen: Sequence[Crawler], fmt: str) -> list[str]:
    """The honest caveats for this choice, as plain sentences (no comment markers)."""
    out: list[str] = []
    ignoring = [c for c in chosen if c.respects_robots_txt in IGNORES]
    if ignoring:
        who = "; ".join(f"{_who(c)}: {IGNORES[c.respects_robots_txt]}" for c in ignoring)
        them = "them" if len(ignoring) > 1 else "it"
        tail = (f"robots.txt alone will not stop {them}: also block {them} at the server "
                "(optout-bot robots --format nginx|apache|caddy|cloudflare)." if fmt == "robots" else
                f"robots.txt alone will not stop {them}; this server rule does, as long as the request carries "
                f"the name.")
        out.append(f"Not stopped by robots.txt: {who}. {tail}")
    unknown = [c for c in chosen if c.respects_robots_txt == "unknown"]
    if unknown:
        out.append(f"No published robots.txt policy (unknown whether they follow it): {_names(unknown)}.")
    visible = [c for c in chosen if c.purpose in ("search", "assistant")]
    if visible:
        out.append(f"Visibility: blocking search and assistant crawlers can lower or remove your site in those "
                   f"companies' search results and AI-assistant answers: {_names(visible)}.")
    fetchers = [c for c in chosen if c.purpose == "user-fetch"]
    if fetchers:
        out.append(f"User fetches: people who ask these assistants to open or cite your page will be refused: "
                   f"{_names(fetchers)}.")
    previews = [c for c in chosen if c.purpose == "preview"]
    if previews:
        out.append(f"Link previews: links to your site shared in these apps lose their preview: {_names(previews)}.")
    control = [c for c in chosen if "control token" in c.description.casefold()]
    if control and fmt in SERVER_FORMATS:
        out.append(f"robots.txt only: {', '.join(c.token for c in control)} are control tokens, not crawlers; no "
                   f"request carries these names, so this rule matches nothing for them. Keep them in robots.txt "
                   f"(optout-bot robots --format robots).")
    out.append("Blocking works from now on: it does not remove pages these crawlers have already collected, or "
               "models already trained on them.")
    if fmt in SERVER_FORMATS:
        out.append("A server rule matches the User-Agent header only: a crawler that hides or fakes its name gets "
                   "through. Some operators publish IP ranges you can block as well.")
    return out


@dataclass(frozen=True)
class Choice:
    purposes: list[str]
    companies: list[str]


def _header(chosen: Sequence[Crawler], fmt: str, choice: Choice | None) -> list[str]:
    what = {"robots": "robots.txt", "nginx": "nginx", "apache": "Apache .htaccess (mod_rewrite)",
            "caddy": "Caddyfile", "cloudflare": "Cloudflare WAF custom rule expression"}[fmt]
    lines = [f"# Block AI crawlers: {what}, generated by optout-bot from knowledge/crawlers.yaml."]
    if choice is not None:
        lines.append(f"# Chosen: purpose {', '.join(choice.purposes)}; company "
                     f"{', '.join(choice.companies) if choice.companies else 'any'}; {len(chosen)} user agent{'s' if len(chosen) != 1 else ''}.")
    checked = last_checked(chosen)
    if checked:
        lines.append(f"# Crawler list last checked: {checked.isoformat()} (the newest date of these crawlers' sources).")
    lines.append("# Caveats:")
    for sentence in caveats(chosen, fmt):
        lines += _wrap(sentence, first="# - ", more="#   ")
    return lines


def _robots(chosen: Sequence[Crawler]) -> list[str]:
    return [*(f"User-agent: {_check_token(c.token)}" for c in chosen), "Disallow: /"]


def _nginx(chosen: Sequence[Crawler]) -> list[str]:
    return ["# In the http { } block:",
            "map $http_user_agent $optout_ai_crawler {",
            "    default 0;",
            *(f'    "~*{regex_escape(c.token)}" 1;' for c in chosen),
            "}",
            "# In each server { } block:",
            "if ($optout_ai_crawler) {",
            "    return 403;",
            "}"]


def _apache(chosen: Sequence[Crawler]) -> list[str]:
    conds = [f"RewriteCond %{{HTTP_USER_AGENT}} {regex_escape(c.token)} [NC{',OR' if i < len(chosen) - 1 else ''}]"
             for i, c in enumerate(chosen)]
    return ["<IfModule mod_rewrite.c>", "RewriteEngine On", *conds, "RewriteRule .* - [F]", "</IfModule>"]


def _caddy(chosen: Sequence[Crawler]) -> list[str]:
    pattern = "|".join(regex_escape(c.token) for c in chosen)
    return ["# Inside your site block:",
            f'@aibots header_regexp User-Agent "(?i)({pattern})"',
            "respond @aibots 403"]


def _cloudflare(chosen: Sequence[Crawler]) -> list[str]:
    def lit(token: str) -> str:
        return _check_token(token).replace("\\", "\\\\")

    return ["# Security > WAF > Custom rules > Create rule > Edit expression: paste the line below; action: Block.",
            " or ".join(f'(http.user_agent contains "{lit(c.token)}")' for c in chosen)]


_BODY = {"robots": _robots, "nginx": _nginx, "apache": _apache, "caddy": _caddy, "cloudflare": _cloudflare}


def generate(chosen: Sequence[Crawler], fmt: str = "robots", choice: Choice | None = None) -> str:
    """The rules for `chosen` in format `fmt`, caveats first, ending with a newline."""
    if fmt not in FORMATS:
        raise SelectionError("format", [fmt], FORMATS)
    if not chosen:
        raise ValueError("no crawler chosen")
    chosen = sorted(chosen, key=lambda c: (c.token.casefold(), c.token))
    return "\n".join(_header(chosen, fmt, choice) + [""] + _BODY[fmt](chosen)) + "\n"


def rules(crawlers: Sequence[Crawler], purposes: Iterable[str] | str | None = DEFAULT_PURPOSES,
          companies_: Iterable[str] | str | None = None, fmt: str = "robots") -> str:
    """select() then generate(): the whole output of `optout-bot robots`."""
    if fmt not in FORMATS:
        raise SelectionError("format", [fmt], FORMATS)
    chosen = select(crawlers, purposes, companies_)
    if not chosen:
        raise ValueError(_nothing_message(crawlers, purposes, companies_))
    wanted = [p.casefold() for p in parse_list(purposes)] or list(DEFAULT_PURPOSES)
    asked = parse_list(companies_)
    names = sorted({company_slug(c.operator) for c in crawlers if any(_company_matches(n, c.operator) for n in asked)})
    return generate(chosen, fmt, Choice(wanted, names))


def _nothing_message(crawlers, purposes, companies_) -> str:
    names = parse_list(companies_)
    have = sorted({c.purpose for c in crawlers if any(_company_matches(n, c.operator) for n in names)})
    return (f"no crawler of {', '.join(names)} has purpose {', '.join(parse_list(purposes) or DEFAULT_PURPOSES)}; "
            f"their purposes: {', '.join(have)}")
