"""Handler tests: real PTB Application + Application.process_update, HTTP replaced by the fake BaseRequest."""
from __future__ import annotations

import logging

import pytest

from bot.core.conversation import short_label
from bot.core.engine import Query, get_engine
from bot.core.throttle import RateLimit
from bot.core.render import message, platform_index, render, text
from tests.telegram.fake_bot_api import GROUP, PRIVATE, callback, inline_query, mention, message as msg, user

ADMIN, MEMBER = 601, 602
EN_Q = "How do I stop LinkedIn from training AI on my data?"
ES_Q = "¿Cómo evito que Instagram use mis fotos para su IA?"
CLARIFY_Q = "How do I stop Meta from training AI on my data?"


def expected(text: str, **kw) -> list[str]:
    return render(get_engine().answer(Query(text, surface="telegram", **kw)), "telegram").chunks


def buttons(params: dict) -> list[dict]:
    return [b for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def assert_html(params: dict) -> None:
    assert params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}
    assert len(params["text"]) < 4096


# ---------------------------------------------------------------------- private chat
async def test_start_welcome_with_example_buttons(tg):
    await tg.send(msg("/start"))
    [sent] = tg.sent(PRIVATE)
    assert_html(sent)
    assert sent["text"] == message("welcome", "telegram", "en")
    data = [b["callback_data"] for b in buttons(sent)]
    assert len(data) == 3 and all(len(d.encode()) <= 64 for d in data)
    await tg.send(callback(data[0]))  # an example button answers it
    assert tg.calls("answerCallbackQuery")
    assert "LinkedIn" in tg.texts(PRIVATE)[-1]


async def test_start_in_spanish_from_telegram_language_code(tg):
    await tg.send(msg("/start", sender=user(PRIVATE, language_code="es-ES")))
    assert tg.texts(PRIVATE) == [message("welcome", "telegram", "es")]


async def test_deep_link_opens_the_answer(tg):
    await tg.send(msg("/start linkedin"))
    [sent] = tg.sent(PRIVATE)
    assert_html(sent)
    assert sent["text"] == render(get_engine().answer_for("linkedin"), "telegram").chunks[0]
    kinds = [b for b in buttons(sent)]
    assert any(b.get("url", "").startswith("https://www.linkedin.com/") for b in kinds)
    assert {"text": "Share", "switch_inline_query": "LinkedIn"} in kinds


async def test_deep_link_with_topic_and_language(tg):
    await tg.send(msg("/start chatgpt__delete-data__es"))
    assert tg.texts(PRIVATE)[0] == render(get_engine().answer_for("chatgpt", "delete-data", "es"), "telegram").chunks[0]


async def test_help_and_unknown_command(tg):
    await tg.send(msg("/help"))
    await tg.send(msg("/nonsense"))
    assert tg.texts(PRIVATE) == [message("help", "telegram", "en")] * 2


async def test_platforms_buttons(tg):
    await tg.send(msg("/platforms"))
    [sent] = tg.sent(PRIVATE)
    names = [b["text"] for b in buttons(sent)]
    assert names == [short_label(p.name, 32) for p in get_engine().platforms()]
    assert "Adobe (Creative Cloud…" in names  # shortened on a word boundary
    assert sent["text"] == message("platforms_header", "telegram", "en", count=len(names))
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(sent))


async def test_optout_command_resolves_typos_and_escapes_unknown_names(tg):
    await tg.send(msg("/optout linkdin"))
    assert tg.texts(PRIVATE)[0] == render(get_engine().answer_for("linkedin"), "telegram").chunks[0]
    await tg.send(msg("/optout <b>Bold</b> & co"))
    assert tg.texts(PRIVATE)[1] == message("platform_not_found", "telegram", "en", name="<b>Bold</b> & co")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in tg.texts(PRIVATE)[1]
    await tg.send(msg("/optout"))
    assert tg.texts(PRIVATE)[2] == message("optout_usage", "telegram", "en")


@pytest.mark.parametrize("question,lang,pid", [(EN_Q, "en", "linkedin"), (ES_Q, "es", "instagram")])
async def test_question_in_each_language(tg, question, lang, pid):
    await tg.send(msg(question))
    sent = tg.sent(PRIVATE)
    assert [p["text"] for p in sent] == expected(question)
    assert get_engine().answer(Query(question)).lang == lang
    for p in sent:
        assert_html(p)
    assert {"text": message("share", "plain", lang)} .items() <= buttons(sent[-1])[-3].items()
    assert [b["callback_data"] for b in buttons(sent[-1])[-2:]] == [f"fb:y:{pid}:ai-training:{lang}",
                                                                    f"fb:n:{pid}:ai-training:{lang}"]


async def test_bare_platform_name_uses_telegram_language(tg):
    await tg.send(msg("instagram", sender=user(PRIVATE, language_code="es")))
    assert tg.texts(PRIVATE)[0] == render(get_engine().answer_for("instagram", lang="es"), "telegram").chunks[0]


async def test_lang_and_region_are_remembered_and_forgotten(tg):
    await tg.send(msg("/lang es"))
    await tg.send(msg("/region eu"))
    await tg.send(msg("/region mars"))
    assert tg.texts(PRIVATE) == [message("lang_set", "telegram", "es"),
                                 message("region_set", "telegram", "es", region=text("region_eu", "es")),
                                 message("region_usage", "telegram", "es")]
    assert (await tg.store.user("telegram", PRIVATE)).lang == "es" and (await tg.store.user("telegram", PRIVATE)).region == "eu"
    await tg.send(msg(EN_Q))  # the user's choice beats the question's language
    assert tg.texts(PRIVATE)[3:] == expected(EN_Q, lang="es", region="eu")
    await tg.send(msg("/forget"))
    assert tg.texts(PRIVATE)[-1] == message("forget_done", "telegram", "es")
    assert (await tg.store.user("telegram", PRIVATE)).lang is None
    await tg.send(msg("/forget"))
    assert tg.texts(PRIVATE)[-1] == message("forget_nothing", "telegram", "en")


async def test_clarify_buttons_then_press(tg):
    await tg.send(msg(CLARIFY_Q))
    [sent] = tg.sent(PRIVATE)
    answer = get_engine().answer(Query(CLARIFY_Q))
    assert answer.status == "clarify"
    assert sent["text"] == render(answer, "telegram").text
    btns = buttons(sent)
    assert [b["text"] for b in btns] == [c.name for c in answer.candidates]
    assert all(len(b["callback_data"].encode()) <= 64 for b in btns)
    await tg.send(callback(btns[0]["callback_data"]))
    assert tg.calls("answerCallbackQuery")
    platform = answer.candidates[0].platform
    assert tg.texts(PRIVATE)[1] == render(get_engine().answer_for(platform), "telegram").chunks[0]


async def test_stale_or_forged_button_is_harmless(tg):
    """F-11: forged callback data and out-of-range values get a polite notice on the button, never a traceback."""
    forged = ["a:no-such-platform:ai-training:en", "garbage", "l:general:en", "l:facebook:xx", "s:linkedin:zzz:en::details",
              "s:linkedin:ai-training:en:mars:details", "set:lang:klingon", "fc", "p:linkedin:ai-training:en:extra"]
    for data in forged:
        await tg.send(callback(data))
    notices = [c.get("text") for c in tg.calls("answerCallbackQuery")]
    assert len(notices) == len(forged) and all(notices), notices
    assert notices[0] == text("platform_not_found", "en", name="no-such-platform")
    assert notices[1] == notices[2] == text("button_invalid", "en")
    assert not tg.sent(PRIVATE) and not tg.errors


async def test_chatter_and_markup_in_private_get_the_polite_abstain(tg):
    await tg.send(msg("<b>hi</b> <script>alert(1)</script> & bye"))
    [text] = tg.texts(PRIVATE)
    assert text == render(get_engine().answer(Query("<b>hi</b>")), "telegram").text
    assert "<script>" not in text


async def test_long_answer_is_sent_in_pieces_with_buttons_last(tg, monkeypatch):
    from bot.core.render import Rendered

    fake = Rendered("x", ["<b>one</b>", "two"], [], [("Settings", "https://example.org/s")])
    monkeypatch.setattr(tg.handlers.conv.renderer, "render", lambda answer, fmt: fake)
    await tg.send(msg(EN_Q))
    first, second = tg.sent(PRIVATE)
    assert (first["text"], second["text"]) == ("<b>one</b>", "two")
    assert "reply_markup" not in first and buttons(second)[0] == {"text": "Settings", "url": "https://example.org/s"}


# ---------------------------------------------------------------------- inline mode
async def test_inline_query_lists_articles(tg):
    await tg.send(inline_query("linkedin"))
    [call] = tg.calls("answerInlineQuery")
    results = call["results"]
    assert 1 <= len(results) <= 10
    assert results[0]["type"] == "article" and results[0]["id"].startswith("linkedin:")
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and content["link_preview_options"] == {"is_disabled": True}
    assert content["message_text"] == render(get_engine().answer_for("linkedin"), "telegram").chunks[0]
    await tg.send(inline_query(""))
    assert len(tg.calls("answerInlineQuery")[1]["results"]) == 10


async def test_inline_query_in_spanish(tg):
    await tg.send(inline_query(ES_Q, sender=user(language_code="en")))
    results = tg.calls("answerInlineQuery")[0]["results"]
    assert results[0]["id"] == "instagram:ai-training:es"


# ---------------------------------------------------------------------- groups
async def test_group_chatter_is_ignored_mentions_and_replies_answered(tg):
    await tg.send(msg(EN_Q, GROUP))  # a clear question, but not addressed and FAQ is off
    await tg.send(msg("lol what a day", GROUP))
    assert tg.sent(GROUP) == []
    await tg.send(mention(EN_Q, tg.api.username))
    [sent] = tg.sent(GROUP)
    assert sent["text"] == expected(EN_Q, in_group=True)[0]
    assert sent["reply_parameters"]["allow_sending_without_reply"] is True
    bot_msg = {"message_id": 77, "date": 0, "chat": {"id": GROUP, "type": "supergroup"}, "from": tg.api.bot_user(),
               "text": "earlier answer"}
    await tg.send(msg(ES_Q, GROUP, reply_to=bot_msg))
    assert tg.texts(GROUP)[1] == expected(ES_Q, in_group=True)[0]


async def test_group_mention_that_is_chatter_gets_the_abstain(tg):
    await tg.send(mention("<i>nice</i> weather mate", tg.api.username))
    await tg.send(mention("thanks mate", tg.api.username))
    chatter, thanks = tg.texts(GROUP)
    assert "<i>" not in chatter and chatter == render(get_engine().answer(Query("nice weather mate")), "telegram").text
    assert thanks == message("thanks", "telegram", "en")  # a thank-you gets a friendly line, not the lecture


async def test_other_bots_and_our_inline_results_are_ignored(tg):
    await tg.send(mention(EN_Q, tg.api.username, sender=user(999, is_bot=True)))
    await tg.send(msg(EN_Q, GROUP, via_bot=tg.api.bot_user()))
    assert tg.sent(GROUP) == []


async def test_group_commands(tg):
    await tg.send(msg("/optout@optout_test_bot linkedin", GROUP))
    await tg.send(msg("/help@other_bot", GROUP))  # another bot's command
    assert tg.texts(GROUP) == [render(get_engine().answer_for("linkedin"), "telegram").chunks[0]]


async def test_faq_needs_an_admin(tg):
    tg.api.admins[GROUP] = [ADMIN]
    await tg.send(msg("/faq on", GROUP, sender=user(MEMBER)))
    assert tg.texts(GROUP) == [message("faq_admin_only", "telegram", "en")]
    assert (await tg.store.chat("telegram", GROUP)).faq is False
    await tg.send(msg("/faq on", GROUP, sender=user(ADMIN)))
    hint = message("tg_faq_privacy_hint", "telegram", "en", bot="@optout_test_bot")
    assert tg.texts(GROUP)[1] == message("faq_on", "telegram", "en") + "\n\n" + hint  # privacy mode on, not admin
    assert (await tg.store.chat("telegram", GROUP)).faq is True
    await tg.send(msg("/faq maybe", GROUP, sender=user(ADMIN)))
    assert tg.texts(GROUP)[2] == message("faq_usage", "telegram", "en")
    tg.api.admins[GROUP] = [ADMIN, tg.api.bot_id]  # as a chat admin the bot sees every message: no hint
    await tg.send(msg("/faq on", GROUP, sender=user(ADMIN)))
    assert tg.texts(GROUP)[3] == message("faq_on", "telegram", "en")
    await tg.send(msg("/faq off", GROUP, sender=user(ADMIN)))
    assert tg.texts(GROUP)[4] == message("faq_off", "telegram", "en") and not (await tg.store.chat("telegram", GROUP)).faq
    await tg.send(msg("/faq", PRIVATE))
    assert tg.texts(PRIVATE) == [message("faq_groups_only", "telegram", "en")]


async def test_faq_mode_answers_clear_questions_with_cooldown_and_rate_limit(tg):
    await tg.store.update_chat("telegram", GROUP, faq=True)
    await tg.send(msg("lol what a day", GROUP))
    await tg.send(msg("How do I opt out of AI training?", GROUP))  # clarify when overheard: nothing
    assert tg.sent(GROUP) == []
    await tg.send(msg(EN_Q, GROUP, sender=user(701)))
    assert tg.texts(GROUP) == expected(EN_Q, in_group=True, addressed=False)
    await tg.send(msg(EN_Q, GROUP, sender=user(702)))  # same answer again in this chat: cooldown
    assert len(tg.texts(GROUP)) == 1
    tg.handlers.conv.faq_user_rate = RateLimit(2, 60)
    for q in (ES_Q, "How do I delete my ChatGPT history?", "How can I stop Reddit training AI on my posts?"):
        await tg.send(msg(q, GROUP, sender=user(703)))  # three answerable questions, two allowed per user
    answered = [p for p in tg.sent(GROUP) if "reply_parameters" in p]  # the first piece of each answer replies
    assert len(answered) == 3 and "Reddit" not in answered[-1]["text"]


async def test_faq_post_and_admin_settings(tg):
    tg.api.admins[GROUP] = [ADMIN]
    await tg.send(msg("/faq post", GROUP, sender=user(ADMIN)))
    assert tg.texts(GROUP) == platform_index("telegram", "en").chunks
    await tg.send(msg("/lang es", GROUP, sender=user(MEMBER)))
    assert tg.texts(GROUP)[-1] == message("admin_only", "telegram", "en")
    await tg.send(msg("/lang es", GROUP, sender=user(ADMIN)))
    assert (await tg.store.chat("telegram", GROUP)).lang == "es"
    await tg.store.update_user("telegram", ADMIN, lang="es", region="eu")
    await tg.send(msg("/forget", GROUP, sender=user(ADMIN)))  # F-7: /forget erases the sender's own data only
    assert tg.texts(GROUP)[-1] == message("forget_done_group", "telegram", "es")
    assert (await tg.store.user("telegram", ADMIN)).lang is None
    assert (await tg.store.chat("telegram", GROUP)).lang == "es"  # the group's settings are kept, and it says so
    await tg.send(msg("/forget group", GROUP, sender=user(MEMBER)))
    assert tg.texts(GROUP)[-1] == message("admin_only", "telegram", "es")
    await tg.send(msg("/forget group", GROUP, sender=user(ADMIN)))
    [confirm] = buttons(tg.sent(GROUP)[-1])
    assert confirm["callback_data"] == "fc" and (await tg.store.chat("telegram", GROUP)).lang == "es"
    await tg.send(callback("fc", GROUP, sender=user(MEMBER)))  # a member pressing the admin's button: refused
    assert (await tg.store.chat("telegram", GROUP)).lang == "es"
    await tg.send(callback("fc", GROUP, sender=user(ADMIN)))
    assert (await tg.store.chat("telegram", GROUP)).lang is None
    assert tg.calls("editMessageText")[-1]["text"] == message("forget_group_done", "telegram", "es")


async def test_settings_follow_migration_and_leave_with_the_bot(tg):
    old, new = -4242, -1004242
    await tg.store.update_chat("telegram", old, faq=True, lang="es")
    migrate = msg("", old, migrate_to_chat_id=new)
    migrate["message"]["chat"] = {"id": old, "type": "group", "title": "g"}
    del migrate["message"]["text"]
    await tg.send(migrate)
    assert (await tg.store.chat("telegram", new)).faq and (await tg.store.chat("telegram", new)).lang == "es"
    assert not (await tg.store.chat("telegram", old)).faq
    member = {"user": tg.api.bot_user(), "status": "left"}
    await tg.send({"my_chat_member": {"chat": {"id": new, "type": "supergroup", "title": "g"}, "from": user(ADMIN),
                                      "date": 0, "old_chat_member": {**member, "status": "member"},
                                      "new_chat_member": member}})
    assert (await tg.store.chat("telegram", new)).faq is False


# ---------------------------------------------------------------------- Telegram conventions
async def test_commands_per_scope_and_language(tg):
    await tg.app.post_init(tg.app)
    calls = tg.calls("setMyCommands")
    seen = {(c["scope"]["type"], c.get("language_code")) for c in calls}
    assert seen == {("all_private_chats", None), ("all_private_chats", "es"), ("all_group_chats", None),
                    ("all_group_chats", "es"), ("all_chat_administrators", None), ("all_chat_administrators", "es")}
    private = next(c for c in calls if c["scope"]["type"] == "all_private_chats" and "language_code" not in c)
    assert [c["command"] for c in private["commands"]][:2] == ["start", "help"]
    group = next(c for c in calls if c["scope"]["type"] == "all_group_chats" and c.get("language_code") == "es")
    assert "faq" not in [c["command"] for c in group["commands"]]  # /faq: only in the admins' menu
    admins = next(c for c in calls if c["scope"]["type"] == "all_chat_administrators" and "language_code" not in c)
    assert "faq" in [c["command"] for c in admins["commands"]]
    for method in ("setMyDescription", "setMyShortDescription"):
        assert {c.get("language_code") for c in tg.calls(method)} == {None, "es"}
        assert all(len(c["description" if method == "setMyDescription" else "short_description"]) <= 120
                   for c in tg.calls(method) if method == "setMyShortDescription")


async def test_errors_are_logged_without_token_and_the_user_gets_an_apology(tg, monkeypatch, caplog):
    def boom(query):
        raise RuntimeError(f"engine exploded near {tg.api.token}")

    monkeypatch.setattr(tg.handlers.conv.engine, "answer", boom)
    with caplog.at_level(logging.ERROR, logger="bot.telegram"):
        await tg.send(msg(EN_Q))
    assert tg.texts(PRIVATE) == [message("apology", "telegram", "en")]
    assert "engine exploded" in caplog.text and tg.api.token not in caplog.text


async def test_forbidden_send_is_handled(tg):
    tg.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await tg.send(msg("/help"))
    assert type(tg.errors[0]).__name__ == "Forbidden"


async def test_topic_threads_and_anonymous_admins(tg):
    await tg.send(_in_topic(mention(EN_Q, tg.api.username), 55))
    assert tg.sent(GROUP)[0]["message_thread_id"] == 55
    anonymous = msg("/faq on", GROUP, sender=user(1087968824, "Group", is_bot=True),
                    sender_chat={"id": GROUP, "type": "supergroup", "title": "Test group"})
    await tg.send(anonymous)  # an anonymous admin posts as the chat itself (not in the fake's empty admin list)
    assert (await tg.store.chat("telegram", GROUP)).faq is True
    assert tg.texts(GROUP)[-1].startswith(message("faq_on", "telegram", "en"))


def _in_topic(update: dict, thread: int) -> dict:
    update["message"].update(message_thread_id=thread, is_topic_message=True)
    return update


async def test_settings_survive_a_restart(tmp_path):
    from bot.adapters.telegram_bot import build_application
    from bot.core.store import Store
    from tests.telegram.conftest import Harness, make_settings
    from tests.telegram.fake_bot_api import FakeBotAPI, make_fake_request

    db = f"sqlite:///{tmp_path}/db.sqlite3"
    api = FakeBotAPI()
    api.admins[GROUP] = [ADMIN]
    for round_ in (1, 2):  # two lives of the bot on the same DATABASE_URL
        store = await Store.open(db)
        app = build_application(make_settings(api, db), engine=get_engine(), store=store,
                                request=make_fake_request(api))
        await app.initialize()
        h = Harness(api, app, store)
        if round_ == 1:
            await h.send(msg("/faq on", GROUP, sender=user(ADMIN)))
            await h.send(msg("/lang es", PRIVATE))
        else:
            await h.send(msg(EN_Q, GROUP, sender=user(MEMBER)))  # FAQ still on: overheard question answered
            await h.send(msg(EN_Q, PRIVATE))  # still in Spanish
        await app.shutdown()
        await store.close()
    assert api.sent_to(GROUP)[-1]["text"] == expected(EN_Q, in_group=True, addressed=False)[0]
    assert api.sent_to(PRIVATE)[-1]["text"] == expected(EN_Q, lang="es")[-1]


async def test_objection_letter_command_and_button(tg):
    await tg.send(msg("/letter insta"))
    (sent,) = tg.sent(PRIVATE)
    assert_html(sent)
    assert sent["text"].startswith(message("letter_intro", "telegram", "en", platform="Instagram"))
    assert "<pre>To: the data protection officer / privacy team of Instagram" in sent["text"]
    assert all("url" in b for b in buttons(sent))  # the objection form links
    await tg.send(msg("/letter"))  # alone: the letter for any company, the company left blank
    anyone = tg.sent(PRIVATE)[-1]
    assert_html(anyone)
    assert "<pre>To: the data protection officer / privacy team of [company]" in anyone["text"]
    await tg.send(msg("Facebook objection form for AI"))
    letter_button = next(b for b in buttons(tg.sent(PRIVATE)[-1]) if b.get("callback_data", "").startswith("l:"))
    assert letter_button["text"] == text("letter_button", "en") and len(letter_button["callback_data"]) <= 64
    await tg.send(callback(letter_button["callback_data"]))
    assert "privacy team of Facebook" in tg.texts(PRIVATE)[-1]


# ---------------------------------------------------------------------- issue 10: Telegram conventions
async def test_answer_sections_edit_the_message_in_place(tg):
    await tg.send(msg("/optout linkedin"))
    [sent] = tg.sent(PRIVATE)
    sections = [b for b in buttons(sent) if b.get("callback_data", "").startswith("s:")]
    assert [b["text"] for b in sections] == ["Steps & details", "Regions", "Sources"]
    assert buttons(sent)[0] == {"text": "Data for Generative AI Improvement setting",
                                "url": "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"}
    await tg.send(callback(sections[2]["callback_data"]))
    [edited] = tg.calls("editMessageText")
    assert "LinkedIn Help: Control whether LinkedIn uses your data to" in edited["text"]
    assert edited["text"].startswith(sent["text"])  # the short answer stays on top
    assert buttons(edited) == buttons(sent) and len(tg.sent(PRIVATE)) == 1


async def test_lang_and_region_without_an_argument_offer_buttons(tg):
    await tg.send(msg("/lang"))
    await tg.send(msg("/region"))
    lang, region = tg.sent(PRIVATE)
    assert [b["callback_data"] for b in buttons(lang)] == ["set:lang:en", "set:lang:es"]
    assert [b["text"] for b in buttons(region)] == ["EU/EEA", "UK", "Switzerland", "US", "Other countries"]
    await tg.send(callback("set:lang:es"))
    assert tg.texts(PRIVATE)[-1] == message("lang_set", "telegram", "es")
    await tg.send(msg("/settings"))
    assert tg.texts(PRIVATE)[-1] == message("settings_now", "telegram", "es", language="Español", region="sin elegir")


async def test_group_answer_is_short_with_the_full_guide_in_private(tg):
    await tg.send(mention(EN_Q, tg.api.username))
    [sent] = tg.sent(GROUP)
    link = next(b for b in buttons(sent) if b["text"] == "Full guide in private")
    assert link["url"] == f"https://t.me/{tg.api.username}?start=linkedin__ai-training__en__full"
    assert not any(b.get("callback_data", "").startswith("s:") for b in buttons(sent))


async def test_greeting_when_added_to_a_group_tells_admins_about_faq(tg):
    member = {"user": tg.api.bot_user(), "status": "member"}
    await tg.send({"my_chat_member": {"chat": {"id": GROUP, "type": "supergroup", "title": "g"}, "from": user(ADMIN),
                                      "date": 0, "old_chat_member": {**member, "status": "left"},
                                      "new_chat_member": member}})
    [hello] = tg.texts(GROUP)
    assert "/faq on" in hello and f"https://t.me/{tg.api.username}?startgroup=true" in hello


async def test_inline_results_open_the_bot_and_offer_the_letter_as_a_deep_link(tg):
    """F-12: an inline-mode message has no chat for a callback, so its letter button is a deep link that works."""
    await tg.send(inline_query("facebook objection form for AI"))
    call = tg.calls("answerInlineQuery")[-1]
    assert call["button"] == {"text": "Open the bot", "start_parameter": "inline"}
    article = call["results"][0]
    kb = [b for row in article["reply_markup"]["inline_keyboard"] for b in row]
    assert not any("callback_data" in b for b in kb)
    letter = next(b for b in kb if b["text"] == "Objection letter")
    assert letter["url"] == f"https://t.me/{tg.api.username}?start=letter__facebook"
    await tg.send(msg("/start letter__facebook"))
    assert "privacy team of Facebook" in tg.texts(PRIVATE)[-1]


async def test_buttons_are_routed_by_pattern_handlers(tg):
    from telegram.ext import CallbackQueryHandler

    patterns = [h.pattern.pattern for group in tg.app.handlers.values() for h in group
                if isinstance(h, CallbackQueryHandler) and h.pattern is not None]
    assert patterns == ["^a:", "^s:", "^l:", "^p:", "^set:", "^fc$", "^ck:", "^fb:", "^rb:"]



async def test_the_full_guide_deep_link_opens_the_whole_guide_in_private(tg):
    await tg.send(msg("/start linkedin__ai-training__en__full"))
    texts = tg.texts(PRIVATE)
    whole = "\n".join(texts)
    assert "Click your photo (Me) &gt; Settings &amp; Privacy &gt; Data privacy." in whole  # every device's steps
    assert "Canada and Hong Kong" in whole and "Sources" in whole
    assert all(len(t) < 4096 for t in texts)


# ---------------------------------------------------------------------- follow-ups (issue 9)
async def test_a_follow_up_names_no_platform_and_gets_the_same_platform(tg):
    await tg.send(msg(EN_Q))
    await tg.send(msg("does that undo what they already took?"))
    last = tg.texts(PRIVATE)[-1]
    assert "LinkedIn" in last and "training that has already taken place" in last  # LinkedIn's past_training line


async def test_a_follow_up_to_another_platform_keeps_the_topic(tg):
    await tg.send(msg("how do I delete my linkedin account"))
    await tg.send(msg("what about threads?"))
    assert "Threads" in tg.texts(PRIVATE)[-1] and "Delete" in tg.texts(PRIVATE)[-1]
