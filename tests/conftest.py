"""Shared fixtures: a loopback Discord with a small community, and the real bot running against it."""

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from bot.core import CoCreateBot
from emulator import DiscordEmulator
from emulator.community import Community, build_community
from emulator.harness import running_bot
from emulator.state import Payload
from storage.database import Database


@pytest.fixture
async def discord_emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        yield emulator


@pytest.fixture
async def neighbour(discord_emulator: DiscordEmulator) -> AsyncIterator[Community]:
    """A second server on the same Discord and bot, so that every end-to-end test runs beside another guild.
    Unless a test acts in the neighbour itself, nothing the bot does may show up there."""
    neighbour = await build_community(discord_emulator, "Rival Wax Ltd.")
    yield neighbour
    discord = neighbour.discord
    if any(int(r.payload["guild_id"]) == neighbour.guild.id for r in discord.interactions_by_token.values()):
        return
    leaked = [m for m in discord.messages.values() if int(m["channel_id"]) in neighbour.guild.channels]
    assert not leaked, f"the bot wrote in the neighbour server: {leaked[:1]}"
    assert not [e for e in discord.scheduled_events.values() if int(e["guild_id"]) == neighbour.guild.id]


@pytest.fixture
async def community(discord_emulator: DiscordEmulator, neighbour: Community) -> Community:
    """The server a test acts in; built after its neighbour so that neither has the first ids to itself."""
    return await build_community(discord_emulator)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


BotStarter = Callable[[], AbstractAsyncContextManager[CoCreateBot]]


@pytest.fixture
def start_bot(discord_emulator: DiscordEmulator, db_path: Path) -> BotStarter:
    """Start (or, called again, restart) the real bot against the emulator on the same database."""
    return lambda: running_bot(discord_emulator, db_path)


@pytest.fixture
async def bot(start_bot: BotStarter, community: Community) -> AsyncIterator[CoCreateBot]:
    async with start_bot() as running:
        yield running


@pytest.fixture
async def configured(community: Community, start_bot: BotStarter) -> Community:
    """The community after its owner configured channels, roles and time zone with `/setup set`."""
    async with start_bot():
        record = await community.discord.slash(community.owner, "setup set", **community.setup_options())
        assert "Settings saved." in await record.ephemeral_text()
    return community


@pytest.fixture
async def both_configured(configured: Community, neighbour: Community, start_bot: BotStarter) -> Community:
    """The neighbour server configured too: for tests that act in both servers."""
    async with start_bot():
        record = await neighbour.discord.slash(neighbour.owner, "setup set", **neighbour.setup_options())
        assert "Settings saved." in await record.ephemeral_text()
    return neighbour


def with_button(message: Payload, custom_id: str) -> Payload:
    """`message` as a modified client could present it: with a button the bot never put there."""
    button = {"type": 2, "style": 1, "custom_id": custom_id, "label": "forged"}
    return message | {"components": [{"type": 1, "components": [button]}]}


async def posted_now(bot: CoCreateBot, c: Community, message: Payload) -> Payload:
    """A public message as members see it once the bot's pending (coalesced) refreshes are done."""
    await bot.delivery.drain()
    return c.discord.message(int(message["id"]))


def fail_next_commit(monkeypatch: pytest.MonkeyPatch, db: Database) -> None:
    """Make the next COMMIT fail as a disk I/O error does: SQLite rolls back on its own, then reports the error."""
    conn = db._conn
    real_execute = conn.execute
    failing = {"commits": 1}

    async def execute(sql: str, *args: object):  # type: ignore[no-untyped-def]
        if sql == "COMMIT" and failing["commits"]:
            failing["commits"] -= 1
            await real_execute("ROLLBACK")
            raise sqlite3.OperationalError("disk I/O error")
        return await real_execute(sql, *args)

    monkeypatch.setattr(conn, "execute", execute)
