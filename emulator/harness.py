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


def sandbox_settings(database_path: Path, **settings: Any) -> Settings:
    return Settings(discord_token=SANDBOX_TOKEN, database_path=database_path, _env_file=None, **settings)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(emulator: DiscordEmulator, database_path: Path, **settings: Any) -> AsyncIterator[CoCreateBot]:
    """Start the bot on `database_path`, wait until it is ready, and close it cleanly afterwards."""
    point_discord_at(emulator.api_base, emulator.gateway_url)
    bot = await create_bot(sandbox_settings(database_path, **settings), guild_ready_timeout=0.01)
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
