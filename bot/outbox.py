"""Announcements the community must see (results, winners, transcripts, status changes): sent at once, or, if
Discord refuses, kept in the database and retried with backoff until it accepts them, across restarts too."""

import asyncio
import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.scheduler import Scheduler
from services.clock import Clock
from storage.base import OutboxRepository
from storage.models import Announcement

if TYPE_CHECKING:
    from bot.core import CoCreateBot

log = logging.getLogger(__name__)

RETRY_JOB = "outbox:retry"
QUEUED_NOTE = " Discord is not accepting messages right now; the announcement will be posted as soon as it does."
MAX_ATTEMPTS = 20
FAILURES = (discord.DiscordException, aiohttp.ClientError, asyncio.TimeoutError)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes between attempts, at most an hour."""
    return timedelta(minutes=min(60, 2**attempts))


class Outbox:
    def __init__(self, bot: "CoCreateBot", repository: OutboxRepository, scheduler: Scheduler, clock: Clock) -> None:
        self._bot = bot
        self._repo = repository
        self._scheduler = scheduler
        self._clock = clock

    async def send(self, announcement: Announcement) -> bool:
        """Post now; returns False if Discord refused and the announcement was queued for a retry."""
        try:
            await self._deliver(announcement)
            return True
        except FAILURES as error:
            now = self._clock.now()
            queued = await self._repo.add(announcement, repr(error), now + backoff(0), now)
            log.warning(
                "announcement queued: Discord refused it",
                extra={"outbox_id": queued, "channel_id": announcement.channel_id, "error": repr(error)},
            )
            await self.schedule_next()
            return False

    async def _deliver(self, announcement: Announcement) -> None:
        channel = self._bot.get_partial_messageable(announcement.channel_id, guild_id=announcement.guild_id)
        file = (
            discord.File(io.BytesIO(announcement.file_data), filename=announcement.file_name)
            if announcement.file_data is not None and announcement.file_name
            else discord.utils.MISSING
        )
        await channel.send(
            announcement.content,
            embed=discord.Embed.from_dict(announcement.embed) if announcement.embed else discord.utils.MISSING,
            file=file,
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in announcement.ping_users]),
        )

    async def retry_due(self) -> None:
        """Try every queued announcement that is due, oldest first."""
        now = self._clock.now()
        for queued in await self._repo.due(now):
            try:
                await self._deliver(queued)
            except FAILURES as error:
                if queued.attempts + 1 >= MAX_ATTEMPTS:
                    await self._repo.remove(queued.id)
                    log.error("announcement dropped after %d attempts", MAX_ATTEMPTS, extra={"outbox_id": queued.id})
                else:
                    await self._repo.failed_again(queued.id, repr(error), now + backoff(queued.attempts + 1))
            else:
                await self._repo.remove(queued.id)
                log.info("queued announcement delivered", extra={"outbox_id": queued.id})
        await self.schedule_next()

    async def schedule_next(self) -> None:
        """Wake up when the next queued announcement is due (at start-up too: the queue is in the database)."""
        due = await self._repo.next_attempt()
        if due is not None:
            self._scheduler.at(RETRY_JOB, due, self.retry_due, grace=None)
