"""Guilds that removed the bot: their deliveries and schedules pause, and their data is purged after retention."""

from datetime import datetime

from storage.database import Database


class SqliteGuildLifecycleRepository:
    GUILD_TABLES = (
        "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c ON c.name = 'guild_id' "
        "WHERE m.type = 'table' AND m.name NOT LIKE '%fts%' ORDER BY m.name"
    )
    BEFORE_PURGE = ("PRAGMA defer_foreign_keys = ON",)  # children and parents go in the same commit

    def __init__(self, db: Database) -> None:
        self._db = db

    async def depart(self, guild_id: int, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO departed_guilds (guild_id, departed_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (guild_id, now.isoformat()),
        )

    async def return_(self, guild_id: int, now: datetime) -> bool:
        """The bot is back in the guild: its blocked deliveries are tried again; True if it had departed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM departed_guilds WHERE guild_id = ?", (guild_id,))
            if cursor.rowcount:
                await conn.execute(
                    "UPDATE deliveries SET state = 'pending', next_attempt_at = ? "
                    "WHERE guild_id = ? AND state = 'blocked'",
                    (now.isoformat(), guild_id),
                )
            return cursor.rowcount == 1

    async def departed(self) -> dict[int, datetime]:
        rows = await self._db.fetch_all("SELECT guild_id, departed_at FROM departed_guilds")
        return {r[0]: datetime.fromisoformat(r[1]) for r in rows}

    async def purge(self, guild_id: int) -> int:
        """Delete everything held about the guild, in every table that has a `guild_id`; returns the rows."""
        tables = await self._db.fetch_all(self.GUILD_TABLES)
        removed = 0
        async with self._db.transaction() as conn:
            for statement in self.BEFORE_PURGE:
                await conn.execute(statement)
            for (table,) in tables:
                cursor = await conn.execute(f'DELETE FROM "{table}" WHERE guild_id = ?', (guild_id,))
                removed += cursor.rowcount
        return removed
