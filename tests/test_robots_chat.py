"""/robots in the chats: the same rules as `optout-bot robots`, chosen with buttons or words."""
from __future__ import annotations

import html
import re

import pytest

from bot.core import robots_chat
from bot.core.conversation import Conversation, Limits, Turn
from bot.core.memory_store import MemoryStore
from bot.core.render import Renderer, message, text
from bot.core.robots import FORMATS
from tests.chat_helpers import robots_cli


@pytest.fixture
def conv(engine):
    return Conversation(engine, Renderer(engine), MemoryStore(), Limits(user=(1000, 60.0)))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("purpose", robots_chat.PURPOSES)
async def test_terminal_robots_equals_the_cli(conv, capsys, purpose, fmt):
    reply = await conv.command(Turn("console", "c", "you"), "robots", f"{purpose} {fmt}")
    intro = text("robots_intro", "en", purpose=text(f"robots_purpose_{purpose}", "en"),
                 format=text(f"robots_format_{fmt}", "en"))
    assert reply.text == f"{intro}\n\n{robots_cli(capsys, purpose, fmt).rstrip()}"
    assert reply.file is None


async def test_telegram_buttons_choose_purpose_then_format(conv, capsys):
    tg = Turn("telegram", 1, 1)
    first = await conv.command(tg, "robots")
    assert first.text == message("robots_choose_purpose", "telegram", "en")
    assert [b.data for row in first.buttons for b in row] == ["rb:training", "rb:search", "rb:user-fetch"]
    second = await conv.press(tg, "rb:search")
    assert second.edit and [b.data for row in second.buttons for b in row] == [f"rb:search:{f}" for f in FORMATS]
    third = await conv.press(tg, "rb:search:cloudflare")
    [pre] = re.findall(r"<pre>(.*)</pre>", third.text, re.S)
    assert html.unescape(pre) == robots_cli(capsys, "search", "cloudflare").rstrip()


async def test_too_long_for_a_message_comes_as_a_file(conv, capsys, monkeypatch):
    monkeypatch.setattr(robots_chat, "TELEGRAM_LIMIT", 500)
    reply = await conv.press(Turn("telegram", 1, 1), "rb:training:robots")
    assert reply.file == ("robots.txt", robots_cli(capsys, "training", "robots"))
    assert reply.text.endswith(message("robots_as_file", "telegram", "en")) and "<pre>" not in reply.text


@pytest.mark.parametrize("arg", ["training php", "everything nginx", "training nginx apache", "training", ""])
async def test_words_not_understood_get_the_usage(conv, arg):
    reply = await conv.command(Turn("console", "c", "you"), "robots", arg)
    assert reply.text.startswith("Use /robots and pick with the buttons") and reply.file is None
    assert "Companies: ai2, amazon, anthropic," in reply.text  # what the companies argument takes


@pytest.mark.parametrize("forged", ["rb:all", "rb:training:php", "rb:training:nginx:x", "rb:"])
async def test_forged_robots_buttons(conv, forged):
    assert (await conv.press(Turn("telegram", 1, 1), forged)).toast == text("button_invalid", "en")


async def test_spanish_words_and_intro(conv, capsys):
    await conv.command(Turn("console", "c", "you"), "lang", "es")
    reply = await conv.command(Turn("console", "c", "you"), "robots", "entrenamiento htaccess")
    assert reply.text.startswith("Bloquear rastreadores para entrenamiento de IA, en formato Apache.")
    assert reply.text.endswith(robots_cli(capsys, "training", "apache").rstrip())


def cli_companies(capsys, purpose: str, fmt: str, *names: str) -> str:
    from bot.cli import main

    assert main(["robots", "--purpose", purpose, "--format", fmt, "--company", ",".join(names)]) == 0
    return capsys.readouterr().out


async def test_companies_narrow_the_rules_as_the_clis_company_option(conv, capsys):
    reply = await conv.command(Turn("console", "c", "you"), "robots", "training nginx openai anthropic")
    assert reply.text.endswith(cli_companies(capsys, "training", "nginx", "openai", "anthropic").rstrip())
    assert '"~*GPTBot" 1;' in reply.text and '"~*ClaudeBot" 1;' in reply.text
    assert "CCBot" not in reply.text  # Common Crawl was not chosen
    alone = await conv.command(Turn("console", "c", "you"), "robots", "anthropic")  # training, robots.txt
    assert alone.text.endswith(cli_companies(capsys, "training", "robots", "anthropic").rstrip())


async def test_discord_company_option_and_a_company_without_that_purpose(conv):
    reply = await conv.command(Turn("discord", 1, 1), "robots", "", purpose="search", fmt="robots", company="openai")
    assert "User-agent: OAI-SearchBot" in reply.text and "GPTBot" not in reply.text.split("User-agent:", 1)[1]
    none = await conv.command(Turn("console", "c", "you"), "robots", "user-fetch common-crawl-foundation")
    assert none.text == "None of the crawlers of common-crawl-foundation is for AI assistants fetching pages. " \
                        "Try another purpose, or /robots without companies."
