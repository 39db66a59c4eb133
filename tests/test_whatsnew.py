"""What's new (`optout-bot new`): the platforms' dated changes of the last N days, with a fixed "today"."""
import datetime as dt
import json

import pytest

from bot.cli import main
from bot.core.knowledge import load
from bot.core.whatsnew import recent_changes

LI_DATE = dt.date(2025, 11, 3)
LI_EN = ("LinkedIn began training content-generating AI on data of members in the EU/EEA, UK, Switzerland, Canada and "
         "Hong Kong, on by default; elsewhere it started sharing more data with Microsoft and other affiliates for "
         "ads, with its own opt-out.")
LI_ES_START = "LinkedIn empezó a entrenar IA generativa con datos de miembros de la UE/EEE"
TODAY = dt.date(2025, 11, 30)


@pytest.fixture(scope="module")
def kb():
    return load()


def _linkedin(items):
    return [i for i in items if i.platform == "linkedin"]


def test_linkedin_change_in_the_last_90_days(kb):
    items = recent_changes(kb, today=TODAY)
    li = _linkedin(items)
    assert [(i.date, i.text) for i in li] == [(LI_DATE, LI_EN)]  # the 2024-09-18 change is older than 90 days
    assert li[0].platform_name == "LinkedIn" and li[0].lang == "en"
    # its sources are [li-ota (archive), li-gulfnews (press), ...]: the first official/regulator/press one is shown
    assert li[0].source_id == "li-gulfnews" and li[0].source_kind == "press"
    assert li[0].source_url.startswith("https://gulfnews.com/technology/linkedin-privacy-update")


def test_newest_first_and_inside_the_window(kb):
    items = recent_changes(kb, today=TODAY, days=90)
    assert items and [i.date for i in items] == sorted((i.date for i in items), reverse=True)
    assert all(TODAY - dt.timedelta(days=90) <= i.date <= TODAY for i in items)
    firm = ("official", "regulator", "press")
    for i in items:
        p = kb.platforms[i.platform]
        change = next(c for c in p.changes if c.date == i.date and c.en == i.text)
        kinds = [p.source(s).kind for s in change.sources]
        assert i.source_kind == next((k for k in kinds if k in firm), kinds[0]), (i.platform, i.date)


def test_window_edges(kb):
    assert _linkedin(recent_changes(kb, today=LI_DATE, days=0))  # today itself counts
    assert not _linkedin(recent_changes(kb, today=LI_DATE - dt.timedelta(days=1)))  # not yet happened
    assert _linkedin(recent_changes(kb, today=dt.date(2025, 12, 3), days=30))
    assert not _linkedin(recent_changes(kb, today=dt.date(2025, 12, 3), days=29))
    older = recent_changes(kb, today=TODAY, days=500)
    assert [i.date for i in _linkedin(older)] == [LI_DATE, dt.date(2024, 9, 18)]


def test_spanish(kb):
    li = _linkedin(recent_changes(kb, today=TODAY, lang="es"))
    assert li[0].text.startswith(LI_ES_START) and li[0].lang == "es"
    with pytest.raises(ValueError):
        recent_changes(kb, today=TODAY, lang="fr")


def test_cli_text_and_json(capsys):
    assert main(["new", "--today", "2025-11-30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("What's new in the last 90 days (")
    assert "2025-11-03  LinkedIn\n  LinkedIn began training content-generating AI" in out
    assert "Source: Gulf News: LinkedIn privacy update" in out
    assert main(["new", "--today", "2025-11-30", "--json", "--lang", "es"]) == 0
    rows = json.loads(capsys.readouterr().out)
    li = [r for r in rows if r["platform"] == "linkedin"]
    assert li[0]["date"] == "2025-11-03" and li[0]["text"].startswith(LI_ES_START)
    assert li[0]["source"]["id"] == "li-gulfnews"
    assert main(["new", "--today", "2020-01-01", "--days", "10"]) == 0
    assert capsys.readouterr().out.strip() == "No changes in the last 10 days."
    assert main(["new", "--today", "yesterday"]) == 2
