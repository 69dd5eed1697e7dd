"""The SQLite backend: one database file holding every repository."""

import secrets
from collections.abc import Callable
from pathlib import Path

from storage.amas import SqliteAmaRepository
from storage.audit import SqlAuditRepository
from storage.challenges import SqliteChallengeRepository
from storage.database import Database, SqliteDatabase
from storage.deliveries import SqliteDeliveryRepository
from storage.guild_settings import SqliteGuildSettingsRepository
from storage.ideas import SqliteIdeaRepository
from storage.insights import SqlInsightsRepository
from storage.lifecycle import SqliteGuildLifecycleRepository
from storage.meta import SqliteMetaRepository
from storage.polls import BallotKeys, SqlitePollRepository
from storage.privacy import SqlitePrivacyRepository


class SqliteStorage:
    """Opens (and migrates) the database and exposes the repositories the services use."""

    def __init__(self, db: Database, ballot_secret: bytes | None = None) -> None:
        self.db = db
        keys = BallotKeys(ballot_secret or secrets.token_bytes(32))
        self.guild_settings = SqliteGuildSettingsRepository(db)
        self.meta = SqliteMetaRepository(db)
        self.ideas = SqliteIdeaRepository(db)
        self.polls = SqlitePollRepository(db, keys)
        self.amas = SqliteAmaRepository(db)
        self.challenges = SqliteChallengeRepository(db)
        self.privacy = SqlitePrivacyRepository(db, keys)
        self.deliveries = SqliteDeliveryRepository(db)
        self.guilds = SqliteGuildLifecycleRepository(db)
        self.audit = SqlAuditRepository(db)
        self.insights = SqlInsightsRepository(db)

    @classmethod
    async def open(cls, path: Path, ballot_secret: bytes | None = None) -> "SqliteStorage":
        """`ballot_secret` keys anonymous ballots; without one (tests) a random one lives as long as the object."""
        return cls(await SqliteDatabase.open(path), ballot_secret)

    def on_commit(self, listener: Callable[[], None]) -> None:
        self.db.on_commit(listener)

    async def migrate(self) -> list[int]:
        applied = await self.db.migrate()
        await self.db.forget_overwritten()  # e.g. a poll's salt erased just before a crash
        return applied

    async def close(self) -> None:
        await self.db.close()
