"""The Bot class: receives its resources, and on start-up migrates, loads every cog and syncs commands."""

import logging
import pkgutil
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.coalesce import Coalescer
from bot.errors import CoCreateTree
from bot.outbox import Outbox
from bot.scheduler import Scheduler
from bot.sync import sync_if_changed
from services.container import Services
from storage.base import Storage

log = logging.getLogger(__name__)


def cog_extensions() -> list[str]:
    """Every module or package directly under `cogs/`."""
    return sorted(f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__))


class CoCreateBot(commands.Bot):
    def __init__(
        self,
        *,
        storage: Storage,
        services: Services,
        scheduler: Scheduler,
        dev_guild_id: int | None = None,
        edit_interval: float = 2.0,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=CoCreateTree,
            chunk_guilds_at_startup=False,
            max_ratelimit_timeout=30.0,  # longer rate limits go to the outbox instead of hanging a command
            **options,
        )
        self.storage = storage
        self.services = services
        self.scheduler = scheduler
        self.dev_guild_id = dev_guild_id
        self.refreshes = Coalescer(edit_interval)
        self.outbox = Outbox(self, storage.outbox, scheduler, services.clock)

    async def setup_hook(self) -> None:
        applied = await self.storage.migrate()
        log.info("database ready", extra={"migrations_applied": applied})
        self.scheduler.start()
        await self.outbox.schedule_next()
        for extension in cog_extensions():
            await self.load_extension(extension)
        await sync_if_changed(self, self.dev_guild_id)

    async def on_ready(self) -> None:
        log.info("connected", extra={"user": str(self.user), "guilds": len(self.guilds)})

    async def close(self) -> None:
        """Finish pending message refreshes, disconnect, then stop the scheduler and close the database."""
        await self.refreshes.close()
        await super().close()
        self.scheduler.shutdown()
        await self.storage.close()
        log.info("shut down cleanly")
