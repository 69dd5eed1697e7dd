"""The SQLite storage layer on a real file."""

from pathlib import Path

import pytest

from storage import SqliteStorage
from storage.database import bundled_migrations
from storage.models import GuildSettings


async def open_storage(path: Path) -> SqliteStorage:
    storage = await SqliteStorage.open(path)
    await storage.migrate()
    return storage


async def test_migrations_apply_once_and_are_recorded(db_path: Path) -> None:
    storage = await SqliteStorage.open(db_path)
    every = [version for version, _, _ in bundled_migrations()]
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
    await storage.close()


async def test_guild_settings_are_scoped_by_guild(db_path: Path) -> None:
    storage = await open_storage(db_path)
    await storage.guild_settings.save(GuildSettings(guild_id=1, staff_role_id=10, timezone="Europe/Amsterdam"))
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
