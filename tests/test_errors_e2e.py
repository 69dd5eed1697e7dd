"""The global error handler: an unexpected error gives the member an id and logs it with the same id."""

import logging
import re

import discord
from discord import app_commands

from bot.permissions import only
from services.permissions import MEMBER
from tests.conftest import Community


async def test_unexpected_error_gives_a_quotable_id(bot, community: Community, caplog) -> None:
    @app_commands.command(name="explode", description="Always fails")
    @only(MEMBER)
    async def explode(interaction: discord.Interaction) -> None:
        raise RuntimeError("database on fire")

    bot.tree.add_command(explode)
    await bot.tree.sync()
    with caplog.at_level(logging.ERROR):
        text = await (await community.discord.slash(community.alice, "explode")).ephemeral_text()
    match = re.search(r"give a moderator this id: `([0-9a-f]{8})`", text)
    assert match, text
    assert "database on fire" not in text
    logged = [r for r in caplog.records if getattr(r, "error_id", None) == match.group(1)]
    assert logged and logged[0].exc_info and logged[0].user_id == community.alice.id
