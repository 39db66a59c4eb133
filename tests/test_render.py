"""Rendering: every answer shows steps, link, regions, past training, sources and the verified date; escaping."""
import re

import pytest

from bot.core.engine import Answer, Candidate, Query
from bot.core.limits import embed_size, visible_len
from bot.core.render import (DISCORD, TELEGRAM_LIMIT, Renderer, escape_discord, escape_telegram, message, split_chunks,
                             strings)


@pytest.fixture(scope="module")
def renderer(engine):
    return Renderer(engine)


def test_plain_answer_has_every_part(engine, renderer):
    a = engine.answer(Query("how do I stop LinkedIn from using my data to train AI?"))
    out = renderer.full(a, "plain").text
    assert "Data for Generative AI Improvement" in out
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in out
    assert "EU/EEA:" in out and "UK:" in out and "US:" in out  # all-regions note when the region is unknown
    assert "Does this undo past training?" in out
    assert "Sources:" in out and "Checked 2026-" in out


def test_asker_region_first_and_spanish(engine, renderer):
    a = engine.answer(Query("linkedin ia", lang="es", region="eu"))
    out = renderer.full(a, "plain").text
    assert "Tu región (UE/EEE)" in out and "Fuentes" in out and "Comprobado el" in out
    assert out.index("Tu región (UE/EEE)") < out.index("Por región")  # the asker's first, then every region


def test_past_training_question_leads_with_it(engine, renderer):
    a = engine.answer(Query("does opting out of linkedin AI training undo what they already used"))
    out = renderer.full(a, "plain").text
    assert out.index("Does this undo past training?") < out.index("How to do it")
    first = renderer.render(a, "plain").text
    assert first.index("Undoes past training?") < first.index("In the app:")


def test_every_card_renders_in_every_format(engine, renderer):
    for p in engine.kb.platforms.values():
        for topic in p.topics:
            for lang in ("en", "es"):
                a = engine.answer_for(p.id, topic, lang)
                for fmt in ("plain", "telegram", "discord"):
                    r = renderer.render(a, fmt)
                    assert r.text and r.full
                    assert renderer.full(a, fmt).text
                if p.id != "general":
                    assert r.links and all(u.startswith("http") for _, u in r.links)


def test_telegram_html_is_escaped_and_split(engine, renderer):
    for p in engine.platforms():
        r = renderer.full(engine.answer_for(p.id, "ai-training", "es"), "telegram")
        assert r.chunks and all(visible_len(c) < TELEGRAM_LIMIT for c in r.chunks)
        body = "".join(r.chunks)
        # only our own tags survive; a ">" from "Settings > Privacy" is escaped
        assert not re.search(r"<(?!/?(b|i|u|a)[ >])", body), p.id
        assert " > " not in body


def test_split_chunks_never_exceeds_limit():
    body = "\n\n".join(f"<b>Section {i}</b>\n" + ("word " * 300) for i in range(40))
    pieces = split_chunks(body, 4096)
    assert len(pieces) > 1 and all(len(p) < 4096 for p in pieces)
    assert all(p.count("<b>") == p.count("</b>") for p in pieces)
    assert split_chunks("y" * 10_000, 4096) and all(len(p) < 4096 for p in split_chunks("y" * 10_000, 4096))


def test_discord_embeds_within_limits_and_nothing_dropped(engine, renderer):
    for p in engine.kb.platforms.values():
        for topic in p.topics:
            a = engine.answer_for(p.id, topic, "en")
            first = renderer.render(a, "discord").embeds
            if p.id != "general":  # the compact first reply: one small embed (the general guides are short already)
                (embed,) = first
                assert embed_size(embed) <= 1000, (p.id, topic)
            full = renderer.full(a, "discord").embeds
            for e in full:
                assert len(e.get("description", "")) <= DISCORD["description"]
                assert len(e.get("fields", [])) <= DISCORD["fields"] and embed_size(e) <= DISCORD["total"]
                assert all(len(f["value"]) <= DISCORD["field_value"] and len(f["name"]) <= 256 for f in e.get("fields", []))
                assert "@everyone" not in str(e)
            names = " ".join(f["name"] for e in full for f in e.get("fields", []))
            if p.id != "general":
                assert "Sources" in names and "Direct links" in names, (p.id, topic)  # never dropped to fit


def test_escaping_helpers():
    assert escape_telegram("<script>&</script>") == "&lt;script&gt;&amp;&lt;/script&gt;"
    assert escape_discord("**hi** @everyone <@123>") == "\\*\\*hi\\*\\* @\u200beveryone <\u200b@\u200b123\\>"


def test_user_text_in_messages_is_escaped():
    out = message("platform_not_found", "telegram", "en", name="<b>@everyone</b>")
    assert "&lt;b&gt;" in out and "<b>" not in out
    out = message("platform_not_found", "discord", "en", name="**x** @here")
    assert "\\*\\*x\\*\\*" in out and "@here" not in out


def test_clarify_and_abstain_texts(engine, renderer):
    clarify = Answer("clarify", None, "ai-training", 0, (Candidate("x", "X", 0),), "es")
    assert "plataforma" in renderer.render(clarify, "plain").text
    near = engine.answer(Query("how do I change my LinkedIn profile picture"))
    assert "LinkedIn" in renderer.render(near, "plain").text
    empty = engine.answer(Query(""))
    assert renderer.render(empty, "telegram").text


def test_missing_card_is_said_not_hidden(engine, renderer):
    pid = next(p.id for p in engine.platforms() if "legal-objection" not in p.topics)
    out = renderer.render(engine.answer_for(pid, "legal-objection", "en"), "plain").text
    assert "I have no separate guide for a legal objection" in out


def test_strings_have_both_languages():
    table = strings()
    assert set(table["en"]) == set(table["es"])


def test_platform_index(renderer):
    r = renderer.platform_index("telegram", "en")
    assert "LinkedIn" in r.text and all(len(c) < TELEGRAM_LIMIT for c in r.chunks)
    assert renderer.platform_index("discord", "es").embeds


def test_delete_and_objection_answers_still_show_regions_and_past_training(engine, renderer):
    for p in engine.platforms():
        for topic in ("delete-data", "legal-objection"):
            if topic in p.topics:
                out = renderer.full(engine.answer_for(p.id, topic, "en"), "plain").text
                assert "By region:" in out and "Does this undo past training?" in out, (p.id, topic)


def test_objection_letter_in_every_format(engine, renderer):
    for fmt in ("plain", "telegram", "discord"):
        for lang, marker in (("en", "Article 21(1) of the GDPR"), ("es", "artículo 21.1 del RGPD")):
            r = renderer.letter("linkedin", fmt, lang, "2026-11-28")
            whole = r.text + "".join(e["description"] for e in r.embeds)
            assert marker in whole.replace("\n", " ") and "2026-11-28" in whole and "LinkedIn" in whole
            assert r.links
    assert all(len(e["description"]) <= 4096 for e in renderer.letter("tiktok", "discord", "es", "x").embeds)


def test_email_routes_render_as_addresses_not_buttons_and_sources_are_the_cards(tmp_path):
    import shutil
    from pathlib import Path

    import yaml

    from bot.core.engine import Engine
    from bot.core.knowledge import load

    root = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[1] / "knowledge", root)
    path = root / "platforms" / "linkedin.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    card = data["topics"]["ai-training"]["en"]
    card["links"].insert(0, {"label": "Email the privacy team", "url": "mailto:privacy@example.com"})
    official = next(s for s in data["sources"] if s["kind"] == "official")
    press = next(s for s in data["sources"] if s["kind"] == "press")
    card["sources"] = [press["id"]]
    card["summary"] += " [[%s]]" % official["id"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    engine = Engine(load(root))
    renderer = Renderer(engine)
    answer = engine.answer(Query("how do I stop LinkedIn from using my data to train AI?"))
    plain = renderer.render(answer, "plain")
    assert "Email the privacy team: privacy@example.com" in plain.full and "[[" not in plain.full
    assert all(not url.startswith("mailto:") for _, url in plain.links)  # buttons are web links only
    assert official["url"] in plain.full and press["url"] in plain.full  # the card's sources and citations
    assert plain.full.index(official["url"]) < plain.full.index(press["url"])  # official first
    tg = renderer.full(answer, "telegram").text
    assert "Email the privacy team: privacy@example.com" in tg and 'href="mailto:' not in tg
    dc = renderer.render(answer, "discord")
    assert not dc.embeds[0]["url"].startswith("mailto:")


def test_an_uncovered_brand_gets_the_honest_reply_in_both_languages(engine):
    from bot.core.engine import Query
    from bot.core.render import Renderer

    renderer = Renderer(engine)
    en = renderer.render(engine.answer(Query("does netflix use my data to train ai")), "plain").text
    assert "no guide for Netflix yet" in en and "/letter" in en
    es = renderer.render(engine.answer(Query("¿netflix usa mis datos para entrenar ia?")), "telegram").text
    assert "no tengo guía para Netflix" in es


def test_a_clarify_naming_nothing_we_know_offers_the_general_route(engine, renderer):
    """'is zendesk using our tickets for ai?': maybe a service without a guide; the route for any company is /letter."""
    none = renderer.render(Answer("clarify", None, "ai-training", 0, (Candidate("x", "X", 0),), "en",
                                  reason="no-platform"), "plain").text
    assert "no guide for" in none and "/letter" in none
    es = renderer.render(Answer("clarify", None, "ai-training", 0, (Candidate("x", "X", 0),), "es",
                                reason="no-platform"), "plain").text
    assert "no tengo guía" in es and "/letter" in es
    several = renderer.render(Answer("clarify", None, "ai-training", 0, (Candidate("x", "X", 0),), "en",
                                     reason="several"), "plain").text
    assert "/letter" not in several  # two platforms we know were named: just ask which


def test_an_article_number_does_not_end_the_short_answers_first_sentence():
    # "right to object (Art. 21) to Meta ...": "Art." is an abbreviation, not the end of a sentence
    from bot.core.brief import sentences
    text = "In the EU/EEA and UK you can use your GDPR right to object (Art. 21) to Meta training AI. No reason needed."
    assert sentences(text) == ["In the EU/EEA and UK you can use your GDPR right to object (Art. 21) to Meta training AI.",
                               "No reason needed."]


def test_the_short_instagram_objection_keeps_the_article_it_names(engine, renderer):
    a = engine.answer(Query("how do i object to instagram using my photos, i am in france"))
    assert (a.platform, a.topic) == ("instagram", "legal-objection")
    short = renderer.render(a, "plain").text
    assert "right to object (Art. 21)" in short
