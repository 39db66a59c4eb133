"""Exactly-once alerts with two real bot processes (`optout-bot run telegram`, two OS processes) on one PostgreSQL,
both started on a knowledge base with a change their subscribers have not seen. Every count is what the fake Bot
API on 127.0.0.1 received."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from sqlalchemy import text

from bot.core.alert_store import AlertStore, Subscriber
from bot.core.alerts import known_changes
from bot.core.cache import cache_dir
from bot.core.knowledge import default_root
from bot.core.store import Store
from tests.alert_helpers import NEW_EN, NEW_ES
from tests.telegram.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
USERS = [str(uid) for uid in range(5001, 5031)]


def newer_knowledge(tmp: Path) -> Path:
    """A copy of knowledge/ whose linkedin.yaml has one more change, dated today: a curator's new version."""
    root = tmp / "knowledge"
    shutil.copytree(default_root(), root)
    path = root / "platforms" / "linkedin.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["changes"].insert(0, {"date": dt.date.today(), "en": NEW_EN, "es": NEW_ES, "sources": ["li-gulfnews"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return root


async def test_two_os_processes_on_postgres_send_each_subscriber_exactly_one_alert(postgres_url, engine, tmp_path):
    store = await Store.open(postgres_url)
    async with store._engine.begin() as conn:
        for table in ("alert_subscriptions", "alert_changes", "alert_deliveries", "alert_meta"):
            await conn.execute(text(f"DELETE FROM {table}"))
    alerts = AlertStore(store)
    await alerts.record_changes(known_changes(engine.kb))  # the running version: already known, no alert
    for uid in USERS:
        await alerts.subscribe(Subscriber("telegram", "user", uid), "linkedin", "en")
    await store.close()

    api = FakeBotAPI().start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_BASE_URL": api.base_url,
           "DATABASE_URL": postgres_url, "OPTOUT_KNOWLEDGE_DIR": str(newer_knowledge(tmp_path)),
           "OPTOUT_CACHE_DIR": str(cache_dir()), "ALERTS_POLL_SECONDS": "0.3", "ALERTS_SEND_INTERVAL": "0",
           "TELEGRAM_WEBHOOK_URL": "", "DISCORD_BOT_TOKEN": "", "NO_PROXY": "127.0.0.1,localhost",
           "no_proxy": "127.0.0.1,localhost"}
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "telegram"], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(alerts_sent(api)) < len(USERS):
            assert all(p.poll() is None for p in procs), procs[0].stderr.read().decode()[-2000:]
            await asyncio.sleep(0.3)
        await asyncio.sleep(2.0)  # time for a second copy, were there one
        sent = alerts_sent(api)
        assert sorted(str(p["chat_id"]) for p in sent) == USERS  # every subscriber, each exactly once
        assert all(p["text"].startswith("🔔 LinkedIn changed how it uses your data") for p in sent)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        api.stop()
    store = await Store.open(postgres_url)
    async with store._engine.connect() as conn:
        states = (await conn.execute(text("SELECT state, count(*) FROM alert_deliveries GROUP BY state"))).all()
    await store.close()
    assert [tuple(r) for r in states] == [("sent", len(USERS))]


def alerts_sent(api: FakeBotAPI) -> list[dict]:
    return [c.params for c in api.find("sendMessage", lambda p: p.get("text", "").startswith("🔔"))]
