"""Fixtures for the Telegram adapter tests: an in-process harness (process_update through a fake BaseRequest)
and the fake Bot API over HTTP on 127.0.0.1 (for the end-to-end tests, see test_e2e.py)."""
from __future__ import annotations

import os

import pytest

from tests.telegram.fake_bot_api import FakeBotAPI, make_fake_request

pytest.importorskip("telegram")

# httpx honours HTTP(S)_PROXY even for loopback; the fakes are only ever on 127.0.0.1
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


class Harness:
    """A real Application (handlers, rate limiter, defaults) whose HTTP goes to FakeBotAPI.handle in-process."""

    def __init__(self, api: FakeBotAPI, app, store):
        self.api, self.app, self.store = api, app, store
        self.handlers = app.bot_data["optout"]
        self.errors: list[BaseException] = []

    async def send(self, update: dict) -> None:
        from telegram import Update

        update = {"update_id": len(self.api.calls) + 1, **update}
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def sent(self, chat_id: int) -> list[dict]:
        return self.api.sent_to(chat_id)

    def texts(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def calls(self, method: str) -> list[dict]:
        return [c.params for c in self.api.find(method)]


def make_settings(api: FakeBotAPI, db: str, **extra):
    from bot.config import Settings

    return Settings(_env_file=None, telegram_bot_token=api.token, telegram_base_url=api.base_url, database_url=db,
                    telegram_webhook_url=None, **extra)


@pytest.fixture
async def tg(tmp_path):
    from bot.adapters.telegram_bot import build_application
    from bot.core.engine import get_engine
    from bot.core.store import Store

    api = FakeBotAPI()
    store = await Store.open(f"sqlite:///{tmp_path}/db.sqlite3")
    app = build_application(make_settings(api, f"sqlite:///{tmp_path}/db.sqlite3"), engine=get_engine(),
                            store=store, request=make_fake_request(api), admin_cache_seconds=0)
    await app.initialize()
    harness = Harness(api, app, store)
    original = harness.handlers.on_error

    async def on_error(update, context):  # record, then the adapter's own handling (log + apology)
        harness.errors.append(context.error)
        await original(update, context)

    app.error_handlers.clear()
    app.add_error_handler(on_error)
    yield harness
    await app.shutdown()
    await store.close()


@pytest.fixture
def fake_api():
    api = FakeBotAPI().start()
    yield api
    api.stop()
