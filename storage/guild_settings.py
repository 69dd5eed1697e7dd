"""Guild settings in SQLite."""

from collections.abc import Sequence
from datetime import datetime

from storage.database import Database
from storage.deliveries import add_intents
from storage.models import GuildSettings, Intent

COLUMNS = tuple(GuildSettings.model_fields)


class SqliteGuildSettingsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetch_one(
            f"SELECT {', '.join(COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return GuildSettings(**dict(row)) if row else GuildSettings(guild_id=guild_id)

    async def save(self, settings: GuildSettings, now: datetime, intents: Sequence[Intent] = ()) -> None:
        values = settings.model_dump()
        updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "guild_id")
        async with self._db.transaction() as conn:
            await add_intents(conn, settings.guild_id, intents, now)
            await conn.execute(
                f"INSERT INTO guild_settings ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
                f"ON CONFLICT (guild_id) DO UPDATE SET {updates}",
                [values[c] for c in COLUMNS],
            )
