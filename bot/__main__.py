"""`python -m bot` runs the bot; `python -m bot sandbox` tries it against the loopback emulator, no token."""

import argparse
import asyncio
import signal
import sys

import discord
from pydantic import ValidationError

from bot.factory import create_bot
from bot.log import configure_logging
from bot.settings import Settings, describe_settings_error


async def run(settings: Settings) -> None:
    bot = await create_bot(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.create_task(bot.close()))
    async with bot:
        await bot.start(settings.discord_token.get_secret_value())


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
