"""`python -m bot` runs the bot; `python -m bot sandbox` tries it against the loopback emulator, no token."""

import argparse
import asyncio
import signal
import sys

import discord
from pydantic import ValidationError

from bot.core import CoCreateBot
from bot.factory import create_bot
from bot.log import configure_logging
from bot.settings import Settings, describe_settings_error


async def serve(bot: CoCreateBot, token: str) -> None:
    """Run until the bot closes; Ctrl-C and SIGTERM close it cleanly (gateway, scheduler, database)."""
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: closing.add(asyncio.create_task(bot.close())))
    try:
        async with bot:
            await bot.start(token)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await asyncio.gather(*closing)


async def run(settings: Settings) -> None:
    await serve(await create_bot(settings), settings.discord_token.get_secret_value())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["run", "sandbox"], default="run")
    args = parser.parse_args(argv)
    if args.mode == "sandbox":
        from emulator.sandbox import main as sandbox_main

        return sandbox_main()
    try:
        settings = Settings()  # type: ignore[call-arg]  # read from the environment and .env
    except ValidationError as error:
        print(f"error: {describe_settings_error(error)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        asyncio.run(run(settings))
    except discord.LoginFailure:
        print("error: Discord rejected DISCORD_TOKEN; reset it in the developer portal", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
