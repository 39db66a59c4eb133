"""Per-chat and per-user settings, in SQLite (default) or PostgreSQL, chosen by DATABASE_URL.

Privacy: only settings are stored (language, region, FAQ switch), keyed by surface and id. No message
text, no names. /forget deletes a user's row; a chat's row goes with /forget by an admin or when the bot
leaves. The methods are async (the interface of the SQLAlchemy store that replaces this one); the statements
themselves are short and synchronous.
"""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS chat_settings (
        surface TEXT NOT NULL, chat_id TEXT NOT NULL,
        lang TEXT, region TEXT, faq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (surface, chat_id))""",
    """CREATE TABLE IF NOT EXISTS user_settings (
        surface TEXT NOT NULL, user_id TEXT NOT NULL,
        lang TEXT, region TEXT,
        PRIMARY KEY (surface, user_id))""",
)


@dataclass(frozen=True)
class ChatSettings:
    lang: str | None = None
    region: str | None = None
    faq: bool = False


@dataclass(frozen=True)
class UserSettings:
    lang: str | None = None
    region: str | None = None


class Store:
    """Settings storage. Open with Store.open(DATABASE_URL)."""

    def __init__(self, connect, placeholder: str, upsert_conflict: str):
        self._connect = connect
        self._ph = placeholder
        self._conflict = upsert_conflict
        self._lock = threading.Lock()
        self._conn = connect()
        with self._lock:
            for stmt in _SCHEMA:
                self._conn.execute(stmt)
            self._conn.commit()

    @classmethod
    def open(cls, url: str) -> "Store":
        if url.startswith("sqlite:"):
            path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.removeprefix("sqlite:")
            if path in ("", ":memory:"):
                path = ":memory:"
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)

            def connect():
                conn = sqlite3.connect(path, check_same_thread=False, timeout=10)
                conn.execute("PRAGMA journal_mode=WAL") if path != ":memory:" else None
                return conn

            return cls(connect, "?", "ON CONFLICT")
        scheme = urlparse(url).scheme
        if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
            import psycopg  # only when PostgreSQL is configured

            dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
            return cls(lambda: psycopg.connect(dsn, autocommit=False), "%s", "ON CONFLICT")
        raise ValueError(f"DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:///path or postgresql://...)")

    def _run(self, sql: str, args: tuple = (), fetch: bool = False):
        sql = sql.replace("?", self._ph)
        with self._lock:
            for attempt in (1, 2):
                try:
                    cur = self._conn.execute(sql, args)
                    rows = cur.fetchall() if fetch else None
                    self._conn.commit()
                    return rows
                except Exception:
                    if attempt == 1 and self._lost():  # a server restart or idle timeout dropped us: reconnect once
                        self._conn = self._connect()
                        continue
                    self._conn.rollback()
                    raise

    def _lost(self) -> bool:
        """Whether the connection itself is gone (PostgreSQL), as opposed to a failing statement."""
        return bool(getattr(self._conn, "broken", False) or getattr(self._conn, "closed", False))

    # chats -----------------------------------------------------------------------------------
    async def chat(self, surface: str, chat_id: int | str) -> ChatSettings:
        rows = self._run("SELECT lang, region, faq FROM chat_settings WHERE surface=? AND chat_id=?",
                         (surface, str(chat_id)), fetch=True)
        if not rows:
            return ChatSettings()
        lang, region, faq = rows[0]
        return ChatSettings(lang, region, bool(faq))

    async def update_chat(self, surface: str, chat_id: int | str, **changes) -> ChatSettings:
        current = await self.chat(surface, chat_id)
        new = ChatSettings(**{**current.__dict__, **changes})
        self._run(
            "INSERT INTO chat_settings (surface, chat_id, lang, region, faq) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (surface, chat_id) DO UPDATE SET lang=excluded.lang, region=excluded.region, faq=excluded.faq",
            (surface, str(chat_id), new.lang, new.region, int(new.faq)),
        )
        return new

    async def faq_chats(self, surface: str) -> list[str]:
        rows = self._run("SELECT chat_id FROM chat_settings WHERE surface=? AND faq=1", (surface,), fetch=True)
        return [r[0] for r in rows]

    async def migrate_chat(self, surface: str, old_id: int | str, new_id: int | str) -> None:
        """A Telegram group became a supergroup: its settings follow it to the new id."""
        settings = await self.chat(surface, old_id)
        await self.forget_chat(surface, old_id)
        if settings != ChatSettings():
            await self.update_chat(surface, new_id, **settings.__dict__)

    async def forget_chat(self, surface: str, chat_id: int | str) -> bool:
        existed = await self.chat(surface, chat_id) != ChatSettings()
        self._run("DELETE FROM chat_settings WHERE surface=? AND chat_id=?", (surface, str(chat_id)))
        return existed

    # users -----------------------------------------------------------------------------------
    async def user(self, surface: str, user_id: int | str) -> UserSettings:
        rows = self._run("SELECT lang, region FROM user_settings WHERE surface=? AND user_id=?",
                         (surface, str(user_id)), fetch=True)
        return UserSettings(*rows[0]) if rows else UserSettings()

    async def update_user(self, surface: str, user_id: int | str, **changes) -> UserSettings:
        new = UserSettings(**{**(await self.user(surface, user_id)).__dict__, **changes})
        self._run(
            "INSERT INTO user_settings (surface, user_id, lang, region) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (surface, user_id) DO UPDATE SET lang=excluded.lang, region=excluded.region",
            (surface, str(user_id), new.lang, new.region),
        )
        return new

    async def forget_user(self, surface: str, user_id: int | str) -> bool:
        """Erase everything stored about a user (their settings row). Returns whether anything was stored."""
        existed = await self.user(surface, user_id) != UserSettings()
        self._run("DELETE FROM user_settings WHERE surface=? AND user_id=?", (surface, str(user_id)))
        return existed

    async def close(self) -> None:
        with self._lock:
            self._conn.close()
