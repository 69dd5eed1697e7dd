"""The challenge service on a real SQLite file, with a clock the test moves: standings, pause, skip, delete."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.challenges import ChallengeService
from services.clock import ManualClock
from services.errors import InvalidInput, NotFound
from storage import Storage
from storage.models import Challenge, Rotation, Run

GUILD, OTHER = 1, 2
W, X, Y, V, Z = 101, 102, 103, 104, 105
NEWCOMERS = list(range(200, 208))  # eight members who entered only the latest run


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def challenges(storage: Storage, clock: ManualClock) -> ChallengeService:
    return ChallengeService(storage.challenges, clock)


async def daily(challenges: ChallengeService, guild_id: int = GUILD, schedule: str = "daily 18:00") -> Challenge:
    return await challenges.schedule(
        guild_id,
        1,
        name="Moustache parade",
        themes="Curly|Handlebar",
        rotation=Rotation.ORDER,
        schedule=schedule,
        timezone="UTC",
        channel_id=9,
        entry_window="1h",
        voting_window="1h",
        prize=None,
    )


async def start(challenges: ChallengeService, clock: ManualClock, challenge: Challenge, *members: int) -> Run:
    """Move the clock to the next 18:00, start the run and enter `members`."""
    now = clock.now()
    due = now.replace(hour=18, minute=0)
    clock.advance(due - now if due > now else due + timedelta(days=1) - now)
    started = await challenges.start_run(challenge.guild_id, challenge.id)
    assert started is not None
    _, run = started
    for member in members:
        await challenges.enter(challenge.guild_id, challenge.id, member, f"entry of {member}", None, None)
    return run


async def finish(
    challenges: ChallengeService, clock: ManualClock, run: Run, votes: dict[int, int] | None = None
) -> None:
    """Open voting, cast `votes` (voter -> author of the entry voted for) and close the run."""
    clock.advance(timedelta(hours=1))
    opened = await challenges.open_voting(run.guild_id, run.id)
    assert opened is not None
    by_author = {entry.member_id: entry for entry in opened[1]}
    for voter, author in (votes or {}).items():
        await challenges.vote(run.guild_id, by_author[author].id, voter)
    clock.advance(timedelta(hours=1))
    assert await challenges.finish(run.guild_id, run.id)
    assert not await challenges.finish(run.guild_id, run.id), "a run finishes once"


async def test_leaderboard_counts_points_and_streaks_and_ranks_ties_by_streak(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    parade = await daily(challenges)
    elsewhere = await daily(challenges, OTHER)
    await finish(challenges, clock, await start(challenges, clock, elsewhere, W, X))
    await finish(challenges, clock, await start(challenges, clock, parade, W, Y, Z), votes={X: W})
    await finish(challenges, clock, await start(challenges, clock, parade, X, Y))
    await finish(challenges, clock, await start(challenges, clock, parade, X, Y, Z, V))
    await start(challenges, clock, parade, X, V, *NEWCOMERS)  # run 4 still takes entries: Y's streak holds

    board = {s.member_id: (s.points, s.entries, s.wins, s.streak) for s in await challenges.leaderboard(GUILD, 20)}
    assert board[W] == (1 + 3, 1, 1, 0), "one entry and one win, long ago: no streak"
    assert board[X] == (3, 3, 0, 3)
    assert board[Y] == (3, 3, 0, 3), "run 4 is still open, so missing it does not break the streak yet"
    assert board[V] == (2, 2, 0, 2)
    assert board[Z] == (2, 2, 0, 1)
    assert board[NEWCOMERS[0]] == (1, 1, 0, 1)

    ranked = [s.member_id for s in await challenges.leaderboard(GUILD)]
    assert ranked[:5] == [W, X, Y, V, Z], "points first, then the longer streak, then the member id"
    assert len(ranked) == 10, "ten by default"
    assert {s.member_id for s in await challenges.leaderboard(OTHER)} == {W, X}, "each server has its own board"


async def test_every_member_tied_on_the_most_votes_wins_and_the_hall_of_fame_shows_fifteen(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    parade = await daily(challenges)
    members = list(range(300, 317))  # 17 members, each voted for once: all tied
    run = await start(challenges, clock, parade, *members)
    await finish(challenges, clock, run, votes={m: members[(i + 1) % len(members)] for i, m in enumerate(members)})
    assert len(await challenges.winners(GUILD, run.id)) == 17
    assert len(await challenges.hall_of_fame(GUILD)) == 15
    assert await challenges.hall_of_fame(OTHER) == []


async def test_pausing_twice_or_resuming_a_running_challenge_says_so(challenges: ChallengeService) -> None:
    parade = await daily(challenges)
    with pytest.raises(InvalidInput, match=rf"^Challenge #{parade.id} is already running\.$"):
        await challenges.pause(GUILD, parade.id, False)
    assert (await challenges.pause(GUILD, parade.id, True)).paused
    with pytest.raises(InvalidInput, match=rf"^Challenge #{parade.id} is already paused\.$"):
        await challenges.pause(GUILD, parade.id, True)


async def test_a_skipped_run_is_not_started_and_the_one_after_is(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    parade = await daily(challenges)
    skipped = await challenges.skip_next(GUILD, parade.id)
    assert skipped == datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    clock.advance(skipped - clock.now())
    assert await challenges.start_run(GUILD, parade.id) is None
    assert (await challenges.get(GUILD, parade.id)).skip_until is None, "the skip is used up"
    run = await start(challenges, clock, parade)
    assert (run.number, run.theme) == (1, "Curly"), "the skipped run's theme moves to the next"


async def test_skipping_again_skips_the_run_after_and_a_once_challenge_has_one_to_skip(
    challenges: ChallengeService,
) -> None:
    parade = await daily(challenges)
    assert await challenges.skip_next(GUILD, parade.id) == datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    assert await challenges.skip_next(GUILD, parade.id) == datetime(2026, 5, 2, 18, 0, tzinfo=UTC)
    once = await daily(challenges, schedule="once 2026-05-01 18:00")
    await challenges.skip_next(GUILD, once.id)
    with pytest.raises(InvalidInput, match=rf"^Challenge #{once.id} has no run left to skip\.$"):
        await challenges.skip_next(GUILD, once.id)


async def test_delete_removes_only_that_servers_challenge(challenges: ChallengeService) -> None:
    ours, theirs = await daily(challenges), await daily(challenges, OTHER)
    with pytest.raises(NotFound):
        await challenges.delete(OTHER, ours.id, by=1)
    assert (await challenges.delete(GUILD, ours.id, by=1)).id == ours.id
    with pytest.raises(NotFound):
        await challenges.get(GUILD, ours.id)
    assert [c.id for c in await challenges.all()] == [theirs.id]


async def test_a_second_vote_takes_it_back_and_voting_ends_exactly_at_the_close(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    parade = await daily(challenges)
    run = await start(challenges, clock, parade, W, X)
    clock.advance(timedelta(hours=1))
    opened = await challenges.open_voting(GUILD, run.id)
    assert opened is not None
    entry_of_w = next(entry for entry in opened[1] if entry.member_id == W)
    assert (await challenges.vote(GUILD, entry_of_w.id, X))[1] is True
    assert (await challenges.vote(GUILD, entry_of_w.id, X))[1] is False, "clicking again takes the vote back"
    clock.advance(run.voting_close_at - clock.now())
    with pytest.raises(InvalidInput, match=r"^Voting for this run is closed\.$"):
        await challenges.vote(GUILD, entry_of_w.id, X)


async def test_with_two_challenges_taking_entries_the_member_says_which_and_entries_end_at_the_close(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    parade, photos = await daily(challenges), await daily(challenges, schedule="daily 18:30")
    await start(challenges, clock, parade)
    clock.advance(timedelta(minutes=30))
    started = await challenges.start_run(GUILD, photos.id)
    assert started is not None
    with pytest.raises(InvalidInput, match=r"^Several challenges take entries; say which one with `challenge`\.$"):
        await challenges.enter(GUILD, None, X, "A walrus", None, None)
    run, replaced = await challenges.enter(GUILD, photos.id, X, None, None, "https://example.com/walrus.jpg")
    assert (run.challenge_id, replaced) == (photos.id, False)
    [entry] = await challenges.entries(GUILD, run.id)
    assert entry.link == "https://example.com/walrus.jpg"
    clock.advance(run.entries_close_at - clock.now())
    with pytest.raises(InvalidInput, match=r"^Entries for this run have closed\.$"):
        await challenges.enter(GUILD, photos.id, Y, "Too late", None, None)


async def test_a_run_fired_twice_at_once_starts_once(challenges: ChallengeService, clock: ManualClock) -> None:
    """Two processes firing the same job (one restarting while the other still runs) start one run."""
    parade = await daily(challenges)
    clock.advance(timedelta(hours=6))
    started = await asyncio.gather(*(challenges.start_run(GUILD, parade.id) for _ in range(3)))
    assert sum(s is not None for s in started) == 1
    assert (await challenges.get(GUILD, parade.id)).runs_started == 1


async def test_a_job_fired_again_after_its_run_started_starts_nothing(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    """A second firing that reads the challenge after the first run was stored (a process restarting beside the
    one that started it) finds no run due: only the next fire time starts the next run."""
    parade = await daily(challenges)
    clock.advance(timedelta(hours=6))
    assert await challenges.start_run(GUILD, parade.id) is not None
    clock.advance(timedelta(seconds=30))
    assert await challenges.start_run(GUILD, parade.id) is None
    assert (await challenges.get(GUILD, parade.id)).runs_started == 1
    clock.advance(timedelta(days=1))
    assert await challenges.start_run(GUILD, parade.id) is not None


async def test_challenges_sharing_a_schedule_each_keep_their_own_next_run(
    challenges: ChallengeService, clock: ManualClock
) -> None:
    waiting = await daily(challenges, guild_id=GUILD + 1)  # its 18:00 run has not started yet
    parade = await daily(challenges)
    clock.advance(timedelta(hours=6))
    assert await challenges.start_run(GUILD, parade.id) is not None
    today = clock.now().replace(minute=0, second=0, microsecond=0)
    assert challenges.next_due(await challenges.get(GUILD, parade.id)) == today + timedelta(days=1)
    assert challenges.next_due(await challenges.get(GUILD + 1, waiting.id)) == today


async def test_a_once_challenge_that_ran_is_not_due_again(challenges: ChallengeService, clock: ManualClock) -> None:
    """Restarting after its run must not schedule it once more (APScheduler's date trigger keeps its date)."""
    once = await daily(challenges, schedule="once 2026-05-01 18:00")
    assert challenges.next_due(once) == datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    await start(challenges, clock, once)
    ran = await challenges.get(GUILD, once.id)
    assert challenges.next_due(ran) is None
    clock.advance(timedelta(minutes=1))
    assert await challenges.preview(GUILD, once.id) == []
