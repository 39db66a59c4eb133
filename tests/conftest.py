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


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL on 127.0.0.1 (tests/pg.py), or a skip where its binaries are missing."""
    from tests.pg import postgres_server

    with postgres_server() as url:
        if url is None:
            pytest.skip("no PostgreSQL binaries on this machine (set TEST_POSTGRES_URL to use a server)")
        yield url
