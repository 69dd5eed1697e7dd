"""The Bot class: receives its resources, and on start-up migrates, loads every cog and syncs commands."""

import logging
import pkgutil
import time
from datetime import timedelta
from typing import Any

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord.ext import commands

import cogs
from bot.delivery import DeliveryWorker, direct_message_handler, message_handler, removal_notice_handler
from bot.errors import CoCreateTree
from bot.feature import FeatureCog
from bot.forms import FormRouter
from bot.i18n import CommandTranslator
from bot.scheduler import Scheduler
from bot.sync import sync_if_changed
from services.container import Services
from storage.base import Storage

log = logging.getLogger(__name__)

PURGE_JOB = "guild:purge"
HEALTH_JOB = "bot:health"
HEALTH_EVERY = IntervalTrigger(minutes=5)


def cog_extensions() -> list[str]:
    """Every module or package directly under `cogs/`."""
    return sorted(f"cogs.{module.name}" for module in pkgutil.iter_modules(cogs.__path__))


class CoCreateBot(commands.AutoShardedBot):
    """One process of the bot: all shards, or those in `shard_ids` (then it schedules only their guilds' jobs)."""

    def __init__(
        self,
        *,
        storage: Storage,
        services: Services,
        scheduler: Scheduler,
        dev_guild_id: int | None = None,
        retention: timedelta = timedelta(days=30),
        draft_retention: timedelta = timedelta(days=7),
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=CoCreateTree,
            chunk_guilds_at_startup=False,
            max_ratelimit_timeout=30.0,  # a longer rate limit is retried later by the delivery worker
            **options,
        )
        self.storage = storage
        self.services = services
        self.scheduler = scheduler
        self.dev_guild_id = dev_guild_id
        self.retention = retention
        self.draft_retention = draft_retention
        self.forms = FormRouter()
        self.delivery = DeliveryWorker(self, storage.deliveries, services.clock)
        self.delivery.register("message", message_handler(self))
        self.delivery.register("removal.notice", removal_notice_handler(self))
        self.delivery.register("dm", direct_message_handler(self))
        storage.on_commit(self.delivery.wake)

    def owns(self, guild_id: int) -> bool:
        """Whether this process runs the shard of `guild_id` (so it fires that guild's scheduled jobs)."""
        return self.shard_ids is None or (guild_id >> 22) % (self.shard_count or 1) in self.shard_ids

    @property
    def primary(self) -> bool:
        """The process of shard 0 does what the whole bot does once, such as syncing commands."""
        return self.shard_ids is None or 0 in self.shard_ids

    async def setup_hook(self) -> None:
        self.scheduler.owns = self.owns
        await self.tree.set_translator(CommandTranslator())
        self.scheduler.paused_guilds = set(await self.storage.guilds.departed())
        self.scheduler.add(
            PURGE_JOB, IntervalTrigger(hours=24), self.apply_retention, grace=None, first=self.services.clock.now()
        )
        self.scheduler.add(HEALTH_JOB, HEALTH_EVERY, self.log_health, grace=None)
        started = time.perf_counter()
        for extension in cog_extensions():
            await self.load_extension(extension)  # each feature rebuilds its jobs from the database
        self.scheduler.start()  # after the rebuild: APScheduler takes the jobs added meanwhile in one go
        rebuilt = {"jobs": len(self.scheduler.job_ids()), "seconds": round(time.perf_counter() - started, 3)}
        log.info("features loaded and jobs scheduled", extra=rebuilt)
        if self.primary:
            await sync_if_changed(self, self.dev_guild_id)
        await self.delivery.start()

    async def on_ready(self) -> None:
        log.info("connected", extra={"user": str(self.user), "guilds": len(self.guilds)})

    async def log_health(self) -> None:
        """Every five minutes, one line an operator can watch: this process's shards, guilds, queue and jobs."""
        log.info(
            "health",
            extra={
                "shards": sorted(self.shards),
                "shard_count": self.shard_count or 1,
                "guilds": len(self.guilds),
                "deliveries_queued": await self.storage.deliveries.pending_count(self.delivery.shards),
                "jobs": len(self.scheduler.job_ids()),
            },
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.forms.dispatch(interaction)

    async def catch_up(self) -> None:
        """Run the jobs that are due and deliver what they owe (tests and the sandbox, after moving time)."""
        await self.scheduler.run_due()
        await self.delivery.drain()

    # -- guild lifecycle: a guild that removed the bot pauses; its data is purged after the retention period --

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.storage.guilds.depart(guild.id, self.services.clock.now())
        self.scheduler.paused_guilds.add(guild.id)
        log.info("removed from a guild: its deliveries and schedules pause", extra={"guild_id": guild.id})

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._returned(guild)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._returned(guild)

    async def _returned(self, guild: discord.Guild) -> None:
        if not await self.storage.guilds.return_(guild.id, self.services.clock.now()):
            return
        self.scheduler.paused_guilds.discard(guild.id)
        for cog in self.cogs.values():
            if isinstance(cog, FeatureCog):
                await cog.rebuild_jobs()  # what fell due meanwhile follows each job's misfire policy
        self.delivery.wake()
        log.info("back in a guild: its deliveries and schedules resume", extra={"guild_id": guild.id})

    async def apply_retention(self) -> None:
        """Daily: delete expired drafts, and the data of guilds that removed the bot longer ago than retention."""
        expired = await self.services.ideas.expire_drafts(self.draft_retention)
        if expired:
            log.info("expired drafts deleted", extra={"drafts": expired})
        now = self.services.clock.now()
        for guild_id, departed_at in (await self.storage.guilds.departed()).items():
            if departed_at + self.retention <= now and self.owns(guild_id):
                rows = await self.storage.guilds.purge(guild_id)
                self.scheduler.paused_guilds.discard(guild_id)
                log.info("purged a departed guild's data", extra={"guild_id": guild_id, "rows": rows})

    async def on_guild_channel_update(self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
        await self.delivery.resume(after.guild.id)

    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        await self.delivery.resume(after.guild.id)

    async def close(self) -> None:
        """Stop delivering (what is unsent stays queued), disconnect, stop the scheduler, close the database."""
        await self.delivery.close()
        await super().close()
        self.scheduler.shutdown()
        await self.storage.close()
        if self.user is not None:  # it had started
            log.info("shut down cleanly")
