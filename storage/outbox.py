"""The outbox: announcements Discord refused, stored until it accepts them."""

import json
from datetime import datetime

from storage.database import Database
from storage.models import Announcement, QueuedAnnouncement


class SqliteOutboxRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, announcement: Announcement, error: str, retry_at: datetime, now: datetime) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO outbox (guild_id, channel_id, content, embed, file_name, file_data, ping_users, "
                "next_attempt_at, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    announcement.guild_id,
                    announcement.channel_id,
                    announcement.content,
                    json.dumps(announcement.embed) if announcement.embed else None,
                    announcement.file_name,
                    announcement.file_data,
                    json.dumps(announcement.ping_users),
                    retry_at.isoformat(),
                    error[:500],
                    now.isoformat(),
                ),
            )
            return cursor.lastrowid  # type: ignore[return-value]

    async def due(self, now: datetime) -> list[QueuedAnnouncement]:
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, content, embed, file_name, file_data, ping_users, attempts "
            "FROM outbox WHERE next_attempt_at <= ? ORDER BY id",
            (now.isoformat(),),
        )
        return [
            QueuedAnnouncement(
                **dict(row)
                | {
                    "embed": json.loads(row["embed"]) if row["embed"] else None,
                    "ping_users": tuple(json.loads(row["ping_users"])),
                }
            )
            for row in rows
        ]

    async def next_attempt(self) -> datetime | None:
        row = await self._db.fetch_one("SELECT MIN(next_attempt_at) FROM outbox")
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def failed_again(self, queued_id: int, error: str, retry_at: datetime) -> None:
        await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            (error[:500], retry_at.isoformat(), queued_id),
        )

    async def remove(self, queued_id: int) -> None:
        await self._db.execute("DELETE FROM outbox WHERE id = ?", (queued_id,))
