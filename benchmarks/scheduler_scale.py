"""Scheduler scale: 10,000 scheduled polls and challenges across 1,000 guilds.

Measures, against the same bot on an empty database in the same run (each in a process of its own): start-up
time until the bot is ready with every job rebuilt from the database, peak memory, and how late the polls that
fall due during the run are closed.

    python benchmarks/scheduler_scale.py --guilds 1000
"""

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulator import DiscordEmulator
from emulator.harness import running_bot
from services.clock import SystemClock
from services.container import build_services
from storage import SqliteStorage
from storage.models import Rotation

POLLS_PER_GUILD, CHALLENGES_PER_GUILD, DUE_DURING_RUN = 5, 5, 200


async def populate(database: Path, guilds: list[tuple[int, int]]) -> datetime:
    """Create the polls and challenges through the services; returns when the first of the polls that fall due
    during the run closes (the others follow over ten seconds)."""
    storage = await SqliteStorage.open(database)
    await storage.migrate()
    services = build_services(storage, SystemClock())
    for guild_id, channel_id in guilds:
        for n in range(POLLS_PER_GUILD):
            await services.polls.create(guild_id, channel_id, 1, f"Question {n}?", "Yes | No", closes="30d")
        for n in range(CHALLENGES_PER_GUILD):
            await services.challenges.schedule(
                guild_id, 1, name=f"Parade {n}", themes="Hats | Pets", rotation=Rotation.ORDER,
                schedule=f"weekly {('mon', 'tue', 'wed', 'thu', 'fri')[n]} 18:00", timezone="Europe/Amsterdam",
                channel_id=channel_id, entry_window="1d", voting_window="1d", prize=None,
            )  # fmt: skip
    due_from = datetime.now(UTC) + timedelta(seconds=15)
    for i in range(DUE_DURING_RUN):
        closes = due_from + timedelta(seconds=i * 10 / DUE_DURING_RUN)
        await storage.db.execute("UPDATE polls SET closes_at = ? WHERE id = ?", (closes.isoformat(), i + 1))
    await storage.close()
    return due_from


async def measure(guild_count: int, populated: bool) -> dict[str, Any]:
    async with DiscordEmulator() as discord:
        guilds = []
        for i in range(guild_count):
            guild = await discord.create_guild(f"Guild {i}")
            guilds.append((guild.id, discord.text_channel(guild).id))
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "scale.db"
            due_from = await populate(database, guilds) if populated else datetime.now(UTC)
            started = time.perf_counter()
            async with running_bot(discord, database) as bot:
                startup = time.perf_counter() - started
                jobs = len(bot.scheduler.job_ids())
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                lateness: list[float] = []
                if populated:
                    await asyncio.sleep(max(0.0, (due_from - datetime.now(UTC)).total_seconds()) + 12)
                    rows = await bot.storage.db.fetch_all(
                        "SELECT closes_at, closed_at FROM polls WHERE closed_at IS NOT NULL"
                    )
                    lateness = sorted(
                        (
                            datetime.fromisoformat(r["closed_at"]) - datetime.fromisoformat(r["closes_at"])
                        ).total_seconds()
                        * 1000
                        for r in rows
                    )
                return {
                    "startup_s": startup,
                    "jobs": jobs,
                    "peak_rss_mb": rss,
                    "closed": len(lateness),
                    "late_p50_ms": statistics.median(lateness) if lateness else 0.0,
                    "late_p99_ms": statistics.quantiles(lateness, n=100)[98] if len(lateness) > 1 else 0.0,
                    "late_max_ms": max(lateness, default=0.0),
                }


def run_target(guilds: int, populated: bool) -> dict[str, Any]:
    flag = ["--populated"] if populated else []
    out = subprocess.run(
        [sys.executable, __file__, "--target", "--guilds", str(guilds), *flag],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guilds", type=int, default=1000)
    parser.add_argument("--target", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--populated", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        print(json.dumps(asyncio.run(measure(args.guilds, args.populated))))
        return
    full, empty = run_target(args.guilds, True), run_target(args.guilds, False)
    schedules = args.guilds * (POLLS_PER_GUILD + CHALLENGES_PER_GUILD)
    print(f"scheduler scale: {schedules} schedules across {args.guilds} guilds vs the same guilds with none\n")
    print(f"{'figure':<14}{'scheduled':>12}{'empty':>12}{'ratio':>10}")
    for key in ("startup_s", "jobs", "peak_rss_mb"):
        ratio = f"{full[key] / empty[key]:.2f}" if empty[key] else "-"
        print(f"{key:<14}{full[key]:>12.2f}{empty[key]:>12.2f}{ratio:>10}")
    print(f"\n{full['closed']} polls fell due during the run; lateness of their closing:")
    print(f"p50 {full['late_p50_ms']:.0f} ms, p99 {full['late_p99_ms']:.0f} ms, max {full['late_max_ms']:.0f} ms")


if __name__ == "__main__":
    main()
