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
