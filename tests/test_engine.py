"""The matcher's verdicts: the issue's acceptance questions, typos, scope, margin and group mode."""
import pytest

from bot.core.engine import Query
from bot.core.normalize import tokens


def ask(engine, text, **kw):
    return engine.answer(Query(text, **kw))


@pytest.mark.parametrize("text, platform, topic, lang", [
    ("how do I stop LinkedIn from using my data to train AI?", "linkedin", "ai-training", "en"),
    ("¿Cómo evito que Instagram use mis fotos para entrenar su IA?", "instagram", "ai-training", "es"),
    ("how do I block GPTBot on my website", "general", "website-crawlers", "en"),
    ("linkdin ai training opt out", "linkedin", "ai-training", "en"),
    ("instagarm using my pics for ai??", "instagram", "ai-training", "en"),
    ("does chat gpt train on my conversations", "chatgpt", "ai-training", "en"),
    ("twitter grok training on my tweets how to stop", "x", "ai-training", "en"),
    ("how do I delete my chatgpt history", "chatgpt", "delete-data", "en"),
    ("facebook objection form for AI", "facebook", "legal-objection", "en"),
    ("does opting out of chatgpt training undo what they already used", "chatgpt", "past-training", "en"),
    ("is the linkedin AI opt out available in the UK?", "linkedin", "region", "en"),
    ("cómo borro mi historial de chatgpt", "chatgpt", "delete-data", "es"),
    ("quiero oponerme a que facebook use mis datos para su IA, hay formulario?", "facebook", "legal-objection", "es"),
    ("what can you do?", "general", "about-bot", "en"),
    ("why is AI training opt-out instead of opt-in?", "general", "opt-out-vs-opt-in", "en"),
])
def test_answers(engine, text, platform, topic, lang):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic, a.lang) == ("answer", platform, topic, lang)
    assert a.candidates and a.candidates[0].platform == platform


@pytest.mark.parametrize("text, platform", [
    ("drop box ai training opt out", "dropbox"),  # no name of two words: the words joined are one ("dropbox")
    ("does sub stack train ai on my newsletter", "substack"),
    ("pin terest is using my boards for ai, how to stop", "pinterest"),
])
def test_a_name_split_in_words_is_the_name(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


@pytest.mark.parametrize("text, platform", [
    ("moved all my art from deviantart to artstation, how do i opt out there", "artstation"),
    ("moved from twitter to bluesky, are my skeets being used to train ai?", "bluesky"),
    ("me pasé de x a bluesky, bluesky usa mis posts para ia?", "bluesky"),
    ("moved my blog from medium to substack, but my old stuff is still on medium - how do i stop medium", "medium"),
])
def test_the_platform_moved_to_is_the_subject(engine, text, platform):
    """"to" and "from" both mark a name as context; moving from one to the other, the one moved to is asked about,
    unless the one left is named again after it."""
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


@pytest.mark.parametrize("text, platform", [
    ("does telegram use my chats to train ai? durov said something about grok", "telegram"),
    ("is telegram using my chats for ai now? heard something about grok", "telegram"),
    ("does threads use my posts for ai the way insta does", "threads"),
])
def test_a_platform_heard_something_about_or_compared_to_is_context(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


def test_without_a_move_from_and_to_do_not_choose(engine):
    a = ask(engine, "does linkedin send my posts from linkedin to microsoft for ai")
    assert a.platform == "linkedin"


@pytest.mark.parametrize("text", ["how do i turn off the ai on my phone", "como quito la ia del celular",
                                  "come tolgo l'ia dal telefono", "remove ai from my phone"])
def test_the_ai_on_a_phone_asks_which_makers(engine, text):
    a = ask(engine, text)
    assert (a.status, a.reason, [c.platform for c in a.candidates]) == (
        "clarify", "phone", ["apple", "samsung-galaxy-ai", "gemini"])


@pytest.mark.parametrize("text", ["how do i turn off my phone", "my phone keeps crashing, any idea"])
def test_a_phone_without_its_ai_is_out_of_scope(engine, text):
    assert ask(engine, text).status == "abstain"


@pytest.mark.parametrize("text", ["wie schalte ich die ki auf meinem handy aus",
                                  "wie mache ich die ki auf meinem handy aus bitte"])
def test_a_german_verb_split_around_the_phone_still_switches_it_off(engine, text):
    a = ask(engine, text)
    assert (a.status, a.reason) == ("clarify", "phone")


def test_a_separable_particle_inside_the_sentence_takes_nothing_away(engine):
    assert not engine.grammar.takes_away(tokens("was macht linkedin aus meinen daten fuer die ki"))
    assert engine.grammar.takes_away(tokens("wie schalte ich das bei linkedin aus"))


@pytest.mark.parametrize("text", ["que opinas de que meta entrene ia con nuestras fotos?",
                                  "ai training is just stealing from artists, change my mind",
                                  "was hältst du vom ai act der eu?",
                                  "o que você acha do chatgpt treinar com as nossas conversas?"])
def test_asked_for_an_opinion_the_bot_gives_none(engine, text):
    assert ask(engine, text).status == "abstain"


@pytest.mark.parametrize("text", ["how do i train my own ai model on my photos",
                                  "wie trainiere ich eine eigene ki mit meinen texten?"])
def test_training_a_model_of_ones_own_is_out_of_scope(engine, text):
    assert ask(engine, text).status == "abstain"


def test_a_platforms_own_ai_is_still_its_card(engine):
    a = ask(engine, "does squarespace use my site content to train its own ai tools? how do i opt out")
    assert (a.status, a.platform, a.topic) == ("answer", "squarespace", "ai-training")


@pytest.mark.parametrize("text, platform", [
    ("does durov's app use our chats for ai training", "telegram"),
    ("feisbuk usa mis fotos para la ia? como lo quito", "facebook"),
    ("yutub usa mis videos para entrenar la ia de google?", "youtube"),
    ("microsoft's ai thing on my laptop, does it train on my files?", "microsoft-copilot"),
])
def test_names_people_say_for_a_platform(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


@pytest.mark.parametrize("text", ["was kannst du eigentlich alles?", "are you official? like from meta or something"])
def test_asked_about_itself_the_bot_answers_with_its_card(engine, text):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", "general", "about-bot")


def test_an_opinion_asked_beside_how_to_switch_it_off_is_answered(engine):
    a = ask(engine, "what do you think, should i turn off linkedin's ai setting? how?")
    assert (a.status, a.platform, a.topic) == ("answer", "linkedin", "ai-training")


@pytest.mark.parametrize("text", ["where's the opt out setting for ai training", "is there a form to object to ai training?",
                                  "dov'è l'opzione per non far usare i miei dati all'ia",
                                  "il y a un réglage pour refuser l'ia quelque part ?"])
def test_a_setting_or_form_asked_for_naming_no_platform_asks_which(engine, text):
    assert ask(engine, text).status == "clarify"


@pytest.mark.parametrize("text", ["general tips to protect my data from ai, where do i even start",
                                  "opt in vs opt out, which one is the one where they ask first?"])
def test_asked_of_all_platforms_or_of_opting_out_itself_the_general_card_answers(engine, text):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", "general", "opt-out-vs-opt-in")


@pytest.mark.parametrize("text, platform", [
    ("si borro mis tuits, grok los olvida?", "x"),
    ("si je supprime mes tweets, grok les oublie ?", "x"),
    ("if i disable adobe content analysis will firefly forget my stuff", "adobe"),
])
def test_asked_whether_it_forgets_is_about_past_training(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "past-training")


def test_forget_it_is_not_forgetting(engine):
    assert ask(engine, "forget it, how do i delete my x account for good").topic == "delete-data"


def test_no_platform_asks_which(engine):
    a = ask(engine, "how do I opt out of AI training?")
    assert a.status == "clarify" and a.platform is None
    assert len(a.candidates) >= 3 and all(c.name for c in a.candidates)


def test_owner_name_offers_its_platforms(engine):
    a = ask(engine, "how do I stop Meta from training AI on my posts")
    assert a.status == "clarify"
    assert {"facebook", "instagram"} <= {c.platform for c in a.candidates}


def test_two_platforms_named_equally_clarifies(engine):
    a = ask(engine, "instagram or linkedin, which one trains AI on my data and how do I stop it")
    assert a.status == "clarify"
    assert {c.platform for c in a.candidates} == {"instagram", "linkedin"}


@pytest.mark.parametrize("text", [
    "what's the weather in Madrid tomorrow",
    "how do I change my LinkedIn profile picture",
    "why is instagram down",
    "I trained my dog today",
    "can you help me write a cover letter",
])
def test_out_of_scope_abstains(engine, text):
    assert ask(engine, text).status == "abstain"


def test_bare_platform_name_answers_ai_training(engine):
    a = ask(engine, "linkedin")
    assert (a.status, a.platform, a.topic) == ("answer", "linkedin", "ai-training")


@pytest.mark.parametrize("text", [
    "lol linkedin is so cringe today",
    "did you see the new chatgpt update",
    "AI training on our data is wild",
    "how do I opt out of AI training?",  # a question, but no platform: never clarify in a group
    "jajaja",
])
def test_group_chatter_is_silent(engine, text):
    a = ask(engine, text, in_group=True, addressed=False)
    assert a.status == "abstain"


def test_group_clear_question_is_answered(engine):
    a = ask(engine, "does anyone know how to stop instagram from using my photos for AI?", in_group=True, addressed=False)
    assert (a.status, a.platform, a.topic) == ("answer", "instagram", "ai-training")


def test_an_on_topic_remark_to_the_group_stays_quiet_but_is_answered_when_asked(engine):
    """Not in knowledge/group.yaml: the remark model generalises from its lines. Asked in private, the same words
    get the card."""
    text = "did anyone else see that reddit is selling our comments to ai companies lol"
    a = ask(engine, text, in_group=True, addressed=False)
    assert (a.status, a.reason) == ("abstain", "group-remark")
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", "reddit")


@pytest.mark.parametrize("text", [
    "hey does anyone know how to keep tumblr from selling my posts for ai?",
    "¿alguien sabe cómo hago para que linkedin no use mis publicaciones para la ia?",
])
def test_a_question_put_to_the_group_is_not_a_remark(engine, text):
    assert ask(engine, text, in_group=True, addressed=False).status == "answer"


def test_addressed_in_group_behaves_like_private(engine):
    a = ask(engine, "how do I opt out of AI training?", in_group=True, addressed=True)
    assert a.status == "clarify"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "🤖🔥😂", "x" * 100_000, "<b>hi</b> @everyone",
                                  "**bold** `code` [link](http://a.b)", "\u202e\u200b", "\ud800"])
def test_bad_input_never_raises(engine, text):
    a = ask(engine, text)
    assert a.status in ("answer", "clarify", "abstain")


def test_given_language_and_region_are_kept(engine):
    a = ask(engine, "linkedin ai opt out", lang="es", region="eu")
    assert a.lang == "es" and a.region == "eu"


def test_region_is_read_from_the_text(engine):
    assert ask(engine, "I'm in Germany, can I stop instagram training AI on my photos?").region == "eu"


def test_answer_for_and_find_platform(engine):
    assert engine.find_platform("LinkedIn") == "linkedin"
    assert engine.find_platform("linkdin") == "linkedin"
    assert engine.find_platform("insta") == "instagram"
    assert engine.find_platform("weather") is None
    a = engine.answer_for("chatgpt", "delete-data", "es")
    assert (a.status, a.platform, a.topic, a.lang) == ("answer", "chatgpt", "delete-data", "es")
    assert engine.answer_for("nope").status == "abstain"


def test_suggest_autocompletes_names_and_aliases(engine):
    assert engine.suggest("link")[0].platform == "linkedin"
    assert engine.suggest("insta")[0].platform == "instagram"
    assert engine.suggest("twit")[0].platform == "x"
    assert len(engine.suggest("", limit=25)) == 25
    assert engine.suggest("", limit=3)[0].platform == "instagram"
    assert len(engine.suggest("a", limit=25)) <= 25


@pytest.mark.parametrize("text, platform", [("and for threads?", "threads"), ("what about tiktok?", "tiktok"),
                                            ("x?", "x"), ("medium", "medium")])
def test_follow_up_with_a_bare_name(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


def test_everyday_word_among_other_words_names_nothing(engine):
    assert ask(engine, "lol zoom").status == "abstain"
    assert engine.find_platform("<a href='x'>") is None
    assert engine.find_platform("x") == "x" and engine.find_platform("the bird app") == "x"
    assert engine.find_platform("el pájaro azul") == "x" and engine.find_platform("passarinho azul") == "x"


def test_platform_name_inside_a_phrase_does_not_break_cues(engine):
    a = ask(engine, "does whatsapp read my messages for ai")
    assert (a.status, a.platform) == ("answer", "whatsapp")


@pytest.mark.parametrize("text,lang", [
    ("how do I turn off meta ai in whatsapp", "en"), ("can I disable meta ai on facebook", "en"),
    ("get rid of meta ai in messenger", "en"), ("how to remove meta ai from instagram", "en"),
    ("cómo quito meta ai de whatsapp", "es"), ("desactivar meta ai en el whatsapp", "es"),
])
def test_switching_off_meta_ai_in_a_host_app_answers_the_meta_ai_card(engine, text, lang):
    a = engine.answer(Query(text, lang=lang))
    assert (a.status, a.platform, a.topic) == ("answer", "meta-ai", "ai-training")


@pytest.mark.parametrize("text", ["how do i turn on meta ai in whatsapp, i dont have it yet",
                                  "how can i get meta ai in my instagram, everyone has it but me",
                                  "como ativo a meta ai no whatsapp", "come attivo meta ai su instagram"])
def test_asking_to_get_meta_ai_in_an_app_is_not_refusing_it(engine, text):
    a = engine.answer(Query(text))
    assert (a.status, a.reason) == ("abstain", "near-miss")


def test_switching_meta_ai_on_by_mistake_and_asking_to_remove_it_is_refusing_it(engine):
    for text in ("i turned on meta ai in whatsapp by mistake, how do i remove it",
                 "how do i get meta ai out of my whatsapp"):
        a = engine.answer(Query(text))
        assert (a.status, a.platform, a.topic) == ("answer", "meta-ai", "ai-training"), text


def test_meta_ai_card_says_what_cannot_be_turned_off(engine):
    card = engine.kb.platforms["meta-ai"].card("ai-training", "en")
    assert "cannot be removed or switched off" in card.summary
    assert any("mute" in s for s in card.steps.all)


# names and subjects (issue 9: two names, one subject; names people really use; uncovered brands) -------------
@pytest.mark.parametrize("text,platform", [
    ("is facebook doing the same AI thing as whatsapp now", "facebook"),
    ("left X for threads, does threads train on what I post", "threads"),
    ("does notion send my pages to anthropic for training", "notion"),
    ("how do I turn off meta ai in whatsapp", "meta-ai"),
    ("does bing chat keep my chats for training", "microsoft-copilot"),
    ("does bard train on my conversations", "gemini"),
    ("does telegram train on my messages", "telegram"),
    ("como hago x q no usen mis fotos en insta", "instagram"),  # "x q": "por que", not X
    ("me pasé a bluesky x lo de la ia, bluesky usa mis posts?", "bluesky"),
    ("x usa mis tweets para grok?", "x"),
    ("does x train on my posts like instagram does", "x"),
])
def test_the_subject_of_a_message_is_answered(engine, text, platform):
    a = engine.answer(Query(text))
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text,subject,ambiguous", [
    # every name after a marker: the verb's object comes first, the place it is taken from after it
    ("como tiro a meta ai do whatsapp", "meta-ai", []),
    ("como quito el circulito azul de meta ai del wasap", "meta-ai", []),
    # ...but a typo's guess is never preferred to a real name ("instalo" is not instagram)
    ("como instalo un tema en wordpress", "wordpress", []),
    # a list with its prepositions repeated is still a list
    ("quiero desactivar el entrenamiento de ia en instagram y en tiktok", None, ["instagram", "tiktok"]),
    ("my posts on linkedin and on x, how do i stop both from feeding ai", None, ["linkedin", "x"]),
    # a company named like one of its platforms ("google") beside another of them is the company
    ("how do i object to google using my data for gemini", "gemini", []),
    ("does google train on my youtube videos", "youtube", []),
    ("does google use my gmail for gemini", "google", []),  # gmail is the Google platform itself
    ("google and gemini, how do i opt out of both", None, ["google", "gemini"]),
    # a company asked about beside another company's platform: which of all their platforms?
    ("how do i stop google and microsoft training on my stuff", None,
     ["google", "linkedin", "microsoft-365", "microsoft-copilot"]),
    ("meta y google usan mis fotos para la ia?", None, ["google", "facebook", "instagram", "meta-ai", "threads", "whatsapp"]),
    ("microsoft and linkedin ai training", "linkedin", []),  # its own company: context, not a second subject
    # a demonstrative stands where an article may: "with that grok deal" is context
    ("is discord using my messages for ai with that grok deal", "discord", []),
    ("how do i get meta ai out of this whatsapp chat", "meta-ai", []),
    # the company and several of its products, or "all of them": which of them?
    ("stop google from training on my things, i use gmail, youtube every day", None, ["google", "youtube"]),
    ("google runs four of my apps, how do i stop all of them feeding its ai", None,
     ["google", "gemini", "google-photos", "youtube"]),
    # a name left out ("without", "sin", "sans") is not the subject; "not" only right before the name
    ("how do i remove my threads profile without killing my instagram", "threads", []),
    ("como borro mi perfil de threads sin borrar instagram", "threads", []),
    ("copilot, the microsoft one not github, does it train on my chats", "microsoft-copilot", []),
    ("i do not want instagram or facebook to use my photos", None, ["instagram", "facebook"]),
    # "both", "each", "los dos" take the names together, "vs" or not
    ("chatgpt vs gemini - how do i stop both training on me", None, ["chatgpt", "gemini"]),
    ("my iphone, my wife's galaxy: how do we stop the ai on each", None, ["apple", "samsung-galaxy-ai"]),
    # "d'" elided into a name is "de": the place it is taken from, as "de instagram" is
    ("comment virer meta ai d'instagram", "meta-ai", []),
    # posts beside an AI assistant: the platform where they are posted is asked about, not the assistant
    ("does chatgpt get my old quora answers, can i stop that", "quora", []),
    ("mis fotos de flickr las usa meta ai?", "flickr", []),
    ("la ia de meta entrena con mis publicaciones de instagram", "instagram", []),
    ("how do i stop meta ai in whatsapp reading my messages", "meta-ai", []),  # messages are not posts
    ("comment virer meta ai de whatsapp", "meta-ai", []),  # French "comment" is "how"
    # named together, the app holds the posts its owner's assistant learns from (YouTube's card: Google trains Gemini
    # on them); another owner's assistant is asked about beside it
    ("gemini and my youtube videos, stop it", "youtube", []),
    ("chatgpt and my youtube videos, stop it", None, ["chatgpt", "youtube"]),
    # a typo's guess ("quería" for quora) never beats a real name, even one after a marker
    ("quería preguntar como se hace para que el chatgpt no aprenda de lo que le escribo", "chatgpt", []),
    # ...nor an everyday-word name written as it is ("alexa", "echo")
    ("quería saber si alexa se queda con lo que le pido", "alexa", []),
    ("queria preguntar: el echo de la cocina graba lo que decimos para su ia?", "alexa", []),
    # one slip inside a long name is that name misspelt, not a guess: it stays the subject before a comparison
    ("does linkdin train on my posts like x does", "linkedin", []),
    ("is instagarm doing the same ai thing as facebook", "instagram", []),
    # ...and so is a letter dropped from one: it beats the owner's name written out
    ("if i turn off gemni does google still train on my chats", "gemini", []),
    # ...but a letter more at the end makes a word of its own ("illustratore", Italian for illustrator)
    ("sono illustratore, come evito che instagram usi i miei disegni per la ia?", "instagram", []),
    # ...and a short word one slip from a name is only a guess ("dista" for d'insta)
    ("vivo in un paese che dista poco da roma, come evito che chatgpt usi le mie chat?", "chatgpt", []),
])
def test_which_name_is_the_subject(engine, text, subject, ambiguous):
    from bot.core.normalize import tokens
    toks = tokens(text)
    assert engine.grammar.subject(engine.index.detect(toks), toks) == (subject, ambiguous)


@pytest.mark.parametrize("text", [
    "how do i keep anthropic's crawler off my self hosted blog",
    "is there a robots.txt line that stops openai's bot reading my pages",
    "como bloqueo el crawler de google en mi pagina web",
])
def test_a_companys_crawler_on_ones_own_site_is_a_crawler_question(engine, text):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", "general", "website-crawlers")


@pytest.mark.parametrize("text,platform,topic", [
    # a site hosted on a website builder: its own crawler setting is its opt-out card (Squarespace's
    # "Block known artificial intelligence crawlers")
    ("how do i block ai crawlers on my squarespace site", "squarespace", "ai-training"),
    ("tengo mi web en squarespace, hay una opcion para bloquear los rastreadores de ia?", "squarespace", "ai-training"),
    ("does blocking ai crawlers on squarespace remove what they already scraped", "squarespace", "past-training"),
    # a host with no card of its own, or a crawler named by its user agent: the robots.txt answer
    ("how do i block gptbot on my wordpress blog", "general", "website-crawlers"),
])
def test_crawlers_on_a_site_builder_are_its_own_setting(engine, text, platform, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", platform, topic)
    if platform == "squarespace" and topic == "ai-training":  # the setting's page, not the robots.txt guide
        from bot.core.render import Renderer
        assert "https://support.squarespace.com/hc/en-us/articles/360022347072" in Renderer(engine).render(a, "plain").text


def test_a_group_question_about_crawlers_on_a_site_builder_is_answered(engine):
    a = ask(engine, "anyone know how to block ai crawlers on a squarespace site?", in_group=True, addressed=False)
    assert (a.status, a.platform, a.topic) == ("answer", "squarespace", "ai-training")


@pytest.mark.parametrize("text,status,platform,topic", [
    # a letter asked for with no platform: the general card on objecting, and the letter for any company
    ("write me an objection letter about my data being used for ai", "answer", "general", "opt-out-vs-opt-in"),
    ("hazme una carta para oponerme a que usen mis datos para ia", "answer", "general", "opt-out-vs-opt-in"),
    ("ein widerspruchsschreiben gegen ki-training mit meinen daten, bitte", "answer", "general", "opt-out-vs-opt-in"),
    # ...with a platform named: that platform's letter
    ("write me an objection letter for instagram", "answer", "instagram", "legal-objection"),
])
def test_a_letter_asked_for_is_the_letter(engine, text, status, platform, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic, a.hints.get("letter")) == (status, platform, topic, True)


def test_a_letter_for_a_brand_with_no_guide_and_not_a_cover_letter(engine):
    a = engine.answer(Query("can you write me an objection letter for netflix"))
    assert (a.status, a.reason, a.hints.get("brand"), a.hints.get("letter")) == ("abstain", "uncovered", "Netflix", True)
    assert engine.answer(Query("can you write me a cover letter for a barista job")).status == "abstain"
    a = engine.answer(Query("how do i object to ai training"))  # no letter asked for
    assert "letter" not in a.hints


@pytest.mark.parametrize("text,brand", [
    ("was speicherst du über mich", None),  # German "über", not Uber
    ("nutzt uber meine daten für ki?", "Uber"),  # written without the umlaut: the brand
])
def test_a_word_written_with_its_accent_is_not_a_brand(engine, text, brand):
    assert engine.answer(Query(text)).hints.get("brand") == brand


@pytest.mark.parametrize("text,topic", [
    # the assistant taken out of its app is the assistant switched off: its opt-out card
    ("alguien sabe como quitar meta ai de whatsapp?", "ai-training"),
    ("meta ai in whatsapp, how do i get rid of it", "ai-training"),
    ("wie krieg ich meta ai aus whatsapp raus?? nervt total", "ai-training"),
    # ...named by the blue ring that stands for it in the apps
    ("el circulito azul de whatsapp se puede quitar? no lo quiero", "ai-training"),
    ("the blue circle thing in whatsapp, how do i get rid of it", "ai-training"),
    # ...what was said to it, deleted, is its data
    ("how do i delete the convos i had with meta ai inside instagram dms", "delete-data"),
    ("comment supprimer ce que meta ai sait de moi après avoir discuté avec sur messenger", "delete-data"),
])
def test_removing_an_assistant_from_its_app_is_switching_it_off(engine, text, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", "meta-ai", topic)


@pytest.mark.parametrize("text,platform,owners", [
    # an owner's possessive written without the apostrophe is the owner: context, not a typo of another name
    ("alexa recordings being used to improve amazons ai, how do i stop that", "alexa", ["amazons"]),
    ("wie verhindere ich dass threads meine posts an metas ki gibt", "threads", ["metas"]),
    # ...but not a word of its own after an article ("mis metas": my goals)
    ("ya cumpli mis metas, ahora como borro mi cuenta de tiktok", "tiktok", []),
])
def test_an_owners_possessive_is_the_owner(engine, text, platform, owners):
    from bot.core.normalize import tokens
    toks = tokens(text)
    det = engine.index.detect(toks)
    assert det.owners == owners and engine.grammar.subject(det, toks)[0] == platform


@pytest.mark.parametrize("text,expected", [
    # the boss's name stands for the company (matching.yaml owner_nicknames): never another platform's answer
    ("musk and zuck are both training on my posts, how do i stop both", {"x", "facebook", "instagram"}),
    ("the zuck apps, how do i get out of all their ai stuff", {"threads", "meta-ai", "whatsapp"}),  # its apps
])
def test_an_owners_nickname_is_the_owner(engine, text, expected):
    a = engine.answer(Query(text))
    assert a.status == "clarify" and expected <= {c.platform for c in a.candidates}


def test_a_founders_name_is_their_only_platform(engine):
    a = ask(engine, "sam altman's chatbot keeps my prompts, how do i stop that")  # chatgpt.yaml aliases
    assert (a.status, a.platform) == ("answer", "chatgpt")


def test_an_owners_possessive_alone_asks_which_of_its_apps(engine):
    a = engine.answer(Query("how do i stop metas ai using my stuff"))
    assert a.status == "clarify" and {"facebook", "instagram", "whatsapp"} <= {c.platform for c in a.candidates}


def test_platforms_named_together_ask_which(engine):
    a = engine.answer(Query("how do I opt out on both instagram and linkedin?"))
    assert a.status == "clarify" and {c.platform for c in a.candidates} == {"instagram", "linkedin"}


@pytest.mark.parametrize("text,brand", [
    ("does signal train on my messages", "Signal"), ("does netflix use my data to train ai", "Netflix"),
    ("¿shein usa mis datos para entrenar IA?", "Shein"),
    ("sora - how do i stop openai training on the videos i make in sora", "Sora"),  # named first and more often
])
def test_an_uncovered_brand_is_never_read_as_another_platform(engine, text, brand):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.reason, a.hints.get("brand")) == ("abstain", None, "uncovered", brand)


@pytest.mark.parametrize("text,brand", [
    ("how do i stop booking from using my data for ai", "Booking.com"), ("does chase use my data to train ai", "Chase Bank"),
    ("my bank (chase) is running ai on my transactions, can i opt out of training", "Chase Bank"),  # not the general card
    ("como evito que cursor entrene con mi codigo", "Cursor AI"),
])
def test_a_brand_named_by_an_everyday_word_is_that_brand_in_a_question_about_ai_training(engine, text, brand):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.reason, a.hints.get("brand")) == ("abstain", None, "uncovered", brand)


@pytest.mark.parametrize("text,expected", [
    ("what's a good cursor theme for windows", ("abstain", None, "off-topic")),
    ("how do i stop linkedin using my booking history for ai", ("answer", "linkedin", "")),
])
def test_the_everyday_word_of_a_brand_is_that_word_elsewhere(engine, text, expected):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.reason) == expected


def test_a_word_the_knowledge_base_uses_is_not_a_typo_of_a_platform(engine):
    assert engine.find_platform("credit") is None and engine.answer(Query("video")).platform is None
    assert engine.find_platform("instagarm") == "instagram"


@pytest.mark.parametrize("word,platform", [
    ("opinas", None),  # "que opinas...": two edits from "openai" and another ending: a word of its own
    ("opinion", None),
    ("youtubers", "youtube"),  # the name with a suffix
    ("reditt", "reddit"),  # two edits, the same ending
    ("gemeni", "gemini"),
])
def test_a_typo_two_edits_away_keeps_the_names_ending_or_is_the_name_with_a_suffix(engine, word, platform):
    assert engine.find_platform(word) == platform


# languages and follow-ups ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text,platform,asked_in", [
    ("o linkedin usa meus posts pra treinar IA? como desativo", "linkedin", "pt"),
    ("comment empêcher instagram d'utiliser mes photos pour l'IA ?", "instagram", "fr"),
    ("wie verhindere ich, dass linkedin meine daten für ki nutzt", "linkedin", "de"),
    ("come impedisco a tiktok di usare i miei video per l'intelligenza artificiale?", "tiktok", "it"),
])
def test_other_languages_are_understood_and_answered_in_english(engine, text, platform, asked_in):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.lang, a.hints.get("asked_in")) == ("answer", platform, "en", asked_in)


def test_the_users_language_setting_wins_over_detection(engine):
    a = engine.answer(Query("o linkedin usa meus posts pra treinar IA?", lang="es"))
    assert a.lang == "es" and "asked_in" not in a.hints


@pytest.mark.parametrize("text,topic", [
    ("does that undo what they already took?", "past-training"),
    ("and in Spain?", "region"),
    ("how do I get rid of the account then?", "delete-data"),
])
def test_follow_ups_use_the_previous_platform(engine, text, topic):
    a = engine.answer(Query(text, previous=("linkedin", "ai-training")))
    assert (a.status, a.platform, a.topic) == ("answer", "linkedin", topic)


@pytest.mark.parametrize("text,topic", [
    ("who made you?", "about-bot"),
    ("what is the difference between opt out and opt in?", "opt-out-vs-opt-in"),
    ("how do i block ai bots on my own website?", "website-crawlers"),
])
def test_a_general_question_after_an_answer_gets_the_general_card(engine, text, topic):
    a = engine.answer(Query(text, previous=("linkedin", "ai-training")))
    assert (a.status, a.platform, a.topic) == ("answer", "general", topic)


def test_a_follow_up_may_take_a_few_more_words_than_a_tweet(engine):
    a = engine.answer(Query("if i switch it off now, are my old chats still in the model?",
                            previous=("claude", "ai-training")))
    assert (a.status, a.platform, a.topic) == ("answer", "claude", "past-training")


def test_without_a_previous_answer_a_follow_up_asks_which(engine):
    assert engine.answer(Query("does that undo what they already took?")).status != "answer"


@pytest.mark.parametrize("text,expected", [
    ("how do i opt out", ("answer", "linkedin", "ai-training")),
    ("how do we opt out then, im the admin", ("answer", "linkedin", "ai-training")),
    ("why is it opt out and not opt in?", ("answer", "general", "opt-out-vs-opt-in")),
])
def test_asking_how_to_opt_out_after_an_answer_is_about_that_platform(engine, text, expected):
    a = engine.answer(Query(text, previous=("linkedin", "ai-training")))
    assert (a.status, a.platform, a.topic) == expected


@pytest.mark.parametrize("text", ["what's the weather tomorrow", "what's the weather?", "thanks!", "lol"])
def test_small_talk_after_an_answer_is_not_a_follow_up(engine, text):
    assert engine.answer(Query(text, previous=("linkedin", "ai-training"))).status == "abstain"


@pytest.mark.parametrize("text", ["bot, is the linkedin ai opt out available in the us",
                                  "hey bot is the linkedin ai opt out available in the us",
                                  "quick q for the bot: is the linkedin ai opt out available in the us"])
def test_a_group_message_that_names_the_bot_first_is_put_to_it(engine, text):
    a = ask(engine, text, in_group=True, addressed=False)
    assert (a.status, a.platform, a.topic) == ("answer", "linkedin", "region")


@pytest.mark.parametrize("text", ["the bot is useless lol", "my bot broke again"])
def test_talking_about_a_bot_in_a_group_is_not_talking_to_it(engine, text):
    assert ask(engine, text, in_group=True, addressed=False).status == "abstain"


@pytest.mark.parametrize("text, platform", [
    ("is threads doing the same as insta with the ai training? how do i stop it on threads", "threads"),
    ("my sister says facebook is using everyone's photos for AI. is insta doing that too? how do i opt out on insta",
     "instagram"),
])
def test_a_name_also_used_outside_a_comparison_is_the_subject(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text, platform", [
    # matching.yaml context_markers: "igual (o)", "wegen", "because of" put the name after them in the background
    ("o threads usa meus posts pra ia igual o insta faz? como desligo", "threads"),
    ("wegen musk bin ich auf threads, trainiert threads mit meinen posts?", "threads"),
    ("i'm on bluesky because of x, does bluesky train on my posts", "bluesky"),
    ("threads usa i miei post per l'ia come fa insta?", "threads"),  # "come fa", "que nem": like ... does
    ("o threads usa meus posts pra ia que nem o insta?", "threads"),
    ("threads usa mis fotos para entrenar ia igual que hace instagram?", "threads"),  # "igual que hace", "like the one"
    ("does whatsapp have an objection form like the one facebook has", "whatsapp"),
    # one who posts there names the platform (an alias): not the owner beside it
    ("i'm a small youtuber, is google using my videos to train ai", "youtube"),
])
def test_a_name_given_as_comparison_reason_or_owner_is_context(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


def test_when_every_name_follows_a_marker_the_one_named_most_is_the_subject(engine):
    # "lasciato twitter", "per threads", "che threads": all after markers; Threads is named twice
    a = ask(engine, "ho lasciato twitter per threads e ora scopro che threads addestra l'ia coi post, si può evitare?")
    assert (a.status, a.platform) == ("answer", "threads")


@pytest.mark.parametrize("text", ["the github one", "i meant the github one"])
def test_picking_one_after_an_answer_about_another_switches_platform(engine, text):
    a = ask(engine, text, previous=("microsoft-copilot", "ai-training"))
    assert (a.status, a.platform, a.topic) == ("answer", "github-copilot", "ai-training")


@pytest.mark.parametrize("text", ["and in word?", "what about word and excel", "and word docs?"])
def test_a_products_everyday_name_follows_an_answer_about_its_owners_other_platform(engine, text):
    # microsoft-365's product_words: "word" right after an answer about Copilot (the same owner) is Word
    a = ask(engine, text, previous=("microsoft-copilot", "ai-training"))
    assert (a.status, a.platform, a.topic) == ("answer", "microsoft-365", "ai-training")


def test_a_products_everyday_name_beside_its_owner_is_that_product(engine):
    a = ask(engine, "is microsoft using my spreadsheets in excel for ai? how to kill that")
    assert (a.status, a.platform, a.topic) == ("answer", "microsoft-365", "ai-training")


@pytest.mark.parametrize("text, previous", [
    ("how do i word my complaint to my landlord", None),  # no owner, no answer before: a word
    ("and in word?", ("instagram", "ai-training")),  # after another owner's platform: not Microsoft's Word
])
def test_a_products_everyday_name_alone_is_a_word(engine, text, previous):
    assert ask(engine, text, previous=previous).platform != "microsoft-365"


def test_two_slips_from_an_everyday_word_name_are_another_word(engine):
    # "officiel" is two edits from "office" (Microsoft 365's everyday-word alias): French, not a typo of it
    assert ask(engine, "tu es un bot officiel de meta ou pas ?").platform != "microsoft-365"


def test_an_alias_with_the_article_elided_into_it_is_the_name(engine):
    # "ia di meta", "ia de meta" are Meta AI aliases; Italian and French write "l'ia di meta", "l'ia de meta"
    from bot.core.normalize import tokens
    for text in ("l'ia di meta", "l’ia de meta"):
        assert set(engine.index.detect(tokens(text)).platforms) == {"meta-ai"}, text
    a = ask(engine, "qualcuno sa come si disattiva l'ia di meta su whatsapp?")
    assert (a.status, a.platform) == ("answer", "meta-ai")


@pytest.mark.parametrize("text, platform", [
    ("copilot (the microsoft one not github) — does it train on my chats?", "microsoft-copilot"),
    ("who knows how to disable the copilot training on github", "github-copilot"),
])
def test_the_first_sense_whose_words_are_there_picks_a_shared_name(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text, platform", [
    ("facebook e l'ia di meta, come evito che usino i miei post", "facebook"),
    ("threads y la ia de meta, como protejo mis posts", "threads"),
])
def test_an_app_joined_to_its_owners_assistant_holds_the_posts(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, "ai-training")


@pytest.mark.parametrize("text, platform, topic", [
    # matching.yaml training_beside_name: "meta ai training" is Meta training on the app's data
    ("is there a gdpr objection form for meta's ai training on instagram", "instagram", "legal-objection"),
    ("does messenger feed my chats into meta ai training", "facebook", "ai-training"),
    # ...or a word or two before the assistant's name
    ("o treinamento da ia da meta usa as minhas fotos do facebook?", "facebook", "ai-training"),
    # an objection beside the assistant and an app of its owner is made through the app's form (objecting)
    ("quiero oponerme a que la ia de meta use mi instagram, donde esta el formulario", "instagram", "legal-objection"),
    ("widerspruch gegen meta ai auf facebook, wo finde ich das formular?", "facebook", "legal-objection"),
    ("puedo rechazar la ia de meta en mi facebook desde mexico?", "facebook", "region"),  # refusing is objecting
    # without either, Meta AI named in an app it is built into is the assistant there, and an objection to it alone
    # is its own
    ("how do i turn off meta ai in instagram", "meta-ai", "ai-training"),
    ("como quito la ia de meta de instagram", "meta-ai", "ai-training"),
    ("how do i object to meta ai under gdpr", "meta-ai", "legal-objection"),
])
def test_an_assistant_named_for_its_owners_training_or_an_objection_leaves_the_app_asked_about(engine, text, platform,
                                                                                                topic):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", platform, topic)


@pytest.mark.parametrize("text, platform", [
    ("does threads have a separate opt out or is it the instagram one", "threads"),  # "the X one": comparison
    ("is the threads opt out done through instagram?", "threads"),  # "through": the way, not the subject
    ("the chatgpt android app, where is the training toggle", "chatgpt"),  # "X app": where it runs
    ("how do i turn off copilot in excel", "microsoft-365"),  # a product word after "in", beside its sibling
    ("copilot helped me word my email, does it train on that", "microsoft-copilot"),  # the everyday word
])
def test_a_name_followed_by_one_or_app_is_context_and_a_product_used_in_is_named(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text, platform", [
    # Copilot's built_into is empty: Microsoft 365's card covers the Copilot in Word, PowerPoint and Outlook
    ("el copilot de powerpoint usa las presentaciones de la empresa para entrenar?", "microsoft-365"),
    ("nutzt der copilot in outlook unsere dokumente zum training?", "microsoft-365"),
    ("how do i turn off gemini in google photos", "google-photos"),  # Google Photos' card: Ask Photos' toggle
])
def test_an_assistant_inside_its_owners_app_it_is_not_built_into_is_the_apps_feature(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text, platform", [
    ("zuck's chatbot just popped up in messenger, how do i turn it off", "meta-ai"),  # matching.yaml assistant_nouns
    ("does google's chatbot learn from what i type into it", "gemini"),
    ("el asistente de google guarda mis chats para entrenar?", "gemini"),
    ("does google use my emails for ai", "google"),  # the company alone is still the company
])
def test_a_company_named_for_its_ai_assistant_is_that_assistant(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


def test_a_product_word_beside_its_owners_assistant_names_the_product_where_files_are_spoken_of(engine):
    # "word", "excel" are product words: beside Copilot they name Microsoft 365 when the message speaks of what the
    # app holds (matching.yaml posted_content), not when Copilot is asked to do a task there
    a = ask(engine, "does copilot in word and excel use our company docs to train models?")
    assert (a.status, a.platform) == ("answer", "microsoft-365")
    assert ask(engine, "can copilot write excel formulas for me").status == "abstain"


def test_a_product_word_used_as_a_word_is_a_word(engine):
    # matching.yaml everyday_before/after: "word my complaint", "how to word" are the verb, even after Copilot
    from bot.core.normalize import tokens
    for text in ("how should i word my complaint to them", "not sure how to word it"):
        det = engine.index.detect(tokens(text), text, after="microsoft-copilot")
        assert "microsoft-365" not in det.platforms, text
    for text in ("and in word?", "and in word? it's my work laptop"):  # the "?" is gone from the tokens
        det = engine.index.detect(tokens(text), text, after="microsoft-copilot")
        assert set(det.platforms) == {"microsoft-365"}, text


@pytest.mark.parametrize("text", ["weiß jemand wie man meta ai in whatsapp abschaltet?",  # switch_off: abschalten...
                                  "hat wer rausgefunden wie man meta ai aus whatsapp rauskriegt?"])
def test_a_group_asking_how_to_take_meta_ai_out_of_whatsapp_in_german_is_answered(engine, text):
    a = ask(engine, text, in_group=True, addressed=False)
    assert (a.status, a.platform) == ("answer", "meta-ai")


def test_an_assistant_asked_to_do_a_task_in_its_app_is_a_near_miss(engine):
    # the lower bar for an assistant in its app holds only when it is taken away ("quitar meta ai de whatsapp")
    assert ask(engine, "how do i use meta ai to make stickers in whatsapp").status == "abstain"
    a = ask(engine, "alguém sabe como tira a meta ai do whatsapp?")
    assert (a.status, a.platform) == ("answer", "meta-ai")


@pytest.mark.parametrize("text", [
    "my self-hosted wordpress blog - how do i stop ai bots scraping it",  # matching.yaml self_hosted
    "our wordpress runs on our own server and ai companies keep copying the posts",  # read as training: still bots
    "quiero que common crawl no entre a mi sitio",  # crawlers.yaml: CCBot is called Common Crawl
])
def test_bots_kept_off_ones_own_site_get_the_crawler_card(engine, text):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", "general", "website-crawlers")


def test_a_site_said_not_to_be_self_hosted_is_its_hosts(engine):
    a = ask(engine, "my site is on wordpress.com, not self hosted, do they sell my posts to ai companies?")
    assert (a.status, a.platform) == ("answer", "wordpress")  # matching.yaml negations


@pytest.mark.parametrize("text", [
    "keep openai's crawler off my portfolio site, how",  # matching.yaml crawler_nouns beside a crawlers.yaml operator
    "no quiero que los crawlers de anthropic lean mi blog",
])
def test_a_crawler_named_by_its_company_is_about_ones_site(engine, text):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", "general", "website-crawlers")
    assert ask(engine, "sam altman's bot keeps my chats, how do i stop the training").platform == "chatgpt"
    assert ask(engine, "does google's crawler take my reddit posts for ai").platform == "reddit"  # Reddit holds them


def test_a_site_on_a_hosts_platform_gets_its_own_crawler_setting(engine):
    a = ask(engine, "my wordpress.com blog, how do i stop ai bots scraping it")
    assert (a.status, a.platform) == ("answer", "wordpress")


def test_an_app_joined_to_another_owners_assistant_is_asked_about_with_it(engine):
    a = ask(engine, "instagram and chatgpt, how do i stop them using my photos")
    assert a.status == "clarify" and {"instagram", "chatgpt"} <= {c.platform for c in a.candidates}


@pytest.mark.parametrize("text, brand", [
    ("sora app, can i stop openai training on my cameo videos", "Sora"),  # brands.yaml: Sora's owner is OpenAI
    ("does amazon use my kindle highlights to train ai", "Kindle"),
])
def test_an_uncovered_brand_beside_its_owners_platform_is_asked_about(engine, text, brand):
    a = ask(engine, text)
    assert (a.status, a.reason, a.hints.get("brand")) == ("abstain", "uncovered", brand)


def test_a_platform_named_as_itself_beside_its_owners_uncovered_brand_is_answered(engine):
    a = ask(engine, "copilot de bing usa mis chats para entrenar")  # "the Bing one": Copilot, not the Bing brand
    assert (a.status, a.platform) == ("answer", "microsoft-copilot")


def test_an_uncovered_brand_joined_to_its_owners_platform_leaves_that_platform_answered(engine):
    a = ask(engine, "i use chatgpt and sora, how do i opt out of both")
    assert (a.status, a.platform) == ("answer", "chatgpt")


@pytest.mark.parametrize("text, platform", [
    ("en face como hago para que no usen mis fotos para la IA", "facebook"),  # Spanish and Portuguese call it that
    ("o face vai usar meus posts pra treinar ia? como bloqueio", "facebook"),
    ("does apple use face id data to train its ai", "apple"),  # matching.yaml everyday_before: the body part
    ("capcut terms say they can use my face and voice for ai, how do i stop that", "capcut"),  # ...everyday_after
])
def test_face_is_facebook_unless_it_is_a_face(engine, text, platform):
    a = ask(engine, text)
    assert (a.status, a.platform) == ("answer", platform)


def test_a_face_is_not_facebook(engine):
    assert ask(engine, "how do i keep my face out of ai training data").platform != "facebook"


@pytest.mark.parametrize("text, platform", [
    ("saw something about dropbox + openai sharing files. how do i keep mine out", "dropbox"),
    ("tumblr did a deal with openai?? how do i keep my blog out of it", "tumblr"),
])
def test_the_app_holding_the_files_is_asked_about_beside_an_ai_company(engine, text, platform):
    a = ask(engine, text)  # matching.yaml posted_content: files, blogs, pages are what the app holds
    assert (a.status, a.platform) == ("answer", platform)


def test_the_judge_reads_what_is_asked_not_whom_it_is_asked_of(engine):
    from bot.core.normalize import tokens
    assert engine.mask(tokens("ragazzi, come si toglie meta ai da whatsapp?")) == "come si toglie ai da app"
    assert engine.mask(tokens("hey guys how do i stop linkedin training")) == "how do i stop app training"
    assert engine.mask(tokens("@bot como tiro a meta ai do whatsapp")) == "como tiro a ai do app"
    assert engine.mask(tokens("hello there!")) == "hello there"  # nothing would be left to judge


@pytest.mark.parametrize("text,social,same", [
    ("lol", True, False), ("ok thanks!", True, False), ("jajaja gracias", True, False),
    ("is it the same for zoom?", False, True), ("y en tiktok también?", False, True), ("und bei zoom auch?", False, True),
    ("and in spain?", False, False),
])
def test_what_carries_no_question_and_what_asks_the_same_again(engine, text, social, same):
    from bot.core.normalize import tokens
    toks = tokens(text)
    assert (engine.grammar.only_social(toks), engine.grammar.asks_the_same_again(toks)) == (social, same)


@pytest.mark.parametrize("text,said,lang", [
    ("hey how are you", "greeting", "en"), ("hey there, how are you doing today?", "greeting", "en"),
    ("hola que tal, como estas?", "greeting", "es"), ("hola", "greeting", "es"), ("buenas", "greeting", "es"),
    ("muchas gracias", "thanks", "es"), ("thanks a lot!", "thanks", "en"), ("lol", None, "en"),
])
def test_small_talk_gets_a_line_back_in_its_own_language_not_the_bots_card(engine, text, said, lang):
    a = engine.answer(Query(text))
    assert (a.status, a.reason, a.hints.get("small_talk"), a.lang) == ("abstain", "small-talk", said, lang)


@pytest.mark.parametrize("text,asked_in", [("hallo, wie geht's dir?", "de"), ("salut ça va ? tu fais quoi", "fr"),
                                           ("oi, tudo bem?", "pt"), ("ciao come stai", "it")])
def test_small_talk_in_the_other_languages_is_a_greeting_noting_the_language(engine, text, asked_in):
    a = engine.answer(Query(text))
    assert (a.status, a.hints.get("small_talk"), a.hints.get("asked_in")) == ("abstain", "greeting", asked_in)


@pytest.mark.parametrize("text", ["hi, what can you do?", "hey how are you, do you store my messages?"])
def test_a_question_after_the_small_talk_is_still_asked(engine, text):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", "general", "about-bot")


@pytest.mark.parametrize("text,inside", [
    ("como quito meta ai de whatsapp", True),  # same owner: a feature of the app
    ("tem como tirar a meta ai do zap?", True),  # "zap": WhatsApp in Brazil
    ("how do i get meta ai out of my instagram dms", True),
    ("is gemini better than claude", False),  # two assistants compared
    ("how do i connect alexa to my spotify", False),  # different owners
    ("how do i turn off meta ai", False),  # no app named
])
def test_an_assistant_is_in_its_app_when_both_have_one_owner(engine, text, inside):
    assert engine.read(Query(text))[0].in_its_app is inside


@pytest.mark.parametrize("previous,text,platform", [
    (("meta-ai", "ai-training"), "y en insta?", "meta-ai"),  # Meta AI in Instagram: the Meta AI card
    (("meta-ai", "ai-training"), "and on messenger?", "meta-ai"),
    (("meta-ai", "ai-training"), "does instagram use my posts to train its ai too?", "instagram"),
    (("chatgpt", "ai-training"), "and instagram?", "instagram"),  # another owner: another platform
    (("linkedin", "ai-training"), "y en insta?", "instagram"),  # LinkedIn is no assistant
    (("gemini", "ai-training"), "and google photos?", "google-photos"),  # its own card: Gemini is not built_into it
    # longer, asking to take it away there too (switch_off, same_again): still the assistant...
    (("meta-ai", "ai-training"), "y en instagram también se puede quitar?", "meta-ai"),
    (("meta-ai", "ai-training"), "e do insta, dá pra tirar também?", "meta-ai"),
    # ...unless it is about that app's posts, or asks something else of it
    (("meta-ai", "ai-training"), "does insta use my posts too?", "instagram"),
    (("meta-ai", "ai-training"), "e o facebook, como recuso lá?", "facebook"),
])
def test_after_an_assistant_an_app_it_is_built_into_named_alone_is_the_assistant_there(engine, previous, text, platform):
    a = engine.answer(Query(text, previous=previous))
    assert (a.status, a.platform) == ("answer", platform)


@pytest.mark.parametrize("text,lang", [
    ("como quito meta ai de whatsapp", "es"),  # with the names, py3langid reads Portuguese
    ("cómo quito meta ai de whatsapp", "es"),
    ("como desativo a ia do instagram", "pt"),
])
def test_platform_names_do_not_decide_the_language(engine, text, lang):
    a = engine.answer(Query(text))
    assert (a.lang, a.hints.get("asked_in")) == (("es", None) if lang == "es" else ("en", lang))


def test_an_assistant_inside_another_app_is_masked_as_a_feature(engine):
    from bot.core.normalize import tokens
    assert engine.mask(tokens("how do I remove meta ai from whatsapp")) == "how do i remove ai from app"
    assert engine.mask(tokens("how do I remove whatsapp")) == "how do i remove app"
    assert engine.mask(tokens("how do I stop meta ai training on my chats")) == "how do i stop app training on my chats"


@pytest.mark.parametrize("text, topic", [
    ("how do i get rid of the meta ai button in whatsapp, i never asked for it", "ai-training"),
    ("wie kann ich meta ai aus whatsapp entfernen", "ai-training"),
    ("how do I delete my old meta ai chats in whatsapp", "delete-data"),
])
def test_removing_meta_ai_from_an_app_is_switching_it_off_not_deleting_data(engine, text, topic):
    a = ask(engine, text)
    assert (a.status, a.platform, a.topic) == ("answer", "meta-ai", topic)


@pytest.mark.parametrize("text", ["I use Instagram, LinkedIn and ChatGPT, what do I do?",
                                  "uso instagram, linkedin y chatgpt, que hago?"])
def test_a_list_of_platforms_asks_about_each_of_them(engine, text):
    a = ask(engine, text)  # the conversation turns this into a checklist
    assert (a.status, a.reason) == ("clarify", "several")
    assert [c.platform for c in a.candidates] == ["instagram", "linkedin", "chatgpt"]


def test_two_names_side_by_side_without_a_list_are_not_a_list(engine):
    a = ask(engine, "how to delete my perplexity threads and search history")
    assert (a.status, a.platform, a.topic) == ("answer", "perplexity", "delete-data")


@pytest.mark.parametrize("text,region", [
    ("x usa mis tweets para grok?", None),  # "usa" is "uses" in Spanish, Portuguese and Italian
    ("o chatgpt usa minhas conversas?", None),
    ("i live in the usa, can i opt out of meta ai", "us"),
    ("se puede hacer en usa?", "us"),
])
def test_usa_is_a_region_only_after_a_preposition_or_article(engine, text, region):
    assert engine.read(Query(text))[3] == region


@pytest.mark.parametrize("text,region", [
    ("posso oppormi a linkedin anche dall'italia?", "eu"),  # French and Italian elide into a place's name
    ("l'opt-out de meta marche depuis l'irlande ?", "eu"),
    ("vale anche nell'ue o solo fuori?", "eu"),
    ("o instagram deu erro quando desativei a ia", None),  # Portuguese "deu" (gave) is not "d'eu"
])
def test_a_place_is_read_with_a_word_elided_into_it(engine, text, region):
    assert engine.read(Query(text))[3] == region


@pytest.mark.parametrize("text,platform", [
    ("oye el face ese me quiere usar las fotos pa la ia, como lo paro", "facebook"),  # "el face": Facebook
    ("does instagram use my face to train its ai", "instagram"),  # a face is a face
    ("word et les « expériences connectées », comment je coupe ça", "microsoft-365"),  # the feature's own name
    ("word und die verbundenen erfahrungen, wie schalte ich die aus", "microsoft-365"),
    ("google fotos usa las fotos de mi familia para entrenar gemini?", "google-photos"),  # the model trained
    ("does github train copilot on my private repos", "github-copilot"),  # is context
    ("does instagram take my photos for meta's ai?", "instagram"),  # so is the model data is taken for
    ("i'm an illustrator on deviantart, can i keep my art out of ai datasets", "deviantart"),  # a person
    ("illustrator here, is the noai label on artstation worth anything", "artstation"),  # introducing oneself
    ("does adobe illustrator use my files to train firefly", "adobe"),  # the app
    ("i want office to stop analysing my documents for ai", "microsoft-365"),  # not a typo of "facebook"
    ("how do i stop elon's chatbot learning from my posts", "x"),  # the owner's name for the app
    ("can what my ray ban glasses film be kept out of ai training", "meta-ai"),
    ("does dall-e keep my images for training", "chatgpt"),
    ("posso impedire che usino le foto dalle mie storie di instagram per l'ia?", "instagram"),  # "dalle": "from the"
    ("mis reels de instagram, los usan para la ia de meta?", "instagram"),  # the model data is taken for
    ("je veux effacer l'historique vocal d'alexa, comment faire", "alexa"),  # "d'alexa": one word once read
    ("como desactivo la ia de meta en whatsapp", "meta-ai"),  # the assistant, in the app
])
def test_names_people_use_and_the_model_trained_as_context(engine, text, platform):
    assert engine.read(Query(text))[0].subject == platform


def test_two_meta_apps_by_their_nicknames_ask_which(engine):
    a = engine.answer(Query("insta y face, como me salgo de los dos"))
    assert a.status == "clarify" and {c.platform for c in a.candidates} == {"instagram", "facebook"}


def test_sora_has_no_guide_of_its_own_so_it_gets_the_honest_reply(engine):
    a = engine.answer(Query("does sora use the videos i make to train? how do i turn that off"))
    assert (a.status, a.reason, a.hints.get("brand")) == ("abstain", "uncovered", "Sora")


@pytest.mark.parametrize("text,platform", [
    ("how do i stop copilot using my chats", "microsoft-copilot"),  # "copilot" alone: Microsoft's
    ("how do i turn off copilot in windows", "microsoft-copilot"),
    ("copilot usa mi codigo para entrenar?", "github-copilot"),  # beside code or repos: GitHub's
    ("is copilot learning from my private repos", "github-copilot"),
])
def test_a_name_two_platforms_share_is_read_by_the_words_beside_it(engine, text, platform):
    assert engine.read(Query(text))[0].subject == platform


@pytest.mark.parametrize("text,platform,brand", [
    ("does netflix share my data with openai", None, "Netflix"),  # the brand first, the platform as context
    ("sora: how do i keep my videos out of openai's models", None, "Sora"),
    ("quiero borrar mis datos de whatsapp antes de irme a signal", "whatsapp", None),  # the platform first
])
def test_a_brand_named_first_with_a_platform_only_as_context_is_about_the_brand(engine, text, platform, brand):
    a = engine.answer(Query(text))
    assert (a.platform, a.hints.get("brand")) == (platform, brand)


@pytest.mark.parametrize("text", [
    "how do i make them stop feeding my pictures to ai",  # not in knowledge/: the platform-free how-tos teach it
    "wie kann ich verhindern dass sie meine fotos für ki nehmen",
])
def test_a_how_to_that_names_no_platform_asks_which(engine, text):
    a = ask(engine, text)
    assert (a.status, a.reason, a.topic) == ("clarify", "no-platform", "ai-training")


@pytest.mark.parametrize("text,status,topic", [
    ("which apps use what i post to train ai without asking me?", "answer", "opt-out-vs-opt-in"),
    ("quelles applis entraînent leur ia avec nos données par défaut ?", "answer", "opt-out-vs-opt-in"),
    ("cuáles redes sociales usan mis fotos para entrenar ia sin pedir permiso", "answer", "opt-out-vs-opt-in"),
    ("which platforms do you cover?", "answer", "about-bot"),
    ("which apps train on my photos, and how do i turn it off in all of them?", "clarify", "ai-training"),
    ("which app setting do i change so my chats stop training the ai", "clarify", "ai-training"),  # one app
])
def test_asking_which_platforms_do_it_names_them_in_the_general_card(engine, text, status, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform if status == "answer" else None, a.topic) == (
        status, "general" if status == "answer" else None, topic)
    if topic == "opt-out-vs-opt-in":  # the card that answers it names the platforms that train by default
        from bot.core.render import Renderer
        text = Renderer(engine).render(a, "plain").text
        assert any(named in text for named in ('LinkedIn ("Data for Generative AI Improvement" on by default)',
                                               'LinkedIn ("Datos para mejorar la IA generativa" / "Data for Generative'))


@pytest.mark.parametrize("text,status", [
    # deleting what was said or recorded is data held, judged with the usual bar...
    ("how do i wipe my chat history with deepseek", "answer"),
    ("como borro todo lo que le he dicho a gemini", "answer"),
    ("zoom aufnahmen und transkripte löschen, wo mach ich das", "answer"),
    # ...getting it back is account trouble, out of scope
    ("how do i get back a chatgpt chat i deleted yesterday", "abstain"),
    ("como recupero mi cuenta de instagram", "abstain"),
])
def test_deleting_chats_or_recordings_is_in_scope_and_recovering_them_is_not(engine, text, status):
    a = engine.answer(Query(text))
    assert (a.status, a.topic if status == "answer" else None) == (status, "delete-data" if status == "answer" else None)


@pytest.mark.parametrize("text,platform,topic", [
    ("are you an official meta bot?", "general", "about-bot"),
    ("eres un bot oficial de meta?", "general", "about-bot"),
    ("bist du ein offizieller bot von meta oder von wem kommst du?", "general", "about-bot"),
    ("are you made by openai?", "general", "about-bot"),
    ("are you chatgpt?", "general", "about-bot"),
    ("is this bot run by meta? how would i know you aren't keeping my messages", "general", "about-bot"),
    ("are you from meta? how do i turn off meta ai in whatsapp", "meta-ai", "ai-training"),  # then a question
    # "bot" beside Meta's name is its assistant everywhere else
    ("el bot de meta en instagram, lo puedo quitar?", "meta-ai", "ai-training"),
    ("is the meta bot reading my chats?", "meta-ai", "ai-training"),
    # the asking words, then other words before the name: a question about the platform
    ("are you sure linkedin trains on my posts?", "linkedin", "ai-training"),
    ("eres capaz de decirme como quitar la ia de instagram", "instagram", "ai-training"),
])
def test_who_the_bot_is_is_asked_by_a_name_and_meta_s_bot_is_meta_ai(engine, text, platform, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", platform, topic)


def test_a_question_about_the_concepts_gets_the_general_card(engine):
    a = ask(engine, "so what's actually the difference between opting out and opting in?")
    assert (a.status, a.platform, a.topic) == ("answer", "general", "opt-out-vs-opt-in")


def test_a_question_word_opens_a_question_only_among_the_first_words_after_an_address(engine):
    """In a group, 'que'/'how' deep in a statement ("mi primo dice que...") does not make it a question."""
    from bot.core.normalize import tokens

    def asks(text):
        return engine.grammar.looks_like_question(tokens(text), text)

    assert not asks("my cousin said how linkedin trains on posts is shady")
    assert asks("hey bot, how do i stop linkedin training on my posts")  # the address does not count
    assert asks("ok so how do i stop it")
    assert asks("my cousin said linkedin trains on posts, is that true?")


@pytest.mark.parametrize("text,topic", [
    ("i live in germany and want to lodge a formal gdpr objection against instagram using my photos", "legal-objection"),
    ("desde chile puedo oponerme a que instagram use mis fotos para la ia?", "region"),  # no GDPR there
])
def test_an_objection_is_a_legal_question_where_a_law_gives_the_right_and_a_region_question_elsewhere(engine, text, topic):
    a = engine.answer(Query(text))
    assert (a.status, a.platform, a.topic) == ("answer", "instagram", topic)


@pytest.mark.parametrize("text,choice", [
    ("gemini o chatgpt per scrivere la relazione?", True), ("copilot oder chatgpt, was ist besser", True),
    ("instagram and tiktok, how do i stop both", False), ("instagram e o tiktok, como saio", False),
    ("what's the difference between claude and chatgpt", True),  # matching.yaml comparing
    ("unterschied zwischen gemini und copilot?", True),
])
def test_names_joined_only_by_or_offer_a_choice(engine, text, choice):
    from bot.core.normalize import tokens
    toks = tokens(text)
    assert engine.grammar.offers_a_choice(engine.index.detect(toks), toks) is choice


@pytest.mark.parametrize("text", ["photographers in here, how do you keep flickr from feeding ai",
                                  "devs - how do we stop copilot training on our snippets",
                                  "quick q for the group: how do i stop pinterest using my pins"])
def test_a_question_after_a_few_words_calling_on_people_is_a_question(engine, text):
    a = ask(engine, text, in_group=True, addressed=False)
    assert a.status == "answer"


def test_a_remark_with_a_comma_is_still_a_remark(engine):
    assert ask(engine, "mi primo dice que linkedin vende tus datos, pero yo ni lo uso", in_group=True,
               addressed=False).status == "abstain"


def test_an_assistant_in_a_chat_of_an_app_it_is_built_into_is_that_feature(engine):
    a = ask(engine, "alguien sabe como sacar a meta ai de este grupo?", in_group=True, addressed=False)
    assert (a.status, a.platform, a.topic) == ("answer", "meta-ai", "ai-training")
    assert ask(engine, "how do i add meta ai to our group chat").status == "abstain"  # wanted, not refused


def test_a_chat_word_alone_is_not_a_chat_of_the_app(engine):
    # "group chat" is a place in WhatsApp; "chat" alone is what Meta AI is asked about, not where it sits
    assert not engine.read(Query("how do i stop meta ai training on my chat"))[0].in_its_app
    assert engine.read(Query("how do i get meta ai out of our group chat"))[0].in_its_app
