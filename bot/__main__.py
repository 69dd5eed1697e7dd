"""`python -m bot` runs the bot; `python -m bot sandbox` tries it against the loopback emulator, no token;
`python -m bot copy FILE URL` moves a SQLite database into PostgreSQL."""

import argparse
import asyncio
import signal
import sys
from pathlib import Path

import asyncpg
import discord
from pydantic import ValidationError

from bot.core import CoCreateBot
from bot.factory import create_bot
from bot.log import configure_logging
from bot.settings import Settings, describe_settings_error
from bot.startup import DISCORD_TIMEOUT, SETTINGS, StartupFailure, discord_unreachable
from storage.transfer import TransferRefused, copy_sqlite_to_postgres


async def serve(bot: CoCreateBot, token: str) -> None:
    """Run until the bot closes; Ctrl-C and SIGTERM close it cleanly (gateway, scheduler, database)."""
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: closing.add(asyncio.create_task(bot.close())))
    try:
        async with bot:
            await log_in(bot, token)
            await bot.connect()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await asyncio.gather(*closing)


async def log_in(bot: CoCreateBot, token: str) -> None:
    """Log in to Discord (then the features load), or fail in one line: token refused, or Discord unreachable."""
    try:
        await asyncio.wait_for(bot.login(token), DISCORD_TIMEOUT)
    except discord.LoginFailure as error:
        raise StartupFailure("Discord rejected DISCORD_TOKEN: reset it in the developer portal", SETTINGS) from error
    except (TimeoutError, OSError, discord.DiscordServerError) as error:
        raise discord_unreachable(error) from error


async def run(settings: Settings) -> None:
    await serve(await create_bot(settings), settings.discord_token.get_secret_value())


def copy(source: Path, target_url: str) -> int:
    """Copy a SQLite file's data into an empty PostgreSQL database; one line of outcome."""
    if not source.is_file():
        print(f"error: nothing was copied: {source} does not exist", file=sys.stderr)
        return 2
    try:
        copied = asyncio.run(copy_sqlite_to_postgres(source, target_url))
    except (TransferRefused, OSError, asyncpg.PostgresError) as error:
        print(f"error: nothing was copied: {error}", file=sys.stderr)
        return 2
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables to PostgreSQL")
    key = source.with_name(source.name + ".ballot-key")
    if key.exists():
        print(f"set BALLOT_SECRET to the contents of {key} in every process, so anonymous ballots stay linked")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    modes = parser.add_subparsers(dest="mode")
    modes.add_parser("run", help="run the bot (the default)")
    modes.add_parser("sandbox", help="try the bot against the loopback emulator, without a token")
    copying = modes.add_parser("copy", help="copy a SQLite database into an empty PostgreSQL database")
    copying.add_argument("source", type=Path, help="the SQLite file, e.g. cocreate.db")
    copying.add_argument("target", help="postgresql://user:password@host:5432/db")
    args = parser.parse_args(argv)
    if args.mode == "sandbox":
        from emulator.sandbox import main as sandbox_main

        return sandbox_main()
    if args.mode == "copy":
        return copy(args.source, args.target)
    try:
        settings = Settings()  # type: ignore[call-arg]  # read from the environment and .env
    except ValidationError as error:
        print(f"error: {describe_settings_error(error)}", file=sys.stderr)
        return SETTINGS
    configure_logging(settings.log_level)
    try:
        asyncio.run(run(settings))
    except StartupFailure as failure:
        print(f"error: {failure}", file=sys.stderr)
        return failure.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
