"""Builds the bot and its resources; used by `python -m bot`, the sandbox and the tests alike."""

from datetime import timedelta
from typing import Any

from bot.core import CoCreateBot
from bot.scheduler import Scheduler
from bot.settings import Settings
from services.clock import Clock, SystemClock
from services.container import build_services
from storage import SqliteStorage


async def create_bot(settings: Settings, *, clock: Clock | None = None, **options: Any) -> CoCreateBot:
    storage = await SqliteStorage.open(settings.database_path)
    return CoCreateBot(
        storage=storage,
        services=build_services(storage, clock or SystemClock()),
        scheduler=Scheduler(),
        dev_guild_id=settings.dev_guild_id,
        retention=timedelta(days=settings.data_retention_days),
        draft_retention=timedelta(days=settings.draft_retention_days),
        **options,
    )
