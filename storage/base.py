"""The storage interface, implemented for SQLite (`storage.sqlite`) and PostgreSQL (`storage.postgres`)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from storage.models import (
    Ama,
    AmaDraft,
    AmaStatus,
    AuditEntry,
    Challenge,
    ChallengeDraft,
    Delivery,
    DraftText,
    Entry,
    EntryFile,
    Footprint,
    GuildSettings,
    Idea,
    IdeaDraft,
    IdeaSettings,
    IdeaStatus,
    Intent,
    Phase,
    Poll,
    PollDraft,
    Question,
    QuestionStatus,
    Run,
    Winner,
)

Shards = tuple[int, tuple[int, ...]]  # (shard count, the shards of one process)


class GuildSettingsRepository(Protocol):
    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings, or defaults when it was never configured."""
        ...

    async def save(self, settings: GuildSettings, now: datetime, intents: Sequence[Intent] = ()) -> None: ...


class MetaRepository(Protocol):
    """Small key/value facts about the bot itself (e.g. the hash of the last command sync)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class LimitReached(Exception):
    """Raised by `IdeaRepository.create`: the author reached the hourly limit (the oldest counted idea given)."""

    def __init__(self, limit: int, oldest: datetime) -> None:
        super().__init__(limit, oldest)
        self.limit, self.oldest = limit, oldest


class DraftGone(Exception):
    """Raised by `IdeaRepository.create`: the draft was posted already (a double click) or is not the author's."""


class IdeaClosed(Exception):
    """Raised by `IdeaRepository.toggle_vote`: the idea stopped taking votes (merged, shipped, declined)."""


class IdeaRepository(Protocol):
    """Ideas with their votes, credits, drafts, notification opt-outs and per-guild idea settings."""

    async def settings(self, guild_id: int) -> IdeaSettings: ...
    async def save_settings(self, settings: IdeaSettings) -> None: ...
    async def awaiting_review(self, guild_id: int, limit: int) -> list[Idea]: ...
    async def roadmap_message(self, guild_id: int) -> int | None: ...
    async def set_roadmap_message(self, guild_id: int, message_id: int) -> None: ...
    async def review(
        self,
        guild_id: int,
        idea_id: int,
        status: IdeaStatus,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
        support: tuple[int | None, datetime | None] = (None, None),
    ) -> bool: ...
    async def save_draft(
        self, guild_id: int, author_id: int, draft: DraftText, now: datetime, replacing: int | None = None
    ) -> int:
        """Keep what a member typed (replacing their draft `replacing`) and return the new draft's id."""
        ...

    async def delete_drafts_before(self, cutoff: datetime) -> int: ...
    async def draft(self, guild_id: int, author_id: int, draft_id: int) -> DraftText | None: ...
    async def create(
        self,
        guild_id: int,
        author_id: int,
        draft: IdeaDraft,
        now: datetime,
        draft_id: int | None = None,
        *,
        hourly_limit: int,
        status: IdeaStatus = IdeaStatus.NEW,
        support: tuple[int | None, datetime | None] = (None, None),
        intents: Sequence[Intent] = (),
    ) -> int:
        """Store a new idea with its intents, support goal and deadline, consuming the draft `draft_id`, in one
        transaction that also enforces the author's hourly limit (`LimitReached`) and posts a draft once
        (`DraftGone`)."""
        ...

    async def get(self, guild_id: int, idea_id: int) -> Idea | None: ...
    async def attach_post(
        self, guild_id: int, idea_id: int, channel_id: int, message_id: int, thread_id: int | None
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
    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]: ...
    async def all(self, guild_id: int) -> list[Idea]: ...
    async def toggle_vote(
        self,
        guild_id: int,
        idea_id: int,
        member_id: int,
        value: int,
        now: datetime,
        intents: Sequence[Intent] = (),
        reached: Sequence[Intent] = (),
    ) -> tuple[int | None, bool]:
        """Atomically cast, switch or (same value again) retract a member's vote on an open idea (`IdeaClosed`
        otherwise, also past its support deadline); returns their vote now, and whether it brought the idea to its
        support goal (then under review, with the `reached` intents)."""
        ...

    async def support_due(self, now: datetime, limit: int) -> list[Idea]:
        """Ideas of every guild still gathering support past their deadline."""
        ...

    async def settle_support(
        self, guild_id: int, idea_id: int, now: datetime, reached: Sequence[Intent], expired: Sequence[Intent]
    ) -> IdeaStatus | None:
        """Under review if the idea has its supporters, else expired (with that outcome's intents); None if it no
        longer gathers support."""
        ...

    async def upvoters(self, guild_id: int, idea_id: int) -> list[int]: ...
    async def set_status(
        self,
        guild_id: int,
        idea_id: int,
        status: IdeaStatus,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> None: ...
    async def merge(
        self,
        guild_id: int,
        duplicate_id: int,
        target_id: int,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> None:
        """Atomically mark a duplicate and move its votes (a member who voted on both keeps one vote)."""
        ...

    async def add_credit(
        self, guild_id: int, idea_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()
    ) -> None: ...
    async def leaderboard(self, guild_id: int, limit: int) -> list[tuple[int, int, int]]: ...
    async def set_notifications(self, guild_id: int, member_id: int, enabled: bool) -> None: ...
    async def opted_out(self, guild_id: int) -> set[int]: ...


class BallotFull(Exception):
    """Raised by `PollRepository.set_ballot`: the member already picked as many options as allowed."""

    def __init__(self, max_choices: int) -> None:
        super().__init__(max_choices)
        self.max_choices = max_choices


class PollClosed(Exception):
    """Raised by `PollRepository.set_ballot`: the poll closed before this ballot could be stored."""


class PollRepository(Protocol):
    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]: ...
    async def create(
        self,
        guild_id: int,
        channel_id: int,
        creator_id: int,
        draft: PollDraft,
        salt: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> int: ...
    async def get(self, guild_id: int, poll_id: int) -> Poll | None: ...
    async def voter_key(self, guild_id: int, poll_id: int, member_id: int) -> str:
        """The key the member's ballot in this poll is stored under (anonymous polls: not their id)."""
        ...

    async def attach_message(self, guild_id: int, poll_id: int, message_id: int) -> None: ...
    async def shown(self, guild_id: int, poll_id: int, changes: int) -> None: ...
    async def open_polls(self, guild_id: int | None = None) -> list[Poll]: ...
    async def set_ballot(
        self,
        guild_id: int,
        poll_id: int,
        voter_key: str,
        choose: int,
        max_choices: int,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> list[int]:
        """Atomically toggle `choose` in the voter's ballot (replacing it when one choice is allowed)."""
        ...

    async def counts(self, guild_id: int, poll_id: int) -> tuple[dict[int, int], int]: ...
    async def voters(self, guild_id: int, poll_id: int) -> list[tuple[int, int]]: ...
    async def ideas(self, guild_id: int, poll_id: int) -> list[int]: ...
    async def close(self, guild_id: int, poll_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool:
        """Close and erase the salt, with `intents`; False when it was closed already."""
        ...


class AmaRepository(Protocol):
    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]: ...
    async def suggest_questions(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]: ...
    async def create(
        self, guild_id: int, created_by: int, draft: AmaDraft, now: datetime, intents: Sequence[Intent] = ()
    ) -> int: ...
    async def get(self, guild_id: int, ama_id: int) -> Ama | None: ...
    async def unfinished(self, guild_id: int | None = None) -> list[Ama]: ...
    async def attach(
        self, guild_id: int, ama_id: int, message_id: int, thread_id: int | None, event_id: int | None
    ) -> None: ...
    async def move(
        self,
        guild_id: int,
        ama_id: int,
        from_status: AmaStatus,
        to_status: AmaStatus,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> bool:
        """Change the status (with `intents`) only if it still is `from_status`."""
        ...

    async def remind(self, guild_id: int, ama_id: int, now: datetime, intents: Sequence[Intent]) -> bool:
        """Claim the reminder of a scheduled AMA (once, however often its job fires) with its intents."""
        ...

    async def add_question(
        self,
        ama: Ama,
        asker_id: int,
        asker_name: str,
        anonymous: bool,
        text: str,
        status: QuestionStatus,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> int: ...
    async def count_asked(self, guild_id: int, ama_id: int, asker_id: int) -> int: ...
    async def question(self, guild_id: int, question_id: int) -> Question | None: ...
    async def questions(self, guild_id: int, ama_id: int, statuses: tuple[QuestionStatus, ...]) -> list[Question]: ...
    async def set_question_message(self, guild_id: int, question_id: int, message_id: int) -> None: ...
    async def skip(self, guild_id: int, question_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool: ...
    async def highlight(self, ama: Ama, question_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool: ...
    async def remove_question(
        self, guild_id: int, question_id: int, reason: str, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool: ...
    async def moderate(
        self, guild_id: int, question_id: int, status: QuestionStatus, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool: ...
    async def answer(
        self,
        guild_id: int,
        question_id: int,
        answer: str,
        host_name: str,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> bool: ...
    async def toggle_upvote(
        self, guild_id: int, question_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool | None: ...


class PhaseOver(Exception):
    """Raised by `ChallengeRepository.save_entry` and `toggle_vote`: the run left that phase meanwhile."""


class EntryRemoved(Exception):
    """Raised by `ChallengeRepository.toggle_vote`: staff or moderators removed the entry meanwhile."""


class VotesUsed(Exception):
    """Raised by `ChallengeRepository.toggle_vote` and `cast_ballot`: the member would pass the run's vote cap."""


class ChallengeRepository(Protocol):
    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]: ...
    async def create(self, guild_id: int, created_by: int, draft: ChallengeDraft, now: datetime) -> int: ...
    async def mark_fired(self, guild_id: int, challenge_id: int, when: datetime) -> None: ...
    async def update(self, guild_id: int, challenge_id: int, draft: ChallengeDraft) -> None: ...
    async def get(self, guild_id: int, challenge_id: int) -> Challenge | None: ...
    async def all(self, guild_id: int | None = None) -> list[Challenge]: ...
    async def set_paused(self, guild_id: int, challenge_id: int, paused: bool) -> None: ...
    async def set_skip_until(self, guild_id: int, challenge_id: int, until: datetime | None) -> None: ...
    async def delete(self, guild_id: int, challenge_id: int, now: datetime, intents: Sequence[Intent] = ()) -> None: ...
    async def start_run(
        self,
        challenge: Challenge,
        theme: str,
        starts_at: datetime,
        entries_close_at: datetime,
        voting_close_at: datetime,
        intents: Sequence[Intent] = (),
    ) -> int | None:
        """Record run number `runs_started + 1`, count it and mark the job fired, with its intents, atomically;
        None if that run was started already."""
        ...

    async def run(self, guild_id: int, run_id: int) -> Run | None: ...
    async def unfinished_runs(self, guild_id: int | None = None) -> list[Run]: ...
    async def move(
        self,
        guild_id: int,
        run_id: int,
        from_phase: Phase,
        to_phase: Phase,
        now: datetime,
        intents: Sequence[Intent] = (),
        per_entry: Intent | None = None,
    ) -> bool:
        """Advance the phase with its intents (one `per_entry` for each entry); FINISHED records the winners."""
        ...

    async def winners(self, guild_id: int, run_id: int) -> list[tuple[int, int]]: ...
    async def save_entry(
        self, run: Run, member_id: int, text: str | None, file: EntryFile | None, link: str | None, now: datetime
    ) -> tuple[int, bool]: ...
    async def entry_file(self, guild_id: int, entry_id: int) -> bytes | None: ...
    async def entry(self, guild_id: int, entry_id: int) -> Entry | None: ...
    async def entries(self, guild_id: int, run_id: int) -> list[Entry]: ...
    async def set_entry_message(self, guild_id: int, entry_id: int, message_id: int) -> None: ...
    async def set_voting_message(self, guild_id: int, run_id: int, message_id: int) -> None: ...
    async def remove_entry(
        self, guild_id: int, entry_id: int, reason: str, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool: ...
    async def toggle_vote(self, run: Run, member_id: int, entry_id: int, now: datetime, cap: int = 1) -> bool: ...
    async def votes_of(self, run: Run, member_id: int) -> set[int]: ...
    async def cast_ballot(self, run: Run, member_id: int, entry_ids: set[int], cap: int, now: datetime) -> None: ...
    async def hall_of_fame(self, guild_id: int, limit: int) -> list[Winner]: ...
    async def participation(self, guild_id: int) -> list[tuple[int, int, int, int]]: ...
    async def wins(self, guild_id: int) -> dict[int, int]: ...


class PrivacyRepository(Protocol):
    async def export(self, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]: ...
    async def footprint(self, guild_id: int, member_id: int) -> Footprint: ...
    async def erase(self, guild_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()) -> None:
        """Remove or anonymise everything about the member, keeping counts, with `intents`, in one transaction."""
        ...


class DeliveryRepository(Protocol):
    """The delivery queue (see storage/deliveries.py): intents claimed by the worker, outcomes recorded."""

    async def add(self, guild_id: int, intents: Sequence[Intent], now: datetime) -> None: ...
    async def claim(
        self, now: datetime, limit: int, *, rested: bool = False, shards: Shards | None = None
    ) -> list[Delivery]: ...
    async def delivered(self, delivery: Delivery, now: datetime) -> None: ...
    async def retry_later(self, delivery: Delivery, error: str, at: datetime) -> None: ...
    async def block(self, delivery: Delivery, error: str) -> bool: ...
    async def unblock(self, guild_id: int, now: datetime) -> int: ...
    async def release_claims(self, shards: Shards | None = None) -> None: ...
    async def next_due(self, shards: Shards | None = None) -> datetime | None: ...
    async def unfinished(self, guild_id: int, lane: str) -> list[tuple[str, int, str | None]]: ...
    async def pending_count(self, shards: Shards | None = None) -> int: ...


class GuildLifecycleRepository(Protocol):
    """Guilds that removed the bot (see storage/lifecycle.py)."""

    async def depart(self, guild_id: int, now: datetime) -> None: ...
    async def return_(self, guild_id: int, now: datetime) -> bool: ...
    async def departed(self) -> dict[int, datetime]: ...
    async def purge(self, guild_id: int) -> int:
        """Delete everything held about the guild; returns how many rows went."""
        ...


class AuditRepository(Protocol):
    async def recent(self, guild_id: int, limit: int) -> list[AuditEntry]:
        """The newest `limit` lines of the guild's audit log, newest first."""
        ...

    async def all(self, guild_id: int) -> list[AuditEntry]:
        """Every line, oldest first (for the export)."""
        ...


class InsightsRepository(Protocol):
    """Weekly participation in a guild, for brand staff."""

    async def weekly_counts(self, guild_id: int, starts: list[datetime], end: datetime) -> dict[str, list[int]]: ...
    async def first_contributions(self, guild_id: int, since: datetime, end: datetime) -> list[datetime]: ...
    async def answers(self, guild_id: int, since: datetime, end: datetime) -> list[tuple[datetime, datetime]]: ...


class Storage(Protocol):
    audit: AuditRepository
    insights: InsightsRepository
    guild_settings: GuildSettingsRepository
    meta: MetaRepository
    ideas: IdeaRepository
    polls: PollRepository
    amas: AmaRepository
    challenges: ChallengeRepository
    privacy: PrivacyRepository
    deliveries: DeliveryRepository
    guilds: GuildLifecycleRepository

    async def migrate(self) -> list[int]:
        """Bring the schema up to date; returns the migrations applied now."""
        ...

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every durable commit."""
        ...

    async def close(self) -> None: ...
