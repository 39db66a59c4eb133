"""Shared by the checklist, feedback and /robots tests: rows read straight from the SQLite file, and what the
CLI prints for /robots (the chats must give the same)."""
from __future__ import annotations

import sqlite3


def sqlite_rows(path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def robots_cli(capsys, purpose: str, fmt: str) -> str:
    from bot.cli import main

    assert main(["robots", "--purpose", purpose, "--format", fmt]) == 0
    return capsys.readouterr().out
