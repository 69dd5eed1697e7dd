"""Run the real bot against the emulator: shared by the tests, the sandbox and the benchmarks."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.core import CoCreateBot
from bot.factory import create_bot
from bot.settings import Settings
from emulator.server import DiscordEmulator

# Shaped like a bot token so that settings validation passes; the emulator accepts any token.
SANDBOX_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.Gsandb.loopback-emulator-token-not-a-secret"


def point_discord_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST calls and gateway connection to the emulator instead of discord.com."""
    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def database_url(database: Path | str) -> str:
    """A SQLite file as a `DATABASE_URL`; a URL as it is."""
    return database if isinstance(database, str) else f"sqlite:///{database}"


def sandbox_settings(database: Path | str, **settings: Any) -> Settings:
    """Settings for the emulator: a SQLite file or a database URL; with PostgreSQL, a fixed ballot secret."""
    url = database_url(database)
    if not url.startswith("sqlite:"):
        settings.setdefault("ballot_secret", "sandbox-ballot-secret-not-a-secret")
    return Settings(discord_token=SANDBOX_TOKEN, database_url=url, _env_file=None, **settings)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(emulator: DiscordEmulator, database: Path | str, **settings: Any) -> AsyncIterator[CoCreateBot]:
    """Start the bot on `database` (a SQLite file or a URL), wait until it is ready, and close it cleanly after."""
    point_discord_at(emulator.api_base, emulator.gateway_url)
    bot = await create_bot(sandbox_settings(database, **settings), guild_ready_timeout=0.01)
    runner = asyncio.create_task(bot.start(SANDBOX_TOKEN))
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        done, _ = await asyncio.wait({runner, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            raise RuntimeError("the bot did not become ready") from runner.exception() if runner in done else None
        yield bot
    finally:
        ready.cancel()
        await bot.close()
        await runner
        emulator.assert_no_unknown_routes()
        emulator.assert_nothing_rejected()
