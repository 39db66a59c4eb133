"""The command-line contract in DESIGN.md, run as a real subprocess."""
import json
import subprocess
import sys

import pytest


def cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=60)


def ask_json(text, *extra):
    out = cli("ask", "--json", *extra, text)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_done_when_questions():
    a = ask_json("how do I stop LinkedIn from using my data to train AI?")
    assert (a["status"], a["platform"], a["topic"]) == ("answer", "linkedin", "ai-training")
    assert set(a) == {"status", "platform", "topic", "score", "lang", "text", "full", "candidates"}
    assert "Data for Generative AI Improvement" in a["text"]
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in a["text"]
    assert len(a["text"]) < len(a["full"]) and "Sources:" in a["full"] and "Source: linkedin.com" in a["text"]
    a = ask_json("¿Cómo evito que Instagram use mis fotos para entrenar su IA?")
    assert (a["status"], a["platform"], a["topic"], a["lang"]) == ("answer", "instagram", "ai-training", "es")
    assert "Fuente: " in a["text"] and "Fuentes" in a["full"]
    a = ask_json("how do I opt out of AI training?")
    assert a["status"] == "clarify" and len(a["candidates"]) >= 3
    assert ask_json("what's the weather in Madrid tomorrow")["status"] == "abstain"
    a = ask_json("how do I block GPTBot on my website")
    assert (a["platform"], a["topic"]) == ("general", "website-crawlers")


def test_stdin_gives_one_json_line_per_input_line_in_order():
    lines = ["linkedin ai opt out", "", "what's the weather", "x" * 100_000, "\x00\x07 ctrl", "🤖🤖",
             "<b>hi</b> @everyone", "**md** `x`", "chatgpt delete history"]
    out = cli("ask", "-", "--json", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(r) for r in out.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["platform"] == "linkedin" and rows[1]["status"] == "abstain"
    assert rows[-1]["platform"] == "chatgpt"
    assert "Traceback" not in out.stderr


def test_stdin_plain_one_line_each():
    out = cli("ask", "-", stdin="linkedin\n\nhello\n")
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 3


@pytest.mark.parametrize("fmt, marker", [("telegram", "<b>"), ("discord", "**"), ("plain", "Source: linkedin.com")])
def test_formats(fmt, marker):
    out = cli("ask", "--format", fmt, "linkedin ai training")
    assert out.returncode == 0 and marker in out.stdout


def test_group_flag_keeps_quiet_on_chatter():
    a = ask_json("lol linkedin is so cringe today", "--group")
    assert a["status"] == "abstain" and a["text"] == ""
    a = ask_json("how do I stop linkedin using my data for AI?", "--group")
    assert a["status"] == "answer"


def test_lang_and_region_flags():
    a = ask_json("linkedin ai", "--lang", "es", "--region", "uk")
    assert a["lang"] == "es" and "📍 Reino Unido:" in a["text"] and "Tu región (Reino Unido)" in a["full"]


def test_full_flag_prints_the_whole_guide():
    short, full = cli("ask", "linkedin ai training").stdout, cli("ask", "--full", "linkedin ai training").stdout
    assert "Sources:" in full and "Sources:" not in short and "Canada and Hong Kong" in full


def test_chat_from_a_pipe_answers_each_line_and_exits():
    out = cli("chat", stdin="/lang es\nlinkedin ia\n/optout linkdin\n/region xx\nhola\n")
    assert out.returncode == 0, out.stderr
    assert "Idioma: español." in out.stdout
    assert out.stdout.count("LinkedIn") >= 2
    assert "Usa /region eu" in out.stdout


def test_eval_prints_slices(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"text": "linkedin ai opt out", "lang": "en", "platform": "linkedin", "topic": "ai-training",
                             "expect": "answer", "slice": "answerable"}) + "\n", encoding="utf-8")
    out = cli("eval", str(f))
    assert out.returncode == 0 and "answerable" in out.stdout and "100.0%" in out.stdout


def test_run_without_token_says_so(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot.cli", "run", "telegram"], capture_output=True, text=True,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[1])},
                         timeout=60)
    assert out.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in out.stderr


def test_run_all_without_tokens_opens_terminal_chat(tmp_path):
    import pathlib

    out = subprocess.run([sys.executable, "-m", "bot.cli", "run", "all"], input="linkedin\n", capture_output=True,
                         text=True, cwd=tmp_path, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(pathlib.Path(__file__).resolve().parents[1])})
    assert out.returncode == 0
    assert "terminal chat" in out.stderr and "LinkedIn" in out.stdout


def test_letter_command():
    out = cli("letter", "linkdin", "--lang", "es")
    assert out.returncode == 0 and "artículo 21.1 del RGPD" in out.stdout and "LinkedIn" in out.stdout
    out = cli("letter", "nothing-like-this")
    assert out.returncode == 1 and out.stderr.startswith("not found:") and "Did you mean" in out.stderr


def test_chat_numbered_choices_more_and_follow_ups_as_json_lines():
    lines = ["how do I opt out of AI training?", "2", "/more", "hi", "/quit"]
    out = cli("chat", "--json", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(r) for r in out.stdout.splitlines()]
    assert len(rows) == len(lines) and all(set(r) >= {"status", "platform", "topic", "lang", "text", "full"} for r in rows)
    clarify, picked, more, hello, _ = rows
    assert clarify["status"] == "clarify" and "\n  2. " in clarify["text"]
    second = clarify["text"].split("\n  2. ")[1].split("\n")[0]
    assert picked["status"] == "answer" and second.split(" (")[0] in picked["text"]  # typing 2 picks the second
    assert "/more" in picked["text"] and "Sources:" in more["text"]  # the whole guide of the last answer
    assert hello["text"].startswith("Hi! Ask me how")


def test_chat_wraps_to_the_terminal_width():
    from bot.adapters.console import wrap

    body = "word " * 40 + "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"
    lines = wrap(body, 40).splitlines()
    assert all(len(line) <= 40 for line in lines if "https://" not in line)
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in lines[-1]  # never broken


def test_every_option_has_help():
    from bot.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in subparsers.items():
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest}: no help text"


def test_platforms_command_and_eval_on_a_missing_file():
    out = cli("platforms")
    assert out.returncode == 0 and "linkedin" in out.stdout and "easy" in out.stdout
    missing = cli("eval", "no-such-file.jsonl")
    assert missing.returncode == 2 and missing.stderr.strip() == "eval: no such file: no-such-file.jsonl"


def test_letters_by_region_and_kind_with_the_contact_and_close_matches():
    gdpr = cli("letter", "meta").stdout  # the company resolves to its platform that carries its name
    assert "Meta AI" in gdpr and "Article 21(1) of the GDPR" in gdpr.replace("\n", " ")
    us = cli("letter", "linkedin", "--region", "us").stdout
    assert "CCPA" in us and "right to delete" in us and "TS-DPRO)\nSubject:" in us and "https://www.linkedin.com/help/linkedin/ask/TS-DPRO" in us
    assert "Article 17" in cli("letter", "linkedin", "--kind", "erasure").stdout
    assert "Article 15" in cli("letter", "linkedin", "--kind", "access").stdout
    unknown = cli("letter", "myspace")
    assert unknown.returncode == 1 and unknown.stderr.startswith("not found: no platform called 'myspace'.")
