"""The SQLite storage layer on a real file."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import SqliteStorage
from storage.database import StorageFailure, bundled_migrations
from storage.deliveries import LEASE
from storage.models import GuildSettings, IdeaDraft, Intent
from tests.conftest import fail_next_commit

NOW = datetime(2026, 11, 24, tzinfo=UTC)

OPENED: list[SqliteStorage] = []


async def open_storage(path: Path) -> SqliteStorage:
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    OPENED.append(storage)
    return storage


@pytest.fixture(autouse=True)
async def close_what_a_failing_test_left_open() -> AsyncIterator[None]:
    """An unclosed connection's thread would keep pytest from exiting: a failing test must fail, not hang."""
    yield
    while OPENED:
        with contextlib.suppress(Exception):
            await OPENED.pop().close()


async def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    every = [version for version, _, _ in bundled_migrations("sqlite")]
    assert await storage.migrate() == every
    assert await storage.migrate() == []
    await storage.close()
    reopened = await SqliteStorage.open(db_path)
    assert await reopened.migrate() == []
    rows = await reopened.db.fetch_all("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [row["version"] for row in rows] == every and rows[0]["name"] == "0001_foundation.sql"
    await reopened.close()


async def test_wal_mode_and_foreign_keys_are_on(db_path: Path) -> None:
    storage = await open_storage(db_path)
    assert (await storage.db.fetch_one("PRAGMA journal_mode"))[0] == "wal"
    assert (await storage.db.fetch_one("PRAGMA foreign_keys"))[0] == 1
    assert (await storage.db.fetch_one("PRAGMA synchronous"))[0] == 2, "FULL: a commit survives a power cut"
    await storage.close()


async def test_guild_settings_are_scoped_by_guild(db_path: Path) -> None:
    storage = await open_storage(db_path)
    await storage.guild_settings.save(GuildSettings(guild_id=1, staff_role_id=10, timezone="Europe/Amsterdam"), NOW)
    assert (await storage.guild_settings.get(1)).staff_role_id == 10
    assert await storage.guild_settings.get(2) == GuildSettings(guild_id=2)
    await storage.close()


async def test_failed_transaction_leaves_nothing(db_path: Path) -> None:
    storage = await open_storage(db_path)
    with pytest.raises(RuntimeError):
        async with storage.db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
            raise RuntimeError("crash mid-write")
    assert await storage.meta.get("half") is None
    await storage.meta.set("whole", "written")
    await storage.close()
    reopened = await open_storage(db_path)
    assert await reopened.meta.get("whole") == "written"
    await reopened.close()


async def test_a_failed_commit_releases_every_writer_of_its_group_with_an_error(db_path: Path) -> None:
    """A COMMIT that fails (here: a deferred foreign key, as a full disk would) must not hang its writers."""
    storage = await open_storage(db_path)
    db = storage.db
    await db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await db.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, "
        "parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )

    async def orphan() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (parent_id) VALUES (42)")  # only COMMIT checks it

    async def neighbour(n: int) -> None:
        await db.execute("INSERT INTO parent (id) VALUES (?)", (n,))

    outcomes = await asyncio.wait_for(
        asyncio.gather(orphan(), neighbour(1), neighbour(2), return_exceptions=True), timeout=5
    )
    assert all(isinstance(o, StorageFailure) and "FOREIGN KEY constraint failed" in str(o) for o in outcomes), outcomes
    assert await db.fetch_all("SELECT * FROM parent") == [], "no writer was told its write is saved"
    await neighbour(3)  # the connection is usable again
    assert [tuple(r) for r in await db.fetch_all("SELECT id FROM parent")] == [(3,)]
    await storage.close()


async def test_an_io_error_at_commit_releases_writers_within_seconds(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite answers a disk I/O error at COMMIT by rolling back on its own; no writer may wait for ever."""
    storage = await open_storage(db_path)
    db = storage.db
    fail_next_commit(monkeypatch, db)
    writes = [db.execute("INSERT INTO meta (key, value) VALUES (?, 'v')", (f"k{n}",)) for n in range(3)]
    outcomes = await asyncio.wait_for(asyncio.gather(*writes, return_exceptions=True), timeout=5)
    assert all(isinstance(o, StorageFailure) and "disk I/O error" in str(o) for o in outcomes), outcomes
    await db.execute("INSERT INTO meta (key, value) VALUES ('after', 'v')")
    assert [r[0] for r in await db.fetch_all("SELECT key FROM meta WHERE key != 'command_tree_hash'")] == ["after"]
    await storage.close()


async def test_a_claim_cancelled_mid_statement_leaves_the_database_usable(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker cancelled (shutdown, drain) just after Discord-bound rows were claimed must not leave a statement
    half-read: SQLite then refuses every later savepoint, and the bot could save nothing more."""
    storage = await open_storage(db_path)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    intents = [Intent(kind="poll.post", entity_id=n) for n in range(3)]
    await storage.deliveries.add(1, intents, now)
    conn = storage.db._conn
    for name in ("execute", "execute_fetchall"):
        real = getattr(conn, name)

        async def cancelled_after(sql: str, *args: object, real=real):  # type: ignore[no-untyped-def]
            result = await real(sql, *args)
            if "RETURNING" in sql:
                raise asyncio.CancelledError  # the cancellation arrives as the statement's answer does
            return result

        monkeypatch.setattr(conn, name, cancelled_after)
    with pytest.raises(asyncio.CancelledError):
        await storage.deliveries.claim(now, 10)
    monkeypatch.undo()
    claimed = await storage.deliveries.claim(now, 10)
    assert [d.entity_id for d in claimed] == [0, 1, 2], "the cancelled claim was rolled back, not lost"
    await storage.meta.set("still", "writable")
    await storage.close()


async def test_no_writer_hears_saved_before_its_commit_reached_the_disk(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hold COMMIT: every writer of the group, whatever path it wrote through, must still be waiting."""
    storage = await open_storage(db_path)
    db = storage.db
    conn = db._conn
    real_execute = conn.execute
    commit_may_run = asyncio.Event()

    async def slow_commit(sql: str, *args: object):  # type: ignore[no-untyped-def]
        if sql == "COMMIT":
            await commit_may_run.wait()
        return await real_execute(sql, *args)

    monkeypatch.setattr(conn, "execute", slow_commit)

    async def in_transaction() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO meta (key, value) VALUES ('tx', 'v')")

    writers = [
        asyncio.create_task(in_transaction()),
        asyncio.create_task(db.execute("INSERT INTO meta (key, value) VALUES ('one', 'v')")),
        asyncio.create_task(storage.meta.set("repo", "v")),
    ]
    await asyncio.sleep(0.2)
    answered_early = [w.done() for w in writers]
    commit_may_run.set()
    assert not any(answered_early), "a writer was answered before its commit"
    await asyncio.wait_for(asyncio.gather(*writers), timeout=5)
    await storage.close()
    reopened = await open_storage(db_path)
    assert {await reopened.meta.get(k) for k in ("tx", "one", "repo")} == {"v"}
    await reopened.close()


async def test_a_failing_writer_rolls_back_only_its_own_work(db_path: Path) -> None:
    """Writers that share a group commit: one body failing must not undo the writes of the others."""
    storage = await open_storage(db_path)
    db = storage.db

    async def good(n: int) -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES (?, 'v')", (f"good{n}",))

    async def bad() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('bad', 'v')")
            raise ValueError("refused half-way")

    outcomes = await asyncio.gather(good(1), bad(), good(2), return_exceptions=True)
    assert [type(o) for o in outcomes] == [type(None), ValueError, type(None)]
    await storage.close()
    reopened = await open_storage(db_path)
    assert [await reopened.meta.get(k) for k in ("good1", "bad", "good2")] == ["v", None, "v"]
    await reopened.close()


async def test_a_claimed_delivery_is_kept_until_it_is_done_and_retried_without_limit(db_path: Path) -> None:
    """A worker that dies after claiming loses nothing (the lease runs out); failures are retried, not dropped."""
    storage = await open_storage(db_path)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    await storage.deliveries.add(1, [Intent(kind="poll.post", entity_id=7)], now)
    await storage.deliveries.add(2, [Intent(kind="poll.post", entity_id=8)], now)
    [blocked, claimed] = sorted(await storage.deliveries.claim(now, 10), key=lambda d: -d.entity_id)
    assert await storage.deliveries.block(blocked, "403 Forbidden")
    assert await storage.deliveries.pending_count() == 1, "the one being sent; a blocked one waits for staff"
    await storage.close()  # the worker died here, mid-delivery

    reopened = await open_storage(db_path)
    assert await reopened.deliveries.claim(now + timedelta(minutes=1), 10) == [], "its lease still holds"
    later = now + LEASE
    for attempt in range(1, 12):
        [again] = await reopened.deliveries.claim(later, 10)
        assert (again.id, again.entity_id) == (claimed.id, 7)
        later += timedelta(hours=attempt)
        await reopened.deliveries.retry_later(again, "503 Service Unavailable", later)
    [last] = await reopened.deliveries.claim(later, 10)
    await reopened.deliveries.delivered(last, later)
    assert await reopened.deliveries.claim(later + timedelta(days=1), 10) == []
    assert await reopened.deliveries.pending_count() == 0
    await reopened.close()


async def test_purge_deletes_every_row_of_the_guild_and_counts_them(db_path: Path) -> None:
    storage = await open_storage(db_path)
    now = datetime(2026, 11, 2, tzinfo=UTC)
    for guild_id in (1, 2):
        await storage.guild_settings.save(GuildSettings(guild_id=guild_id, ideas_channel_id=5), NOW)
        await storage.deliveries.add(guild_id, [Intent(kind="poll.post", entity_id=7)] * 2, now)
    await storage.guilds.depart(1, now)
    assert await storage.guilds.purge(1) == 1 + 2 + 1, "settings, two deliveries, the departure"
    assert (await storage.guild_settings.get(1)).ideas_channel_id is None
    assert (await storage.guild_settings.get(2)).ideas_channel_id == 5
    assert await storage.deliveries.pending_count() == 2, "the other server's deliveries stay"


async def test_a_queued_idea_removal_notice_is_carried_over_by_its_migration(storage: SqliteStorage) -> None:
    """Migration 0022: a removal notice the previous version queued in an idea's thread goes out through the shared
    removal notice, pinging its author; one for an anonymous author (told by direct message) is finished."""
    named = await storage.ideas.create(1, 11, IdeaDraft(title="Pills", description="Spam"), NOW, hourly_limit=5)
    hidden = IdeaDraft(title="Pills", description="Spam", anonymous=True)
    anonymous = await storage.ideas.create(1, 12, hidden, NOW, hourly_limit=5)
    for idea in (named, anonymous):
        await storage.ideas.attach_post(1, idea, 500 + idea, 500 + idea, 700 + idea)
    queued = [Intent(kind="idea.removed", entity_id=i, payload={"reason": "Spam"}) for i in (named, anonymous)]
    await storage.deliveries.add(1, queued, NOW)
    await storage.db.execute("DELETE FROM schema_migrations WHERE version = 22")
    assert await storage.migrate() == [22]
    rows = await storage.db.fetch_all(
        "SELECT kind, state, payload FROM deliveries WHERE entity_id IN (?, ?) ORDER BY entity_id", (named, anonymous)
    )
    assert [(row["kind"], row["state"]) for row in rows] == [("removal.notice", "pending"), ("idea.removed", "done")]
    notice = json.loads(rows[0]["payload"])
    assert notice == {"channel_id": 700 + named, "member_id": 11, "removed": "idea", "reason": "Spam"}
