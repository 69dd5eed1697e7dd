"""Pydantic models for what the bot stores."""

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError


def _printable(value: str) -> str:
    """Refuse control and invisible format characters (zero-width spaces, direction overrides).

    The zero-width joiner stays allowed: emoji sequences such as families need it.
    """
    for char in value:
        if char not in "\n\t\u200d" and unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"}:
            raise PydanticCustomError(
                "invisible_character",
                "contains an invisible or control character (U+{code})",
                {"code": f"{ord(char):04X}"},
            )
    return value


def text(max_length: int) -> object:
    """A required member-supplied string: trimmed, 1..max_length characters, no invisible characters."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length), AfterValidator(_printable)
    ]


Title = text(100)


def known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "unknown_timezone", "unknown time zone '{value}'; use a name like Europe/Amsterdam", {"value": value}
        ) from None
    return value


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
    language: Literal["en", "nl"] | None = None  # of public posts; None follows the server's locale on Discord
    roadmap_channel_id: int | None = None  # where the public roadmap is kept up to date
    min_account_days: int = Field(default=0, ge=0, le=365)  # fair voting: how old an account must be to vote
    min_member_days: int = Field(default=0, ge=0, le=365)  # and how long its member must have been in the server

    _known_timezone = field_validator("timezone")(known_timezone)


class IdeaStatus(StrEnum):
    """In this order for good: list pages name a status by its place here in their buttons' custom_ids."""

    NEW = "new"
    UNDER_REVIEW = "under review"
    PLANNED = "planned"
    IN_PROGRESS = "in progress"
    SHIPPED = "shipped"
    DECLINED = "declined"
    DUPLICATE = "duplicate"
    REMOVED = "removed"  # by staff or moderators: hidden from the community, its text no longer shown
    AWAITING_REVIEW = "awaiting review"  # the server reviews new ideas: staff have not approved this one yet
    EXPIRED = "expired"  # did not reach the server's support goal in time: archived

    @property
    def is_open(self) -> bool:
        """Open ideas can still be voted on."""
        closed = {IdeaStatus.SHIPPED, IdeaStatus.DECLINED, IdeaStatus.DUPLICATE, IdeaStatus.REMOVED, IdeaStatus.EXPIRED}
        return self not in closed | {IdeaStatus.AWAITING_REVIEW}


Category = text(30)


class IdeaSettings(Model):
    guild_id: int
    downvotes: bool = True
    categories: tuple[Category, ...] = Field(default=(), max_length=25)  # type: ignore[valid-type]
    hourly_limit: int = Field(default=5, ge=1, le=100)
    review: bool = False  # new ideas wait for staff to approve them
    support_goal: int | None = Field(default=None, ge=2, le=1_000_000)  # supporters an idea needs; None: no goal
    support_days: int = Field(default=60, ge=1, le=365)  # in how many days


class DraftText(Model):
    """What a member typed in the submit form, kept as typed (within the form's limits) until it is posted."""

    title: str = Field(max_length=100)
    description: str = Field(max_length=2000)
    category: str | None = Field(default=None, max_length=30)
    anonymous: bool = False


class IdeaDraft(Model):
    """A validated idea, ready to be stored."""

    title: Title  # type: ignore[valid-type]
    description: text(2000)  # type: ignore[valid-type]
    category: Category | None = None  # type: ignore[valid-type]
    anonymous: bool = False  # the author hidden from the community


class Idea(Model):
    id: int
    guild_id: int
    author_id: int
    title: str
    description: str
    category: str | None
    status: IdeaStatus
    status_reason: str | None
    duplicate_of: int | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    created_at: datetime
    anonymous: bool = False
    decided_in_poll: int | None = None  # the latest closed poll that put this idea to the community
    support_goal: int | None = None  # the supporters it needs by `support_deadline` (None: the server sets none)
    support_deadline: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    credited: tuple[int, ...] = ()

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes


class PollDraft(Model):
    """A poll as a staff member or moderator asked for it, validated."""

    question: text(300)  # type: ignore[valid-type]
    options: tuple[text(80), ...] = Field(min_length=2, max_length=10)  # type: ignore[valid-type]
    max_choices: int = Field(default=1, ge=1)
    anonymous: bool = False
    voter_role_id: int | None = None
    closes_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "PollDraft":
        folded = [o.casefold() for o in self.options]
        duplicates = sorted({o for o in self.options if folded.count(o.casefold()) > 1})
        if duplicates:
            raise PydanticCustomError(
                "repeated_options", "options must differ; repeated: {repeated}", {"repeated": ", ".join(duplicates)}
            )
        if self.max_choices > len(self.options):
            raise PydanticCustomError(
                "too_many_choices",
                "max choices ({max_choices}) cannot exceed the number of options",
                {"max_choices": self.max_choices},
            )
        return self


class Poll(Model):
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    creator_id: int
    question: str
    options: tuple[str, ...]
    max_choices: int
    anonymous: bool
    voter_role_id: int | None
    closes_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    unshown_changes: int = 0  # ballot changes not yet shown on the public message

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PollResults(Model):
    poll: Poll
    counts: tuple[int, ...]
    ballots: int
    voters: tuple[tuple[int, ...], ...] = ()  # per option, public polls only

    @property
    def winners(self) -> tuple[int, ...]:
        """Indexes of the options with the most votes (several on a tie; none without votes)."""
        top = max(self.counts, default=0)
        return tuple(i for i, n in enumerate(self.counts) if n == top) if top else ()


class AmaStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator
    OPEN = "open"  # visible, can be upvoted and answered
    REJECTED = "rejected"
    ANSWERED = "answered"
    REMOVED = "removed"  # shown, then removed by staff or moderators
    SKIPPED = "skipped"  # the hosts chose not to answer it


class Host(Model):
    id: int
    name: str


class AmaDraft(Model):
    title: Title  # type: ignore[valid-type]
    description: text(1000) | None = None  # type: ignore[valid-type]
    hosts: tuple[Host, ...] = Field(min_length=1, max_length=3)
    channel_id: int
    starts_at: datetime
    ends_at: datetime
    moderated: bool = False
    max_questions: int = Field(default=5, ge=1, le=20)

    @model_validator(mode="after")
    def _ends_after_start(self) -> "AmaDraft":
        if self.ends_at <= self.starts_at:
            raise PydanticCustomError("ends_before_start", "the AMA must end after it starts")
        return self


class Ama(Model):
    id: int
    guild_id: int
    channel_id: int
    title: str
    description: str | None
    hosts: tuple[Host, ...]
    starts_at: datetime
    ends_at: datetime
    moderated: bool
    max_questions: int
    status: AmaStatus
    message_id: int | None
    thread_id: int | None
    event_id: int | None
    created_by: int
    highlighted_question_id: int | None = None


class Question(Model):
    id: int
    ama_id: int
    guild_id: int
    asker_id: int
    asker_name: str
    anonymous: bool
    text: str
    status: QuestionStatus
    answer: str | None
    answered_by: str | None
    message_id: int | None
    asked_at: datetime
    upvotes: int = 0
    removed_reason: str | None = None
    highlighted: bool = False  # the one the hosts are answering now


class Rotation(StrEnum):
    ORDER = "order"
    RANDOM = "random"


class Phase(StrEnum):
    ENTRIES = "entries"
    VOTING = "voting"
    FINISHED = "finished"


class ChallengeDraft(Model):
    name: Title  # type: ignore[valid-type]
    themes: tuple[text(80), ...] = Field(min_length=1, max_length=20)  # type: ignore[valid-type]
    rotation: Rotation = Rotation.ORDER
    schedule: text(100)  # type: ignore[valid-type]
    timezone: str
    _known_timezone = field_validator("timezone")(known_timezone)
    channel_id: int
    entry_minutes: int = Field(ge=10, le=14 * 24 * 60)
    voting_minutes: int = Field(ge=10, le=7 * 24 * 60)
    prize: text(200) | None = None  # type: ignore[valid-type]
    votes_per_member: int = Field(default=1, ge=1, le=10)  # per run: 1 moves the vote, more are a cap


class Challenge(ChallengeDraft):
    id: int
    guild_id: int
    paused: bool
    skip_until: datetime | None
    runs_started: int
    last_fire_at: datetime


class Run(Model):
    id: int
    challenge_id: int
    guild_id: int
    number: int
    theme: str
    starts_at: datetime
    entries_close_at: datetime
    voting_close_at: datetime
    phase: Phase
    voting_message_id: int | None = None  # the call to vote, with its ballot button


class Entry(Model):
    id: int
    run_id: int
    guild_id: int
    member_id: int
    text: str | None
    attachment_name: str | None
    link: str | None
    message_id: int | None
    removed_reason: str | None = None


class EntryFile(Model):
    """A photo or video entered in a challenge, kept until it is shown for voting."""

    name: str = Field(min_length=1, max_length=100)
    content_type: str
    data: bytes = Field(min_length=1, max_length=8 * 1024 * 1024)

    @field_validator("content_type")
    @classmethod
    def _photo_or_video(cls, value: str) -> str:
        if not re.fullmatch(r"(image|video)/[\w.+-]+", value):
            raise PydanticCustomError("not_media", "only photos and videos can be entered")
        return value


class Winner(Model):
    run: Run
    challenge_name: str
    member_id: int
    entry_id: int
    votes: int


# How public posts and lists name a member who erased their data: stored in English, shown translated by `_`.
FORMER_MEMBER = "a former member"


class Footprint(Model):
    """The public posts that name a member: re-rendered when they erase their data."""

    ideas: tuple[int, ...]
    questions: tuple[tuple[int, int], ...]  # (question, its AMA)
    entries: tuple[tuple[int, int], ...]  # (entry, its run)


class Intent(Model):
    """An effect on Discord the bot owes, written in the same transaction as the state change that causes it.

    `kind` names the handler that performs it (e.g. ``idea.publish``). A render intent means "make the entity's
    public post show its stored state": one row per post, so many changes become one edit.
    """

    kind: str
    entity_id: int | None = None  # None: the row that the same write creates
    lane: str | None = None  # default: the entity's lane ("idea:5"), so its effects go out in order
    render: bool = False
    payload: dict[str, Any] = Field(default_factory=dict)
    file_data: bytes | None = None


AUDIT = "audit"  # an intent of this kind is a line in the audit log, not a delivery


def audit(actor_id: int, action: str, subject: str, detail: str = "") -> Intent:
    """A staff or moderator action for the audit log, recorded in the transaction that makes the change."""
    return Intent(kind=AUDIT, payload={"actor_id": actor_id, "action": action, "subject": subject, "detail": detail})


class AuditEntry(Model):
    id: int
    at: datetime
    actor_id: int
    action: str
    subject: str
    detail: str


def direct_message(member_id: int, message: str, **params: str) -> Intent:
    """A private message to a member: `message` names one of the texts `bot.delivery` knows, in the server's
    language when it goes out; `params` fill it in."""
    return Intent(kind="dm", lane=f"dm:{member_id}", payload={"member_id": member_id, "message": message, **params})


def removal_notice(channel_id: int, member_id: int, removed: str, reason: str, lane: str) -> Intent:
    """Tell `member_id`, in `channel_id`, that their `removed` ("idea", "question" or "entry") was removed, and
    why."""
    payload = {"channel_id": channel_id, "member_id": member_id, "removed": removed, "reason": reason}
    return Intent(kind="removal.notice", lane=lane, payload=payload)


def roadmap_render(guild_id: int) -> Intent:
    """Show the ideas' stored statuses on the server's roadmap (coalesced, like a post's refresh)."""
    return Intent(kind="roadmap.render", entity_id=guild_id, render=True)


def staff_notice(channel_id: int, content: str) -> Intent:
    """A plain message to staff in `channel_id` (pinging no one), in a lane of its own."""
    return Intent(kind="message", lane=f"notice:{channel_id}", payload={"channel_id": channel_id, "content": content})


class Delivery(Model):
    """An intent as the delivery worker claims it."""

    id: int
    guild_id: int
    kind: str
    entity_id: int | None
    lane: str
    render: bool
    payload: dict[str, Any]
    file_data: bytes | None
    attempts: int
    version: int

    def nonce(self, step: int = 0) -> str:
        """The nonce of this delivery's `step`-th create: Discord drops a second create with the same nonce
        (`enforce_nonce`), so a retry after a crash between sending and recording never posts twice."""
        return f"cc{self.id}.{step}"
