"""Scheduler scale: 10,000 scheduled polls and challenges across 1,000 guilds, and the memory a guild costs.

This process runs the loopback emulator; the bot runs alone in a process of its own (`emulator.bot_process`),
three times in one run: 1,000 guilds with 5 timed polls and 5 weekly challenges each, the same guilds with
nothing scheduled, and no guilds at all. It reports the time the bot takes to rebuild every job from the
database at start-up (from its own log line), the time until it is ready, its peak memory (so the memory per
guild), and how late the 200 polls that fall due during the run are closed.

    python benchmarks/scheduler_scale.py --guilds 1000
"""

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from emulator import DiscordEmulator
from services.clock import SystemClock
from services.container import build_services
from storage import SqliteStorage
from storage.models import Rotation

ROOT = Path(__file__).resolve().parents[1]
POLLS_PER_GUILD, CHALLENGES_PER_GUILD, DUE_DURING_RUN = 5, 5, 200


async def populate(database: Path, guilds: list[tuple[int, int]], backlog: bool) -> datetime:
    """Create the polls and challenges through the services; returns when the first of the polls that fall due
    during the run closes (the others follow over ten seconds). Without `backlog` the 5,000 poll posts the set-up
    queued count as published long ago; with it, the bot publishes them while the polls fall due."""
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
    due_from = datetime.now(UTC) + timedelta(seconds=20)
    for i in range(DUE_DURING_RUN):
        closes = due_from + timedelta(seconds=i * 10 / DUE_DURING_RUN)
        await storage.db.execute("UPDATE polls SET closes_at = ? WHERE id = ?", (closes.isoformat(), i + 1))
    if not backlog:
        await storage.db.execute("DELETE FROM deliveries")
    await storage.close()
    return due_from


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


async def measure(guild_count: int, populated: bool, backlog: bool = False) -> dict[str, Any]:
    async with DiscordEmulator() as discord:
        guilds = []
        for i in range(guild_count):
            guild = await discord.create_guild(f"Guild {i}")
            guilds.append((guild.id, discord.text_channel(guild).id))
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "scale.db"
            due_from = await populate(database, guilds, backlog) if populated else None
            started = time.perf_counter()
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "emulator.bot_process", discord.api_base, discord.gateway_url, str(database),
                cwd=ROOT, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert bot.stderr is not None
            logged: dict[str, dict[str, Any]] = {}
            while "connected" not in logged:
                line = await asyncio.wait_for(bot.stderr.readline(), timeout=120)
                if line.startswith(b"{"):
                    entry = json.loads(line)
                    logged[entry["msg"]] = entry
            ready = time.perf_counter() - started
            drain = asyncio.create_task(bot.stderr.read())  # keep the pipe from filling up
            lateness: list[float] = []
            if due_from is not None:
                await asyncio.sleep(max(0.0, (due_from - datetime.now(UTC)).total_seconds()) + 12)
                with closing(sqlite3.connect(database)) as db:
                    rows = db.execute("SELECT closes_at, closed_at FROM polls WHERE closed_at IS NOT NULL").fetchall()
                lateness = sorted(
                    (datetime.fromisoformat(closed) - datetime.fromisoformat(closes)).total_seconds() * 1000
                    for closes, closed in rows
                )
            rss = peak_rss_mb(bot.pid)
            bot.terminate()
            await bot.wait()
            drain.cancel()
            rebuilt = logged["features loaded and jobs scheduled"]
            return {
                "rebuild_s": rebuilt["seconds"],
                "ready_s": ready,
                "jobs": rebuilt["jobs"],
                "peak_rss_mb": rss,
                "closed": len(lateness),
                "late_p50_ms": statistics.median(lateness) if lateness else 0.0,
                "late_p99_ms": statistics.quantiles(lateness, n=100)[98] if len(lateness) > 1 else 0.0,
                "late_max_ms": max(lateness, default=0.0),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guilds", type=int, default=1000)
    args = parser.parse_args()
    full = asyncio.run(measure(args.guilds, True))
    busy = asyncio.run(measure(args.guilds, True, backlog=True))
    empty = asyncio.run(measure(args.guilds, False))
    bare = asyncio.run(measure(0, False))
    schedules = args.guilds * (POLLS_PER_GUILD + CHALLENGES_PER_GUILD)
    print(f"scheduler scale: {schedules} schedules across {args.guilds} guilds, beside the same guilds with none")
    print("and the bot in no guild; each bot alone in its own process\n")
    print(f"{'figure':<14}{'scheduled':>12}{'empty':>12}{'no guilds':>12}")
    for key in ("rebuild_s", "ready_s", "jobs", "peak_rss_mb"):
        print(f"{key:<14}{full[key]:>12.2f}{empty[key]:>12.2f}{bare[key]:>12.2f}")
    per_guild = (empty["peak_rss_mb"] - bare["peak_rss_mb"]) * 1024 / args.guilds if args.guilds else 0.0
    per_schedule = (full["peak_rss_mb"] - empty["peak_rss_mb"]) * 1024 / schedules if schedules else 0.0
    print(f"\nmemory: {per_guild:.1f} KB per guild, {per_schedule:.1f} KB per schedule")
    for name, run in (("idle", full), ("publishing the set-up's 5,000 poll posts meanwhile", busy)):
        print(f"{run['closed']} polls fell due during the run, the bot {name}; lateness of their closing:")
        print(f"  p50 {run['late_p50_ms']:.0f} ms, p99 {run['late_p99_ms']:.0f} ms, max {run['late_max_ms']:.0f} ms")


if __name__ == "__main__":
    main()
