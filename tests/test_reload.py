"""Reloading the knowledge base while running: a broken one is refused whole and the old one keeps serving."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core import knowledge
from bot.core.engine import get_engine
from bot.core.knowledge import KnowledgeError
from bot.core.reload import reload_knowledge

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root)
    monkeypatch.setattr(knowledge, "default_root", lambda: root)
    yield root
    monkeypatch.undo()
    reload_knowledge()  # back to the real one for the other tests


def test_broken_knowledge_is_refused_and_the_old_one_serves(kb_copy):
    before = get_engine()
    (kb_copy / "platforms" / "linkedin.yaml").write_text("id: linkedin\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        reload_knowledge()
    assert get_engine() is before and get_engine().platform("linkedin") is not None


def test_good_knowledge_replaces_the_old(kb_copy):
    before = get_engine()
    after = reload_knowledge()
    assert after is not before and get_engine() is after


async def test_reload_command_is_for_the_owner_only(tmp_path, kb_copy):
    from bot.adapters.telegram_bot import build_application
    from bot.core.store import Store
    from tests.telegram.conftest import Harness, make_settings
    from tests.telegram.fake_bot_api import FakeBotAPI, PRIVATE, make_fake_request, message, user

    api = FakeBotAPI()
    db = f"sqlite:///{tmp_path}/db.sqlite3"
    store = await Store.open(db)
    app = build_application(make_settings(api, db, telegram_owner_id=777), engine=get_engine(), store=store,
                            request=make_fake_request(api))
    await app.initialize()
    h = Harness(api, app, store)
    await h.send(message("/reload", PRIVATE, sender=user(501)))  # not the owner: the help
    assert "reloaded" not in h.texts(PRIVATE)[-1]
    (kb_copy / "platforms" / "linkedin.yaml").write_text("id: linkedin\nname: [unclosed\n", encoding="utf-8")
    await h.send(message("/reload", 777, sender=user(777)))
    assert h.texts(777)[-1].startswith("knowledge base NOT reloaded, the old one keeps serving: knowledge/platforms/linkedin.yaml")
    await h.send(message("How do I stop LinkedIn from training AI on my data?", 777, sender=user(777)))
    assert "LinkedIn" in h.texts(777)[-1]  # still answering from the old one
    shutil.copy(ROOT / "knowledge" / "platforms" / "linkedin.yaml", kb_copy / "platforms" / "linkedin.yaml")
    await h.send(message("/reload", 777, sender=user(777)))
    assert h.texts(777)[-1].startswith("knowledge base reloaded:")
    await app.shutdown()
    await store.close()
