"""The ideas board: submit, vote, status workflow, merge, credit, browse, search, leaderboard, export."""

import difflib
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from services.clock import Clock
from services.errors import InvalidInput, NotFound
from services.i18n import N_, _, n_
from services.spreadsheet import csv_text
from services.validation import SUGGESTIONS, Reason, build, typed_so_far
from services.wording import discord_time, state_name
from storage.base import DraftGone, IdeaClosed, IdeaRepository, LimitReached
from storage.models import (
    DraftText,
    Idea,
    IdeaDraft,
    IdeaSettings,
    IdeaStatus,
    Intent,
    Model,
    audit,
    direct_message,
    removal_notice,
    roadmap_render,
)

PAGE_SIZE = 5
PINGS_PER_POST = 90  # Discord allows at most 100 users in one message's allowed_mentions
DRAFT_GONE = N_("This draft was already posted, has expired, or is not yours.")
SIMILAR_TITLE_RATIO = 0.75
PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}


class SubmitOutcome(Model):
    """Either the stored idea, or similar ideas to show before posting (with the draft kept under `draft_id`)."""

    idea: Idea | None = None
    similar: tuple[Idea, ...] = ()
    draft_id: int | None = None


class VoteOutcome(Model):
    idea: Idea  # as it was before the vote; its public post is refreshed from the latest state
    my_vote: int | None
    reached_goal: bool = False  # this vote brought the idea to its support goal: it is now under review


class StatusChange(Model):
    idea: Idea
    previous: IdeaStatus
    notify: tuple[int, ...]


class IdeaQuery(Model):
    """Filters for /idea list and /idea top; small enough to travel in a button's custom_id."""

    sort: Literal["new", "top"] = "new"
    status: IdeaStatus | None = None
    category: str | None = None
    author_id: int | None = None
    period: Literal["week", "month", "all"] = "all"
    page: int = Field(default=0, ge=0)


class Page(Model):
    ideas: tuple[Idea, ...]
    has_next: bool


def words_of(value: str) -> list[str]:
    return re.findall(r"\w+", value.casefold())[:12]


def normalized(title: str) -> str:
    return " ".join(words_of(title))


ROADMAP = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)
ROADMAP_LENGTH = 10  # ideas per section


def refresh(idea_id: int) -> Intent:
    """Show the idea's stored state on its public post (coalesced: one edit per interval)."""
    return Intent(kind="idea.render", entity_id=idea_id, render=True)


def goal_reached(idea_id: int) -> list[Intent]:
    """An idea reached its support goal: its post shows it, and its thread tells staff it awaits their review."""
    return [refresh(idea_id), Intent(kind="idea.goal_reached", entity_id=idea_id)]


def goal_missed(idea_id: int) -> list[Intent]:
    """An idea's deadline passed short of its goal: its post shows it expired, its thread says so and is archived."""
    return [
        refresh(idea_id),
        Intent(kind="idea.expired", entity_id=idea_id),
        Intent(kind="idea.thread_closed", entity_id=idea_id),
    ]


class IdeaService:
    def __init__(self, repository: IdeaRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock
        self._settings: dict[int, IdeaSettings] = {}  # read on every vote; changed only through `configure`

    # -- settings ------------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> IdeaSettings:
        if guild_id not in self._settings:
            self._settings[guild_id] = await self._repo.settings(guild_id)
        return self._settings[guild_id]

    async def configure(
        self,
        guild_id: int,
        downvotes: bool | None,
        categories: str | None,
        hourly_limit: int | None,
        review: bool | None = None,
        support_goal: int | None = None,
        support_days: int | None = None,
    ) -> IdeaSettings:
        """Change the given settings; `categories` is a comma-separated list ("" clears it), and a support goal
        of 0 turns goals off (for ideas posted from now on: posted ideas keep theirs)."""
        current = await self.settings(guild_id)
        changes: dict[str, object] = {
            "downvotes": downvotes,
            "hourly_limit": hourly_limit,
            "review": review,
            "support_days": support_days,
        }
        if categories is not None:
            changes["categories"] = tuple(dict.fromkeys(c.strip() for c in categories.split(",") if c.strip()))
        changed = {k: v for k, v in changes.items() if v is not None}
        if support_goal is not None:
            changed["support_goal"] = support_goal or None
        updated = build(IdeaSettings, **(current.model_dump() | changed))
        await self._repo.save_settings(updated)
        self._settings[guild_id] = updated
        return updated

    # -- submitting ----------------------------------------------------------------------------------

    async def check_rate_limit(self, guild_id: int, author_id: int) -> None:
        """Refuse before the form opens when the member is at the limit (the store decides again, atomically)."""
        limit = (await self.settings(guild_id)).hourly_limit
        now = self._clock.now()
        count, oldest = await self._repo.count_by_author_since(guild_id, author_id, now - timedelta(hours=1))
        if count >= limit:
            raise self._limit_refusal(LimitReached(limit, oldest or now))

    def _limit_refusal(self, reached: LimitReached) -> InvalidInput:
        wait = reached.oldest + timedelta(hours=1) - self._clock.now()
        minutes = max(1, round(wait.total_seconds() / 60))
        ideas = n_("You can submit {count} idea an hour.", "You can submit {count} ideas an hour.", reached.limit)
        wait = n_("Try again in {count} minute.", "Try again in {count} minutes.", minutes)
        return InvalidInput(f"{ideas} {wait}")

    def _support(self, settings: IdeaSettings) -> tuple[int | None, datetime | None]:
        """The goal and deadline of an idea the community sees from now on."""
        if settings.support_goal is None:
            return None, None
        return settings.support_goal, self._clock.now() + timedelta(days=settings.support_days)

    async def _create(self, guild_id: int, author_id: int, draft: IdeaDraft, draft_id: int | None) -> Idea:
        """Store the idea and the intent to publish it, in one transaction that enforces the hourly limit."""
        settings = await self.settings(guild_id)
        try:
            idea_id = await self._repo.create(
                guild_id,
                author_id,
                draft,
                self._clock.now(),
                draft_id=draft_id,
                hourly_limit=settings.hourly_limit,
                status=IdeaStatus.AWAITING_REVIEW if settings.review else IdeaStatus.NEW,
                support=(None, None) if settings.review else self._support(settings),  # counted from approval
                intents=[] if settings.review else [Intent(kind="idea.publish")],
            )
        except LimitReached as reached:
            raise self._limit_refusal(reached) from None
        except DraftGone:
            raise NotFound(_(DRAFT_GONE)) from None
        return await self.get(guild_id, idea_id)

    async def submit(
        self, guild_id: int, author_id: int, text: DraftText, draft_id: int | None = None
    ) -> SubmitOutcome:
        """Validate and store an idea, unless similar titles exist: then keep it as a draft to confirm.

        `draft_id` is the member's earlier draft this text replaces (consumed once the idea is stored).
        """
        draft = build(
            IdeaDraft,
            title=text.title,
            description=text.description,
            category=text.category or None,
            anonymous=text.anonymous,
        )
        draft = draft.model_copy(update={"category": await self.canonical_category(guild_id, draft.category)})
        await self.check_rate_limit(guild_id, author_id)
        similar = await self.similar(guild_id, draft.title)
        if similar:
            kept = await self.keep_draft(guild_id, author_id, DraftText(**draft.model_dump()), replacing=draft_id)
            return SubmitOutcome(similar=tuple(similar), draft_id=kept)
        return SubmitOutcome(idea=await self._create(guild_id, author_id, draft, draft_id))

    async def keep_draft(self, guild_id: int, author_id: int, text: DraftText, replacing: int | None = None) -> int:
        """Store what the member typed so that nothing is lost when it cannot be posted yet."""
        return await self._repo.save_draft(guild_id, author_id, text, self._clock.now(), replacing)

    async def expire_drafts(self, kept_for: timedelta) -> int:
        """Delete drafts older than `kept_for` (members' unposted text is not kept for ever)."""
        return await self._repo.delete_drafts_before(self._clock.now() - kept_for)

    async def draft(self, guild_id: int, author_id: int, draft_id: int) -> DraftText:
        text = await self._repo.draft(guild_id, author_id, draft_id)
        if text is None:
            raise NotFound(_(DRAFT_GONE))
        return text

    async def submit_draft(self, guild_id: int, author_id: int, draft_id: int) -> Idea:
        """Post a draft the author confirmed despite similar ideas."""
        text = await self.draft(guild_id, author_id, draft_id)
        return await self._create(guild_id, author_id, build(IdeaDraft, **text.model_dump()), draft_id)

    async def canonical_category(self, guild_id: int, category: str | None) -> str | None:
        """The configured category `category` names, whatever its case; a clear refusal if there is none."""
        if category is None:
            return None
        known = (await self.settings(guild_id)).categories
        for name in known:
            if name.casefold() == category.casefold():
                return name
        if not known:
            raise InvalidInput(_("This server has no categories; leave the category empty."))
        raise InvalidInput(
            _("Unknown category '{category}'. Choose one of: {choices}.", category=category, choices=", ".join(known))
        )

    async def similar(self, guild_id: int, title: str) -> list[Idea]:
        """Ideas whose title is (nearly) the same as `title`."""
        wanted = normalized(title)
        candidates = await self._repo.title_matches(guild_id, words_of(title))
        return [
            idea
            for idea in candidates
            if difflib.SequenceMatcher(None, wanted, normalized(idea.title)).ratio() >= SIMILAR_TITLE_RATIO
        ][:3]

    async def attach_post(self, idea: Idea, channel_id: int, message_id: int, thread_id: int | None) -> None:
        """Record where the idea's post lives (the thread may follow in a later step)."""
        await self._repo.attach_post(idea.guild_id, idea.id, channel_id, message_id, thread_id)

    async def get(self, guild_id: int, idea_id: int) -> Idea:
        idea = await self._repo.get(guild_id, idea_id)
        if idea is None:
            raise NotFound(_("There is no idea #{idea} in this server.", idea=idea_id))
        return idea

    # -- voting --------------------------------------------------------------------------------------

    async def vote(self, guild_id: int, idea_id: int, member_id: int, value: Literal[1, -1]) -> VoteOutcome:
        """One vote per member: the same vote again retracts it, the other vote switches. An upvote that brings
        the idea to its support goal moves it to review, in the same transaction."""
        idea, now = await self.get(guild_id, idea_id), self._clock.now()
        if idea.status == IdeaStatus.DUPLICATE:
            raise InvalidInput(
                _("Idea #{idea} was merged into #{into}; vote there.", idea=idea.id, into=idea.duplicate_of)
            )
        if not idea.status.is_open:
            raise InvalidInput(
                _("Idea #{idea} is {status}; voting is closed.", idea=idea.id, status=state_name(idea.status))
            )
        if idea.support_deadline is not None and idea.status == IdeaStatus.NEW and idea.support_deadline <= now:
            raise InvalidInput(
                _(
                    "Idea #{idea} had until {deadline} to gather supporters; voting is closed.",
                    idea=idea.id,
                    deadline=discord_time(idea.support_deadline, "f"),
                )
            )
        if value == -1 and not (await self.settings(guild_id)).downvotes:
            raise InvalidInput(_("This server only uses upvotes."))
        try:
            mine, reached = await self._repo.toggle_vote(
                guild_id, idea_id, member_id, value, now, intents=[refresh(idea_id)], reached=goal_reached(idea_id)
            )
        except IdeaClosed:  # merged, closed or expired while the member clicked: say which, from the stored state
            return await self.vote(guild_id, idea_id, member_id, value)
        return VoteOutcome(idea=idea, my_vote=mine, reached_goal=reached)

    async def settle_support(self, owns: Callable[[int], bool]) -> int:
        """Decide every idea whose support deadline passed (in the guilds this process owns): under review when
        it has its supporters, else expired and archived. Returns how many were decided."""
        decided = 0
        for idea in await self._repo.support_due(self._clock.now(), limit=500):
            if owns(idea.guild_id):
                outcome = await self._repo.settle_support(
                    idea.guild_id, idea.id, self._clock.now(), goal_reached(idea.id), goal_missed(idea.id)
                )
                decided += outcome is not None
        return decided

    # -- staff ---------------------------------------------------------------------------------------

    async def set_status(
        self, guild_id: int, idea_id: int, status: IdeaStatus, reason: str, by: int | None = None
    ) -> StatusChange:
        """Move an idea through the workflow with a public reason, posted in its thread pinging its followers."""
        if status == IdeaStatus.DUPLICATE:
            raise InvalidInput(_("Use /idea merge to mark an idea as a duplicate of another."))
        if status == IdeaStatus.REMOVED:
            raise InvalidInput(_("Use /idea remove to remove an idea."))
        if status == IdeaStatus.AWAITING_REVIEW:
            raise InvalidInput(_("Use /idea queue to review new ideas."))
        clean = build(Reason, reason=reason).reason
        idea = await self.get(guild_id, idea_id)
        if idea.status == IdeaStatus.AWAITING_REVIEW:
            raise InvalidInput(_("Idea #{idea} is awaiting review: approve it with /idea queue first.", idea=idea_id))
        if idea.status == IdeaStatus.DUPLICATE:
            raise InvalidInput(
                _(
                    "Idea #{idea} was merged into #{into}; change that one instead.",
                    idea=idea.id,
                    into=idea.duplicate_of,
                )
            )
        opted_out = await self._repo.opted_out(guild_id)
        # an anonymous author is not pinged in the thread: that would name them
        followers = [*([] if idea.anonymous else [idea.author_id]), *await self._repo.upvoters(guild_id, idea_id)]
        notify = tuple(m for m in dict.fromkeys(followers) if m not in opted_out)
        post = {"status": status.value, "previous": idea.status.value, "reason": clean, "by": by}
        intents = [
            refresh(idea_id),
            roadmap_render(guild_id),
            *([Intent(kind="idea.changelog", entity_id=idea_id)] if status == IdeaStatus.SHIPPED else []),
            Intent(kind="idea.status", entity_id=idea_id, payload=post),
            *(
                Intent(kind="idea.followers", entity_id=idea_id, payload={"members": notify[i : i + PINGS_PER_POST]})
                for i in range(0, len(notify), PINGS_PER_POST)
            ),
        ]
        if by is not None:
            intents.append(
                audit(by, "idea.status", f"idea #{idea_id}", f"{idea.status.value} → {status.value}: {clean}")
            )
        await self._repo.set_status(guild_id, idea_id, status, clean, self._clock.now(), intents)
        return StatusChange(idea=await self.get(guild_id, idea_id), previous=idea.status, notify=notify)

    async def for_poll(self, guild_id: int, numbers: str) -> list[Idea]:
        """The 2 to 10 open ideas a poll is to choose between, from numbers as staff type them ("3, 5, 8")."""
        ids = list(dict.fromkeys(int(n) for n in re.findall(r"\d+", numbers)))
        if not 2 <= len(ids) <= 10:
            raise InvalidInput(
                _("Name 2 to 10 different ideas by number, e.g. 3, 5, 8; you named {count}.", count=len(ids))
            )
        ideas = [await self.get(guild_id, idea_id) for idea_id in ids]
        for idea in ideas:
            if not idea.status.is_open:
                raise InvalidInput(
                    _(
                        "Idea #{idea} is {status}; only open ideas can go to a poll.",
                        idea=idea.id,
                        status=state_name(idea.status),
                    )
                )
        return ideas

    async def roadmap(self, guild_id: int) -> dict[IdeaStatus, list[Idea]]:
        """The public roadmap: the newest planned, in-progress and shipped ideas."""
        return {
            status: await self._repo.browse(guild_id, sort="new", limit=ROADMAP_LENGTH, offset=0, status=status)
            for status in ROADMAP
        }

    async def roadmap_message(self, guild_id: int) -> int | None:
        return await self._repo.roadmap_message(guild_id)

    async def attach_roadmap(self, guild_id: int, message_id: int) -> None:
        await self._repo.set_roadmap_message(guild_id, message_id)

    async def awaiting_review(self, guild_id: int) -> list[Idea]:
        """The oldest ideas waiting for staff (five at a time: one row of buttons each)."""
        return await self._repo.awaiting_review(guild_id, 5)

    async def approve(self, guild_id: int, idea_id: int, by: int) -> bool:
        """Post an idea that waited for review; False if another staff member reviewed it first."""
        approved = [Intent(kind="idea.publish", entity_id=idea_id), audit(by, "idea.approve", f"idea #{idea_id}")]
        support = self._support(await self.settings(guild_id))
        return await self._repo.review(guild_id, idea_id, IdeaStatus.NEW, None, self._clock.now(), approved, support)

    async def reject(self, guild_id: int, idea_id: int, reason: str, by: int) -> bool:
        """Turn down an idea that waited for review; its author is told why, privately. False if another staff
        member reviewed it first."""
        clean = build(Reason, reason=reason).reason
        idea = await self.get(guild_id, idea_id)
        rejected = [audit(by, "idea.reject", f"idea #{idea_id}", clean)]
        if idea.author_id > 0:
            rejected.append(direct_message(idea.author_id, "idea.rejected", title=idea.title, reason=clean))
        return await self._repo.review(guild_id, idea_id, IdeaStatus.REMOVED, clean, self._clock.now(), rejected)

    async def remove(self, guild_id: int, idea_id: int, reason: str, by: int) -> Idea:
        """Hide an abusive idea from the community: its post shows only the reason, its thread is renamed and
        archived, and its author is told in it; a line goes to the audit log."""
        clean = build(Reason, reason=reason).reason
        idea = await self.get(guild_id, idea_id)
        if idea.status == IdeaStatus.REMOVED:
            raise InvalidInput(_("Idea #{idea} is already removed.", idea=idea_id))
        intents = [refresh(idea_id), roadmap_render(guild_id), audit(by, "idea.remove", f"idea #{idea_id}", clean)]
        if idea.author_id > 0 and idea.anonymous:  # told privately: a ping in the thread would name them
            intents.append(direct_message(idea.author_id, "idea.removed", title=idea.title, reason=clean))
        elif idea.author_id > 0 and idea.thread_id is not None:  # in its thread, before the thread is archived
            intents.append(removal_notice(idea.thread_id, idea.author_id, "idea", clean, f"idea:{idea_id}"))
        intents.append(Intent(kind="idea.thread_closed", entity_id=idea_id))
        await self._repo.set_status(guild_id, idea_id, IdeaStatus.REMOVED, clean, self._clock.now(), intents)
        return await self.get(guild_id, idea_id)

    async def merge(
        self, guild_id: int, duplicate_id: int, target_id: int, reason: str | None, by: int
    ) -> tuple[Idea, Idea]:
        """Mark one idea a duplicate of another and move its votes; returns (duplicate, target)."""
        if duplicate_id == target_id:
            raise InvalidInput(_("An idea cannot be merged into itself."))
        clean = build(Reason, reason=reason).reason if reason else None
        duplicate, target = await self.get(guild_id, duplicate_id), await self.get(guild_id, target_id)
        if duplicate.status == IdeaStatus.DUPLICATE:
            raise InvalidInput(
                _("Idea #{idea} is already merged into #{into}.", idea=duplicate_id, into=duplicate.duplicate_of)
            )
        if target.status == IdeaStatus.DUPLICATE:
            raise InvalidInput(
                _(
                    "Idea #{idea} is itself merged into #{into}; merge into that.",
                    idea=target_id,
                    into=target.duplicate_of,
                )
            )
        intents = [
            refresh(duplicate_id),
            refresh(target_id),
            Intent(kind="idea.merged", entity_id=duplicate_id, payload={"into": target_id}),
            Intent(kind="idea.merged_in", entity_id=target_id, payload={"from": duplicate_id}),
            roadmap_render(guild_id),
            audit(by, "idea.merge", f"idea #{duplicate_id}", f"into #{target_id}" + (f": {clean}" if clean else "")),
        ]
        await self._repo.merge(guild_id, duplicate_id, target_id, clean, self._clock.now(), intents)
        return await self.get(guild_id, duplicate_id), await self.get(guild_id, target_id)

    async def credit(self, guild_id: int, idea_id: int, member_id: int, by: int) -> Idea:
        idea = await self.get(guild_id, idea_id)
        if idea.status != IdeaStatus.SHIPPED:
            raise InvalidInput(
                _(
                    "Idea #{idea} is {status}; credit members once it has shipped.",
                    idea=idea_id,
                    status=state_name(idea.status),
                )
            )
        credited = [refresh(idea_id), audit(by, "idea.credit", f"idea #{idea_id}", f"<@{member_id}>")]
        await self._repo.add_credit(guild_id, idea_id, member_id, self._clock.now(), credited)
        return await self.get(guild_id, idea_id)

    # -- reading -------------------------------------------------------------------------------------

    async def browse(self, guild_id: int, query: IdeaQuery) -> Page:
        period = PERIODS[query.period]
        ideas = await self._repo.browse(
            guild_id,
            sort=query.sort,
            limit=PAGE_SIZE + 1,
            offset=query.page * PAGE_SIZE,
            status=query.status,
            category=query.category,
            author_id=query.author_id,
            since=self._clock.now() - period if period else None,
        )
        return Page(ideas=tuple(ideas[:PAGE_SIZE]), has_next=len(ideas) > PAGE_SIZE)

    async def search(self, guild_id: int, words: str, page: int = 0) -> Page:
        terms = words_of(words)
        if not terms:
            raise InvalidInput(_("Search for at least one word."))
        ideas = await self._repo.search(guild_id, terms, PAGE_SIZE + 1, page * PAGE_SIZE)
        return Page(ideas=tuple(ideas[:PAGE_SIZE]), has_next=len(ideas) > PAGE_SIZE)

    async def suggest(self, guild_id: int, current: str) -> list[tuple[int, str]]:
        """Up to 25 ideas whose number or title matches what the member is typing (autocomplete)."""
        return await self._repo.suggest(guild_id, typed_so_far(current), SUGGESTIONS)

    async def leaderboard(self, guild_id: int, limit: int = 10) -> list[tuple[int, int, int]]:
        return await self._repo.leaderboard(guild_id, limit)

    async def set_notifications(self, guild_id: int, member_id: int, enabled: bool) -> None:
        await self._repo.set_notifications(guild_id, member_id, enabled)

    async def export_csv(self, guild_id: int) -> str:
        """Every idea as CSV; member text that a spreadsheet would run as a formula is neutralised."""
        header = ["id", "title", "description", "category", "status", "reason", "author_id", "upvotes", "downvotes",
                  "score", "duplicate_of", "credited", "created_at"]  # fmt: skip
        rows = (
            [i.id, i.title, i.description, i.category or "", i.status, i.status_reason or "", i.author_id, i.upvotes,
             i.downvotes, i.score, i.duplicate_of or "", " ".join(map(str, i.credited)), i.created_at.isoformat()]
            for i in await self._repo.all(guild_id)
        )  # fmt: skip
        return csv_text(header, rows)
