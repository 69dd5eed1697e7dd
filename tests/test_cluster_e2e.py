"""A cluster as the README deploys it: one PostgreSQL, two bot processes of two shards each, eight guilds."""

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from emulator import DiscordEmulator
from emulator.community import Community, build_community
from emulator.gateway import shard_of
from emulator.harness import running_bot
from emulator.interactions import InteractionRecord
from emulator.state import DISCORD_EPOCH_MS, Payload
from storage.postgres import PostgresDatabase
from tests.test_challenges_e2e import schedule
from tests.test_polls_e2e import create, live_poll

ROOT = Path(__file__).resolve().parents[1]
SHARDS, PROCESSES = 4, ((0, 1), (2, 3))
DUE_POLLS, CHALLENGES, VOTERS = 10, 3, 30  # per guild: 80 polls and 24 challenge runs fall due in all


async def guild_on_shard(discord: DiscordEmulator, shard: int) -> Community:
    """A community whose guild id lands on `shard` (an id's shard follows the millisecond it was made in)."""
    while (int(time.time() * 1000) - DISCORD_EPOCH_MS) % SHARDS != shard:  # noqa: ASYNC110 - the wall clock
        await asyncio.sleep(0.0002)
    return await build_community(discord, f"Brand {shard}")


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float = 30) -> None:
    """Wait until the bot processes have done `what` (work in other processes, not a schedule)."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"the cluster did not {what} within {within} s"
        await asyncio.sleep(0.05)


async def start_process(discord: DiscordEmulator, url: str, shards: tuple[int, ...]) -> asyncio.subprocess.Process:
    env = os.environ | {"SHARD_COUNT": str(SHARDS), "SHARD_IDS": ",".join(map(str, shards)), "LOG_LEVEL": "WARNING"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator.bot_process", discord.api_base, discord.gateway_url, url, cwd=ROOT, env=env
    )


def connected_shards(discord: DiscordEmulator) -> set[int]:
    return {c.session.shard[0] for c in discord.connections if c.session is not None}


async def test_two_processes_fire_every_job_once_and_lose_no_vote_when_one_is_killed(
    discord_emulator: DiscordEmulator, postgres_url: str
) -> None:
    discord = discord_emulator
    communities: list[Community] = []
    for shard in [0, 0, 1, 1, 2, 2, 3, 3]:
        while True:  # a millisecond may turn between the clock's check and the id: then try again
            c = await guild_on_shard(discord, shard)
            if shard_of(c.guild.id, SHARDS) == shard:
                break
        communities.append(c)
    polls: dict[int, Payload] = {}
    async with running_bot(discord, postgres_url):  # set-up, before the cluster starts
        for c in communities:
            await (await discord.slash(c.owner, "setup set", **c.setup_options())).reply()
            polls[c.guild.id] = await live_poll(c, options="Mint | Cedar", closes="7d")
            for n in range(DUE_POLLS):
                await (await create(c, question=f"Due {n}?", closes="1h")).reply()
            local = datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(minutes=10)
            for n in range(CHALLENGES):
                options = {"schedule": f"daily {local:%H:%M}", "entry_window": "2h", "voting_window": "2h"}
                assert "scheduled" in await schedule(c, name=f"Parade {n}", **options)
    db = await PostgresDatabase.open(postgres_url)
    try:
        # While the cluster was down, the polls' close and the runs' start fell due.
        past = datetime.now(UTC) - timedelta(minutes=1)
        await db.execute("UPDATE polls SET closes_at = ? WHERE question LIKE 'Due %'", (past.isoformat(),))
        await db.execute("UPDATE challenges SET last_fire_at = ?", ((past - timedelta(days=1)).isoformat(),))

        processes = [await start_process(discord, postgres_url, shards) for shards in PROCESSES]
        try:
            await eventually(lambda: asyncio.sleep(0, connected_shards(discord) == set(range(SHARDS))), "connect")

            async def all_fired() -> bool:
                closed = await db.fetch_one("SELECT COUNT(*) FROM polls WHERE closed_at IS NOT NULL")
                runs = await db.fetch_one("SELECT COUNT(*) FROM challenge_runs")
                queued = await db.fetch_one("SELECT COUNT(*) FROM deliveries WHERE state != 'done'")
                return (closed[0], runs[0], queued[0]) == (8 * DUE_POLLS, 8 * CHALLENGES, 0)

            await eventually(all_fired, "close every due poll and start every due run")
            await storm_with_a_kill(discord, communities, polls, processes, postgres_url, db)
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                await process.wait()
        assert all(p.returncode == 0 for p in processes[1:]), "the process that was not killed closed cleanly"

        runs = await db.fetch_all("SELECT challenge_id, COUNT(*) FROM challenge_runs GROUP BY challenge_id")
        assert len(runs) == 8 * CHALLENGES and all(r[1] == 1 for r in runs), "each due run started once"
        for c in communities:  # and was announced once; each due poll's result too, also across the restart
            announced = Counter(m["content"].split(" has closed.")[0] for m in discord.messages_in(c.announcements))
            assert all(announced[f"Poll #{p}"] == 1 for p in await poll_ids(db, c, "Due %")), announced
            started = [m for m in discord.messages_in(c.announcements) if "Parade" in str(m)]
            assert len(started) == CHALLENGES, started
    finally:
        await db.close()


async def poll_ids(db: PostgresDatabase, c: Community, like: str) -> list[int]:
    rows = await db.fetch_all("SELECT id FROM polls WHERE guild_id = ? AND question LIKE ?", (c.guild.id, like))
    return [r[0] for r in rows]


async def storm_with_a_kill(
    discord: DiscordEmulator,
    communities: list[Community],
    polls: dict[int, Payload],
    processes: list[asyncio.subprocess.Process],
    url: str,
    db: PostgresDatabase,
) -> None:
    """Members of every guild vote at about 150 clicks a second; the first process is SIGKILLed mid-storm and
    started again. Every vote a member saw confirmed is counted, and no vote is counted twice."""
    voters = [(c, discord.add_member(c.guild, f"fan{i}")) for i in range(VOTERS) for c in communities]
    confirmed: list[InteractionRecord] = []
    killed, quarter = asyncio.Event(), asyncio.Event()

    async def click(index: int, c: Community, member: object) -> None:
        await asyncio.sleep(index / 150)
        poll = polls[c.guild.id]
        poll_id = poll["embeds"][0]["title"].removeprefix("Poll #")
        record = await discord.click(member, poll, f"poll:vote:{poll_id}:{index % 2}")  # type: ignore[arg-type]
        assert "Your ballot in poll" in await record.ephemeral_text()
        confirmed.append(record)
        if len(confirmed) >= len(voters) // 4:
            quarter.set()

    async def kill_and_restart() -> None:
        await quarter.wait()
        os.kill(processes[0].pid, signal.SIGKILL)
        await processes[0].wait()
        killed.set()
        processes[0] = await start_process(discord, url, PROCESSES[0])

    storm = [asyncio.create_task(click(i, c, m)) for i, (c, m) in enumerate(voters)]
    await asyncio.gather(kill_and_restart(), *storm, return_exceptions=True)
    assert killed.is_set() and len(voters) // 4 <= len(confirmed) < len(voters), "the kill landed mid-storm"
    await eventually(lambda: asyncio.sleep(0, connected_shards(discord) == set(range(SHARDS))), "reconnect")

    for c in communities:
        poll_id = int(polls[c.guild.id]["embeds"][0]["title"].removeprefix("Poll #"))
        ballots = {
            int(r[0]) for r in await db.fetch_all("SELECT voter_key FROM poll_votes WHERE poll_id = ?", (poll_id,))
        }
        seen = {r.member.id for r in confirmed if int(r.payload["guild_id"]) == c.guild.id}
        assert seen <= ballots, "a vote the member saw confirmed was lost"
        rows = await db.fetch_one("SELECT COUNT(*) FROM poll_votes WHERE poll_id = ?", (poll_id,))
        assert rows[0] == len(ballots) <= VOTERS, "one ballot per member"
