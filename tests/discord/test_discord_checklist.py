"""/checklist, /robots and the feedback buttons through discord.py's real CommandTree, ViewStore and HTTP code."""
from __future__ import annotations

import datetime as dt

from discord_payloads import USER_ID, component, custom_ids, slash, vote_ids

from bot.core import feedback
from bot.core.render import message
from tests.chat_helpers import robots_cli, sqlite_rows

EPHEMERAL = 64
TODAY = dt.date.today().isoformat()


async def test_checklist_done_progress_and_forget(harness, tmp_path):
    await harness.interaction(slash("checklist", {"platforms": "instagram linkedin chatgpt"}))
    [shown] = harness.fake.callbacks()
    data = shown["data"]
    assert data["flags"] == EPHEMERAL
    assert data["embeds"][0]["title"] == "Your AI opt-out checklist (3)"
    assert data["embeds"][0]["description"].startswith("1. **Instagram** · ")
    assert custom_ids(data) == ["oo:x:a:instagram:ai-training:en", "oo:x:a:linkedin:ai-training:en",
                                "oo:x:a:chatgpt:ai-training:en",
                                "oo:x:ck:d:instagram", "oo:x:ck:d:linkedin", "oo:x:ck:d:chatgpt"]
    await harness.interaction(component("oo:x:ck:d:chatgpt", harness.fake.messages[-1]))
    marked = harness.fake.callbacks()[-1]["data"]
    assert marked["flags"] == EPHEMERAL
    assert marked["content"] == message("checklist_marked", "discord", "en", name="ChatGPT", date=TODAY)
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT surface, user_id, platform, done_on FROM checklist_done") == [
        ("discord", str(USER_ID), "chatgpt", TODAY)]
    await harness.interaction(slash("checklist"))
    progress = harness.fake.replies()[-1]
    assert progress["embeds"][0]["description"].startswith(
        message("checklist_progress_line", "discord", "en", name="ChatGPT", date=TODAY))  # markdown escaped
    assert custom_ids(progress) == ["oo:x:ck:u:chatgpt"]
    await harness.interaction(slash("forget"))
    assert harness.fake.replies()[-1]["content"] == message("forget_done_group", "discord", "en")  # in a server
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM checklist_done") == []


async def test_checklist_of_many_platforms_fits_discords_rows(harness):
    names = "linkedin facebook instagram, threads whatsapp reddit tiktok snapchat pinterest youtube"
    await harness.interaction(slash("checklist", {"platforms": names}))
    data = harness.fake.callbacks()[-1]["data"]
    rows = data["components"]
    assert len(rows) <= 5 and all(len(r["components"]) <= 5 for r in rows)
    assert rows[0]["components"][0]["type"] == 3  # the guides: a menu
    assert [o["value"] for o in rows[0]["components"][0]["options"]] == names.replace(",", "").split()
    assert [c for c in custom_ids(data) if c.startswith("oo:x:ck:d:")] == [
        f"oo:x:ck:d:{p}" for p in names.replace(",", "").split()]


async def test_a_question_naming_several_platforms_in_a_mention(harness):
    from discord_payloads import message as channel_message

    await harness.message(channel_message("I use instagram, linkedin and chatgpt, what do I do?", mention_bot=True))
    [sent] = harness.fake.find("POST", r"/channels/\d+/messages")
    assert sent.json["embeds"][0]["title"] == "Your AI opt-out checklist (3)"
    assert "oo:x:ck:d:linkedin" in custom_ids(sent.json)


async def test_robots_options_give_the_clis_rules_in_a_block_or_a_file(harness, capsys):
    await harness.interaction(slash("robots", {"crawlers": "search", "format": "caddy"}))
    block = harness.fake.callbacks()[-1]["data"]["content"]
    assert block.split("```\n", 1)[1].removesuffix("\n```") == robots_cli(capsys, "search", "caddy").rstrip()
    await harness.interaction(slash("robots", {"crawlers": "training", "format": "apache"}))
    cb = harness.fake.callbacks()[-1]
    assert cb["data"]["content"].endswith(message("robots_as_file", "discord", "en"))
    assert cb["data"]["attachments"][0]["filename"] == "ai-crawlers.htaccess"
    assert 'filename="ai-crawlers.htaccess"' in cb["multipart"]
    assert robots_cli(capsys, "training", "apache") in cb["multipart"].replace("\r\n", "\n")  # the file, as the CLI writes it


async def test_robots_default_choice_is_training_robots_txt(harness, capsys):
    await harness.interaction(slash("robots"))
    block = harness.fake.callbacks()[-1]["data"]["content"]
    assert block.split("```\n", 1)[1].removesuffix("\n```") == robots_cli(capsys, "training", "robots").rstrip()


async def test_votes_under_an_answer_are_counted(harness, tmp_path):
    await harness.interaction(slash("optout", {"platform": "claude"}))
    shown = harness.fake.messages[-1]
    assert custom_ids(harness.fake.callbacks()[-1]["data"])[-2:] == vote_ids("claude")
    await harness.interaction(component(vote_ids("claude")[1], shown))
    assert harness.fake.callbacks()[-1]["data"]["content"] == message("vote_thanks", "discord", "en")
    await harness.client.conv.flush_counts()
    assert sqlite_rows(tmp_path / "db.sqlite3", "SELECT * FROM counters WHERE kind = 'vote'") == [
        (feedback.period(dt.date.today()), "vote", "claude", "ai-training", "en", "no", 1)]


async def test_request_button_for_an_uncovered_brand(harness, tmp_path):
    await harness.interaction(slash("ask", {"question": "does duolingo train ai on my data?"}))
    data = harness.fake.callbacks()[-1]["data"]
    assert custom_ids(data) == ["oo:x:fb:r:duolingo", "oo:x:lb:duolingo:en"]
    shown = harness.fake.messages[-1]
    await harness.interaction(component("oo:x:fb:r:duolingo", shown))
    await harness.interaction(component("oo:x:lb:duolingo:en", shown))  # meanwhile, a letter addressed to it
    [embed] = harness.fake.replies()[-1]["embeds"]
    assert embed["title"] == "Objection letter for Duolingo" and "privacy team of Duolingo" in embed["description"]
    await harness.client.close()  # closing writes the pending counters
    rows = sqlite_rows(tmp_path / "db.sqlite3", "SELECT kind, value, count FROM counters WHERE kind IN ('asked', 'request')")
    assert sorted(rows) == [("asked", "Duolingo", 1), ("request", "Duolingo", 1)]


async def test_robots_with_forged_choices_gets_the_usage(harness):
    await harness.interaction(slash("robots", {"crawlers": "everything", "format": "php"}))  # Discord does not check
    from bot.core.engine import get_engine
    from bot.core.robots import companies

    assert harness.fake.callbacks()[-1]["data"]["content"] == message(
        "robots_usage", "discord", "en", companies=", ".join(companies(get_engine().kb.crawlers)))


async def test_robots_company_option_narrows_the_rules(harness):
    await harness.interaction(slash("robots", {"crawlers": "training", "format": "robots", "companies": "anthropic"}))
    content = harness.fake.callbacks()[-1]["data"]["content"]
    assert "User-agent: ClaudeBot\nDisallow: /" in content and "GPTBot" not in content
