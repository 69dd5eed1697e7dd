"""Pydantic models for what the bot stores."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class GuildSettings(Model):
    """Where a guild's features post and who its staff and moderators are."""

    guild_id: int
    ideas_channel_id: int | None = None
    announcements_channel_id: int | None = None
    staff_role_id: int | None = None
    moderator_role_id: int | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Amsterdam") from None
        return value
