"""The storage interface. SQLite implements it today; a PostgreSQL backend implements the same protocols."""

from datetime import datetime
from typing import Literal, Protocol

from storage.models import DraftText, GuildSettings, Idea, IdeaDraft, IdeaSettings, IdeaStatus


class GuildSettingsRepository(Protocol):
    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings, or defaults when it was never configured."""
        ...

    async def save(self, settings: GuildSettings) -> None: ...


class MetaRepository(Protocol):
    """Small key/value facts about the bot itself (e.g. the hash of the last command sync)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class IdeaRepository(Protocol):
    """Ideas with their votes, credits, drafts, notification opt-outs and per-guild idea settings."""

    async def settings(self, guild_id: int) -> IdeaSettings: ...
    async def save_settings(self, settings: IdeaSettings) -> None: ...
    async def save_draft(
        self, guild_id: int, author_id: int, draft: DraftText, now: datetime, replacing: int | None = None
    ) -> int:
        """Keep what a member typed (replacing their draft `replacing`) and return the new draft's id."""
        ...

    async def draft(self, guild_id: int, author_id: int, draft_id: int) -> DraftText | None: ...
    async def create(
        self, guild_id: int, author_id: int, draft: IdeaDraft, now: datetime, draft_id: int | None = None
    ) -> int:
        """Store a new idea, consuming the draft `draft_id` in the same transaction."""
        ...

    async def get(self, guild_id: int, idea_id: int) -> Idea | None: ...
    async def attach_post(
        self, guild_id: int, idea_id: int, channel_id: int, message_id: int, thread_id: int
    ) -> None: ...
    async def count_by_author_since(
        self, guild_id: int, author_id: int, since: datetime
    ) -> tuple[int, datetime | None]: ...
    async def title_matches(self, guild_id: int, words: list[str], limit: int = 10) -> list[Idea]: ...
    async def search(self, guild_id: int, words: list[str], limit: int, offset: int) -> list[Idea]: ...
    async def browse(
        self,
        guild_id: int,
        *,
        sort: Literal["new", "top"],
        limit: int,
        offset: int,
        status: IdeaStatus | None = None,
        category: str | None = None,
        author_id: int | None = None,
        since: datetime | None = None,
    ) -> list[Idea]: ...
    async def autocomplete(self, guild_id: int, current: str, limit: int) -> list[Idea]: ...
    async def all(self, guild_id: int) -> list[Idea]: ...
    async def toggle_vote(self, guild_id: int, idea_id: int, member_id: int, value: int) -> int | None:
        """Atomically cast, switch or (same value again) retract a member's vote; returns their vote now."""
        ...

    async def upvoters(self, guild_id: int, idea_id: int) -> list[int]: ...
    async def set_status(self, guild_id: int, idea_id: int, status: IdeaStatus, reason: str | None) -> None: ...
    async def merge(self, guild_id: int, duplicate_id: int, target_id: int, reason: str | None) -> None:
        """Atomically mark a duplicate and move its votes (a member who voted on both keeps one vote)."""
        ...

    async def add_credit(self, guild_id: int, idea_id: int, member_id: int) -> None: ...
    async def leaderboard(self, guild_id: int, limit: int) -> list[tuple[int, int, int]]: ...
    async def set_notifications(self, guild_id: int, member_id: int, enabled: bool) -> None: ...
    async def opted_out(self, guild_id: int) -> set[int]: ...


class Storage(Protocol):
    guild_settings: GuildSettingsRepository
    meta: MetaRepository
    ideas: "IdeaRepository"

    async def migrate(self) -> list[int]:
        """Bring the schema up to date; returns the migrations applied now."""
        ...

    async def close(self) -> None: ...
