"""The PostgreSQL backend (asyncpg): the repositories' SQL on a connection pool shared by every bot process.

Writes keep SQLite's guarantee that decisions which race (a vote against a close, two processes firing one job)
are made one at a time: every write transaction first takes one transaction-level advisory lock, so write
transactions run one after another across the whole cluster, while reads run in parallel on the pool.
"""

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from storage.database import Params, StorageFailure, bundled_migrations, check_not_newer
from storage.ideas import IDEA_SELECT, VISIBLE, SqliteIdeaRepository, to_idea
from storage.lifecycle import SqliteGuildLifecycleRepository
from storage.models import Idea
from storage.sqlite import SqliteStorage

log = logging.getLogger(__name__)

WRITE_LOCK = "SELECT pg_advisory_xact_lock(7243)"  # one key for every write: the cluster's single writer
# A string literal (skipped), `?`, `?N`, or `:name` (not `::type`).
PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?(\d*)|(?<![:\w]):([A-Za-z_]\w*)")
RETURNING, WRITE = re.compile(r"\bRETURNING\b", re.I), re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.I)


@lru_cache(maxsize=1024)
def translate(sql: str) -> tuple[str, tuple[str, ...]]:
    """SQLite placeholders as PostgreSQL's `$N`; the names of `:name` parameters in the order of their numbers.

    A bare `?` takes the number after the largest used so far, as in SQLite, so `(?, ?, ?7)` reads (1, 2, 7).
    """
    largest, names = 0, []

    def number(match: re.Match[str]) -> str:
        nonlocal largest
        numbered, name = match.group(1), match.group(2)
        if name is not None:
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"
        if numbered is None:
            return match.group(0)  # a string literal
        largest = max(largest, int(numbered)) if numbered else largest + 1
        return f"${int(numbered) if numbered else largest}"

    return PLACEHOLDER.sub(number, sql), tuple(names)


def arguments(sql: str, params: Params) -> tuple[str, Sequence[Any]]:
    translated, names = translate(sql)
    if isinstance(params, dict):
        return translated, [params[name] for name in names]
    return translated, list(params)


def returns_rows(sql: str) -> bool:
    return bool(RETURNING.search(sql)) or not WRITE.search(sql)


class PostgresCursor:
    """A statement's outcome, shaped like the sqlite3 cursor the repositories read."""

    def __init__(self, rows: list[asyncpg.Record], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    async def fetchone(self) -> asyncpg.Record | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[asyncpg.Record]:
        return self._rows


class PostgresConnection:
    """A transaction's asyncpg connection speaking the repositories' placeholders."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, parameters: Params = ()) -> PostgresCursor:
        query, args = arguments(sql, parameters)
        if returns_rows(sql):
            rows = await self._conn.fetch(query, *args)
            return PostgresCursor(rows, len(rows))
        status = await self._conn.execute(query, *args)  # e.g. "UPDATE 3", "INSERT 0 1"
        count = status.rsplit(" ", 1)[-1]
        return PostgresCursor([], int(count) if count.isdigit() else -1)

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[asyncpg.Record]:
        query, args = arguments(sql, parameters)
        return await self._conn.fetch(query, *args)

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> None:
        batches = list(parameters)
        if batches:
            await self._conn.executemany(translate(sql)[0], [arguments(sql, p)[1] for p in batches])


class PostgresDatabase:
    """A pool of connections; write transactions hold the cluster-wide write lock until they commit."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._commit_listeners: list[Callable[[], None]] = []

    @classmethod
    async def open(cls, url: str) -> "PostgresDatabase":
        return cls(await asyncpg.create_pool(url, min_size=1, max_size=10, command_timeout=60))

    def on_commit(self, listener: Callable[[], None]) -> None:
        self._commit_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresConnection]:
        """Run writes atomically, one write transaction at a time in the cluster; committed when the block exits."""
        async with self._pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                await conn.execute(WRITE_LOCK)
                yield PostgresConnection(conn)
            except BaseException:
                await transaction.rollback()
                raise
            try:
                await transaction.commit()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
                log.error("commit failed; its writer was told to try again", extra={"error": repr(error)})
                raise StorageFailure(error) from error
        for listener in self._commit_listeners:
            listener()

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self.execute_count(sql, params)

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as conn:
            return (await conn.execute(sql, params)).rowcount

    async def fetch_one(self, sql: str, params: Params = ()) -> asyncpg.Record | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[asyncpg.Record]:
        query, args = arguments(sql, params)
        return await self._pool.fetch(query, *args)

    async def migrate(self) -> list[int]:
        """Apply every migration not yet recorded, under the write lock: processes starting together wait."""
        applied = []
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(WRITE_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            done = {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}
            bundled = bundled_migrations("postgresql")
            check_not_newer(done, bundled)
            for version, name, sql in bundled:
                if version in done:
                    continue
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name)
                log.info("applied migration %s", name)
                applied.append(version)
        return applied

    async def forget_overwritten(self) -> None:
        """Remove dead row versions (an erased salt) from the tables' pages now rather than at the next autovacuum."""
        await self._pool.execute("VACUUM polls, poll_votes")

    async def close(self) -> None:
        await self._pool.close()


class PostgresIdeaRepository(SqliteIdeaRepository):
    """The same SQL, but credits gathered with `json_agg` and full-text search over a `tsvector` index."""

    SELECT = IDEA_SELECT.replace(
        "(SELECT json_group_array(member_id) FROM (SELECT member_id FROM idea_credits c WHERE c.idea_id = i.id\n"
        "        ORDER BY member_id))",
        "(SELECT CAST(COALESCE(json_agg(member_id ORDER BY member_id), '[]') AS TEXT) FROM idea_credits c "
        "WHERE c.idea_id = i.id)",
    )
    assert SELECT != IDEA_SELECT

    async def title_matches(self, guild_id: int, words: list[str], limit: int = 10) -> list[Idea]:
        if not words:
            return []
        rows = await self._db.fetch_all(
            self.SELECT + "CROSS JOIN to_tsquery('simple', ?) q WHERE to_tsvector('simple', i.title) @@ q "
            f"AND i.guild_id = ? AND i.message_id IS NOT NULL AND {VISIBLE} "  # only ideas members can see
            "ORDER BY ts_rank(to_tsvector('simple', i.title), q) DESC, i.id LIMIT ?",
            (" | ".join(f"'{w}'" for w in words), guild_id, limit),
        )
        return [to_idea(r) for r in rows]

    async def search(self, guild_id: int, words: list[str], limit: int, offset: int) -> list[Idea]:
        rows = await self._db.fetch_all(
            self.SELECT + f"CROSS JOIN to_tsquery('simple', ?) q WHERE {IDEA_TEXT} @@ q AND i.guild_id = ? "
            f"AND {VISIBLE} ORDER BY ts_rank({IDEA_TEXT}, q) DESC, i.id LIMIT ? OFFSET ?",
            (" & ".join(f"'{w}'" for w in words), guild_id, limit, offset),
        )
        return [to_idea(r) for r in rows]


IDEA_TEXT = "to_tsvector('simple', i.title || ' ' || i.description)"  # as indexed by migration 0002


class PostgresGuildLifecycleRepository(SqliteGuildLifecycleRepository):
    GUILD_TABLES = (
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'guild_id' ORDER BY table_name"
    )
    BEFORE_PURGE = ()  # every reference to a guild's rows comes from the same guild's rows, or cascades


class PostgresStorage(SqliteStorage):
    """The repositories on PostgreSQL: SQLite's, with the few queries that differ replaced."""

    def __init__(self, db: PostgresDatabase, ballot_secret: bytes) -> None:
        super().__init__(db, ballot_secret)
        self.ideas = PostgresIdeaRepository(db)
        self.guilds = PostgresGuildLifecycleRepository(db)

    @classmethod
    async def open_url(cls, url: str, ballot_secret: bytes) -> "PostgresStorage":
        return cls(await PostgresDatabase.open(url), ballot_secret)
