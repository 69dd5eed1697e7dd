"""`/help`: the commands this member may use, grouped by feature."""

from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CoCreateBot
from bot.i18n import shown, shown_name
from bot.permissions import actor_from, only, rules_of
from services.i18n import _
from services.permissions import MEMBER, Actor
from storage.models import GuildSettings

FIELD_LIMIT = 1024  # Discord's limit for an embed field's value


def usable(command: app_commands.Command[Any, ..., Any], actor: Actor, settings: GuildSettings) -> bool:
    return all(rule.decide(actor, settings) for rule in rules_of(command))


def fields(lines: list[str]) -> Iterator[str]:
    """`lines` in pieces that each fit in one embed field."""
    piece: list[str] = []
    for line in lines:
        if piece and len("\n".join([*piece, line])) > FIELD_LIMIT:
            yield "\n".join(piece)
            piece = []
        piece.append(line)
    if piece:
        yield "\n".join(piece)


def help_embed(tree: app_commands.CommandTree, actor: Actor, settings: GuildSettings) -> discord.Embed:
    embed = discord.Embed(
        title=_("What you can do here"),
        description=_("Commands you may use in this server, by feature. Type `/` and a name to start one."),
        colour=discord.Colour.blurple(),
    )
    for top in sorted(tree.get_commands(), key=lambda c: c.name):
        commands_ = [top] if isinstance(top, app_commands.Command) else list(top.walk_commands())
        lines = [
            f"`/{shown_name(command)}`: {shown(command.description, 'command_description')}"
            for command in commands_
            if isinstance(command, app_commands.Command) and usable(command, actor, settings)
        ]
        group = isinstance(top, app_commands.Group)
        title = shown(top.description, "group_description") if group else f"/{shown_name(top)}"
        for number, value in enumerate(fields(lines)):
            embed.add_field(name=title if number == 0 else _("{title} (more)", title=title), value=value, inline=False)
    return embed


class Help(commands.Cog):
    @app_commands.command(name="help", description="The commands you may use here, by feature")
    @app_commands.guild_only()
    @only(MEMBER)
    async def help(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        bot: CoCreateBot = interaction.client  # type: ignore[assignment]
        settings = await bot.services.setup.get(interaction.guild_id)
        embed = help_embed(bot.tree, actor_from(interaction), settings)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Help())
