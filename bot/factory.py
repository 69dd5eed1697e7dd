"""Builds the bot and its resources; used by `python -m bot`, the sandbox and the tests alike."""

import logging
import os
import secrets
import sqlite3
from datetime import timedelta
from typing import Any

import asyncpg

from bot.core import CoCreateBot
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.startup import database_failure
from services.clock import Clock, SystemClock
from services.container import build_services
from storage import SqliteStorage
from storage.database import SchemaTooNew
from storage.postgres import PostgresStorage

log = logging.getLogger(__name__)


def ballot_secret(settings: Settings) -> bytes:
    """The secret that keys anonymous ballots: `BALLOT_SECRET`, or a key file made once beside a SQLite database
    (readable by the bot's user only). Kept out of the database, so a copy of the database alone links no ballot."""
    if settings.ballot_secret is not None:
        return settings.ballot_secret.get_secret_value().encode()
    assert settings.sqlite_path is not None, "settings require BALLOT_SECRET with PostgreSQL"
    path = settings.sqlite_path.with_name(settings.sqlite_path.name + ".ballot-key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


async def open_storage(settings: Settings) -> SqliteStorage:
    """The storage `DATABASE_URL` names: a SQLite file, or a PostgreSQL database shared by every process."""
    if settings.sqlite_path is not None:
        return await SqliteStorage.open(settings.sqlite_path, ballot_secret(settings))
    return await PostgresStorage.open_url(settings.database_url.get_secret_value(), ballot_secret(settings))


async def ready_storage(settings: Settings) -> SqliteStorage:
    """The storage opened and migrated, before anything talks to Discord; a failure is a `StartupFailure`."""
    storage = None
    try:
        storage = await open_storage(settings)
        applied = await storage.migrate()
    except (OSError, TimeoutError, sqlite3.Error, asyncpg.PostgresError, SchemaTooNew) as error:
        if storage is not None:
            await storage.close()
        raise database_failure(error, settings.database_url.get_secret_value()) from error
    log.info("database ready", extra={"migrations_applied": applied})
    return storage


async def create_bot(settings: Settings, *, clock: Clock | None = None, **options: Any) -> CoCreateBot:
    storage = await ready_storage(settings)
    return CoCreateBot(
        storage=storage,
        services=build_services(storage, clock or SystemClock()),
        scheduler=Scheduler(),
        dev_guild_id=settings.dev_guild_id,
        retention=timedelta(days=settings.data_retention_days),
        draft_retention=timedelta(days=settings.draft_retention_days),
        shard_count=settings.shard_count,
        shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,
        **options,
    )
