"""The conversation layer: each command's behaviour is written once and runs the same on all three surfaces."""
from __future__ import annotations

import pytest

from bot.core.conversation import Conversation, Limits, Turn, short_label
from bot.core.engine import Query
from bot.core.limits import visible
from bot.core.memory_store import MemoryStore
from bot.core.render import Renderer, text

SURFACES = ("telegram", "discord", "console")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def conv(engine, clock):
    return Conversation(engine, Renderer(engine), MemoryStore(), Limits(), clock=clock)


def private(surface: str, user: int = 7) -> Turn:
    return Turn(surface, user, user)


def group(surface: str, user: int = 7, admin: bool = False) -> Turn:
    return Turn(surface, -100, user, in_group=True, admin=admin, shared_prefs=surface != "discord")


def seen(reply) -> str:
    """What the user reads, whatever the format (HTML, Discord markdown in embeds, plain)."""
    parts = [visible(c) for c in reply.chunks]
    for e in reply.embeds:
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
        parts.append((e.get("footer") or {}).get("text", ""))
    return "\n".join(parts).replace("\\", "")


@pytest.mark.parametrize("surface", SURFACES)
async def test_start_welcomes_with_examples(conv, surface):
    reply = await conv.command(private(surface), "start")
    assert seen(reply).startswith("Hi! I tell you how to stop apps")
    assert [b.data for row in reply.buttons for b in row] == ["a:linkedin:ai-training:en", "a:instagram:ai-training:en",
                                                             "a:chatgpt:delete-data:en"]


@pytest.mark.parametrize("surface", SURFACES)
async def test_start_deep_links_open_an_answer_or_a_letter(conv, surface):
    reply = await conv.command(private(surface), "start", "chatgpt__delete-data__es")
    assert reply.answer.platform == "chatgpt" and reply.answer.topic == "delete-data" and reply.answer.lang == "es"
    letter = await conv.command(private(surface), "start", "letter__facebook")  # F-12: the inline letter link
    assert "Facebook" in seen(letter) and "art. 21 del RGPD" in seen(letter)  # in the language of the last answer


@pytest.mark.parametrize("surface", SURFACES)
async def test_help_and_privacy(conv, surface):
    assert "/optout" in seen(await conv.command(private(surface), "help"))
    assert "No message text" in seen(await conv.command(private(surface), "privacy"))
    assert "/optout" in seen(await conv.command(private(surface), "nonsense"))  # unknown command: the help


@pytest.mark.parametrize("surface", SURFACES)
async def test_optout_short_answer_typos_and_unknown_names(conv, surface):
    reply = await conv.command(private(surface), "optout", "linkdin")
    assert reply.answer.platform == "linkedin" and "Data for Generative AI Improvement" in seen(reply)
    assert len(seen(reply)) < 1000  # the short first reply
    unknown = await conv.command(private(surface), "optout", "myspace")
    assert "I don't know a platform called" in seen(unknown)
    assert "for example /optout linkedin" in seen(await conv.command(private(surface), "optout"))


@pytest.mark.parametrize("surface", SURFACES)
async def test_lang_and_region_with_and_without_an_argument(conv, surface):
    turn = private(surface)
    assert seen(await conv.command(turn, "lang", "es")) == "Idioma: español."
    assert "UE/EEE" in seen(await conv.command(turn, "region", "eu"))
    assert await conv.prefs(turn) == ("es", "eu")
    assert "Usa /region" in seen(await conv.command(turn, "region", "mars"))
    choose = await conv.command(turn, "region")
    if surface == "console":
        assert "Usa /region" in seen(choose) and not choose.buttons
    else:  # buttons, each a press that sets it
        datas = [b.data for row in choose.buttons for b in row]
        assert datas == ["set:region:eu", "set:region:uk", "set:region:ch", "set:region:us", "set:region:other"]
        assert "Reino Unido" in seen(await conv.press(turn, "set:region:uk"))
        assert (await conv.prefs(turn))[1] == "uk"


@pytest.mark.parametrize("surface", SURFACES)
async def test_settings_shows_both(conv, surface):
    turn = private(surface)
    await conv.command(turn, "region", "us")
    reply = await conv.command(turn, "settings")
    assert seen(reply) == "Language: English · Region: US. Change them below."
    assert {b.data for row in reply.buttons for b in row} >= {"set:lang:es", "set:region:eu"}


@pytest.mark.parametrize("surface", SURFACES)
async def test_letter_and_close_matches(conv, surface):
    reply = await conv.command(private(surface), "letter", "insta")
    assert "privacy team of Instagram" in seen(reply) and reply.buttons
    unknown = await conv.command(private(surface), "letter", "myspace")
    assert "I don't know a platform called" in seen(unknown)
    anyone = seen(await conv.command(private(surface), "letter"))  # alone: a letter for any company, to fill in
    assert "privacy team of [company]" in anyone and "Article 21(1) of the GDPR" in anyone
    assert "for example /letter instagram" in anyone
    netflix = seen(await conv.command(private(surface), "letter", "netflix"))  # a brand with no guide: addressed to it
    assert "privacy team of Netflix" in netflix and "I have no guide for Netflix" in netflix


@pytest.mark.parametrize("surface", SURFACES)
async def test_the_letter_asked_for_after_an_answer_on_objecting_is_that_platforms(conv, surface):
    await conv.message(private(surface), "cómo me opongo a que instagram use mis fotos")
    carta = seen(await conv.message(private(surface), "me escribes la carta?"))
    assert "Instagram" in carta and "artículo 21.1 del RGPD" in carta.replace("\n", " ")
    await conv.message(private(surface, user=8), "is there an objection form for linkedin ai training")
    letter = seen(await conv.message(private(surface, user=8), "write me the letter"))
    assert "privacy team of LinkedIn" in letter and "Article 21" in letter.replace("\n", " ")
    await conv.message(private(surface, user=10), "is there a gdpr objection for x?")
    draft = seen(await conv.message(private(surface, user=10), "can you draft it for me"))  # letter_words: "draft it"
    assert "privacy team of X" in draft and "Article 21" in draft.replace("\n", " ")
    # a cover letter is still a cover letter (matching.yaml other_letters), even right after that answer
    assert "Article 21" not in seen(await conv.message(private(surface, user=8), "can you write me a cover letter"))
    # after an answer on something else, a letter is not assumed to be the objection
    await conv.message(private(surface, user=9), "does linkedin train on my posts")
    assert "Article 21" not in seen(await conv.message(private(surface, user=9), "write me the letter"))


@pytest.mark.parametrize("surface", SURFACES)
async def test_asking_for_a_letter_gets_the_letter(conv, surface):
    anyone = seen(await conv.message(private(surface), "write me an objection letter about my data being used for ai"))
    assert "privacy team of [company]" in anyone and "Subject: Objection to the use of my personal data" in anyone
    carta = seen(await conv.message(private(surface), "redáctame una carta de oposición al uso de mis datos para entrenar ia"))
    assert "[empresa]" in carta and "artículo 21.1 del RGPD" in carta.replace("\n", " ")
    insta = seen(await conv.message(private(surface), "write me an objection letter for instagram"))
    assert "privacy team of Instagram" in insta
    netflix = seen(await conv.message(private(surface), "can you write me an objection letter for netflix"))
    assert "privacy team of Netflix" in netflix and "I have no guide for Netflix" in netflix
    # a cover letter is not an objection
    assert "Article 21" not in seen(await conv.message(private(surface), "can you write me a cover letter for a barista job"))


async def test_letter_buttons_for_any_company_and_for_a_brand_with_no_guide(conv):
    turn = private("telegram")
    general = await conv.message(turn, "what's the difference between opt-out and opt-in?")
    assert "la:en" in [b.data for row in general.buttons for b in row]
    assert "privacy team of [company]" in seen(await conv.press(turn, "la:en"))
    uncovered = await conv.message(turn, "does microsoft edge use my data to train ai")
    assert "lb:microsoft-edge:en" in [b.data for row in uncovered.buttons for b in row]
    assert "privacy team of Microsoft Edge" in seen(await conv.press(turn, "lb:microsoft-edge:en"))
    forged = await conv.press(turn, "lb:myspace:en")  # not a brand we know: no letter addressed to it
    assert "yspace" not in seen(forged) and "Article 21" not in seen(forged)


@pytest.mark.parametrize("surface", SURFACES)
async def test_platforms(conv, engine, surface):
    reply = await conv.command(private(surface), "platforms")
    if surface == "telegram":
        assert [b.label for b in reply.choices] == [short_label(p.name, 32) for p in engine.platforms()]
    else:
        assert "LinkedIn" in seen(reply)


@pytest.mark.parametrize("surface", SURFACES)
async def test_forget_in_private_and_in_a_group(conv, surface):
    turn = private(surface)
    await conv.command(turn, "lang", "es")
    assert seen(await conv.command(turn, "forget")).startswith("Hecho")
    assert await conv.prefs(turn) == (None, None)
    assert seen(await conv.command(turn, "forget")).startswith("I had nothing stored")
    # F-7: in a group /forget erases only the sender's own data, and says that the group's settings stay
    admin = group(surface, 1, admin=True)
    await conv.store.update_chat(surface, -100, faq=True)
    await conv.store.update_user(surface, 1, region="eu")
    said = seen(await conv.command(admin, "forget"))
    assert "your own settings" in said and "/forget group" in said
    assert (await conv.store.chat(surface, -100)).faq is True and (await conv.store.user(surface, 1)).region is None
    assert seen(await conv.command(group(surface, 2), "forget", "group")) == text("admin_only", "en")
    confirm = await conv.command(admin, "forget", "group")
    assert [b.data for row in confirm.buttons for b in row] == ["fc"]
    assert (await conv.press(group(surface, 2), "fc")).toast == text("admin_only", "en")  # a member: refused
    assert (await conv.store.chat(surface, -100)).faq is True
    done = await conv.press(admin, "fc")
    assert done.edit and (await conv.store.chat(surface, -100)).faq is False


@pytest.mark.parametrize("surface", SURFACES)
async def test_faq_is_for_admins_in_groups(conv, surface):
    assert "groups" in seen(await conv.command(private(surface), "faq", "on"))
    assert seen(await conv.command(group(surface), "faq", "on")) == text("faq_admin_only", "en")
    on = await conv.command(group(surface, admin=True), "faq", "on")
    assert on.public and (await conv.store.chat(surface, -100)).faq is True
    assert "Use /faq on" in seen(await conv.command(group(surface, admin=True), "faq", "maybe"))


@pytest.mark.parametrize("surface", SURFACES)
async def test_more_gives_the_whole_guide_of_the_last_answer(conv, surface):
    turn = private(surface)
    assert "Ask me about a platform first" in seen(await conv.command(turn, "more"))
    await conv.message(turn, "how do I stop linkedin training ai on my data")
    full = seen(await conv.command(turn, "more"))
    assert "Canada and Hong Kong" in full and "Click your photo (Me) > Settings & Privacy" in full


@pytest.mark.parametrize("surface", SURFACES)
async def test_every_command_and_button_is_rate_limited_with_the_same_numbers(conv, clock, surface):
    """F-10: commands count like questions, and the limit is the same on every surface."""
    turn = private(surface)
    replies = [await conv.command(turn, "start", "linkedin") for _ in range(Limits().user[0] + 3)]
    answered = [r for r in replies if r.answer is not None]
    assert len(answered) == Limits().user[0]
    assert seen(replies[Limits().user[0]]) == text("rate_limited", "en")  # told once
    assert all(r.silent for r in replies[Limits().user[0] + 1:])  # then silence
    assert (await conv.press(turn, "a:linkedin:ai-training:en")).silent
    clock.now += Limits().user[1]
    assert (await conv.press(turn, "a:linkedin:ai-training:en")).answer is not None


@pytest.mark.parametrize("surface", SURFACES)
async def test_follow_ups_carry_the_last_platform_and_topic_for_ten_minutes(conv, engine, clock, monkeypatch, surface):
    asked: list[Query] = []
    real = engine.answer

    def spy(query):
        asked.append(query)
        return real(query)

    monkeypatch.setattr(engine, "answer", spy)
    turn = private(surface)
    await conv.message(turn, "how do I delete my chatgpt history")
    await conv.message(turn, "and for claude?")
    assert asked[0].previous is None and asked[1].previous == ("chatgpt", "delete-data")
    await conv.message(Turn(surface, 99, 99), "and for claude?")  # another chat: no context
    assert asked[2].previous is None
    clock.now += Limits().context_seconds
    await conv.message(turn, "and for gemini?")
    assert asked[3].previous is None  # ten minutes later: forgotten


@pytest.mark.parametrize("surface", SURFACES)
async def test_overheard_questions_need_the_faq_switch_a_clear_answer_and_respect_cooldowns(conv, surface):
    q = "how do I stop linkedin training ai on my data?"
    assert (await conv.message(group(surface, 1), q, addressed=False)).silent  # FAQ off: chatter is never answered
    await conv.store.update_chat(surface, -100, faq=True)
    assert (await conv.message(group(surface, 1), q, addressed=False)).answer.platform == "linkedin"
    assert (await conv.message(group(surface, 2), q, addressed=False)).silent  # same answer, same chat: cooldown
    assert (await conv.message(group(surface, 2), "lol what a day", addressed=False)).silent


async def test_discord_public_posts_are_limited_per_member_and_per_channel(conv):
    """F-3: FAQ auto-answers and 'Post publicly' in one channel, by one member and by many."""
    await conv.store.update_chat("discord", -100, faq=True)
    questions = [f"how do I stop {p} training ai on my data?" for p in
                 ("linkedin", "reddit", "tiktok", "quora", "medium", "zoom", "slack", "figma", "canva", "notion")]
    one_member = [await conv.message(group("discord", 1), q, addressed=False) for q in questions[:5]]
    assert sum(not r.silent for r in one_member) == Limits().public_user[0]
    many = [await conv.message(group("discord", 10 + i), q, addressed=False) for i, q in enumerate(questions[5:])]
    assert sum(not r.silent for r in one_member + many) == Limits().public_channel[0]


@pytest.mark.parametrize("surface", SURFACES)
async def test_group_answers_link_to_the_full_guide_in_private(conv, surface):
    reply = await conv.message(group(surface), "how do I stop linkedin training ai on my data?")
    labels = [b.label for row in reply.buttons for b in row]
    if surface == "telegram":
        [link] = [b for row in reply.buttons for b in row if b.deep_link]
        assert link.label == "Full guide in private" and link.deep_link == "linkedin__ai-training__en__full"
    elif surface == "discord":
        assert labels[-5:] == ["Steps & details", "Regions", "Sources",  # public already: no "Post publicly"
                               "👍 Helpful", "👎 Not helpful"]
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in \
        [b.url for row in reply.buttons for b in row]


async def test_store_failures_are_said_not_raised(conv):
    from bot.core.store import StoreUnavailable

    class Broken(MemoryStore):
        async def update_user(self, *a, **kw):
            raise StoreUnavailable("settings could not be saved (disk full)")

    conv.store = Broken()
    assert seen(await conv.command(private("telegram"), "lang", "es")) == text("store_unavailable", "en")


def test_button_labels_are_shortened_on_word_boundaries():
    assert short_label("Adobe (Creative Cloud, Document Cloud, Firefly)", 40) == "Adobe (Creative Cloud, Document Cloud…"
    assert short_label("Supercalifragilisticexpialidocious" * 2) .endswith("…")
    assert short_label("LinkedIn") == "LinkedIn"


@pytest.mark.parametrize("surface", SURFACES)
async def test_greetings_and_thanks_get_a_friendly_line(conv, surface):
    assert seen(await conv.message(private(surface), "hi there!")) .startswith("Hi! Ask me how")
    assert seen(await conv.message(private(surface), "hola")).startswith("¡Hola!")
    assert seen(await conv.message(private(surface), "thanks a lot")).startswith("You're welcome")
    assert seen(await conv.message(private(surface), "muchas gracias")).startswith("¡De nada!")
    assert seen(await conv.message(private(surface), "hey how are you?")).startswith("Hi! Ask me how")
    assert seen(await conv.message(private(surface), "hola que tal, como estas?")).startswith("¡Hola!")
    assert "I answer one kind of question" in seen(await conv.message(private(surface), "what's the weather in Madrid"))


@pytest.mark.parametrize("surface", SURFACES)
async def test_the_ai_on_a_phone_asks_which_phone(conv, surface):
    assert seen(await conv.message(private(surface), "how do i turn off the ai on my phone")).startswith(
        "Which phone is it?")
    assert seen(await conv.message(private(surface), "como quito la ia del celular")).startswith("¿Qué móvil es?")


async def test_reload_swaps_the_knowledge_base_or_keeps_the_old_one(conv, engine):
    from bot.core.engine import Engine
    from bot.core.knowledge import KnowledgeError

    def broken():
        raise KnowledgeError(["knowledge/platforms/linkedin.yaml: topics: missing"])

    assert (await conv.reload(broken)).startswith("knowledge base NOT reloaded, the old one keeps serving: knowledge/")
    assert conv.engine is engine
    report = await conv.reload(Engine.load)
    assert report.startswith("knowledge base reloaded:") and conv.engine is not engine
    assert conv.renderer.engine is conv.engine
    assert (await conv.command(private("console"), "optout", "linkedin")).answer.platform == "linkedin"


async def test_more_and_letters_follow_the_language_of_the_last_answer(conv):
    turn = private("console")
    await conv.message(turn, "¿cómo evito que instagram use mis fotos para su IA?")
    assert "Cómo hacerlo" in seen(await conv.command(turn, "more"))
    assert "artículo 21.1 del RGPD" in seen(await conv.command(turn, "letter", "instagram")).replace("\n", " ")


async def test_overheard_chatter_is_never_read_as_a_follow_up(conv, engine, monkeypatch):
    asked: list[Query] = []
    real = engine.answer
    monkeypatch.setattr(engine, "answer", lambda query: asked.append(query) or real(query))
    await conv.store.update_chat("telegram", -100, faq=True)
    await conv.message(group("telegram", 1), "how do I stop linkedin training ai on my data?")
    await conv.message(group("telegram", 1), "opt out of ai training", addressed=False)
    assert asked[0].previous is None and asked[1].previous is None


def test_throttles_prune_rarely_when_every_key_is_live():
    """F-19: with more live keys than max_keys, a call must not rescan them all every time."""
    from bot.core.throttle import Cooldown, RateLimit

    for limiter in (Cooldown(60, clock=lambda: 0.0, max_keys=100), RateLimit(5, 60, clock=lambda: 0.0, max_keys=100)):
        def table():
            return limiter._last if isinstance(limiter, Cooldown) else limiter._events

        scans = 0
        for i in range(1000):
            before = id(table())
            assert limiter.allow(i)
            scans += id(table()) != before
        assert scans <= 5, f"{type(limiter).__name__} rebuilt its table {scans} times for 1,000 new keys"
