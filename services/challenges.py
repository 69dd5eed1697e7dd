"""Recurring themed challenges ("parades"): schedule, runs with entries and votes, winners, standings.

Misfire policy: a run may start up to `START_GRACE` late (the bot was offline at its time); later than that it is
skipped and logged, and the next run follows the schedule. Phase changes (voting, results) always happen, late if
need be, so no run is left open.
"""

import itertools
import random
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from pydantic import Field

from services.clock import Clock
from services.errors import InvalidInput, NotAllowed, NotFound
from services.i18n import N_, _, n_
from services.timeparse import parse_duration
from services.validation import SUGGESTIONS, Reason, build, typed_so_far
from services.wording import discord_time, in_words
from storage.base import ChallengeRepository, EntryRemoved, PhaseOver, VotesUsed
from storage.models import (
    Challenge,
    ChallengeDraft,
    Entry,
    EntryFile,
    Intent,
    Model,
    Phase,
    Rotation,
    Run,
    Winner,
    audit,
    known_timezone,
    removal_notice,
)

START_GRACE = timedelta(hours=1)
WIN_POINTS = 3
DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"
SCHEDULE_HELP = N_(
    "Schedule: use `daily 18:00`, `weekly fri 18:00` (or `weekly mon,thu 18:00`), `once 2026-12-01 18:00`, "
    "in Dutch `dagelijks 18:00`, `wekelijks vr 18:00`, `eenmalig 2026-12-01 18:00`, "
    "or a cron expression like `0 18 * * fri`."
)


class PreviewRun(Model):
    starts_at: datetime  # in the challenge's time zone
    theme: str
    skipped: bool


class EntryText(Model):
    text: str | None = Field(default=None, max_length=1000)
    link: str | None = Field(default=None, max_length=300, pattern=r"^https?://\S+$")


class Ballot(Model):
    """A voter's view of a run of `challenge`: its entries in their own order, and the entries they vote for."""

    challenge: Challenge
    run: Run
    entries: tuple[Entry, ...]
    mine: frozenset[int]

    @property
    def cap(self) -> int:
        """How many entries the member may vote for in the run."""
        return self.challenge.votes_per_member


def votes_used(cap: int) -> str:
    return n_(
        "You have used your {count} vote in this run; take one back first.",
        "You have used your {count} votes in this run; take one back first.",
        cap,
    )


class Standing(Model):
    member_id: int
    points: int
    entries: int
    wins: int
    streak: int


# Schedules may be typed in Dutch or English: "wekelijks vr 18:00" is "weekly fri 18:00".
SCHEDULE_WORDS = {
    "dagelijks": "daily", "wekelijks": "weekly", "eenmalig": "once",
    "ma": "mon", "maandag": "mon", "monday": "mon", "di": "tue", "dinsdag": "tue", "tuesday": "tue",
    "wo": "wed", "woensdag": "wed", "wednesday": "wed", "do": "thu", "donderdag": "thu", "thursday": "thu",
    "vr": "fri", "vrijdag": "fri", "friday": "fri", "za": "sat", "zaterdag": "sat", "saturday": "sat",
    "zo": "sun", "zondag": "sun", "sunday": "sun",
}  # fmt: skip


def make_trigger(schedule: str, timezone: str) -> BaseTrigger:
    """An APScheduler trigger in the challenge's time zone (so 18:00 stays 18:00 across daylight saving)."""
    words = re.sub(r"[a-z]+", lambda word: SCHEDULE_WORDS.get(word[0], word[0]), schedule.lower())
    text = " ".join(words.split())
    zone = ZoneInfo(known_timezone(timezone))
    try:
        if match := re.fullmatch(r"daily (\d{1,2}):(\d{2})", text):
            return CronTrigger(hour=match[1], minute=match[2], timezone=zone)
        if match := re.fullmatch(rf"weekly ({DAY}(?:,{DAY})*) (\d{{1,2}}):(\d{{2}})", text):
            return CronTrigger(day_of_week=match[1], hour=match[2], minute=match[3], timezone=zone)
        if match := re.fullmatch(r"once (\d{4}-\d{2}-\d{2} \d{1,2}:\d{2})", text):
            return DateTrigger(datetime.strptime(match[1], "%Y-%m-%d %H:%M").replace(tzinfo=zone))
        if len(text.split()) == 5:
            return CronTrigger.from_crontab(text, timezone=zone)
    except ValueError as error:
        raise InvalidInput(_("That schedule is not valid ({error}).", error=error) + " " + _(SCHEDULE_HELP)) from None
    raise InvalidInput(_(SCHEDULE_HELP))


def fire_times(trigger: BaseTrigger, now: datetime, count: int) -> list[datetime]:
    """The next `count` times `trigger` fires, from `now` on (a `once` trigger whose time has passed has none)."""
    times: list[datetime] = []
    previous = None
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, now if previous is None else previous)
        if fire is None or fire < now or (previous is not None and fire <= previous):
            break
        times.append(fire)
        previous = fire
    return times


def lane(run_id: int) -> str:
    """A run's posts go out in order: the call to vote before its entries."""
    return f"challenge:{run_id}"


def entry_render(run_id: int, entry_id: int | None = None) -> Intent:
    """Show the entry's stored state (its vote button, its author) on its post; without an id, every entry's."""
    return Intent(kind="challenge.entry_render", entity_id=entry_id, lane=lane(run_id), render=True)


def theme_for(challenge: Challenge, number: int) -> str:
    """Run `number`'s theme: the next in order, or a random pick fixed per run (so previews are exact)."""
    if challenge.rotation == Rotation.RANDOM:
        return random.Random(f"{challenge.id}:{number}").choice(challenge.themes)
    return challenge.themes[(number - 1) % len(challenge.themes)]


def minutes(value: str, what: str) -> int:
    duration = parse_duration(value)
    if duration is None:
        raise InvalidInput(_("{what}: use a duration like 45m, 2h or 3d.", what=what))
    return int(duration.total_seconds() // 60)


class ChallengeService:
    def __init__(self, repository: ChallengeRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock
        self._triggers: dict[tuple[str, str], BaseTrigger] = {}
        self._next_fires: dict[tuple[str, str], tuple[datetime, datetime]] = {}  # see `next_due`

    async def suggest(self, guild_id: int, current: str) -> list[tuple[int, str]]:
        """Up to 25 challenges whose number or text matches what the member is typing (autocomplete)."""
        return await self._repo.suggest(guild_id, typed_so_far(current), SUGGESTIONS)

    # -- schedules -----------------------------------------------------------------------------------

    def _validate(self, draft: ChallengeDraft) -> None:
        trigger = make_trigger(draft.schedule, draft.timezone)
        now = self._clock.now()
        upcoming = [when for when in fire_times(trigger, now, 12) if when > now]
        if not upcoming:
            raise InvalidInput(_("That schedule never comes round again; pick a time in the future."))
        cycle = timedelta(minutes=draft.entry_minutes + draft.voting_minutes)
        gaps = [later - earlier for earlier, later in itertools.pairwise(upcoming)]
        if gaps and min(gaps) < cycle:
            raise InvalidInput(
                _(
                    "Runs would overlap: they start {gap} apart, but entries and voting take {cycle}. "
                    "Shorten the windows or run less often.",
                    gap=in_words(min(gaps)),
                    cycle=in_words(cycle),
                )
            )

    async def schedule(
        self,
        guild_id: int,
        created_by: int,
        *,
        name: str,
        themes: str,
        rotation: Rotation,
        schedule: str,
        timezone: str,
        channel_id: int,
        entry_window: str,
        voting_window: str,
        prize: str | None,
        votes_per_member: int = 1,
    ) -> Challenge:
        """`themes` are separated by "|"; windows are durations like 2d or 12h."""
        draft = build(
            ChallengeDraft,
            name=name,
            themes=tuple(t.strip() for t in themes.split("|") if t.strip()),
            rotation=rotation,
            schedule=" ".join(schedule.lower().split()),
            timezone=timezone,
            channel_id=channel_id,
            entry_minutes=minutes(entry_window, _("Entry window")),
            voting_minutes=minutes(voting_window, _("Voting window")),
            prize=prize,
            votes_per_member=votes_per_member,
        )
        self._validate(draft)
        challenge_id = await self._repo.create(guild_id, created_by, draft, self._clock.now())
        return await self.get(guild_id, challenge_id)

    async def edit(self, guild_id: int, challenge_id: int, **changes: str | int | None) -> Challenge:
        """Change any of: name, themes, rotation, schedule, timezone, entry_window, voting_window, prize,
        votes_per_member."""
        current = await self.get(guild_id, challenge_id)
        data = current.model_dump(include=set(ChallengeDraft.model_fields))
        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            raise InvalidInput(_("Pass at least one thing to change."))
        if "themes" in given:
            data["themes"] = tuple(t.strip() for t in given.pop("themes").split("|") if t.strip())  # type: ignore[union-attr]
        if "entry_window" in given:
            data["entry_minutes"] = minutes(given.pop("entry_window"), _("Entry window"))  # type: ignore[arg-type]
        if "voting_window" in given:
            data["voting_minutes"] = minutes(given.pop("voting_window"), _("Voting window"))  # type: ignore[arg-type]
        draft = build(ChallengeDraft, **(data | given))
        self._validate(draft)
        await self._repo.update(guild_id, challenge_id, draft)
        return await self.get(guild_id, challenge_id)

    async def get(self, guild_id: int, challenge_id: int) -> Challenge:
        challenge = await self._repo.get(guild_id, challenge_id)
        if challenge is None:
            raise NotFound(_("There is no challenge #{challenge} in this server.", challenge=challenge_id))
        return challenge

    async def all(self, guild_id: int | None = None) -> list[Challenge]:
        return await self._repo.all(guild_id)

    def trigger(self, challenge: Challenge) -> BaseTrigger:
        """The challenge's trigger; triggers hold no state, so challenges that share a schedule share one (building
        a cron trigger is the largest cost of rebuilding thousands of jobs at start-up)."""
        key = (challenge.schedule, challenge.timezone)
        if key not in self._triggers:
            self._triggers[key] = make_trigger(*key)
        return self._triggers[key]

    def next_due(self, challenge: Challenge) -> datetime | None:
        """The first run time after the job last fired: in the past if it fell while the bot was offline.

        Challenges that share a schedule mostly last fired between the same two of its fire times, so the answer
        for one (`since`, `fire`) pair holds for every `since <= after <= fire`: the rebuild at start-up computes
        each schedule's next time once instead of once per challenge.
        """
        after = challenge.last_fire_at + timedelta(seconds=1)
        key = (challenge.schedule, challenge.timezone)
        known = self._next_fires.get(key)
        if known is not None and known[0] <= after <= known[1]:
            return known[1]
        upcoming = fire_times(self.trigger(challenge), after, 1)
        if not upcoming:
            return None
        self._next_fires[key] = (after, upcoming[0])
        return upcoming[0]

    async def preview(self, guild_id: int, challenge_id: int, count: int = 5) -> list[PreviewRun]:
        challenge = await self.get(guild_id, challenge_id)
        zone = ZoneInfo(challenge.timezone)
        runs, number = [], challenge.runs_started
        for when in fire_times(self.trigger(challenge), self._clock.now(), count):
            skipped = challenge.skip_until is not None and when <= challenge.skip_until
            if not skipped:
                number += 1
            theme = "skipped" if skipped else theme_for(challenge, number)
            runs.append(PreviewRun(starts_at=when.astimezone(zone), theme=theme, skipped=skipped))
        return runs

    async def pause(self, guild_id: int, challenge_id: int, paused: bool) -> Challenge:
        challenge = await self.get(guild_id, challenge_id)
        if challenge.paused == paused:
            raise InvalidInput(
                _("Challenge #{challenge} is already paused.", challenge=challenge_id)
                if paused
                else _("Challenge #{challenge} is already running.", challenge=challenge_id)
            )
        await self._repo.set_paused(guild_id, challenge_id, paused)
        if not paused:  # runs that fell during the pause stay skipped
            await self._repo.mark_fired(guild_id, challenge_id, self._clock.now())
        return await self.get(guild_id, challenge_id)

    async def skip_next(self, guild_id: int, challenge_id: int) -> datetime:
        """Skip the next run (its theme moves to the run after); returns when the skipped run was due."""
        challenge = await self.get(guild_id, challenge_id)
        after = self._clock.now()
        if challenge.skip_until is not None:  # skipping again skips the run after the one already skipped
            after = max(after, challenge.skip_until + timedelta(seconds=1))
        upcoming = fire_times(self.trigger(challenge), after, 1)
        if not upcoming:
            raise InvalidInput(_("Challenge #{challenge} has no run left to skip.", challenge=challenge_id))
        await self._repo.set_skip_until(guild_id, challenge_id, upcoming[0])
        return upcoming[0]

    async def delete(self, guild_id: int, challenge_id: int, by: int) -> Challenge:
        challenge = await self.get(guild_id, challenge_id)
        deleted = audit(by, "challenge.delete", f"challenge #{challenge_id}", challenge.name)
        await self._repo.delete(guild_id, challenge_id, self._clock.now(), [deleted])
        return challenge

    # -- runs ----------------------------------------------------------------------------------------

    async def start_run(self, guild_id: int, challenge_id: int) -> tuple[Challenge, Run] | None:
        """Start the run that is due now; None when paused, skipped, deleted or started already."""
        challenge = await self._repo.get(guild_id, challenge_id)
        if challenge is None:
            return None
        now = self._clock.now()
        due = self.next_due(challenge)
        if due is None or due > now:
            return None  # the job fired again after its run started (another process, or across a restart)
        if challenge.paused or (challenge.skip_until is not None and now <= challenge.skip_until + START_GRACE):
            await self._repo.mark_fired(guild_id, challenge_id, now)
            if not challenge.paused:
                await self._repo.set_skip_until(guild_id, challenge_id, None)
            return None
        starts = now.replace(second=0, microsecond=0)
        entries_close = starts + timedelta(minutes=challenge.entry_minutes)
        voting_close = entries_close + timedelta(minutes=challenge.voting_minutes)
        theme = theme_for(challenge, challenge.runs_started + 1)
        started = [Intent(kind="challenge.started")]
        run_id = await self._repo.start_run(challenge, theme, starts, entries_close, voting_close, started)
        if run_id is None:
            return None
        return challenge, await self.run(guild_id, run_id)

    async def run(self, guild_id: int, run_id: int) -> Run:
        run = await self._repo.run(guild_id, run_id)
        if run is None:
            raise NotFound(_("There is no challenge run #{run} in this server.", run=run_id))
        return run

    async def unfinished_runs(self, guild_id: int | None = None) -> list[Run]:
        return await self._repo.unfinished_runs(guild_id)

    async def open_voting(self, guild_id: int, run_id: int) -> tuple[Run, list[Entry]] | None:
        """Close entries and show each entry for voting (the posts follow through the delivery worker)."""
        header = Intent(kind="challenge.voting", entity_id=run_id)
        entry = Intent(kind="challenge.entry", lane=lane(run_id))
        if not await self._repo.move(
            guild_id, run_id, Phase.ENTRIES, Phase.VOTING, self._clock.now(), [header], per_entry=entry
        ):
            return None
        return await self.run(guild_id, run_id), await self._repo.entries(guild_id, run_id)

    async def finish(self, guild_id: int, run_id: int) -> bool:
        """Close voting and record the winners (everyone tied on the most votes), announced with the close, and
        close every entry's vote button; False if already finished."""
        announce = Intent(kind="challenge.winners", entity_id=run_id)
        ballots_closed = Intent(kind="challenge.voting_closed", entity_id=run_id)  # in the call to vote's lane
        return await self._repo.move(
            guild_id,
            run_id,
            Phase.VOTING,
            Phase.FINISHED,
            self._clock.now(),
            [ballots_closed, announce],
            per_entry=entry_render(run_id),
        )

    async def winners(self, guild_id: int, run_id: int) -> list[tuple[Entry, int]]:
        """The recorded winners of a finished run with their votes."""
        entries = {e.id: e for e in await self._repo.entries(guild_id, run_id)}
        return [(entries[entry_id], votes) for entry_id, votes in await self._repo.winners(guild_id, run_id)]

    async def entries(self, guild_id: int, run_id: int) -> list[Entry]:
        return await self._repo.entries(guild_id, run_id)

    async def entry(self, guild_id: int, entry_id: int) -> Entry:
        entry = await self._repo.entry(guild_id, entry_id)
        if entry is None:
            raise NotFound(_("That entry does not exist."))
        return entry

    async def entry_file(self, guild_id: int, entry_id: int) -> bytes | None:
        return await self._repo.entry_file(guild_id, entry_id)

    async def attach_voting_message(self, run: Run, message_id: int) -> None:
        await self._repo.set_voting_message(run.guild_id, run.id, message_id)

    async def attach_entry_message(self, entry: Entry, message_id: int) -> None:
        await self._repo.set_entry_message(entry.guild_id, entry.id, message_id)

    # -- members -------------------------------------------------------------------------------------

    async def enter(
        self,
        guild_id: int,
        challenge_id: int | None,
        member_id: int,
        text: str | None,
        file: EntryFile | None,
        link: str | None,
    ) -> tuple[Run, bool]:
        """Store (or replace) the member's entry in the run taking entries; returns (run, replaced)."""
        clean = build(EntryText, text=text or None, link=link or None)
        if not (clean.text or file or clean.link):
            raise InvalidInput(_("An entry needs some text, an attachment or a link."))
        now = self._clock.now()
        open_runs = [
            r
            for r in await self._repo.unfinished_runs(guild_id)
            if r.phase == Phase.ENTRIES and (challenge_id is None or r.challenge_id == challenge_id)
        ]
        if not open_runs:
            raise InvalidInput(_("No challenge is taking entries right now."))
        if len(open_runs) > 1:
            raise InvalidInput(_("Several challenges take entries; say which one with `challenge`."))
        run = open_runs[0]
        if now >= run.entries_close_at:
            raise InvalidInput(_("Entries for this run have closed."))
        try:
            _entry, replaced = await self._repo.save_entry(run, member_id, clean.text, file, clean.link, now)
        except PhaseOver:
            raise InvalidInput(_("Entries for this run have closed.")) from None
        return run, replaced

    async def remove_entry(self, guild_id: int, entry_id: int, reason: str, by: int) -> Entry:
        """Remove an entry: its content, votes and any win are gone, its post shows only why, its author is told,
        and a line goes to the audit log."""
        clean = build(Reason, reason=reason).reason
        entry = await self.entry(guild_id, entry_id)
        run = await self.run(guild_id, entry.run_id)
        challenge = await self.get(guild_id, run.challenge_id)
        intents = [entry_render(run.id, entry_id), audit(by, "entry.remove", f"entry #{entry_id}", clean)]
        if entry.member_id > 0:
            intents.append(removal_notice(challenge.channel_id, entry.member_id, "entry", clean, lane(run.id)))
        if not await self._repo.remove_entry(guild_id, entry_id, clean, self._clock.now(), intents):
            raise InvalidInput(_("Entry #{entry} is already removed.", entry=entry_id))
        return await self.entry(guild_id, entry_id)

    def _check_voting(self, run: Run) -> None:
        if run.phase == Phase.ENTRIES:
            when = discord_time(run.entries_close_at, "R")
            raise InvalidInput(_("Voting for this run opens when entries close, {when}.", when=when))
        if run.phase != Phase.VOTING or self._clock.now() >= run.voting_close_at:
            raise InvalidInput(_("Voting for this run is closed."))

    async def vote(self, guild_id: int, entry_id: int, member_id: int) -> tuple[Entry, bool, int]:
        """Vote for an entry, or take the vote back (the same click again); returns the entry, whether the vote
        counts, and the run's votes per member. With one vote per member the vote moves; with more, a vote past
        the cap is refused."""
        entry = await self.entry(guild_id, entry_id)
        if entry.removed_reason is not None:
            raise InvalidInput(_("Entry #{entry} was removed.", entry=entry_id))
        run = await self.run(guild_id, entry.run_id)
        self._check_voting(run)
        if entry.member_id == member_id:
            raise NotAllowed(_("You cannot vote for your own entry."))
        cap = (await self.get(guild_id, run.challenge_id)).votes_per_member
        try:
            return entry, await self._repo.toggle_vote(run, member_id, entry_id, self._clock.now(), cap), cap
        except PhaseOver:
            raise InvalidInput(_("Voting for this run is closed.")) from None
        except EntryRemoved:
            raise InvalidInput(_("Entry #{entry} was removed.", entry=entry_id)) from None
        except VotesUsed:
            raise InvalidInput(votes_used(cap)) from None

    async def ballot(self, guild_id: int, run_id: int, member_id: int) -> Ballot:
        """The run's entries for this voter, in their own shuffled order (the same each time they look), without
        their own entry or removed ones, with the entries they vote for now."""
        run = await self.run(guild_id, run_id)
        self._check_voting(run)
        shown = await self._repo.entries(guild_id, run_id)
        entries = [e for e in shown if e.member_id != member_id and e.removed_reason is None]
        random.Random(f"{run_id}:{member_id}").shuffle(entries)
        challenge = await self.get(guild_id, run.challenge_id)
        mine = await self._repo.votes_of(run, member_id)
        return Ballot(challenge=challenge, run=run, entries=tuple(entries), mine=frozenset(mine))

    async def cast(self, guild_id: int, run_id: int, member_id: int, entry_ids: set[int]) -> Ballot:
        """Make the member's votes in the run exactly `entry_ids`, as picked on their ballot."""
        ballot = await self.ballot(guild_id, run_id, member_id)
        if not entry_ids <= {e.id for e in ballot.entries}:
            raise InvalidInput(_("That entry is not on your ballot: not your own, nor a removed one."))
        try:
            await self._repo.cast_ballot(ballot.run, member_id, entry_ids, ballot.cap, self._clock.now())
        except PhaseOver:
            raise InvalidInput(_("Voting for this run is closed.")) from None
        except EntryRemoved as removed:
            raise InvalidInput(_("Entry #{entry} was removed.", entry=removed.args[0])) from None
        except VotesUsed:
            raise InvalidInput(votes_used(ballot.cap)) from None
        return ballot.model_copy(update={"mine": frozenset(entry_ids)})

    async def hall_of_fame(self, guild_id: int, limit: int = 15) -> list[Winner]:
        return await self._repo.hall_of_fame(guild_id, limit)

    async def leaderboard(self, guild_id: int, limit: int = 10) -> list[Standing]:
        """Points (1 per entry, 3 per win) and current streak of consecutive runs entered, per member.

        A run still taking entries does not break a streak until the next run starts."""
        latest: dict[int, int] = {}
        entered: dict[int, dict[int, set[int]]] = {}
        for challenge_id, number, member_id, runs_started in await self._repo.participation(guild_id):
            latest[challenge_id] = runs_started
            entered.setdefault(member_id, {}).setdefault(challenge_id, set()).add(number)
        wins = await self._repo.wins(guild_id)
        standings = []
        for member_id, by_challenge in entered.items():
            streak = 0
            for challenge_id, numbers in by_challenge.items():
                number = latest[challenge_id]
                number -= number not in numbers
                length = 0
                while number in numbers:
                    length, number = length + 1, number - 1
                streak = max(streak, length)
            count = sum(len(n) for n in by_challenge.values())
            won = wins.get(member_id, 0)
            standings.append(
                Standing(member_id=member_id, points=count + WIN_POINTS * won, entries=count, wins=won, streak=streak)
            )
        return sorted(standings, key=lambda s: (-s.points, -s.streak, s.member_id))[:limit]
