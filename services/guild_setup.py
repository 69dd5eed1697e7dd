"""Configuring a guild: channels, roles and time zone."""

from services.errors import InvalidInput
from services.validation import build
from storage.base import GuildSettingsRepository
from storage.models import GuildSettings, Model


class SetupChange(Model):
    """Fields to change; None leaves a field as it is."""

    ideas_channel_id: int | None = None
    announcements_channel_id: int | None = None
    staff_role_id: int | None = None
    moderator_role_id: int | None = None
    timezone: str | None = None


class GuildSetupService:
    """Settings are read on every interaction (permission checks), so they are cached; this process is the only
    writer for its guilds, and every change goes through `update`."""

    def __init__(self, repository: GuildSettingsRepository) -> None:
        self._repository = repository
        self._cache: dict[int, GuildSettings] = {}

    async def get(self, guild_id: int) -> GuildSettings:
        if guild_id not in self._cache:
            self._cache[guild_id] = await self._repository.get(guild_id)
        return self._cache[guild_id]

    async def update(self, guild_id: int, change: SetupChange) -> GuildSettings:
        """Apply `change`, validate the result and store it before returning it."""
        changes = change.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("Pass at least one setting to change.")
        current = await self._repository.get(guild_id)
        updated = build(GuildSettings, **(current.model_dump() | changes))
        await self._repository.save(updated)
        self._cache[guild_id] = updated
        return updated
