"""Checklist, /robots and feedback buttons through the real PTB Application (process_update, fake Bot API)."""
from __future__ import annotations

import datetime as dt
import html
import re

from bot.core import feedback
from bot.core.render import message, text
from tests.chat_helpers import robots_cli, sqlite_rows
from tests.telegram.fake_bot_api import PRIVATE, callback, message as msg

TODAY = dt.date.today().isoformat()


def keyboard(params: dict) -> list[list[dict]]:
    return (params.get("reply_markup") or {}).get("inline_keyboard", [])


async def test_checklist_from_a_message_and_from_the_command(tg):
    await tg.send(msg("I use instagram, linkedin and chatgpt, what do I do?"))
    await tg.send(msg("/checklist instagram, linkedin, chatgpt"))
    first, second = tg.sent(PRIVATE)
    assert first["text"] == second["text"]
    assert first["text"].startswith("<b>Your AI opt-out checklist (3)</b>\n\n1. <b>Instagram</b> · ")
    assert first["parse_mode"] == "HTML"
    assert [[(b["text"], b["callback_data"]) for b in row] for row in keyboard(first)] == [
        [("✓ Instagram", "ck:d:instagram"), ("Instagram", "a:instagram:ai-training:en")],
        [("✓ LinkedIn", "ck:d:linkedin"), ("LinkedIn", "a:linkedin:ai-training:en")],
        [("✓ ChatGPT", "ck:d:chatgpt"), ("ChatGPT", "a:chatgpt:ai-training:en")]]


async def test_done_button_stores_the_row_checklist_shows_it_and_forget_erases_it(tg, tmp_path):
    await tg.send(msg("/checklist linkedin chatgpt"))
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM checklist_done") == []
    await tg.send(callback("ck:d:linkedin"))
    [ack] = tg.calls("answerCallbackQuery")
    assert ack["text"] == text("checklist_marked", "en", name="LinkedIn", date=TODAY)
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT surface, user_id, platform, done_on FROM checklist_done") == [
        ("telegram", str(PRIVATE), "linkedin", TODAY)]
    await tg.send(msg("/checklist"))
    progress = tg.sent(PRIVATE)[-1]
    assert progress["text"] == (f"<b>{text('checklist_progress_title', 'en', count=1)}</b>\n\n✓ LinkedIn ({TODAY})\n\n"
                                + text("checklist_progress_footer", "en"))
    assert [b["callback_data"] for row in keyboard(progress) for b in row] == ["ck:u:linkedin"]
    await tg.send(msg("/privacy"))
    assert "which platform you marked done and the date" in tg.texts(PRIVATE)[-1]
    assert tg.texts(PRIVATE)[-1].endswith("\n" + text("privacy_checklist", "en", names=f"LinkedIn ({TODAY})"))
    await tg.send(msg("/forget"))
    assert tg.texts(PRIVATE)[-1] == message("forget_done", "telegram", "en")
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM checklist_done") == []
    await tg.send(msg("/privacy"))
    assert "Your checklist" not in tg.texts(PRIVATE)[-1]


async def test_robots_buttons_give_the_clis_rules(tg, capsys):
    await tg.send(msg("/robots"))
    choose = tg.sent(PRIVATE)[-1]
    assert [b["callback_data"] for row in keyboard(choose) for b in row] == ["rb:training", "rb:search", "rb:user-fetch"]
    await tg.send(callback("rb:user-fetch"))
    [edit] = tg.calls("editMessageText")
    assert edit["text"] == message("robots_choose_format", "telegram", "en", purpose="AI assistants fetching pages")
    assert [b["callback_data"] for row in keyboard(edit) for b in row] == [
        "rb:user-fetch:robots", "rb:user-fetch:nginx", "rb:user-fetch:apache", "rb:user-fetch:caddy",
        "rb:user-fetch:cloudflare"]
    await tg.send(callback("rb:user-fetch:nginx"))
    out = tg.sent(PRIVATE)[-1]
    [pre] = re.findall(r"<pre>(.*)</pre>", out["text"], re.S)
    assert html.unescape(pre) == robots_cli(capsys, "user-fetch", "nginx").rstrip()
    assert out["text"].startswith("Blocking crawlers for AI assistants fetching pages, as nginx.")


async def test_robots_too_long_for_a_message_is_sent_as_a_file(tg, capsys, monkeypatch):
    from bot.core import robots_chat

    monkeypatch.setattr(robots_chat, "TELEGRAM_LIMIT", 300)
    await tg.send(msg("/robots training apache"))
    [doc] = tg.calls("sendDocument")
    assert doc["chat_id"] == PRIVATE
    name, content = doc["document"][:2]
    assert name == "ai-crawlers.htaccess" and content.decode() == robots_cli(capsys, "training", "apache")
    assert tg.texts(PRIVATE)[-1].endswith(message("robots_as_file", "telegram", "en"))


async def test_a_vote_is_counted_once_without_the_user(tg, tmp_path):
    await tg.send(msg("/optout linkedin"))
    yes, _ = feedback.vote_data("linkedin", "ai-training", "en")
    assert [b["callback_data"] for b in keyboard(tg.sent(PRIVATE)[-1])[-1]] == list(feedback.vote_data(
        "linkedin", "ai-training", "en"))
    pressed = callback(yes)
    pressed["callback_query"]["message"]["reply_markup"] = tg.sent(PRIVATE)[-1]["reply_markup"]
    await tg.send(pressed)
    assert tg.calls("answerCallbackQuery")[-1]["text"] == text("vote_thanks", "en")
    [edit] = tg.calls("editMessageReplyMarkup")  # the pair leaves the message; the other buttons stay
    assert keyboard(edit) == keyboard(tg.sent(PRIVATE)[-1])[:-1]
    await tg.send(pressed)
    assert tg.calls("answerCallbackQuery")[-1]["text"] == text("vote_already", "en")
    await tg.handlers.conv.flush_counts()
    votes = sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM counters WHERE kind = 'vote'")
    assert votes == [(feedback.period(dt.date.today()), "vote", "linkedin", "ai-training", "en", "yes", 1)]
    assert not [c for r in sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM counters") for c in r if str(PRIVATE) in str(c)]


async def test_commands_in_the_menu(tg):
    await tg.handlers.post_init(tg.app)
    private = next(c for c in tg.calls("setMyCommands")
                   if c.get("scope") == {"type": "all_private_chats"} and not c.get("language_code"))
    names = [c["command"] for c in private["commands"]]
    assert "checklist" in names and "robots" in names
