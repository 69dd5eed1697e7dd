"""The SQLite backend: one database file holding every repository."""

from collections.abc import Callable
from pathlib import Path

from storage.amas import SqliteAmaRepository
from storage.challenges import SqliteChallengeRepository
from storage.database import Database
from storage.deliveries import SqliteDeliveryRepository
from storage.guild_settings import SqliteGuildSettingsRepository
from storage.ideas import SqliteIdeaRepository
from storage.lifecycle import SqliteGuildLifecycleRepository
from storage.meta import SqliteMetaRepository
from storage.polls import SqlitePollRepository
from storage.privacy import SqlitePrivacyRepository


class SqliteStorage:
    """Opens (and migrates) the database and exposes the repositories the services use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.guild_settings = SqliteGuildSettingsRepository(db)
        self.meta = SqliteMetaRepository(db)
        self.ideas = SqliteIdeaRepository(db)
        self.polls = SqlitePollRepository(db)
        self.amas = SqliteAmaRepository(db)
        self.challenges = SqliteChallengeRepository(db)
        self.privacy = SqlitePrivacyRepository(db)
        self.deliveries = SqliteDeliveryRepository(db)
        self.guilds = SqliteGuildLifecycleRepository(db)

    @classmethod
    async def open(cls, path: Path) -> "SqliteStorage":
        return cls(await Database.open(path))

    def on_commit(self, listener: Callable[[], None]) -> None:
        self.db.on_commit(listener)

    async def migrate(self) -> list[int]:
        return await self.db.migrate()

    async def close(self) -> None:
        await self.db.close()
