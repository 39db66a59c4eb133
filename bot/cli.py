"""Command line: ask, chat, kb check|export|links|audit, eval, robots, new, stats, run telegram|discord|all."""
from __future__ import annotations

import argparse
import json
import sys

from .core.vocab import FORMATS, LANGS, REGIONS  # declared once; vocab imports nothing heavy


def _engine():
    from .core.engine import get_engine
    from .core.knowledge import KnowledgeError

    try:
        return get_engine()
    except KnowledgeError as e:
        more = f" (and {len(e.problems) - 1} more; `optout-bot kb check` lists them)" if len(e.problems) > 1 else ""
        print(f"optout-bot: the knowledge base is broken: {e.problems[0] if e.problems else '?'}{more}",
              file=sys.stderr)
        raise SystemExit(1)


def _one(engine, text: str, args) -> str:
    from .core.engine import Query

    query = Query(text, lang=args.lang, region=args.region, surface="cli", in_group=args.group, addressed=not args.group)
    return _print_answer(engine.answer(query), args)


def _print_answer(answer, args) -> str:
    """`text`: the first reply as the user sees it; `full`: the whole guide (JSON), or printed with --full."""
    from .core.render import full_guide, render

    silent = args.group and answer.status != "answer"
    first = "" if silent else _as_text(render(answer, args.format), args.format)
    full = "" if silent else _as_text(full_guide(answer, args.format), args.format)
    if args.json:
        return json.dumps({**answer.to_json(), "text": first, "full": full}, ensure_ascii=False)
    return full if getattr(args, "full", False) else first


def _as_text(rendered, fmt: str) -> str:
    if fmt == "discord" and rendered.embeds:
        return "\n\n".join(_embed_text(e) for e in rendered.embeds)
    return rendered.text


def _embed_text(embed: dict) -> str:
    parts = [f"**{embed['title']}**"] if embed.get("title") else []
    parts.append(embed.get("description", ""))
    parts += [f"**{f['name']}**\n{f['value']}" for f in embed.get("fields", [])]
    if embed.get("footer"):
        parts.append(f"*{embed['footer']['text']}*")
    return "\n\n".join(p for p in parts if p)


def cmd_ask(args) -> int:
    engine = _engine()
    if args.question == ["-"]:
        for line in sys.stdin:
            print(_one(engine, line.rstrip("\n"), args).replace("\n", " ") if not args.json
                  else _one(engine, line.rstrip("\n"), args), flush=True)
        return 0
    print(_one(engine, " ".join(args.question), args))
    return 0


def cmd_chat(args) -> int:
    from .adapters.console import run_console

    return run_console(_engine(), lang=args.lang, region=args.region, as_jsonl=args.json)


def cmd_kb(args) -> int:
    from .core.knowledge import KnowledgeError, load

    try:
        kb = load(args.root)
    except KnowledgeError as e:
        for p in e.problems:
            print(p)
        return 1
    if args.action in ("check", "embed"):
        from .core.engine import Engine

        try:
            engine = Engine(kb)  # validates what the matcher learns from: questions/, examples, negatives, brands
        except KnowledgeError as e:
            for p in e.problems:
                print(p)
            return 1
    if args.action == "embed":
        import time

        started = time.perf_counter()
        print("Embedding the knowledge base for the matcher (cached in data/cache; the first time takes a few "
              "minutes)...", file=sys.stderr, flush=True)
        engine.judge.warm()
        print(f"ok: {len(engine.judge.texts)} examples ready in {time.perf_counter() - started:.1f} s")
        return 0
    if args.action == "check":
        for pid in kb.stale():
            print(f"warning: knowledge/platforms/{pid}.yaml: verified: older than 180 days, check the sources again")
        n = len(kb.platforms) - 1
        cards = sum(len(c) for p in kb.platforms.values() for c in p.topics.values())
        print(f"ok: {n} platforms + general, {cards} cards, {len(kb.crawlers)} crawlers")
        return 0
    if args.action == "export":
        data = {"platforms": [p.model_dump(mode="json") for p in kb.platforms.values()],
                "crawlers": [c.model_dump(mode="json") for c in kb.crawlers]}
        print(json.dumps(data, ensure_ascii=False, indent=None if args.json else 2))
        return 0
    if args.action == "audit":
        from .core.knowledge import audit_report

        rows, problems = audit_report(kb)
        print(f"{'platform':<20}{'claims':>7}{'confirmed':>10}{'reported':>9}{'uncertain':>10}")
        totals = {"claims": 0, "confirmed": 0, "reported": 0, "uncertain": 0}
        missing = []
        for r in rows:
            if r["claims"] is None:
                missing.append(r["platform"])
                continue
            print(f"{r['platform']:<20}{r['claims']:>7}{r['confirmed']:>10}{r['reported']:>9}{r['uncertain']:>10}")
            for k in totals:
                totals[k] += r[k]
        print(f"{'total':<20}{totals['claims']:>7}{totals['confirmed']:>10}{totals['reported']:>9}{totals['uncertain']:>10}")
        audited = len(rows) - len(missing)
        print(f"{audited} platforms audited; {len(missing)} without an audit file"
              + (f": {', '.join(missing)}" if missing else ""))
        for p in problems:
            print(f"error: {p}")
        return 1 if problems else 0
    if args.action == "links":
        from .core.linkcheck import check_links, summary_table

        results = check_links(kb, timeout=args.timeout, workers=args.workers)
        print(summary_table(results))
        return 0 if all(r.ok for r in results) else 1
    return 2


def cmd_eval(args) -> int:
    from pathlib import Path

    from .core.evaluate import evaluate

    if not Path(args.file).is_file():
        print(f"eval: no such file: {args.file}", file=sys.stderr)
        return 2

    results = evaluate(_engine(), args.file)
    if args.json:
        print(json.dumps({k: {"total": v.total, "correct": v.correct, "accuracy": round(v.accuracy, 4),
                              "misses": v.misses} for k, v in results.items()}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'slice':<16}{'correct':>9}{'total':>7}{'accuracy':>10}")
    for name in sorted(results):
        r = results[name]
        print(f"{name:<16}{r.correct:>9}{r.total:>7}{r.accuracy:>10.1%}")
    if args.misses:
        for name in sorted(results):
            for m in results[name].misses:
                print(f"[{name}] {m['text']!r}: want {m['want']} got {m['got']}")
    return 0


def cmd_letter(args) -> int:
    from .core.conversation import resolve_platform
    from .core.render import objection_letter

    engine = _engine()
    pid = resolve_platform(engine, args.platform)
    if pid is None or pid == "general":
        close = [c.name for c in engine.suggest(args.platform, limit=3) if c.score >= 60]
        hint = f" Did you mean: {', '.join(close)}?" if close else " See `optout-bot platforms`."
        print(f"not found: no platform called {args.platform!r}.{hint}", file=sys.stderr)
        return 1
    print(objection_letter(pid, "plain", args.lang, args.region, args.kind).text)
    return 0


def cmd_platforms(args) -> int:
    engine = _engine()
    rows = [(p.id, p.name, p.difficulty, ", ".join(sorted(p.topics))) for p in engine.platforms()]
    if args.json:
        print(json.dumps([dict(zip(("id", "name", "difficulty", "topics"), r)) for r in rows], ensure_ascii=False))
        return 0
    for pid, name, difficulty, topics in rows:
        print(f"{pid:<20}{name[:38]:<40}{difficulty:<12}{topics}")
    return 0


def _kb_or_exit():
    from .core.knowledge import KnowledgeError, load

    try:
        return load()
    except KnowledgeError as e:
        print(f"optout-bot: the knowledge base is broken: {e.problems[0] if e.problems else '?'}", file=sys.stderr)
        raise SystemExit(1)


def cmd_robots(args) -> int:
    from .core.robots import FORMATS, SelectionError, rules

    if args.format not in FORMATS:  # checked here, not by argparse: one line listing the valid ones, exit 2
        print(f"optout-bot robots: unknown format {args.format!r}; valid: {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    kb = _kb_or_exit()
    try:
        text = rules(kb.crawlers, args.purpose or None, args.company, args.format)
    except SelectionError as e:
        print(f"optout-bot robots: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"optout-bot robots: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def cmd_new(args) -> int:
    import datetime as dt
    import textwrap

    from .core.whatsnew import recent_changes

    if args.days < 0:
        print("optout-bot new: --days must be 0 or more", file=sys.stderr)
        return 2
    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"optout-bot new: --today {args.today!r} is not a date like 2026-11-29", file=sys.stderr)
        return 2
    items = recent_changes(_kb_or_exit(), days=args.days, lang=args.lang, today=today)
    if args.json:
        print(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=1))
        return 0
    es = args.lang == "es"
    if not items:
        print(f"Sin cambios en los últimos {args.days} días." if es else f"No changes in the last {args.days} days.")
        return 0
    n = len(items)
    print((f"Novedades de los últimos {args.days} días ({n} cambio{'s' if n != 1 else ''}, más reciente primero):"
           if es else f"What's new in the last {args.days} days ({n} change{'s' if n != 1 else ''}, newest first):"))
    for i in items:
        print()
        print(f"{i.date.isoformat()}  {i.platform_name}")
        print(textwrap.fill(i.text, width=100, initial_indent="  ", subsequent_indent="  "))
        if i.source_url:
            print(f"  {'Fuente' if es else 'Source'}: {i.source_title} <{i.source_url}>")
        print(f"  {'Qué hacer' if es else 'What to do'}: optout-bot ask{' --lang es' if es else ''} \"{i.platform} ai\"")
    return 0


def cmd_stats(args) -> int:
    """For curators: the feedback counters in DATABASE_URL (aggregates only) and the cards due for a check."""
    import asyncio
    import datetime as dt

    from .config import ConfigError, get_settings
    from .core.stats import as_text, report
    from .core.store import Store, StoreError

    try:
        today = dt.date.fromisoformat(args.today) if args.today else None
    except ValueError:
        print(f"optout-bot stats: --today {args.today!r} is not a date like 2026-11-29", file=sys.stderr)
        return 2
    try:
        settings = get_settings()
    except ConfigError as e:
        print(f"optout-bot: {e}", file=sys.stderr)
        return 2

    async def rows():
        store = await Store.open(settings.database_url, settings)
        try:
            return await store.counts()
        finally:
            await store.close()

    try:
        counted = asyncio.run(rows())
    except StoreError as e:
        print(f"optout-bot stats: {e}", file=sys.stderr)
        return e.exit_code
    result = report(counted, _kb_or_exit(), today=today, since=args.since)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else as_text(result))
    return 0


def cmd_run(args) -> int:
    from .config import ConfigError, get_settings, setup_logging

    try:
        settings = get_settings()
    except ConfigError as e:
        print(f"optout-bot: {e}", file=sys.stderr)
        return 2
    setup_logging(settings)
    engine = _engine()  # refuse to start on a broken knowledge base
    if args.adapter in ("telegram", "discord"):
        engine.judge.warm()  # load the model and the examples now, not on the first user's message
    if args.adapter == "telegram":
        if not settings.telegram_bot_token:
            print("TELEGRAM_BOT_TOKEN is not set (see .env.example).", file=sys.stderr)
            return 2
        from .adapters.telegram_bot import run

        return run(settings)
    if args.adapter == "discord":
        if not settings.discord_bot_token:
            print("DISCORD_BOT_TOKEN is not set (see .env.example).", file=sys.stderr)
            return 2
        from .adapters.discord_bot import run

        return run(settings)
    return _run_all(settings)


def cmd_discord(args) -> int:
    from .adapters.discord_bot import sync
    from .config import get_settings, setup_logging

    settings = get_settings()
    setup_logging(settings)
    return sync(settings, args.guild)


def _run_all(settings) -> int:
    """Every adapter that has a token, each in its own process; with no token, the terminal chat."""

    wanted = [name for name, token in (("telegram", settings.telegram_bot_token),
                                       ("discord", settings.discord_bot_token)) if token]
    if not wanted:
        print("No TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN in .env: opening the terminal chat.", file=sys.stderr)
        from .adapters.console import run_console

        return run_console(_engine())
    if len(wanted) == 1:
        return cmd_run(argparse.Namespace(adapter=wanted[0]))
    return supervise({name: [sys.executable, "-m", "bot.cli", "run", name] for name in wanted},
                     max_restarts=settings.run_all_max_restarts)


def supervise(commands: dict[str, list[str]], *, max_restarts: int = 5, backoff: float = 1.0,
              healthy_after: float = 60.0, poll: float = 0.2) -> int:
    """Run each adapter in its own process and watch them all (review F-13). A child that fails (exit code 1) is
    restarted with back-off (1, 2, 4 ... s), at most `max_restarts` times in a row; a child that exits 0 or 2 (bad
    setting: a restart cannot help), or that keeps failing, stops everything with its exit code. SIGTERM/SIGINT
    (and SIGHUP, passed on) reach every child."""
    import signal
    import subprocess
    import time

    procs: dict[str, subprocess.Popen] = {}
    started: dict[str, float] = {}
    failures = {name: 0 for name in commands}
    stopping: list[int] = []

    def start(name: str) -> None:
        procs[name] = subprocess.Popen(commands[name])
        started[name] = time.monotonic()

    def stop(*_):
        stopping.append(1)
        for p in procs.values():
            if p.poll() is None:
                p.terminate()

    def pass_on(signum, _frame):
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, pass_on)
    for name in commands:
        start(name)
    code = 0
    try:
        while not stopping:
            time.sleep(poll)
            for name, p in list(procs.items()):
                rc = p.poll()
                if rc is None or stopping:
                    continue
                if time.monotonic() - started[name] > healthy_after:
                    failures[name] = 0
                if rc == 1 and failures[name] < max_restarts:
                    delay = backoff * 2 ** failures[name]
                    failures[name] += 1
                    print(f"optout-bot: the {name} adapter stopped (exit code 1); restarting it in {delay:.0f} s "
                          f"({failures[name]}/{max_restarts})", file=sys.stderr, flush=True)
                    time.sleep(delay)
                    if not stopping:
                        start(name)
                    continue
                print(f"optout-bot: the {name} adapter stopped (exit code {rc}); stopping the others",
                      file=sys.stderr, flush=True)
                code = rc or 0
                stop()
                break
    except KeyboardInterrupt:
        stop()
    for p in procs.values():
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return code


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="optout-bot", description="How to stop platforms from training AI on your data.")
    sub = ap.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question ('-' reads one question per stdin line)")
    ask.add_argument("question", nargs="+", help="the question in your own words, or - to read one per stdin line")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer (JSON Lines with '-')")
    ask.add_argument("--lang", choices=LANGS, help="answer in this language (default: the question's)")
    ask.add_argument("--region", choices=REGIONS, help="where the asker lives: shows that region's rules")
    ask.add_argument("--format", choices=FORMATS, default="plain", help="plain text, Telegram HTML or Discord markdown")
    ask.add_argument("--group", action="store_true", help="judge it as a message overheard in a group chat")
    ask.add_argument("--full", action="store_true", help="print the whole guide instead of the short first reply")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive terminal chat (follow-ups, /more, numbered choices)")
    chat.add_argument("--json", action="store_true",
                      help="one JSON object per input line (the keys of ask --json), keeping the conversation")
    chat.add_argument("--lang", choices=LANGS, help="answer language, as /lang would set it")
    chat.add_argument("--region", choices=REGIONS, help="your region, as /region would set it")
    chat.set_defaults(func=cmd_chat)

    kb = sub.add_parser("kb", help="knowledge base: check | export | links | audit | embed")
    kb.add_argument("action", choices=("check", "export", "links", "audit", "embed"),
                    help="check: validate; export: as JSON; links: check every URL live; audit: claim counts; "
                         "embed: prepare the matcher's cache (make does it once)")
    kb.add_argument("--json", action="store_true", help="export: compact JSON")
    kb.add_argument("--root", help="knowledge folder (default: the bundled knowledge/)")
    kb.add_argument("--timeout", type=float, default=10.0, help="links: seconds per request")
    kb.add_argument("--workers", type=int, default=16, help="links: concurrent requests")
    kb.set_defaults(func=cmd_kb)

    ev = sub.add_parser("eval", help="accuracy per slice on a labelled JSONL file")
    ev.add_argument("file", help="a JSONL file of labelled questions (see tests/eval/README.md)")
    ev.add_argument("--misses", action="store_true", help="list every miss")
    ev.add_argument("--json", action="store_true", help="the results as JSON")
    ev.set_defaults(func=cmd_eval)

    letter = sub.add_parser("letter", help="a letter to one platform: GDPR objection, erasure or access; CCPA/CPRA in the US")
    letter.add_argument("platform", help="the platform's name, an alias or a typo ('insta'), or its company ('meta')")
    letter.add_argument("--lang", choices=LANGS, default="en", help="the letter's language")
    letter.add_argument("--region", choices=REGIONS, help="where you live: us gives a CCPA/CPRA request")
    letter.add_argument("--kind", choices=("objection", "erasure", "access", "ccpa"),
                        help="objection (GDPR Art. 21, default), erasure (Art. 17), access (Art. 15), ccpa (California)")

    plat = sub.add_parser("platforms", help="every platform with a guide: id, name, difficulty, topics")
    plat.add_argument("--json", action="store_true", help="one JSON list")
    plat.set_defaults(func=cmd_platforms)
    letter.set_defaults(func=cmd_letter)

    robots = sub.add_parser("robots", help="robots.txt / nginx / Apache / Caddy / Cloudflare rules blocking AI crawlers",
                            description="Rules that block AI crawlers on your own site, from knowledge/crawlers.yaml, "
                                        "with caveats (who ignores robots.txt, what blocking search costs) on top.")
    robots.add_argument("--purpose", action="append", metavar="P[,P...]",
                        help="crawler purposes, comma-separated: training, search, user-fetch, assistant, preview, "
                             "archive, research, other, or all (default: training)")
    robots.add_argument("--company", action="append", metavar="C[,C...]",
                        help="only these companies' crawlers, comma-separated, case-insensitive (openai, anthropic, "
                             "google, meta, ...; default: every company)")
    robots.add_argument("--format", default="robots", metavar="F",
                        help="output: robots (robots.txt), nginx, apache (.htaccess), caddy, cloudflare (WAF custom "
                             "rule expression); default: robots")
    robots.set_defaults(func=cmd_robots)

    new = sub.add_parser("new", help="what's new: platform policy changes of the last days, newest first")
    new.add_argument("--days", type=int, default=90, help="how many days back to look (default: 90)")
    new.add_argument("--lang", choices=LANGS, default="en", help="language of the change texts (default: en)")
    new.add_argument("--json", action="store_true", help="a JSON list instead of text")
    new.add_argument("--today", metavar="YYYY-MM-DD", help="count the days back from this date instead of today")
    new.set_defaults(func=cmd_new)

    stats = sub.add_parser("stats", help="for curators: answers by status, votes per card, brands asked for, stale cards",
                           description="Feedback counters from DATABASE_URL (monthly aggregates: no user ids, no "
                                       "message text) and the cards whose verified date is older than 180 days.")
    stats.add_argument("--json", action="store_true", help="one JSON object instead of text")
    stats.add_argument("--since", metavar="YYYY-MM", help="only counters from this month on")
    stats.add_argument("--today", metavar="YYYY-MM-DD", help="count card ages from this date instead of today")
    stats.set_defaults(func=cmd_stats)

    dsc = sub.add_parser("discord", help="Discord maintenance: sync the slash commands (once, not at every start)")
    dsc.add_argument("action", choices=("sync",), help="sync: register the slash commands with Discord")
    dsc.add_argument("--guild", type=int, help="sync to one server only (instant; for development)")
    dsc.set_defaults(func=cmd_discord)

    run = sub.add_parser("run", help="run the bot: telegram | discord | all")
    run.add_argument("adapter", choices=("telegram", "discord", "all"), help="which chat to serve (all: every one with a token)")
    run.set_defaults(func=cmd_run)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
