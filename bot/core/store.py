"""Per-chat and per-user settings, in SQLite (default) or PostgreSQL, chosen by DATABASE_URL.

Privacy: only settings are stored (language, region, FAQ switch), keyed by surface and id. No message
text, no names. /forget deletes a user's row; a chat's row goes with /forget by an admin or when the bot
leaves. On SQLite, deleted rows are overwritten (secure_delete) and the WAL is checkpointed after a forget.

Async all the way (SQLAlchemy 2 asyncio: aiosqlite, psycopg 3): nothing here blocks the event loop. Every call
is bounded by a timeout. Settings are never needed to answer a question, so a slow or dead database degrades:
reads return the defaults (with one warning per outage), writes raise StoreUnavailable, and for a few seconds
after a failure calls do not even try (so a silent server costs one timeout, not one per update). The schema is
created and upgraded by the Alembic migrations in bot/core/migrations, run by Store.open().

Writes are single atomic statements that touch only the fields passed
(INSERT ... ON CONFLICT DO UPDATE SET <those fields>), so concurrent writers in other processes never undo
each other's changes.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Column, Integer, MetaData, Table, Text, delete, event, literal, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .records import StoreRecords

log = logging.getLogger("bot.store")

metadata = MetaData()
chat_settings = Table(
    "chat_settings", metadata,
    Column("surface", Text, primary_key=True), Column("chat_id", Text, primary_key=True),
    Column("lang", Text), Column("region", Text), Column("faq", Integer, nullable=False, server_default="0"),
)
user_settings = Table(
    "user_settings", metadata,
    Column("surface", Text, primary_key=True), Column("user_id", Text, primary_key=True),
    Column("lang", Text), Column("region", Text),
)

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class ChatSettings:
    lang: str | None = None
    region: str | None = None
    faq: bool = False


@dataclass(frozen=True)
class UserSettings:
    lang: str | None = None
    region: str | None = None


class StoreError(Exception):
    """The store cannot be used as configured (bad DATABASE_URL, read-only database...). One line, no secret.
    exit_code: 2 when the setting itself is wrong, 1 when the database cannot be used right now."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class StoreUnavailable(StoreError):
    """The database did not answer in time (or refused): a write could not be saved. Try again later."""


# ---------------------------------------------------------------------------------------------- URLs and secrets
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][\w+.-]*://[^:/@?#]*):(?P<pw>.*)@(?P<tail>[^@]*)$", re.S)


def url_password(url: str) -> str | None:
    """The password in a database URL as written (up to the last '@'), or None."""
    m = _USERINFO.match(url or "")
    return m.group("pw") if m and m.group("pw") else None


def redact_url(url: str) -> str:
    """The URL with its password replaced by ***. Works for passwords with %, @, / or spaces in them."""
    m = _USERINFO.match(url or "")
    return f"{m.group('head')}:***@{m.group('tail')}" if m else url


def url_secrets(url: str) -> list[str]:
    """Every form in which the password may show up in an error message (as written, and percent-decoded)."""
    pw = url_password(url)
    return [s for s in {pw, unquote(pw)} if s] if pw else []


@dataclass(frozen=True)
class StoreOptions:
    """Timeouts in seconds. Reads are short (an answer waits for them); writes may wait on a lock a little longer."""

    read_timeout: float = 1.0
    write_timeout: float = 4.0
    connect_timeout: float = 3.0
    retry_after: float = 5.0  # after a failure, calls skip the database this long, then one call tries again

    @classmethod
    def from_settings(cls, settings) -> "StoreOptions":
        if settings is None:
            return cls()
        names = {"read_timeout": "database_read_timeout", "write_timeout": "database_write_timeout",
                 "connect_timeout": "database_connect_timeout", "retry_after": "database_retry_after"}
        return cls(**{k: float(getattr(settings, v)) for k, v in names.items()
                      if getattr(settings, v, None) is not None})


def _sqlalchemy_url(url: str):
    """(SQLAlchemy URL, sqlite path or None). Raises StoreError for anything else."""
    from sqlalchemy.engine import make_url

    scheme = url.split("://", 1)[0].split(":", 1)[0].lower() if url else ""
    if scheme.startswith("sqlite"):
        path = url.split(":", 1)[1]
        path = path[3:] if path.startswith("///") else path.lstrip("/") if path.startswith("//") else path
        path = path.split("?", 1)[0]
        if path in ("", ":memory:"):
            return "sqlite+aiosqlite://", None
        return f"sqlite+aiosqlite:///{path}", path
    if scheme in ("postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg_async"):
        m = _USERINFO.match(url)
        try:
            if m:  # parse without the password, then set it verbatim: %, @ and spaces need no escaping
                u = make_url(f"{m.group('head')}@{m.group('tail')}").set(password=unquote(m.group("pw")))
            else:
                u = make_url(url)
        except (ArgumentError, ValueError) as e:
            raise StoreError(f"DATABASE_URL: cannot parse {redact_url(url)!r}: {e}", exit_code=2) from None
        return u.set(drivername="postgresql+psycopg_async"), None
    raise StoreError(f"DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:///path or postgresql://...)", exit_code=2)


def _secure_sqlite_file(path: str) -> None:
    """Folder 0700, file 0600: the file holds user ids. Made before SQLite opens it, so never briefly 0644."""
    p = Path(path)
    try:
        if not p.parent.exists():
            p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(p.parent, 0o700)
        fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        if p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)
    except FileExistsError:
        raise StoreError(f"DATABASE_URL: {p.parent} is a file, not a folder", exit_code=2) from None
    except NotADirectoryError:
        raise StoreError(f"DATABASE_URL: a part of {p.parent} is a file, not a folder", exit_code=2) from None
    except IsADirectoryError:
        raise StoreError(f"DATABASE_URL: {p} is a folder, not a database file", exit_code=2) from None
    except PermissionError as e:
        raise StoreError(f"DATABASE_URL: no permission to create or open {e.filename or p} "
                         f"(make the folder writable by this user)") from None
    except OSError as e:
        raise StoreError(f"DATABASE_URL: cannot create {p}: {e.strerror}") from None


def _is_locked(e: BaseException) -> bool:
    return "locked" in str(e).lower() or "busy" in str(e).lower()


class Store(StoreRecords):
    """Settings storage (and the checklist and counters of bot/core/records.py). `store = await Store.open(DATABASE_URL)`; every method is a coroutine."""

    def __init__(self, engine: AsyncEngine, options: StoreOptions, *, sqlite_path: str | None, secrets=()):
        self._engine = engine
        # writes take SQLite's write lock at BEGIN (busy-waiting for it), never on a later lock upgrade
        self._writer = engine.execution_options(sqlite_immediate=True) if engine.dialect.name == "sqlite" else engine
        self.options = options
        self._sqlite_path = sqlite_path
        self._secrets = [s for s in secrets if s]
        self._down_until = 0.0  # monotonic time until which calls skip the database
        self._down_reason: str | None = None
        self._last_error: str | None = None
        self.dialect = engine.dialect.name

    # ------------------------------------------------------------------------------------------ opening
    @classmethod
    async def open(cls, url: str, settings=None) -> "Store":
        """Connect, migrate the schema to the newest version and check that the database can be written.

        Raises StoreError (one line, password masked) when that is not possible in the connect timeout."""
        options = settings if isinstance(settings, StoreOptions) else StoreOptions.from_settings(settings)
        sa_url, path = _sqlalchemy_url(url)
        if path is not None:
            await asyncio.to_thread(_secure_sqlite_file, path)
        if sa_url == "sqlite+aiosqlite://":
            from sqlalchemy.pool import StaticPool

            engine = create_async_engine(sa_url, poolclass=StaticPool)
        elif path is not None:
            engine = create_async_engine(sa_url, pool_size=1, max_overflow=4,
                                         pool_timeout=options.write_timeout, connect_args={"timeout": 0})
        else:
            engine = create_async_engine(
                sa_url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=options.write_timeout,
                pool_recycle=1800,
                connect_args={"connect_timeout": max(1, int(options.connect_timeout)),
                              "options": f"-c statement_timeout={int(options.write_timeout * 1000)}"
                                         f" -c lock_timeout={int(options.write_timeout * 1000)}",
                              "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 5,
                              "keepalives_count": 3, "application_name": "optout-bot"})
        if engine.dialect.name == "sqlite":
            _sqlite_events(engine, busy_ms=int(options.write_timeout * 1000))
        store = cls(engine, options, sqlite_path=path, secrets=url_secrets(url))
        try:
            await asyncio.wait_for(store._prepare(), timeout=max(options.connect_timeout, 1.0) * 4)
        except StoreError:
            await engine.dispose()
            raise
        except (asyncio.TimeoutError, TimeoutError):
            await engine.dispose()
            raise StoreError(f"DATABASE_URL: {redact_url(url)} did not answer within "
                             f"{options.connect_timeout * 4:.0f} s (is the server up and reachable?)") from None
        except (SQLAlchemyError, OSError) as e:
            await engine.dispose()
            raise StoreError(f"DATABASE_URL: cannot use {redact_url(url)}: {store._describe(e)}") from None
        return store

    async def _prepare(self) -> None:
        if self._sqlite_path is not None:
            await self._wal()
        await self._migrate()
        await self._check_writable()

    async def _wal(self) -> None:
        """Switch a file to WAL once. The pragma returns 'locked' at once (no busy wait) when another process is
        creating the same file: retry it, without blocking the loop, until the connect timeout."""
        deadline = time.monotonic() + max(self.options.connect_timeout, 1.0)
        while True:
            try:
                async with self._engine.connect() as conn:
                    conn = await conn.execution_options(sqlite_no_begin=True)
                    mode = (await conn.exec_driver_sql("PRAGMA journal_mode=WAL")).scalar()
                    if str(mode).lower() == "wal":
                        return
                    raise StoreError(f"DATABASE_URL: SQLite refused WAL mode (journal mode {mode})")
            except DBAPIError as e:
                if not _is_locked(e) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.02)

    async def _migrate(self) -> None:
        """alembic upgrade head, in one transaction taken under a lock so that several processes starting together
        migrate once (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock)."""
        from alembic import command
        from alembic.config import Config

        def upgrade(sync_conn) -> None:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = sync_conn
            command.upgrade(cfg, "head")

        async with self._engine.connect() as conn:
            if self.dialect == "sqlite":
                conn = await conn.execution_options(sqlite_immediate=True)
            async with conn.begin():
                if self.dialect == "postgresql":
                    await conn.execute(text("SELECT pg_advisory_xact_lock(7463521)"))
                await conn.run_sync(upgrade)

    async def _check_writable(self) -> None:
        """Refuse a read-only database at start, rather than failing every settings change later."""
        try:
            async with self._engine.connect() as conn:
                async with conn.begin() as tx:
                    await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                    await tx.rollback()
        except DBAPIError as e:
            msg = str(e.orig if e.orig is not None else e).lower()
            if "read-only" in msg or "readonly" in msg or "read only" in msg:
                raise StoreError("DATABASE_URL: the database is read-only; settings could not be saved "
                                 "(give this user write access to the file and its folder, or use a writable "
                                 "server)") from None
            raise

    # ------------------------------------------------------------------------------------------ running
    def _describe(self, e: BaseException) -> str:
        """A one-line reason, without any form of the password."""
        orig = getattr(e, "orig", None)
        msg = str(orig if orig is not None else e).strip().splitlines()[0] if str(orig or e).strip() \
            else type(e).__name__
        for s in self._secrets:
            msg = msg.replace(s, "***")
        return msg

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, e: BaseException, what: str) -> None:
        reason = "no answer in time" if isinstance(e, (asyncio.TimeoutError, TimeoutError)) else self._describe(e)
        if self._sqlite_path is not None and (_is_locked(e) or reason == "no answer in time"):
            # another process holds SQLite's write lock: this call failed, the file is not down
            log.info("settings %s waited too long for SQLite's lock (%s)", what, reason)
            self._last_error = reason
            return
        first = self._down_reason is None
        self._down_until = time.monotonic() + self.options.retry_after
        self._down_reason = reason
        if first:
            log.warning("settings store unavailable (%s: %s); using default settings, retrying every %.1f s",
                        what, reason, self.options.retry_after)

    def _ok(self) -> None:
        if self._down_reason is not None:
            log.warning("settings store is back")
            self._down_reason = None
        self._down_until = 0.0

    @staticmethod
    async def _bounded(coro, seconds: float):
        """Await `coro` for at most `seconds`. On timeout it is cancelled and left to finish in the background: a
        driver's cleanup of a cancelled query (psycopg sends a cancel request and waits for it) must not make the
        caller wait as well. Raises TimeoutError."""
        task = asyncio.ensure_future(coro)
        done, _ = await asyncio.wait({task}, timeout=seconds)
        if task in done:
            return task.result()
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved: no 'never retrieved' noise
        raise TimeoutError

    async def _read(self, stmt, default, convert):
        """A read: the defaults when the database is down or slow (answers never wait for settings)."""
        if not self.available():
            return default

        async def run():
            async with self._engine.connect() as conn:
                return (await conn.execute(stmt)).all()

        try:
            rows = await self._bounded(run(), self.options.read_timeout)
        except (asyncio.TimeoutError, TimeoutError, SQLAlchemyError, OSError) as e:
            self._failed(e, "read")
            return default
        self._ok()
        return convert(rows)

    async def _write(self, *stmts, what: str = "write"):
        """One transaction; returns each statement's result rows (or rowcount). StoreUnavailable when it fails."""
        async def work(conn):
            out = []
            for stmt in stmts:
                result = await conn.execute(stmt)
                out.append(result.all() if result.returns_rows else result.rowcount)
            return out

        return await self.transaction(work, what=what, failed="settings could not be saved")

    async def transaction(self, work, *, what: str = "write", failed: str | None = None):
        """`await work(conn)` inside one write transaction (SQLite: BEGIN IMMEDIATE), bounded by the write timeout;
        for modules next to this one that need a read-then-write in one transaction (alert_store.py).
        Raises StoreUnavailable ("<failed or what failed> (reason)") when it fails, like every write."""
        if not self.available():
            raise StoreUnavailable(f"settings store unavailable ({self._down_reason}); try again in a moment")

        async def run():
            async with self._writer.begin() as conn:
                return await work(conn)

        try:
            out = await self._bounded(run(), self.options.write_timeout)
        except (asyncio.TimeoutError, TimeoutError, SQLAlchemyError, OSError) as e:
            self._failed(e, what)
            reason = self._down_reason or self._last_error
            raise StoreUnavailable(f"{failed or what + ' failed'} ({reason})") from None
        self._ok()
        return out

    def insert(self, table: Table):
        """The dialect's INSERT (it has on_conflict_do_nothing / do_update: SQLite and PostgreSQL alike)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    def _upsert(self, table: Table, key: dict, values: dict):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table).values(**key, **values)
        if values:
            stmt = stmt.on_conflict_do_update(index_elements=list(key),
                                              set_={k: stmt.excluded[k] for k in values})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        return stmt

    @staticmethod
    def _changes(cls, changes: dict) -> dict:
        allowed = {f.name for f in fields(cls)}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return {k: (int(bool(v)) if k == "faq" else v) for k, v in changes.items()}

    # chats -----------------------------------------------------------------------------------
    def _chat_where(self, surface: str, chat_id):
        return (chat_settings.c.surface == surface) & (chat_settings.c.chat_id == str(chat_id))

    async def chat(self, surface: str, chat_id: int | str) -> ChatSettings:
        stmt = select(chat_settings.c.lang, chat_settings.c.region, chat_settings.c.faq).where(
            self._chat_where(surface, chat_id))
        return await self._read(stmt, ChatSettings(),
                                lambda rows: ChatSettings(rows[0][0], rows[0][1], bool(rows[0][2])) if rows
                                else ChatSettings())

    async def update_chat(self, surface: str, chat_id: int | str, **changes) -> ChatSettings:
        values = self._changes(ChatSettings, changes)
        stmt = self._upsert(chat_settings, {"surface": surface, "chat_id": str(chat_id)}, values)
        read = select(chat_settings.c.lang, chat_settings.c.region, chat_settings.c.faq).where(
            self._chat_where(surface, chat_id))
        _, rows = await self._write(stmt, read, what="update_chat")
        return ChatSettings(rows[0][0], rows[0][1], bool(rows[0][2])) if rows else ChatSettings()

    async def faq_chats(self, surface: str) -> list[str]:
        stmt = select(chat_settings.c.chat_id).where((chat_settings.c.surface == surface) & (chat_settings.c.faq == 1))
        return await self._read(stmt, [], lambda rows: [r[0] for r in rows])

    async def migrate_chat(self, surface: str, old_id: int | str, new_id: int | str) -> None:
        """A Telegram group became a supergroup: its settings follow it to the new id (one transaction)."""
        src = chat_settings.alias("src")
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        copy = insert(chat_settings).from_select(
            ["surface", "chat_id", "lang", "region", "faq"],
            select(src.c.surface, literal(str(new_id), Text), src.c.lang, src.c.region, src.c.faq)
            .where((src.c.surface == surface) & (src.c.chat_id == str(old_id))))
        copy = copy.on_conflict_do_update(index_elements=["surface", "chat_id"],
                                          set_={k: copy.excluded[k] for k in ("lang", "region", "faq")})
        await self._write(copy, delete(chat_settings).where(self._chat_where(surface, old_id)), what="migrate_chat")

    async def forget_chat(self, surface: str, chat_id: int | str) -> bool:
        [n] = await self._write(delete(chat_settings).where(self._chat_where(surface, chat_id)), what="forget_chat")
        await self._scrub()
        return n > 0

    # users -----------------------------------------------------------------------------------
    def _user_where(self, surface: str, user_id):
        return (user_settings.c.surface == surface) & (user_settings.c.user_id == str(user_id))

    async def user(self, surface: str, user_id: int | str) -> UserSettings:
        stmt = select(user_settings.c.lang, user_settings.c.region).where(self._user_where(surface, user_id))
        return await self._read(stmt, UserSettings(), lambda rows: UserSettings(*rows[0]) if rows else UserSettings())

    async def update_user(self, surface: str, user_id: int | str, **changes) -> UserSettings:
        values = self._changes(UserSettings, changes)
        stmt = self._upsert(user_settings, {"surface": surface, "user_id": str(user_id)}, values)
        read = select(user_settings.c.lang, user_settings.c.region).where(self._user_where(surface, user_id))
        _, rows = await self._write(stmt, read, what="update_user")
        return UserSettings(*rows[0]) if rows else UserSettings()

    async def forget_user(self, surface: str, user_id: int | str) -> bool:
        """Erase everything stored about a user (their settings row, their checklist progress), in one transaction.
        Returns whether anything was stored."""
        counts = await self._write(delete(user_settings).where(self._user_where(surface, user_id)),
                                   *self._personal_deletes(surface, user_id), what="forget_user")
        await self._scrub()
        return any(n > 0 for n in counts)

    async def _scrub(self) -> None:
        """SQLite: copy the WAL into the file and truncate it, so the erased row leaves the -wal file now (the
        main file's free pages are zeroed by secure_delete). Best effort: a busy WAL is checkpointed later."""
        if self._sqlite_path is None:
            return
        async def run():
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(sqlite_no_begin=True)
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

        try:
            await self._bounded(run(), self.options.write_timeout)
        except (asyncio.TimeoutError, TimeoutError, SQLAlchemyError, OSError) as e:
            log.info("WAL checkpoint after a forget postponed: %s", self._describe(e))

    async def close(self) -> None:
        await self._engine.dispose()


def _sqlite_events(engine: AsyncEngine, busy_ms: int) -> None:
    """Per connection: wait for locks (busy_timeout), overwrite deleted content (secure_delete). Transactions are
    begun by us (pysqlite's own implicit BEGIN is off), BEGIN IMMEDIATE where asked, so that a transaction that
    will write takes the write lock up front instead of failing on a lock upgrade."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn):
        opts = conn.get_execution_options()
        if not opts.get("sqlite_no_begin"):  # pragmas that refuse to run inside a transaction
            conn.exec_driver_sql("BEGIN IMMEDIATE" if opts.get("sqlite_immediate") else "BEGIN")
