"""The audit log: staff and moderator actions, newest first (written by `add_intents`, read here)."""

from storage.database import Database
from storage.models import AuditEntry

COLUMNS = "id, at, actor_id, action, subject, detail"


class SqlAuditRepository:
    """The same SQL on SQLite and PostgreSQL; `audit_log_guild` makes both reads an index range scan."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent(self, guild_id: int, limit: int) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM audit_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?", (guild_id, limit)
        )
        return [AuditEntry(**dict(row)) for row in rows]

    async def all(self, guild_id: int) -> list[AuditEntry]:
        rows = await self._db.fetch_all(f"SELECT {COLUMNS} FROM audit_log WHERE guild_id = ? ORDER BY id", (guild_id,))
        return [AuditEntry(**dict(row)) for row in rows]
