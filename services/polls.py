"""Polls: create, vote (one ballot per member, changeable while open), results, close, export."""

import secrets
from collections.abc import Sequence
from datetime import timedelta

from services.clock import Clock
from services.errors import InvalidInput, NotAllowed, NotFound
from services.i18n import _, n_
from services.ideas import refresh as refresh_idea
from services.permissions import Actor, is_moderator
from services.spreadsheet import csv_text
from services.timeparse import parse_when
from services.validation import SUGGESTIONS, build, typed_so_far
from storage.base import BallotFull, PollClosed, PollRepository
from storage.models import GuildSettings, Intent, Model, Poll, PollDraft, PollResults, audit

MAX_OPEN_FOR = timedelta(days=90)
ANONYMOUS_BATCH = 5  # an anonymous poll's live results change only after this many ballot changes


class BallotOutcome(Model):
    poll: Poll
    choices: tuple[int, ...]


def refresh(poll_id: int) -> Intent:
    """Show the poll's stored state on its public message (coalesced: one edit per interval)."""
    return Intent(kind="poll.render", entity_id=poll_id, render=True)


class PollService:
    def __init__(self, repository: PollRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def suggest(self, guild_id: int, current: str) -> list[tuple[int, str]]:
        """Up to 25 polls whose number or text matches what the member is typing (autocomplete)."""
        return await self._repo.suggest(guild_id, typed_so_far(current), SUGGESTIONS)

    async def create(
        self,
        guild_id: int,
        channel_id: int,
        creator_id: int,
        question: str,
        options: str | Sequence[str],
        *,
        max_choices: int = 1,
        anonymous: bool = False,
        voter_role_id: int | None = None,
        closes: str | None = None,
        timezone: str = "UTC",
        ideas: Sequence[int] = (),
    ) -> Poll:
        """Validate and store a poll; `options` are separated by "|" (or are given whole, for a poll made from
        `ideas`, one option each)."""
        labels = (
            [label.strip() for label in options.split("|") if label.strip()]
            if isinstance(options, str)
            else list(options)
        )
        if not 2 <= len(labels) <= 10:
            raise InvalidInput(_('A poll needs 2 to 10 options separated by "|"; you gave {count}.', count=len(labels)))
        now = self._clock.now()
        draft = build(
            PollDraft,
            question=question,
            options=tuple(labels),
            max_choices=max_choices,
            anonymous=anonymous,
            voter_role_id=voter_role_id,
            closes_at=parse_when(closes, timezone, now, what=_("The closing time"), at_most=MAX_OPEN_FOR)
            if closes
            else None,
        )
        salt = secrets.token_hex(16) if anonymous else None
        poll_id = await self._repo.create(
            guild_id,
            channel_id,
            creator_id,
            draft,
            salt,
            now,
            intents=[Intent(kind="poll.publish", payload={"channel_id": channel_id})],
            ideas=ideas,
        )
        return await self.get(guild_id, poll_id)

    async def ideas(self, guild_id: int, poll_id: int) -> list[int]:
        return await self._repo.ideas(guild_id, poll_id)

    async def attach_message(self, poll: Poll, message_id: int) -> None:
        await self._repo.attach_message(poll.guild_id, poll.id, message_id)

    async def get(self, guild_id: int, poll_id: int) -> Poll:
        poll = await self._repo.get(guild_id, poll_id)
        if poll is None:
            raise NotFound(_("There is no poll #{poll} in this server.", poll=poll_id))
        return poll

    async def vote(self, guild_id: int, poll_id: int, actor: Actor, option: int) -> BallotOutcome:
        """Toggle `option` in the member's ballot (single choice: replace it)."""
        poll = await self.get(guild_id, poll_id)
        if not poll.is_open or (poll.closes_at and poll.closes_at <= self._clock.now()):
            raise InvalidInput(_("Poll #{poll} is closed.", poll=poll.id))
        if poll.voter_role_id is not None and poll.voter_role_id not in actor.role_ids:
            raise NotAllowed(
                _("Only members with the {role} role can vote in this poll.", role=f"<@&{poll.voter_role_id}>")
            )
        if not 0 <= option < len(poll.options):
            raise InvalidInput(_("That option does not exist."))
        key = await self._repo.voter_key(guild_id, poll_id, actor.user_id)
        try:
            ballot = await self._repo.set_ballot(
                guild_id, poll_id, key, option, poll.max_choices, self._clock.now(), intents=[refresh(poll_id)]
            )
        except BallotFull as full:
            raise InvalidInput(
                n_(
                    "You can pick at most {count} option. Click your choice to remove it first.",
                    "You can pick at most {count} options. Click one of your choices to remove it first.",
                    full.max_choices,
                )
            ) from None
        except PollClosed:
            raise InvalidInput(_("Poll #{poll} is closed.", poll=poll.id)) from None
        return BallotOutcome(poll=poll, choices=tuple(ballot))

    async def results(self, guild_id: int, poll_id: int) -> PollResults:
        poll = await self.get(guild_id, poll_id)
        counts, ballots = await self._repo.counts(guild_id, poll_id)
        voters: tuple[tuple[int, ...], ...] = ()
        if not poll.anonymous:
            pairs = await self._repo.voters(guild_id, poll_id)
            voters = tuple(tuple(m for o, m in pairs if o == i) for i in range(len(poll.options)))
        return PollResults(
            poll=poll, counts=tuple(counts.get(i, 0) for i in range(len(poll.options))), ballots=ballots, voters=voters
        )

    async def close(
        self, guild_id: int, poll_id: int, announce_in: int | None = None, by: int | None = None
    ) -> PollResults | None:
        """Close the poll (early, when a member `by` closes it) and announce its results in `announce_in` (the
        announcements channel), or else in the poll's own channel; returns the final results, or None if it was
        already closed."""
        poll = await self.get(guild_id, poll_id)
        decided = await self._repo.ideas(guild_id, poll_id)  # a poll made from ideas records its result on each
        closing = [
            refresh(poll_id),
            *(
                Intent(kind="idea.poll_result", entity_id=idea_id, payload={"poll": poll_id, "option": option})
                for option, idea_id in enumerate(decided)
            ),
            *(refresh_idea(idea_id) for idea_id in decided),  # its post shows the result too
            Intent(kind="poll.results", entity_id=poll_id, payload={"channel_id": announce_in or poll.channel_id}),
            *([audit(by, "poll.close", f"poll #{poll_id}")] if by is not None else []),
        ]
        if not await self._repo.close(guild_id, poll_id, self._clock.now(), intents=closing):
            return None
        return await self.results(guild_id, poll_id)

    async def close_early(self, guild_id: int, poll_id: int, actor: Actor, settings: GuildSettings) -> PollResults:
        poll = await self.get(guild_id, poll_id)
        if actor.user_id != poll.creator_id and not is_moderator(actor, settings):
            raise NotAllowed(_("Only the poll's creator or a moderator can close it."))
        results = await self.close(guild_id, poll_id, settings.announcements_channel_id, by=actor.user_id)
        if results is None:
            raise InvalidInput(_("Poll #{poll} is already closed.", poll=poll_id))
        return results

    def show_live(self, poll: Poll) -> bool:
        """Whether the public message may show the current counts now.

        An anonymous poll's counts change in batches of at least `ANONYMOUS_BATCH` ballot changes, so that
        watching the message cannot tell how one member voted; closed and public polls always show them.
        """
        return not (poll.anonymous and poll.is_open) or poll.unshown_changes >= ANONYMOUS_BATCH

    async def shown(self, poll: Poll) -> None:
        await self._repo.shown(poll.guild_id, poll.id, poll.unshown_changes)

    async def open_polls(self, guild_id: int | None = None) -> list[Poll]:
        return await self._repo.open_polls(guild_id)

    async def export_csv(self, guild_id: int, poll_id: int) -> str:
        """Public polls: one row per vote with the voter; anonymous polls: counts only, never a voter."""
        results = await self.results(guild_id, poll_id)
        options = list(enumerate(results.poll.options))
        if results.poll.anonymous:
            return csv_text(["option", "label", "votes"], ([i + 1, label, results.counts[i]] for i, label in options))
        rows = ([i + 1, label, member] for i, label in options for member in results.voters[i])
        return csv_text(["option", "label", "voter_id"], rows)
