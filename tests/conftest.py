import os

import pytest

# httpx (python-telegram-bot) honours proxy variables even for 127.0.0.1; the fakes live on loopback.
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def engine():
    from bot.core.engine import get_engine

    return get_engine()


@pytest.fixture(scope="session", autouse=True)
def _judge_ready():
    """Embed the knowledge base once, first: later tests (and bots started as subprocesses) read the cache."""
    from bot.core.engine import get_engine

    get_engine().judge.warm()


@pytest.fixture
async def stored_conv(engine, tmp_path):
    """The conversation layer on a real SQLite file (its path in `.db`, for reading rows back)."""
    from bot.core.conversation import Conversation, Limits
    from bot.core.render import Renderer
    from bot.core.store import Store

    store = await Store.open(f"sqlite:///{tmp_path}/bot.sqlite3")
    conv = Conversation(engine, Renderer(engine), store, Limits(user=(1000, 60.0)))
    conv.db = tmp_path / "bot.sqlite3"
    yield conv
    await store.close()


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL on 127.0.0.1 (tests/pg.py), or a skip where its binaries are missing."""
    from tests.pg import postgres_server

    with postgres_server() as url:
        if url is None:
            pytest.skip("no PostgreSQL binaries on this machine (set TEST_POSTGRES_URL to use a server)")
        yield url
