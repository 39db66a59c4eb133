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
