"""Run the real bot in a process of its own against an emulator: `python -m emulator.bot_process API GATEWAY DB`,
where DB is a SQLite file or a database URL.

Crash tests start it, SIGKILL it mid-storm and restart the bot on the same database.
"""

import asyncio
import os
import sys
from pathlib import Path

from bot.__main__ import serve
from bot.factory import create_bot
from bot.log import configure_logging
from emulator.harness import SANDBOX_TOKEN, point_discord_at, sandbox_settings


async def run(api_base: str, gateway_url: str, database: Path | str) -> None:
    """Settings other than the token and database (e.g. SHARD_IDS) come from the environment."""
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    point_discord_at(api_base, gateway_url)
    bot = await create_bot(sandbox_settings(database), guild_ready_timeout=0.01)
    await serve(bot, SANDBOX_TOKEN)


if __name__ == "__main__":
    api_base, gateway_url, database = sys.argv[1:4]
    asyncio.run(run(api_base, gateway_url, database if "://" in database else Path(database)))
