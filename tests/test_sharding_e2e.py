"""Sharded processes: each runs its shards' guilds and fires only their jobs; shard 0's process syncs commands."""

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error
from emulator import DiscordEmulator
from emulator.community import Community, build_community
from emulator.gateway import shard_of
from emulator.harness import SANDBOX_TOKEN, running_bot
from tests.test_polls_e2e import live_poll

SHARDS = 2


async def one_guild_per_shard(discord: DiscordEmulator) -> tuple[Community, Community]:
    """Two communities whose guilds fall on shard 0 and shard 1 (a guild's shard follows its id's timestamp)."""
    first = await build_community(discord, "Cedar & Co.")
    second = await build_community(discord, "Oak & Co.")
    while shard_of(second.guild.id, SHARDS) == shard_of(first.guild.id, SHARDS):
        await asyncio.sleep(0.002)  # the next millisecond gives the next guild id another shard
        second = await build_community(discord, "Oak & Co.")
    return (first, second) if shard_of(first.guild.id, SHARDS) == 0 else (second, first)


def command_syncs(discord: DiscordEmulator) -> int:
    return sum(method == "PUT" and path.endswith("/commands") for method, path in discord.rest_log)


async def test_two_processes_split_the_guilds_and_fire_only_their_own_jobs(
    discord_emulator: DiscordEmulator, db_path: Path
) -> None:
    discord = discord_emulator
    zero, one = await one_guild_per_shard(discord)
    async with running_bot(discord, db_path, shard_count=SHARDS, shard_ids=(1,)) as second:
        assert command_syncs(discord) == 0, "only the process of shard 0 syncs commands"
        async with running_bot(discord, db_path, shard_count=SHARDS, shard_ids=(0,)) as first:
            assert command_syncs(discord) == 1
            assert {g.id for g in first.guilds} == {g for g in discord.guilds if shard_of(g, SHARDS) == 0}
            assert {g.id for g in second.guilds} == {g for g in discord.guilds if shard_of(g, SHARDS) == 1}
            for c in (zero, one):  # each interaction reaches the process of its guild's shard, once
                record = await c.discord.slash(c.owner, "setup set", **c.setup_options())
                assert "Settings saved." in await record.ephemeral_text()
            await live_poll(zero, closes="2h")
            await live_poll(one, closes="2h")
            assert "poll:close:1" in first.scheduler.job_ids() and "poll:close:2" not in first.scheduler.job_ids()
            assert "poll:close:2" in second.scheduler.job_ids() and "poll:close:1" not in second.scheduler.job_ids()
        async with running_bot(discord, db_path, shard_count=SHARDS, shard_ids=(0,)) as restarted:
            jobs = restarted.scheduler.job_ids()  # rebuilt from the database, which holds both polls
            assert "poll:close:1" in jobs and "poll:close:2" not in jobs


async def test_the_emulator_recommends_shards_and_refuses_a_shard_beyond_the_count(
    discord_emulator: DiscordEmulator, db_path: Path
) -> None:
    discord = discord_emulator
    await one_guild_per_shard(discord)
    async with running_bot(discord, db_path) as bot:  # no SHARD_COUNT: Discord's recommendation, one shard here
        assert (bot.shard_count, sorted(bot.shards)) == (1, [0])
        assert ("GET", "/api/v10/gateway/bot") in discord.rest_log
        assert len(bot.guilds) == len(discord.guilds)


@pytest.mark.parametrize(
    ("shard_ids", "shard_count", "said"),
    [
        ("0,1", None, "invalid settings: SHARD_IDS needs SHARD_COUNT (the shards of every process together)"),
        ("2", 2, "invalid settings: SHARD_IDS must be between 0 and 1 (SHARD_COUNT - 1)"),
        ("0, x", 2, "invalid settings: SHARD_IDS.1 Input should be a valid integer"),
    ],
)
def test_shard_settings_are_checked(shard_ids: str, shard_count: int | None, said: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(discord_token=SANDBOX_TOKEN, shard_ids=shard_ids, shard_count=shard_count, _env_file=None)  # type: ignore[arg-type]
    assert describe_settings_error(refused.value).startswith(said)


def test_shard_ids_are_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHARD_IDS", "2, 3")
    monkeypatch.setenv("SHARD_COUNT", "4")
    settings = Settings(discord_token=SANDBOX_TOKEN, _env_file=None)  # type: ignore[call-arg]
    assert (settings.shard_ids, settings.shard_count) == ((2, 3), 4)
