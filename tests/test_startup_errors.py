"""Review F-4, F-13, F-14: every start-up error is one line saying what to fix (exit 2: a bad setting, 1: the
world), and no form of a DATABASE_URL password ever reaches the output. The real `optout-bot` in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-token-for-tests"


def run(tmp_path, *args, timeout=60, **env) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                          env={**base, **env}, timeout=timeout)


def lines(out) -> list[str]:
    return [x for x in (out.stdout + out.stderr).splitlines() if x.strip()]


@pytest.mark.parametrize("adapter", ["telegram", "discord"])
@pytest.mark.parametrize("password", ["100%secret", "p@ss#w0rd", "abc def"])
def test_database_password_never_printed(tmp_path, adapter, password):
    out = run(tmp_path, "run", adapter, DATABASE_URL=f"postgresql://optout:{password}@127.0.0.1:1/optout",
              LOG_LEVEL="DEBUG", DISCORD_BOT_TOKEN="fake-discord-token-SECRET-1234567890",
              DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10")
    text = out.stdout + out.stderr
    for form in {f for f in (password, *password.split("@"), *password.split(" "), password.replace("%", "%25")) if len(f) >= 4}:
        assert form not in text
    assert "Traceback" not in text and out.returncode == 1
    assert "DATABASE_URL: cannot use postgresql://optout:***@127.0.0.1:1/optout" in text


@pytest.mark.parametrize("env,code,says", [
    ({"LOG_LEVEL": "verbose"}, 2, "LOG_LEVEL: must be one of DEBUG"),
    ({"DISCORD_GUILD_ID": "abc"}, 2, "DISCORD_GUILD_ID"),
    ({"TELEGRAM_WEBHOOK_PORT": "x"}, 2, "TELEGRAM_WEBHOOK_PORT"),
    ({"DATABASE_URL": "mysql://u:pw-mysql-secret@h/db"}, 2, "DATABASE_URL: unsupported scheme 'mysql'"),
    ({"DATABASE_URL": "sqlite:///afile/db.sqlite3"}, 2, "is a file, not a folder"),
    ({"DATABASE_URL": "sqlite:///somedir"}, 2, "is a folder, not a database file"),
    ({}, 1, "cannot reach the Telegram Bot API"),
])
def test_start_up_errors_are_one_line(tmp_path, env, code, says):
    (tmp_path / "afile").write_text("")
    (tmp_path / "somedir").mkdir()
    out = run(tmp_path, "run", "telegram", **env)
    assert out.returncode == code and says in out.stderr
    assert len(lines(out)) == 1, lines(out)
    assert "Traceback" not in out.stderr and "pw-mysql-secret" not in out.stderr


def test_knowledge_file_that_is_a_folder(tmp_path):
    import shutil

    root = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", root)
    (root / "platforms" / "zzz.yaml").mkdir()
    out = run(tmp_path, "kb", "check", "--root", str(root))
    assert out.returncode == 1 and "zzz.yaml" in out.stdout + out.stderr and "Traceback" not in out.stderr


def test_run_all_notices_a_dead_adapter(tmp_path):
    """F-13: Discord cannot start (nothing listens at its REST address); after one restart `run all` gives up,
    stops the Telegram child too and exits non-zero, instead of looking healthy with a zombie child."""
    from tests.telegram.fake_bot_api import FakeBotAPI

    api = FakeBotAPI().start()
    try:
        t0 = time.monotonic()
        out = run(tmp_path, "run", "all", timeout=90, TELEGRAM_BASE_URL=api.base_url,
                  DISCORD_BOT_TOKEN="fake-discord-token-1234567890", DISCORD_API_BASE_URL="http://127.0.0.1:9/api/v10",
                  DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", RUN_ALL_MAX_RESTARTS="1")
    finally:
        api.stop()
    assert out.returncode == 1
    assert "the discord adapter stopped (exit code 1); restarting it" in out.stderr
    assert "stopping the others" in out.stderr
    assert time.monotonic() - t0 < 60
