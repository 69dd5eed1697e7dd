"""Configuring a guild: channels, roles, time zone and language."""

from typing import Literal

from services.clock import Clock
from services.errors import InvalidInput
from services.i18n import N_, _
from services.validation import build
from storage.base import DeliveryRepository, GuildSettingsRepository
from storage.models import GuildSettings, Model, audit, roadmap_render, staff_notice

WELCOME = N_(
    "Thanks for adding **CoCreate**: your community proposes and votes on ideas, decides in polls, asks your "
    "team anything and takes part in themed challenges.\n\n"
    "**First steps** (for someone with Manage Server):\n"
    "1. `/setup start`: choose the ideas channel, the announcements channel, the staff and moderator roles and "
    "the language from menus; `/setup set timezone:` sets the time zone.\n"
    "2. `/setup check`: see whether the bot may post everywhere it needs to, and what to fix.\n"
    "3. `/help`: what everyone can do. Members start with `/idea submit`."
)


class SetupChange(Model):
    """Fields to change; None leaves a field as it is."""

    ideas_channel_id: int | None = None
    announcements_channel_id: int | None = None
    staff_role_id: int | None = None
    moderator_role_id: int | None = None
    timezone: str | None = None
    language: Literal["en", "nl"] | None = None
    roadmap_channel_id: int | None = None
    min_account_days: int | None = None
    min_member_days: int | None = None


def shown(setting: str, value: object) -> str:
    """A setting's new value as the audit log shows it: channels and roles as mentions."""
    if setting.endswith("_channel_id"):
        return f"<#{value}>"
    return f"<@&{value}>" if setting.endswith("_role_id") else str(value)


class GuildSetupService:
    """Settings are read on every interaction (permission checks), so they are cached; this process is the only
    writer for its guilds, and every change goes through `update`."""

    def __init__(self, repository: GuildSettingsRepository, deliveries: DeliveryRepository, clock: Clock) -> None:
        self._repository = repository
        self._deliveries = deliveries
        self._clock = clock
        self._cache: dict[int, GuildSettings] = {}

    async def welcome(self, guild_id: int, channel_id: int) -> bool:
        """Post the first steps in `channel_id` when the bot joins a server it was never configured in (a server
        that re-invites it keeps its settings, and needs no welcome); True if a welcome was queued."""
        if await self.get(guild_id) != GuildSettings(guild_id=guild_id):
            return False
        await self._deliveries.add(guild_id, [staff_notice(channel_id, _(WELCOME))], self._clock.now())
        return True

    async def get(self, guild_id: int) -> GuildSettings:
        if guild_id not in self._cache:
            self._cache[guild_id] = await self._repository.get(guild_id)
        return self._cache[guild_id]

    async def update(self, guild_id: int, change: SetupChange, by: int) -> GuildSettings:
        """Apply `change` (by the member `by`), validate the result and store it before returning it."""
        changes = change.model_dump(exclude_none=True)
        if not changes:
            raise InvalidInput(_("Pass at least one setting to change."))
        current = await self._repository.get(guild_id)
        updated = build(GuildSettings, **(current.model_dump() | changes))
        detail = ", ".join(
            f"{name.removesuffix('_id').replace('_', ' ')}: {shown(name, v)}" for name, v in changes.items()
        )
        intents = [audit(by, "settings", "settings", detail)]
        if "roadmap_channel_id" in changes:  # the roadmap appears in its (new) channel
            intents.append(roadmap_render(guild_id))
        await self._repository.save(updated, self._clock.now(), intents)
        self._cache[guild_id] = updated
        return updated
