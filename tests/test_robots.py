"""`optout-bot robots`: golden files per format, robots.txt read back with urllib.robotparser, caveats from the data.

Regenerate the golden files after a change to knowledge/crawlers.yaml or to bot/core/robots.py:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_robots.py
then read the diff before committing it.
"""
import datetime as dt
import os
import re
import subprocess
import sys
import urllib.robotparser
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.knowledge import Crawler, load
from bot.core.robots import FORMATS, SelectionError, generate, regex_escape, rules, select

GOLDEN = Path(__file__).resolve().parent / "golden" / "robots"
CRAWLERS_YAML = Path(__file__).resolve().parents[1] / "knowledge" / "crawlers.yaml"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
# the golden cases: file name -> CLI arguments
CASES = {
    "training.robots.txt": ["--purpose", "training", "--format", "robots"],
    "training.nginx.conf": ["--purpose", "training", "--format", "nginx"],
    "training.htaccess": ["--purpose", "training", "--format", "apache"],
    "training.Caddyfile": ["--purpose", "training", "--format", "caddy"],
    "training.cloudflare.txt": ["--purpose", "training", "--format", "cloudflare"],
    "openai-anthropic.robots.txt": ["--company", "openai,Anthropic", "--purpose", "training,search,user-fetch"],
}


@pytest.fixture(scope="module")
def crawlers():
    return load().crawlers


@pytest.fixture(scope="module")
def raw():
    """knowledge/crawlers.yaml read directly, not through the code under test."""
    return yaml.safe_load(CRAWLERS_YAML.read_text(encoding="utf-8"))["crawlers"]


def run(capsys, *args):
    code = main(["robots", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def comments(text):
    """The leading comment block (the caveats)."""
    head = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            break
        head.append(line)
    return "\n".join(head)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name, capsys):
    code, out, err = run(capsys, *CASES[name])
    assert code == 0, err
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert path.exists(), f"{path} missing: run UPDATE_GOLDEN=1 pytest tests/test_robots.py"
    assert out == path.read_text(encoding="utf-8"), \
        f"{name} differs from the golden file; if the change is intended: UPDATE_GOLDEN=1 pytest tests/test_robots.py"


def test_every_format_has_a_golden_file():
    assert {CASES[n][CASES[n].index("--format") + 1] for n in CASES if "--format" in CASES[n]} == set(FORMATS)


def _parser(text):
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(text.splitlines())
    return rp


@pytest.mark.parametrize("purposes, companies", [
    ("training", None), ("search,user-fetch", None), ("all", None), ("training,search,user-fetch", "openai,anthropic"),
    ("training", "google"),
])
def test_robots_txt_blocks_exactly_the_chosen_agents(purposes, companies, raw, crawlers):
    want = {c["token"] for c in raw if (purposes == "all" or c["purpose"] in purposes.split(","))
            and (companies is None or c["operator"].casefold() in companies.split(","))}
    assert want
    rp = _parser(rules(crawlers, purposes, companies, "robots"))
    for token in want:
        assert not rp.can_fetch(token, "https://example.com/"), token
        assert not rp.can_fetch(f"{token}/1.0", "https://example.com/page"), token  # robotparser reads "name/version"
    others = [c["token"] for c in raw if c["token"] not in want
              # robotparser matches a User-agent line as a substring of the crawler's name ("X" blocks "X-Extended")
              and not any(w.casefold() in c["token"].casefold() for w in want)]
    for token in others:
        assert rp.can_fetch(token, "https://example.com/"), token
    assert rp.can_fetch(BROWSER, "https://example.com/")


def test_training_robots_txt_by_name(crawlers):
    rp = _parser(rules(crawlers, "training", None, "robots"))
    for token in ("GPTBot", "ClaudeBot", "Google-Extended", "Applebot-Extended", "Bytespider", "Meta-ExternalAgent"):
        assert not rp.can_fetch(token, "/")
    for token in ("OAI-SearchBot", "ChatGPT-User", "Applebot", "Googlebot", "PerplexityBot", BROWSER):
        assert rp.can_fetch(token, "/")


def test_robots_txt_is_one_group(crawlers):
    body = [ln for ln in rules(crawlers, "training", None, "robots").splitlines() if ln and not ln.startswith("#")]
    assert body[-1] == "Disallow: /" and sum(ln.startswith("Disallow") for ln in body) == 1
    tokens = [ln.removeprefix("User-agent: ") for ln in body[:-1]]
    assert tokens == sorted(tokens, key=str.casefold) and len(tokens) == len(set(tokens))


def test_caveat_names_a_crawler_that_says_it_ignores_robots_txt(raw, capsys):
    ignoring = [c["token"] for c in raw if c["purpose"] == "user-fetch" and c["respects_robots_txt"] == "no"]
    assert "Perplexity-User" in ignoring and "Meta-ExternalFetcher" in ignoring  # the data this test rests on
    for fmt in FORMATS:
        code, out, _ = run(capsys, "--purpose", "user-fetch", "--format", fmt)
        head = comments(out)
        assert code == 0 and "Perplexity-User" in head and "Meta-ExternalFetcher" in head, fmt
        assert "robots.txt alone will not stop them" in " ".join(head.replace("#", " ").split())
    # reported-no in training: Bytespider; may-not-apply in user-fetch: ChatGPT-User
    assert [c["respects_robots_txt"] for c in raw if c["token"] == "Bytespider"] == ["reported-no"]
    _, out, _ = run(capsys, "--format", "robots")
    assert "Bytespider (ByteDance): reported not to follow robots.txt" in comments(out)
    assert "GPTBot" not in comments(out)  # it follows robots.txt: no caveat about it
    _, out, _ = run(capsys, "--purpose", "user-fetch", "--company", "openai")
    assert "ChatGPT-User (OpenAI): its operator says robots.txt may not apply" in comments(out)


def test_caveats_on_search_visibility_and_date(raw, capsys):
    _, out, _ = run(capsys, "--purpose", "search")
    head = comments(out)
    assert "Visibility:" in head and "OAI-SearchBot (OpenAI)" in head and "Claude-SearchBot (Anthropic)" in head
    _, out, _ = run(capsys, "--purpose", "training")
    assert "Visibility:" not in comments(out)
    newest = max(dt.date.fromisoformat(str(c["source"]["date"])) for c in raw if c["purpose"] == "training")
    assert f"# Crawler list last checked: {newest.isoformat()} " in out


def test_control_tokens_warned_in_server_formats_only(capsys):
    _, robots, _ = run(capsys, "--format", "robots")
    _, nginx, _ = run(capsys, "--format", "nginx")
    assert "control tokens" not in robots
    assert "Applebot-Extended, Google-Extended are control tokens" in comments(nginx)


def test_server_rules_match_the_chosen_agents(crawlers, raw):
    chosen = {c.token for c in select(crawlers, "training")}
    caddy = rules(crawlers, "training", None, "caddy")
    pattern = re.search(r'header_regexp User-Agent "(.*)"', caddy).group(1)
    rx = re.compile(pattern)
    for token in chosen:
        assert rx.search(f"Mozilla/5.0 (compatible; {token.lower()}/1.1; +https://example.com)"), token
    assert not rx.search(BROWSER) and not rx.search("OAI-SearchBot/1.0") and not rx.search("Applebot/0.1")
    apache = rules(crawlers, "training", None, "apache")
    conds = [ln for ln in apache.splitlines() if ln.startswith("RewriteCond")]
    assert len(conds) == len(chosen) and conds[-1].endswith("[NC]") and all(c.endswith("[NC,OR]") for c in conds[:-1])
    assert "RewriteRule .* - [F]" in apache
    nginx = rules(crawlers, "training", None, "nginx")
    assert nginx.count(" 1;") == len(chosen) and "return 403;" in nginx and "map $http_user_agent" in nginx
    cf = rules(crawlers, "training", None, "cloudflare").splitlines()[-1]
    assert cf.count("http.user_agent contains") == len(chosen) and '(http.user_agent contains "GPTBot")' in cf


def _crawler(token, **kw):
    data = {"token": token, "operator": "Example Corp", "purpose": "training", "description": "x",
            "respects_robots_txt": "yes",
            "source": {"kind": "official", "url": "https://example.com/bot", "title": "t", "date": "2026-01-02"}}
    data.update(kw)
    return Crawler.model_validate(data)


def test_regex_metacharacters_are_escaped():
    assert regex_escape("Foo.Bot+(v2)") == r"Foo\.Bot\+\(v2\)"
    assert regex_escape("ChatGPT Agent") == r"ChatGPT\sAgent"
    odd = [_crawler("Foo.Bot+(v2)"), _crawler("a|b", operator="Other")]
    for fmt in ("nginx", "apache", "caddy"):
        out = generate(odd, fmt)
        assert r"Foo\.Bot\+\(v2\)" in out and r"a\|b" in out
    rx = re.compile(re.search(r'"\(\?i\)\((.*)\)"', generate(odd, "caddy")).group(1), re.I)
    assert rx.search("Foo.Bot+(v2)") and not rx.search("FooxBot+(v2)") and not rx.search("a") \
        and rx.search("x a|b y")
    assert '(http.user_agent contains "Foo.Bot+(v2)")' in generate(odd, "cloudflare")
    with pytest.raises(ValueError):
        generate([_crawler('Bad"Bot')], "nginx")


def test_company_is_case_insensitive_and_several(crawlers):
    a = select(crawlers, "training,search", "OpenAI")
    b = select(crawlers, "training,search", "openai")
    assert [c.token for c in a] == [c.token for c in b] == ["GPTBot", "OAI-SearchBot"]
    both = {c.operator for c in select(crawlers, "training", ["openai,anthropic"])}
    assert both == {"OpenAI", "Anthropic"}
    assert select(crawlers, "archive", "Common Crawl Foundation") == select(crawlers, "archive", "common-crawl-foundation")


def test_unknown_values_raise_with_the_valid_ones(crawlers):
    with pytest.raises(SelectionError, match="valid: training, search"):
        select(crawlers, "trainin")
    with pytest.raises(SelectionError, match="openai"):
        select(crawlers, "training", "acme")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "bot.cli", "robots", *args], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args, valid", [
    (["--purpose", "trainng"], "training, search, user-fetch"),
    (["--company", "acme"], "anthropic"),
    (["--format", "iis"], "robots, nginx, apache, caddy, cloudflare"),
])
def test_cli_unknown_value_is_one_line_and_exit_2(args, valid):
    out = cli(*args)
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and valid in out.stderr and "Traceback" not in out.stderr


def test_cli_help_describes_every_option():
    out = cli("--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for opt, words in (("--purpose", "default: training"), ("--company", "insensitive"), ("--format", "cloudflare")):
        assert opt in text and words in text


def test_cli_default_is_training_robots_txt(capsys):
    _, default, _ = run(capsys)
    _, explicit, _ = run(capsys, "--purpose", "training", "--format", "robots")
    assert default == explicit and "User-agent: GPTBot" in default
