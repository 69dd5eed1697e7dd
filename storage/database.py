"""What the repositories write through, and its SQLite implementation: one aiosqlite connection in WAL mode with
foreign keys on, numbered migrations, and group-committed transactions.

The repositories' SQL is SQLite's dialect (`?`, `?N` and `:name` placeholders) kept to what PostgreSQL also
understands; `storage.postgres` runs the same SQL on PostgreSQL.
"""

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def bundled_migrations(dialect: str) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for every migration shipped in `storage/migrations/<dialect>`, in order. Both
    dialects have the same versions and names, recorded alike in `schema_migrations`."""
    found = []
    for entry in resources.files("storage.migrations").joinpath(dialect).iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class SchemaTooNew(Exception):
    """The database records migrations this version of the code does not have: a newer version wrote it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"has schema version {found}, newer than this version of CoCreate knows ({known}): "
            "run the newer version, or restore a backup made before the upgrade"
        )


def check_not_newer(done: set[int], bundled: list[tuple[int, str, str]]) -> None:
    if done and max(done) > len(bundled):
        raise SchemaTooNew(max(done), len(bundled))


class StorageFailure(Exception):
    """A write could not be made durable; nothing of it was saved, and the member may try again."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"could not save: {cause!r}")


Params = Sequence[Any] | Mapping[str, Any]


class Cursor(Protocol):
    rowcount: int

    async def fetchone(self) -> Any: ...
    async def fetchall(self) -> Iterable[Any]: ...


class Connection(Protocol):
    """A transaction's connection; rows answer to `row["column"]`, `row[0]` and `dict(row)`."""

    async def execute(self, sql: str, parameters: Params = ()) -> Cursor: ...
    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> Iterable[Any]: ...
    async def executemany(self, sql: str, parameters: Iterable[Params]) -> Any: ...


class Database(Protocol):
    """Transactions and single statements; a write is durable when the call returns."""

    def on_commit(self, listener: Callable[[], None]) -> None: ...
    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...
    async def execute(self, sql: str, params: Params = ()) -> None: ...
    async def execute_count(self, sql: str, params: Params = ()) -> int: ...
    async def fetch_one(self, sql: str, params: Params = ()) -> Any: ...
    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]: ...
    async def migrate(self) -> list[int]: ...
    async def forget_overwritten(self) -> None: ...
    async def close(self) -> None: ...


async def suggest(
    db: "Database", table: str, label: str, guild_id: int, current: str, limit: int
) -> list[tuple[int, str]]:
    """(id, label) of the guild's rows in `table` whose number starts with, or whose `label` contains (any case),
    what a member is typing, taken literally (no wildcards of its own); newest first (autocomplete)."""
    typed = current.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await db.fetch_all(
        f"SELECT id, {label} FROM {table} WHERE guild_id = ? "
        f"AND (CAST(id AS TEXT) LIKE ? ESCAPE '\\' OR LOWER({label}) LIKE ? ESCAPE '\\') ORDER BY id DESC LIMIT ?",
        (guild_id, typed + "%", "%" + typed.lower() + "%", limit),
    )
    return [(row[0], row[1]) for row in rows]


async def insert_returning_id(conn: Connection, sql: str, params: Params) -> int:
    """Run an INSERT and return the new row's id. Read in the same call: a RETURNING statement left half-read
    would keep SQLite from releasing its savepoint."""
    rows = list(await conn.execute_fetchall(sql + " RETURNING id", params))
    return int(rows[0][0])


class SqliteDatabase:
    """A single connection with group commit.

    Writes that arrive together share one transaction and one fsync (`synchronous = FULL`), and every writer
    waits until the commit holding its write has reached the disk: durable before the member sees "done",
    without paying one fsync per vote. Bodies run one at a time; a failing body rolls back only its own work.
    """

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection
        self._write_lock = asyncio.Lock()
        self._group: asyncio.Future[None] | None = None  # resolved when the open group transaction commits
        self._committers: set[asyncio.Task[None]] = set()
        self._commit_listeners: list[Callable[[], None]] = []

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every durable commit (the delivery worker wakes up to send what it holds)."""
        self._commit_listeners.append(listener)

    @classmethod
    async def open(cls, path: Path) -> "SqliteDatabase":
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        pragmas = (
            "journal_mode = WAL",
            "foreign_keys = ON",
            "synchronous = FULL",
            "busy_timeout = 5000",
            "secure_delete = ON",
        )
        try:
            for pragma in pragmas:
                await conn.execute(f"PRAGMA {pragma}")
        except BaseException:
            await conn.close()  # its thread would keep the process alive
            raise
        return cls(conn)

    async def migrate(self) -> list[int]:
        """Apply every migration not yet recorded; returns the versions applied now."""
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        done = {row["version"] for row in await self.fetch_all("SELECT version FROM schema_migrations")}
        bundled = bundled_migrations("sqlite")
        check_not_newer(done, bundled)
        applied = []
        for version, name, sql in bundled:
            if version in done:
                continue
            record = f"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}');"
            async with self._write_lock:
                await self._conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n{record}\nCOMMIT;")
            log.info("applied migration %s", name)
            applied.append(version)
        return applied

    async def _join_group(self) -> asyncio.Future[None]:
        """The open group transaction (opening one if needed); call with the write lock held."""
        if self._group is None:
            await self._conn.execute("BEGIN IMMEDIATE")
            self._group = asyncio.get_running_loop().create_future()
            committer = asyncio.create_task(self._commit_group(self._group))
            self._committers.add(committer)
            committer.add_done_callback(self._committers.discard)
        return self._group

    async def _commit_group(self, group: asyncio.Future[None]) -> None:
        await asyncio.sleep(0)  # writers already waiting for the lock run first and join this group
        async with self._write_lock:
            self._group = None
            try:
                await self._conn.execute("COMMIT")
            except Exception as error:
                # A failed COMMIT (disk full, I/O error) rolls the group back: every writer in it gets the error
                # (nobody is told "saved"), and the connection is left with no transaction open.
                if self._conn.in_transaction:
                    with contextlib.suppress(Exception):
                        await self._conn.execute("ROLLBACK")
                log.error("commit failed; its writers were told to try again", extra={"error": repr(error)})
                group.set_exception(StorageFailure(error))
            else:
                group.set_result(None)
                for listener in self._commit_listeners:
                    listener()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run writes atomically; the commit holding them has reached the disk when the block exits."""
        async with self._write_lock:
            group = await self._join_group()
            await self._conn.execute("SAVEPOINT work")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK TO work")
                await self._conn.execute("RELEASE work")
                raise
            await self._conn.execute("RELEASE work")
        await asyncio.shield(group)

    async def execute(self, sql: str, params: Params = ()) -> None:
        """One write statement, committed (durably) before this returns."""
        await self.execute_count(sql, params)

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        """One write statement (atomic on its own), committed before this returns; the rows it changed."""
        async with self._write_lock:
            group = await self._join_group()
            count = (await self._conn.execute(sql, params)).rowcount
        await asyncio.shield(group)
        return count

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One round trip to the database thread (a cursor's execute, fetch and close would be three)."""
        return list(await self._conn.execute_fetchall(sql, params))

    async def forget_overwritten(self) -> None:
        """Make overwritten data unrecoverable: with `secure_delete` on, the old content is zeroed in the pages;
        a truncating checkpoint then moves the pages into the file and empties the WAL that held old copies."""
        while True:
            await asyncio.gather(*self._committers, return_exceptions=True)
            async with self._write_lock:
                if self._group is None:  # no transaction open: the checkpoint can run
                    await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    return

    async def close(self) -> None:
        """Commit what is pending, then close."""
        await asyncio.gather(*self._committers, return_exceptions=True)
        await self._conn.close()
