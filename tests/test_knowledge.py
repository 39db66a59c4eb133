"""The knowledge base loads whole or not at all, and says exactly what is wrong."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import DESIGN_PLATFORM_IDS, KnowledgeError, load

ROOT = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture
def kb_copy(tmp_path):
    dst = tmp_path / "knowledge"
    shutil.copytree(ROOT, dst)
    return dst


def edit(path: Path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(root) -> list[str]:
    with pytest.raises(KnowledgeError) as e:
        load(root)
    return e.value.problems


def test_bundled_knowledge_is_valid():
    kb = load()
    assert "general" in kb.platforms
    missing = set(DESIGN_PLATFORM_IDS) - set(kb.platforms)
    assert not missing, f"platforms without a file: {sorted(missing)}"
    for p in kb.platforms.values():
        assert p.sources and all(s.date for s in p.sources)
        for topic, cards in p.topics.items():
            assert set(cards) == {"en", "es"}, (p.id, topic)
    assert len(kb.crawlers) >= 20


def test_kb_check_command_is_clean():
    out = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("ok:") or "ok:" in out.stdout


def test_missing_language_names_file_and_field(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"]["ai-training"].pop("es"))
    assert "knowledge/platforms/linkedin.yaml: topics.ai-training.es: missing" in problems(kb_copy)


def test_missing_ai_training_topic(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"].pop("ai-training"))
    assert any(p.endswith("topics.ai-training: missing") for p in problems(kb_copy))


def test_unknown_topic(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"].update({"weather": d["topics"]["ai-training"]}))
    assert any("unknown topic 'weather'" in p for p in problems(kb_copy))


def test_malformed_url(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["sources"][0].update(url="linkedin dot com"))
    assert any(p.startswith("knowledge/platforms/linkedin.yaml: sources.0.url:") for p in problems(kb_copy))


def test_source_without_date(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["sources"][0].pop("date"))
    assert "knowledge/platforms/linkedin.yaml: sources.0.date: missing" in problems(kb_copy)


def test_bad_date(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d.update(verified="last week"))
    assert any(p.startswith("knowledge/platforms/linkedin.yaml: verified:") for p in problems(kb_copy))


def test_empty_steps(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"]["ai-training"]["en"].update(steps={}))
    assert any("topics.ai-training.en.steps" in p and "empty steps" in p for p in problems(kb_copy))


def test_duplicate_alias_across_platforms(kb_copy):
    edit(kb_copy / "platforms" / "facebook.yaml", lambda d: d["aliases"].append("linkedin"))
    assert any("'linkedin' is also an alias of" in p for p in problems(kb_copy))


def test_an_assistant_is_built_into_known_platforms_only(kb_copy):
    edit(kb_copy / "platforms" / "meta-ai.yaml", lambda d: d.update(built_into=["whatsapp", "myspace"]))
    assert problems(kb_copy) == ["knowledge/platforms/meta-ai.yaml: built_into: 'myspace' is no other platform"]


@pytest.mark.parametrize("word", ["office", "microsoft word"])  # an alias already; two words
def test_a_product_word_is_one_word_and_no_alias(kb_copy, word):
    edit(kb_copy / "platforms" / "microsoft-365.yaml", lambda d: d.update(product_words=["word", word]))
    assert any(f"product_words: {word!r} must be one word, and not an alias" in p for p in problems(kb_copy))


@pytest.mark.parametrize("old,new,problem", [
    ("owner: OpenAI}", "owner: Open AI Inc}", "Sora: owner 'Open AI Inc' owns no platform here"),
    ("word: booking}", "word: booking com}", "Booking.com: word 'booking com' is not one word"),
])
def test_a_brands_owner_owns_a_platform_and_its_everyday_word_is_one_word(kb_copy, old, new, problem):
    path = kb_copy / "brands.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    from bot.core.platforms import load_matching
    with pytest.raises(KnowledgeError) as e:
        load_matching(load(kb_copy), kb_copy)
    assert "knowledge/brands.yaml: " + problem in e.value.problems


def test_id_must_equal_file_name(kb_copy):
    shutil.copy(kb_copy / "platforms" / "linkedin.yaml", kb_copy / "platforms" / "linkedin2.yaml")
    assert any("linkedin2.yaml: id: 'linkedin' differs from the file name" in p for p in problems(kb_copy))


def test_broken_yaml_refused_whole(kb_copy):
    (kb_copy / "platforms" / "linkedin.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    found = problems(kb_copy)
    assert any(p.startswith("knowledge/platforms/linkedin.yaml: not valid YAML") for p in found)


def test_every_problem_is_reported_at_once(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"]["ai-training"].pop("es"))
    edit(kb_copy / "platforms" / "facebook.yaml", lambda d: d["sources"][0].update(url="ftp://x"))
    found = problems(kb_copy)
    assert any("linkedin.yaml" in p for p in found) and any("facebook.yaml" in p for p in found)


def test_kb_check_exit_code_on_error(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"]["ai-training"].pop("es"))
    out = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "check", "--root", str(kb_copy)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "knowledge/platforms/linkedin.yaml: topics.ai-training.es: missing" in out.stdout


def test_stale_cards_warn(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d.update(verified="2024-01-01", updated="2023-01-01"))
    out = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "check", "--root", str(kb_copy)],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert "warning: knowledge/platforms/linkedin.yaml: verified: older than 180 days" in out.stdout


def test_export_lists_every_platform_with_both_languages():
    import json

    out = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "export", "--json"], capture_output=True, text=True)
    assert out.returncode == 0
    data = json.loads(out.stdout)
    ids = {p["id"] for p in data["platforms"]}
    assert set(DESIGN_PLATFORM_IDS) | {"general"} <= ids
    for p in data["platforms"]:
        assert p["verified"] and p["sources"] and all(s["date"] for s in p["sources"])
        first = "about-bot" if p["id"] == "general" else "ai-training"
        assert set(p["topics"][first]) == {"en", "es"}


# --- schema v2: source ids and kinds, card sources, citations, changes, audit and questions files ---------------

LI = "knowledge/platforms/linkedin.yaml"


def _card(d, topic="ai-training", lang="en"):
    return d["topics"][topic][lang]


def test_every_source_has_an_id_and_a_kind_and_every_card_sources():
    kb = load()
    for p in kb.platforms.values():
        ids = [s.id for s in p.sources]
        assert len(ids) == len(set(ids)), p.id
        for cards in p.topics.values():
            for card in cards.values():
                assert card.sources and all(p.source(i) for i in card.cited_ids())
                assert any(p.source(i).kind != "secondary" for i in card.sources), p.id
    for c in kb.crawlers:
        assert c.source.kind


def test_card_without_sources_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: _card(d).pop("sources"))
    assert f"{LI}: topics.ai-training.en.sources: missing" in problems(kb_copy)


def test_card_with_empty_sources_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: _card(d).update(sources=[]))
    assert (f"{LI}: topics.ai-training.en.sources: no sources: list the ids of the sources this card rests on"
            in problems(kb_copy))


def test_unknown_card_source_id_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: _card(d)["sources"].append("li-nowhere"))
    assert f"{LI}: topics.ai-training.en.sources: unknown source id 'li-nowhere'" in problems(kb_copy)


def test_unknown_cited_id_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml",
         lambda d: _card(d)["regions"].update(eu=_card(d)["regions"]["eu"] + " [[li-help-genai, li-ghost]]"))
    assert f"{LI}: topics.ai-training.en.regions.eu: cites unknown source id 'li-ghost'" in problems(kb_copy)


def test_citation_markers_are_stripped_and_kept(kb_copy):
    def change(d):
        first = d["sources"][0]["id"]
        _card(d)["summary"] = "LinkedIn trains AI on your posts [[%s]]." % first
        _card(d)["steps"]["web"][0] = "Open Settings. [[%s]]" % first
    edit(kb_copy / "platforms" / "linkedin.yaml", change)
    p = load(kb_copy).platforms["linkedin"]
    card = p.card("ai-training", "en")
    first = p.sources[0].id
    assert card.summary == "LinkedIn trains AI on your posts."
    assert card.steps.web[0] == "Open Settings."
    assert card.citations["summary"] == [first] and card.citations["steps.web.0"] == [first]
    assert p.card_sources(card)[0].id == card.sources[0]


def test_card_resting_only_on_secondary_sources_is_refused(kb_copy):
    def change(d):
        d["sources"].append({"id": "li-blog", "kind": "secondary", "url": "https://blog.example.org/linkedin",
                             "title": "A blog post", "date": "2026-01-01"})
        _card(d)["sources"] = ["li-blog"]
    edit(kb_copy / "platforms" / "linkedin.yaml", change)
    assert (f"{LI}: topics.ai-training.en.sources: only secondary sources; add an official, regulator or press source"
            in problems(kb_copy))


def test_secondary_source_among_links_is_refused(kb_copy):
    def change(d):
        d["sources"].append({"id": "li-blog", "kind": "secondary", "url": "https://blog.example.org/linkedin",
                             "title": "A blog post", "date": "2026-01-01"})
        _card(d)["links"].append({"label": "A guide", "url": "https://blog.example.org/linkedin/"})
    edit(kb_copy / "platforms" / "linkedin.yaml", change)
    n = len(yaml.safe_load((kb_copy / "platforms" / "linkedin.yaml").read_text())["topics"]["ai-training"]["en"]["links"]) - 1
    assert (f"{LI}: topics.ai-training.en.links.{n}.url: is the secondary source 'li-blog'; link the official page instead"
            in problems(kb_copy))


def test_unknown_source_kind_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["sources"][0].update(kind="blog"))
    assert any(p.startswith(f"{LI}: sources.0.kind: Input should be 'official'") for p in problems(kb_copy))


def test_source_without_id_and_duplicate_ids_are_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["sources"][0].pop("id"))
    assert f"{LI}: sources.0.id: missing" in problems(kb_copy)
    edit(kb_copy / "platforms" / "facebook.yaml", lambda d: d["sources"][1].update(id=d["sources"][0]["id"]))
    assert any(p.startswith("knowledge/platforms/facebook.yaml: sources.1.id: duplicate") for p in problems(kb_copy))


def test_duplicate_yaml_key_is_refused(kb_copy):
    path = kb_copy / "platforms" / "linkedin.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    i = lines.index("      title: Stop LinkedIn from training AI on your data")
    lines.insert(i + 1, "      title: A second title")
    path.write_text("\n".join(lines), encoding="utf-8")
    assert (f"{LI}: topics.ai-training.en.title: duplicate key (lines {i + 1} and {i + 2})" in problems(kb_copy))


def test_mailto_links_are_accepted_and_bad_ones_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml",
         lambda d: _card(d)["links"].append({"label": "Email LinkedIn", "url": "mailto:privacy@linkedin.com"}))
    card = load(kb_copy).platforms["linkedin"].card("ai-training", "en")
    assert card.links[-1].is_email
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: _card(d)["links"][-1].update(url="mailto:nobody"))
    assert any(p.startswith(f"{LI}: topics.ai-training.en.links.") and "not a mailto: address" in p
               for p in problems(kb_copy))


def test_changes_need_known_sources_and_newest_first(kb_copy):
    def change(d):
        sid = d["sources"][0]["id"]
        d["changes"] = [{"date": "2024-09-18", "en": "a", "es": "b", "sources": [sid]},
                        {"date": "2025-11-03", "en": "c", "es": "d", "sources": ["li-ghost"]}]
    edit(kb_copy / "platforms" / "linkedin.yaml", change)
    found = problems(kb_copy)
    assert f"{LI}: changes: not newest first" in found
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["changes"].reverse())
    assert f"{LI}: changes.0.sources: unknown source id 'li-ghost'" in problems(kb_copy)


def test_crawler_without_source_is_refused(kb_copy):
    edit(kb_copy / "crawlers.yaml", lambda d: d["crawlers"][0].pop("source"))
    assert "knowledge/crawlers.yaml: crawlers.0.source: missing" in problems(kb_copy)


def _audit(kb_copy, claims, platform="linkedin"):
    (kb_copy / "audit").mkdir(exist_ok=True)
    path = kb_copy / "audit" / f"{platform}.yaml"
    path.write_text(yaml.safe_dump({"platform": platform, "checked": "2026-11-29", "claims": claims}), encoding="utf-8")
    return path


def _first_source(kb_copy, platform="linkedin", kind=None):
    data = yaml.safe_load((kb_copy / "platforms" / f"{platform}.yaml").read_text())
    return next(s["id"] for s in data["sources"] if kind is None or s["kind"] == kind)


def test_audit_file_is_loaded(kb_copy):
    sid = _first_source(kb_copy, kind="official")
    _audit(kb_copy, [{"claim": "on by default", "topic": "ai-training", "status": "confirmed", "sources": [sid]},
                     {"claim": "app path", "topic": "ai-training", "status": "uncertain"}])
    audit = load(kb_copy).audits["linkedin"]
    assert audit.counts()["confirmed"] == 1 and audit.counts()["uncertain"] == 1


def test_audit_file_refuses_unknown_platform_topic_status_and_source(kb_copy):
    sid = _first_source(kb_copy)
    _audit(kb_copy, [{"claim": "x", "topic": "ai-training", "status": "confirmed", "sources": [sid]}], platform="nowhere")
    _audit(kb_copy, [{"claim": "a", "topic": "weather", "status": "confirmed", "sources": [sid]},
                     {"claim": "b", "topic": "ai-training", "status": "maybe", "sources": [sid]},
                     {"claim": "c", "topic": "ai-training", "status": "confirmed", "sources": ["li-ghost"]},
                     {"claim": "d", "topic": "ai-training", "status": "reported"}])
    found = problems(kb_copy)
    assert "knowledge/audit/nowhere.yaml: unknown platform 'nowhere' (no knowledge/platforms/nowhere.yaml)" in found
    assert any(p.startswith("knowledge/audit/linkedin.yaml: claims.0.topic: Input should be") for p in found)
    assert any(p.startswith("knowledge/audit/linkedin.yaml: claims.1.status: Input should be") for p in found)
    assert "knowledge/audit/linkedin.yaml: claims.3.sources: a reported claim needs at least one source id" in found
    (kb_copy / "audit" / "nowhere.yaml").unlink()
    _audit(kb_copy, [{"claim": "c", "topic": "ai-training", "status": "confirmed", "sources": ["li-ghost"]}])
    _audit(kb_copy, [{"claim": "e", "topic": "legal-objection", "status": "uncertain"}], platform="reddit")
    found = problems(kb_copy)
    assert "knowledge/audit/linkedin.yaml: claims.0.sources: unknown source id 'li-ghost'" in found
    assert "knowledge/audit/reddit.yaml: claims.0.topic: reddit has no 'legal-objection' card" in found


def test_kb_audit_counts_and_fails_on_wrong_or_weakly_confirmed_claims(kb_copy):
    for existing in (kb_copy / "audit").glob("*.yaml"):   # the real audit files would change the counts
        existing.unlink()
    official = _first_source(kb_copy, kind="official")
    _audit(kb_copy, [{"claim": "a", "topic": "ai-training", "status": "confirmed", "sources": [official]},
                     {"claim": "b", "topic": "ai-training", "status": "reported", "sources": [official]},
                     {"claim": "c", "topic": "ai-training", "status": "uncertain"}])
    run = [sys.executable, "-m", "bot.cli", "kb", "audit", "--root", str(kb_copy)]
    out = subprocess.run(run, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    row = next(line.split() for line in out.stdout.splitlines() if line.startswith("linkedin "))
    assert row == ["linkedin", "3", "1", "1", "1"]
    audited = len(list((kb_copy / "audit").glob("*.yaml")))
    assert f"{audited} platforms audited" in out.stdout and "without an audit file" in out.stdout

    def weaken(d):
        d["sources"].append({"id": "li-blog", "kind": "secondary", "url": "https://blog.example.org/li",
                             "title": "A blog", "date": "2026-01-01"})
    edit(kb_copy / "platforms" / "linkedin.yaml", weaken)
    _audit(kb_copy, [{"claim": "a", "topic": "ai-training", "status": "confirmed", "sources": ["li-blog"]},
                     {"claim": "b", "topic": "ai-training", "status": "outdated", "sources": [official]}])
    out = subprocess.run(run, capture_output=True, text=True)
    assert out.returncode == 1
    assert "error: knowledge/audit/linkedin.yaml: claims.0: confirmed but cites only secondary sources: a" in out.stdout
    assert "error: knowledge/audit/linkedin.yaml: claims.1: still outdated: b" in out.stdout


def test_questions_file_is_loaded_and_checked(kb_copy):
    (kb_copy / "questions").mkdir(exist_ok=True)
    path = kb_copy / "questions" / "linkedin.yaml"
    path.write_text(yaml.safe_dump({"ai-training": {"pt": ["o linkedin usa meus posts pra treinar IA?"],
                                                    "de": ["nutzt linkedin meine beiträge für KI?"]}},
                                   allow_unicode=True), encoding="utf-8")
    kb = load(kb_copy)
    assert kb.extra_questions["linkedin"]["ai-training"]["pt"] == ["o linkedin usa meus posts pra treinar IA?"]
    path.write_text(yaml.safe_dump({"weather": {"pt": ["x"]}, "ai-training": {"xx": ["y"], "fr": ["a", "A"]}}),
                    encoding="utf-8")
    (kb_copy / "questions" / "nowhere.yaml").write_text("ai-training: {pt: [x]}\n", encoding="utf-8")
    found = problems(kb_copy)
    assert any(p.startswith("knowledge/questions/linkedin.yaml: weather: unknown topic for linkedin") for p in found)
    assert any(p.startswith("knowledge/questions/linkedin.yaml: ai-training.xx: unknown language") for p in found)
    assert "knowledge/questions/linkedin.yaml: ai-training.fr: listed twice: a" in found
    assert "knowledge/questions/nowhere.yaml: unknown platform 'nowhere' (no knowledge/platforms/nowhere.yaml)" in found


def test_bundled_audit_is_clean():
    out = subprocess.run([sys.executable, "-m", "bot.cli", "kb", "audit"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert "error:" not in out.stdout


def test_crawler_list_follows_the_audit():
    kb = load()
    by_token = {c.token: c for c in kb.crawlers}
    assert by_token["ChatGPT-User"].respects_robots_txt == "may-not-apply"
    assert "openai.com" in by_token["ChatGPT-User"].source.url
    for token in ("OAI-AdsBot", "ChatGPT Agent", "Claude-Web", "Google-Agent", "GoogleOther-Image", "GoogleOther-Video",
                  "Amzn-User", "bedrockbot"):
        assert token in by_token and by_token[token].source.url, token


def test_a_platform_without_a_delete_data_card_is_refused(kb_copy):
    edit(kb_copy / "platforms" / "linkedin.yaml", lambda d: d["topics"].pop("delete-data"))
    assert f"{LI}: topics: no delete-data card" in problems(kb_copy)


def test_the_about_card_says_truly_how_many_platforms_are_covered():
    import re
    kb = load()
    about = kb.platforms["general"].topics["about-bot"]
    en, es = (" ".join(about[lang].summary.split()) for lang in ("en", "es"))
    covered = len(kb.platforms) - 1  # "general" is no platform
    assert int(re.search(r"more than (\d+) platforms", en).group(1)) < covered
    assert int(re.search(r"más de (\d+) plataformas", es).group(1)) < covered
