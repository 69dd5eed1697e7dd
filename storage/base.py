"""The storage interface. SQLite implements it today; a PostgreSQL backend implements the same protocols."""

from typing import Protocol

from storage.ideas import SqliteIdeaRepository
from storage.models import GuildSettings


class GuildSettingsRepository(Protocol):
    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings, or defaults when it was never configured."""
        ...

    async def save(self, settings: GuildSettings) -> None: ...


class MetaRepository(Protocol):
    """Small key/value facts about the bot itself (e.g. the hash of the last command sync)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class Storage(Protocol):
    guild_settings: GuildSettingsRepository
    meta: MetaRepository
    ideas: SqliteIdeaRepository  # TODO(postgres): extract a protocol when the second backend lands

    async def migrate(self) -> list[int]:
        """Bring the schema up to date; returns the migrations applied now."""
        ...

    async def close(self) -> None: ...
