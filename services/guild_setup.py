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
    def __init__(self, repository: GuildSettingsRepository) -> None:
        self._repository = repository

    async def get(self, guild_id: int) -> GuildSettings:
        return await self._repository.get(guild_id)

    async def update(self, guild_id: int, change: SetupChange) -> GuildSettings:
        """Apply `change`, validate the result and store it before returning it."""
        changes = change.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput("Pass at least one setting to change.")
        current = await self._repository.get(guild_id)
        updated = build(GuildSettings, **(current.model_dump() | changes))
        await self._repository.save(updated)
        return updated
