"""Settings read from the environment and an optional `.env` file."""

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Three dot-separated base64url parts: user id, timestamp, HMAC.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")


class Settings(BaseSettings):
    """Everything the bot needs to start; see `.env.example` for each setting."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr = Field(description="The bot token from the Discord developer portal.")
    database_url: SecretStr = Field(
        default=SecretStr("sqlite:///cocreate.db"),
        description="sqlite:///relative.db, sqlite:////absolute.db, or postgresql://user:password@host:5432/db.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    dev_guild_id: int | None = Field(default=None, description="Sync commands to this guild only.")
    data_retention_days: int = Field(
        default=30, ge=1, le=3650, description="Days a removed bot keeps a guild's data before purging it."
    )

    draft_retention_days: int = Field(
        default=7, ge=1, le=365, description="Days an unposted idea draft is kept before it is deleted."
    )

    shard_count: int | None = Field(
        default=None, ge=1, le=1024, description="Shards of the whole bot; empty: as many as Discord recommends."
    )
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = Field(
        default=None, description="The shards this process runs, e.g. 0,1 (needs SHARD_COUNT); empty: all of them."
    )

    ballot_secret: SecretStr | None = Field(
        default=None,
        description="Keys anonymous poll ballots; empty: a key file beside the database is made and used.",
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: object) -> object:
        """`NAME=` (as `.env.example` leaves the optional settings) means the default, as if it were not there."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}
        return data

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return tuple(part.strip() for part in value.split(",")) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shards_within_count(self) -> "Settings":
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT (the shards of every process together)")
        if not self.shard_ids or any(not 0 <= shard < self.shard_count for shard in self.shard_ids):
            raise ValueError(f"SHARD_IDS must be between 0 and {self.shard_count - 1} (SHARD_COUNT - 1)")
        return self

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")) or url == "sqlite:///":
            raise ValueError("must start with sqlite:/// (then a file) or postgresql:// (see .env.example)")
        return SecretStr(url)

    @model_validator(mode="after")
    def _shared_ballot_secret(self) -> "Settings":
        if self.sqlite_path is None and self.ballot_secret is None:
            raise ValueError("a PostgreSQL DATABASE_URL needs BALLOT_SECRET, the same in every process")
        return self

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None when the database is PostgreSQL."""
        url = self.database_url.get_secret_value()
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    @field_validator("discord_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a Discord bot token (three dot-separated parts)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def describe_settings_error(error: Exception) -> str:
    """One human line for a settings failure, never echoing the token."""
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return f"invalid settings: {error}"
    parts = []
    for item in errors():
        name = ".".join(str(p) for p in item["loc"]).upper()
        reason = "is not set" if item["type"] == "missing" else item["msg"].removeprefix("Value error, ")
        parts.append(f"{name} {reason}" if name else reason)  # a rule across settings names them itself
    return "invalid settings: " + "; ".join(parts) + " (see .env.example)"
