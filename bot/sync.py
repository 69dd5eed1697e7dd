"""Sync the slash-command tree only when its definition changed since the last sync."""

import hashlib
import json
import logging
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.core import CoCreateBot

log = logging.getLogger(__name__)


async def tree_digest(bot: "CoCreateBot", guild: discord.abc.Snowflake | None) -> str:
    """What Discord would be sent, translations included (a changed catalog syncs too)."""
    translator = bot.tree.translator
    payload = [
        await command.get_translated_payload(bot.tree, translator) if translator else command.to_dict(bot.tree)
        for command in bot.tree.get_commands(guild=guild)
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(bot: "CoCreateBot", dev_guild_id: int | None) -> bool:
    """Sync to the dev guild (instant) or globally; returns whether a sync happened."""
    guild = discord.Object(id=dev_guild_id) if dev_guild_id else None
    if guild is not None:
        bot.tree.copy_global_to(guild=guild)
    key = f"command_tree_digest:{dev_guild_id or 'global'}"
    digest = await tree_digest(bot, guild)
    if await bot.storage.meta.get(key) == digest:
        log.info("command tree unchanged; not syncing")
        return False
    synced = await bot.tree.sync(guild=guild)
    await bot.storage.meta.set(key, digest)
    log.info("synced %d commands", len(synced), extra={"scope": key})
    return True
