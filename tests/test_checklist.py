"""The personal checklist through the conversation layer, with the real SQLite store (rows checked in the file)."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.core import checklist
from bot.core.conversation import Turn
from bot.core.render import message, text
from tests.chat_helpers import sqlite_rows

ASKED = "I use instagram, linkedin and chatgpt, what do I do?"
TODAY = dt.date.today().isoformat()


def private(surface: str = "telegram", user: int = 7) -> Turn:
    return Turn(surface, user, user)


def data(reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data] + [c.data for c in reply.choices if c.data]


def test_pick_reads_names_typos_owners_and_reports_the_rest(engine):
    picked = checklist.pick(engine, "instagram, linkdin and meta y signal, my bank")
    assert picked.platforms == ["instagram", "linkedin", "meta-ai"]
    assert picked.unknown == ["Signal", "bank"]  # a known brand without a guide, and an unknown word
    assert picked.dropped == []


def test_pick_keeps_ten_and_names_the_rest(engine):
    names = "linkedin facebook instagram, threads whatsapp reddit tiktok snapchat pinterest youtube tumblr quora"
    picked = checklist.pick(engine, names)  # "instagram threads" would be one name (Threads): a comma parts them
    assert len(picked.platforms) == checklist.MAX_PLATFORMS == 10
    assert picked.dropped == ["tumblr", "quora"]


def test_pick_from_a_question_reads_only_the_names(engine):
    picked = checklist.pick(engine, ASKED, report_unknown=False)
    assert picked.platforms == ["instagram", "linkedin", "chatgpt"] and picked.unknown == []  # "what do" is no name
    assert checklist.pick(engine, "linkedin, reddit and x").common == {"x"}


async def test_an_everyday_word_joins_the_checklist_only_when_read_as_a_name(stored_conv):
    reply = await stored_conv.message(private(), "how do I opt out of AI training on linkedin, reddit and x?")
    assert [b.data for row in reply.buttons for b in row][::2] == ["ck:d:linkedin", "ck:d:reddit", "ck:d:x"]
    # "old threads": an everyday word, not read as Threads (the topic must be ai-training: "what do I do about old
    # threads?" sits on the border of past-training, which gets "which one?" rather than a checklist)
    reply = await stored_conv.message(private(), "I use instagram and linkedin, how do I opt out of AI training for my old threads?")
    assert [b.data for row in reply.buttons for b in row][::2] == ["ck:d:instagram", "ck:d:linkedin"]


async def test_a_question_naming_several_platforms_gets_the_checklist(stored_conv):
    reply = await stored_conv.message(private(), ASKED)
    body = reply.text
    assert body.startswith("<b>" + text("checklist_title", "en", count=3) + "</b>")
    assert "1. <b>Instagram</b> · 🌍 Only in some regions" in body
    assert "2. <b>LinkedIn</b> · ✅ Easy: one switch\n    Tap your profile photo &gt; Settings &gt; Data privacy &gt; " \
           "Data for Generative AI Improvement. Switch the toggle off." in body  # escaped for Telegram HTML
    assert "3. <b>ChatGPT</b> · ✅ Easy: one switch" in body
    assert [[b.data for b in row] for row in reply.buttons] == [
        ["ck:d:instagram", "a:instagram:ai-training:en"], ["ck:d:linkedin", "a:linkedin:ai-training:en"],
        ["ck:d:chatgpt", "a:chatgpt:ai-training:en"]]
    assert all(len(d.encode()) <= 64 for d in data(reply))
    assert sqlite_rows(stored_conv.db, "SELECT * FROM checklist_done") == []  # nothing stored until a tap


async def test_checklist_command_reports_unknown_names_and_answers_in_spanish(stored_conv):
    await stored_conv.command(private(), "lang", "es")
    reply = await stored_conv.command(private(), "checklist", "instagram foo chatgpt")
    assert "1. <b>Instagram</b> · 🌍 Solo en algunas regiones" in reply.text
    assert text("checklist_unknown", "es", names="foo") in reply.text
    assert [b.label for row in reply.buttons for b in row] == ["✓ Instagram", "Instagram", "✓ ChatGPT", "ChatGPT"]
    only_unknown = await stored_conv.command(private(), "checklist", "foo bar")
    assert only_unknown.text == text("checklist_unknown", "es", names="foo bar") + "\n\n" + text("checklist_usage", "es")


async def test_done_stores_one_row_progress_shows_it_and_forget_erases_it(stored_conv):
    turn = private("telegram", 42)
    assert (await stored_conv.command(turn, "checklist")).text == text("checklist_nothing_done", "en")
    done = await stored_conv.press(turn, "ck:d:linkedin")
    assert done.toast == text("checklist_marked", "en", name="LinkedIn", date=TODAY)
    await stored_conv.press(turn, "ck:d:linkedin")  # a second tap changes nothing
    await stored_conv.press(private("telegram", 43), "ck:d:chatgpt")  # someone else's
    assert sqlite_rows(stored_conv.db, "SELECT surface, user_id, platform, done_on FROM checklist_done ORDER BY user_id") == [
        ("telegram", "42", "linkedin", TODAY), ("telegram", "43", "chatgpt", TODAY)]
    shown = await stored_conv.command(turn, "checklist")
    assert f"✓ LinkedIn ({TODAY})" in shown.text and "ChatGPT" not in shown.text
    assert data(shown) == ["ck:u:linkedin"]
    forgot = await stored_conv.command(turn, "forget")
    assert forgot.text == text("forget_done", "en")
    assert sqlite_rows(stored_conv.db, "SELECT user_id, platform FROM checklist_done") == [("43", "chatgpt")]
    assert (await stored_conv.command(turn, "checklist")).text == text("checklist_nothing_done", "en")


async def test_undo_and_typed_done(stored_conv):
    turn = private("discord", 5)
    typed = await stored_conv.command(turn, "checklist", "done linkdin")
    assert typed.text == message("checklist_marked", "discord", "en", name="LinkedIn", date=TODAY)
    assert sqlite_rows(stored_conv.db, "SELECT platform FROM checklist_done") == [("linkedin",)]
    undone = await stored_conv.press(turn, "ck:u:linkedin")
    assert undone.toast == text("checklist_unmarked", "en", name="LinkedIn")
    assert sqlite_rows(stored_conv.db, "SELECT platform FROM checklist_done") == []
    assert (await stored_conv.press(turn, "ck:u:linkedin")).toast == text("checklist_not_marked", "en", name="LinkedIn")
    assert (await stored_conv.command(turn, "checklist", "done")).text == message("checklist_done_usage", "discord", "en")


@pytest.mark.parametrize("forged", ["ck:d:nope", "ck:d:general", "ck:x:linkedin", "ck:d", "ck:d:linkedin:extra"])
async def test_forged_checklist_buttons_store_nothing(stored_conv, forged):
    reply = await stored_conv.press(private(), forged)
    assert reply.toast == text("button_invalid", "en")
    assert sqlite_rows(stored_conv.db, "SELECT * FROM checklist_done") == []


async def test_discord_gets_an_embed_and_a_menu_of_guides(stored_conv):
    names = "linkedin facebook instagram, threads whatsapp reddit"
    reply = await stored_conv.command(private("discord"), "checklist", names)
    [embed] = reply.embeds
    assert embed["title"] == text("checklist_title", "en", count=6) and "1. **LinkedIn** · " in embed["description"]
    assert [[b.data for b in row] for row in reply.buttons] == [
        ["ck:d:linkedin", "ck:d:facebook"], ["ck:d:instagram", "ck:d:threads"], ["ck:d:whatsapp", "ck:d:reddit"]]
    assert [c.data for c in reply.choices] == [f"a:{p}:ai-training:en" for p in names.replace(",", "").split()]


async def test_terminal_checklist_is_text_with_numbered_guides(engine):
    from bot.adapters.console import ConsoleChat

    chat = ConsoleChat(engine)
    shown = await chat.reply(ASKED)
    assert shown.startswith(text("checklist_title", "en", count=3) + "\n\n1. Instagram · ")
    assert shown.endswith("  1. Instagram\n  2. LinkedIn\n  3. ChatGPT")
    assert (await chat.reply("2")).startswith("LinkedIn")  # its number opens the guide
    assert (await chat.reply("/checklist done chatgpt")) == text("checklist_marked", "en", name="ChatGPT", date=TODAY)
    assert f"✓ ChatGPT ({TODAY})" in await chat.reply("/checklist")
    await chat.reply("/forget")
    assert await chat.reply("/checklist") == text("checklist_nothing_done", "en")


async def test_several_platforms_in_a_question_about_another_topic_still_ask_which(stored_conv):
    reply = await stored_conv.message(private(), "how do I delete my chatgpt and claude accounts?")
    assert reply.answer.status == "clarify" and reply.answer.topic == "delete-data"  # the checklist is for opting out
    assert [c.data for c in reply.choices] == ["a:chatgpt:delete-data:en", "a:claude:delete-data:en"]


async def test_ten_long_names_fit_the_command(stored_conv):
    names = ("microsoft copilot, github copilot, character ai, perplexity, stackoverflow, deviantart, artstation, "
             "grammarly, notion, substack")
    reply = await stored_conv.command(private(), "checklist", names)
    assert len(names) > 100 and [row[0].data for row in reply.buttons] == [
        "ck:d:microsoft-copilot", "ck:d:github-copilot", "ck:d:character-ai", "ck:d:perplexity", "ck:d:stackoverflow",
        "ck:d:deviantart", "ck:d:artstation", "ck:d:grammarly", "ck:d:notion", "ck:d:substack"]
