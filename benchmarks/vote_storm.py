"""Vote storm: N members click vote buttons on one poll and one idea as fast as the emulator delivers them.

Runs our bot and a bare discord.py bot that only acknowledges each click (the floor), each in a process of its
own against its own loopback emulator, and prints both side by side with the ratio ours/floor.

    python benchmarks/vote_storm.py --members 2000             # burst: every click at once (capacity)
    python benchmarks/vote_storm.py --members 2000 --rate 150  # paced: 150 clicks a second (latency)
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
from pathlib import Path
from typing import Any

import discord

from emulator import DiscordEmulator, InteractionRecord
from emulator.community import build_community
from emulator.harness import SANDBOX_TOKEN, point_discord_at, running_bot


def figures(records: list[InteractionRecord], seconds: float, edits: int) -> dict[str, Any]:
    latencies = sorted(r.latency * 1000 for r in records)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "votes": len(records),
        "votes_per_s": len(records) / seconds,
        "ack_p50_ms": cuts[49],
        "ack_p95_ms": cuts[94],
        "ack_p99_ms": cuts[98],
        "edits": edits,
        "edits_per_s": edits / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def storm(
    discord_: DiscordEmulator, clicks: list[tuple[Any, dict[str, Any], str]], rate: float
) -> tuple[list[InteractionRecord], float]:
    """Deliver every click at once (rate 0), or `rate` clicks a second; returns the records and the seconds taken."""
    started = time.perf_counter()

    async def click(index: int, member: Any, message: dict[str, Any], custom_id: str) -> InteractionRecord:
        if rate:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        return await discord_.click(member, message, custom_id)

    records = await asyncio.gather(*(click(i, *c) for i, c in enumerate(clicks)))
    return list(records), time.perf_counter() - started


async def ours(members: int, rate: float) -> dict[str, Any]:
    async with DiscordEmulator(answer_timeout=60) as d:
        c = await build_community(d)
        voters = [d.add_member(c.guild, f"member{i}") for i in range(members)]
        with tempfile.TemporaryDirectory() as folder:
            async with running_bot(d, Path(folder) / "bench.db") as bot:
                await (await d.slash(c.owner, "setup set", **c.setup_options())).reply()
                await (
                    await d.slash(c.staff, "poll create", question="Which scent?", options="Mint | Cedar | Lavender")
                ).reply()
                poll = d.messages_in(c.general)[-1]
                opened = await d.slash(c.alice, "idea submit")
                await (await d.submit_modal(c.alice, opened, {"title": "Storm", "description": "Vote!"})).reply()
                idea = next(m for m in d.messages.values() if m["embeds"] and m["embeds"][0]["title"] == "#1 Storm")
                before = len(d.rest_log)
                clicks = [(m, poll, f"poll:vote:1:{i % 3}") for i, m in enumerate(voters)]
                clicks += [(m, idea, "idea:vote:1:up") for m in voters]
                records, seconds = await storm(d, clicks, rate)
                await bot.delivery.drain()
                edits = sum(1 for method, path in d.rest_log[before:] if method == "PATCH" and "/messages/" in path)
                poll_counts = (await bot.services.polls.results(c.guild.id, 1)).counts
                idea_votes = (await bot.services.ideas.get(c.guild.id, 1)).upvotes
                exact = sum(poll_counts) == members and idea_votes == members
                return figures(records, seconds, edits) | {"exact": exact}


async def floor(members: int, rate: float) -> dict[str, Any]:
    """A bare discord.py client that answers each click with an ephemeral message and does nothing else."""
    async with DiscordEmulator(answer_timeout=60) as d:
        c = await build_community(d)
        voters = [d.add_member(c.guild, f"member{i}") for i in range(members)]
        point_discord_at(d.api_base, d.gateway_url)
        client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.01)

        @client.event
        async def on_interaction(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        async with client:
            runner = asyncio.create_task(client.start(SANDBOX_TOKEN))
            await client.wait_until_ready()
            button = {"type": 1, "components": [{"type": 2, "style": 1, "label": "Vote", "custom_id": "bare:vote"}]}
            message = d.store_message(c.general.id, {"components": [button]})
            records, seconds = await storm(d, [(m, message, "bare:vote") for m in voters for _ in range(2)], rate)
            await client.close()
            await runner
        return figures(records, seconds, 0) | {"exact": len(records) == 2 * members}


def measure(target: str, members: int, rate: float) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--target", target, "--members", str(members), "--rate", str(rate)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0, help="clicks per second (0: all at once)")
    parser.add_argument("--target", choices=["ours", "floor"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.target:
        result = asyncio.run((ours if args.target == "ours" else floor)(args.members, args.rate))
        print(json.dumps(result))
        return
    ours_, floor_ = measure("ours", args.members, args.rate), measure("floor", args.members, args.rate)
    pace = f"{args.rate:g} clicks/s" if args.rate else "all at once"
    print(f"vote storm: {args.members} members x (1 poll vote + 1 idea vote) = {2 * args.members} clicks, {pace}\n")
    print(f"{'figure':<14}{'ours':>12}{'floor':>12}{'ours/floor':>12}")
    for key in ("votes_per_s", "ack_p50_ms", "ack_p95_ms", "ack_p99_ms", "peak_rss_mb", "edits_per_s"):
        ratio = f"{ours_[key] / floor_[key]:.2f}" if floor_[key] else "-"
        print(f"{key:<14}{ours_[key]:>12.1f}{floor_[key]:>12.1f}{ratio:>12}")
    print(f"\nmessage edits sent to Discord: {ours_['edits']} for {ours_['votes']} votes (coalesced, not one per vote)")
    print(f"every vote counted exactly: {ours_['exact']}")
    print(
        f"p99 acknowledgement under Discord's 3 s limit: ours {ours_['ack_p99_ms'] < 3000}, "
        f"floor {floor_['ack_p99_ms'] < 3000}" + ("" if args.rate else " (every click in the same instant)")
    )


if __name__ == "__main__":
    main()
