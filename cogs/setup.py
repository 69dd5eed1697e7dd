"""`/setup set` and `/setup show`: where the bot posts and who its staff and moderators are."""

from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CoCreateBot
from bot.permissions import only
from services.guild_setup import GuildSetupService, SetupChange
from services.permissions import ADMIN, MODERATOR
from storage.models import GuildSettings

TIMEZONES = sorted(available_timezones())


def settings_embed(settings: GuildSettings) -> discord.Embed:
    """The guild's settings as a member would read them."""

    def channel(value: int | None) -> str:
        return f"<#{value}>" if value else "not set"

    def role(value: int | None) -> str:
        return f"<@&{value}>" if value else "not set (Manage Server only)"

    embed = discord.Embed(title="Co-creation settings", colour=discord.Colour.blurple())
    embed.add_field(name="Ideas channel", value=channel(settings.ideas_channel_id), inline=False)
    embed.add_field(name="Announcements channel", value=channel(settings.announcements_channel_id), inline=False)
    embed.add_field(name="Staff role", value=role(settings.staff_role_id), inline=False)
    embed.add_field(name="Moderator role", value=role(settings.moderator_role_id), inline=False)
    embed.add_field(name="Time zone", value=settings.timezone, inline=False)
    return embed


# No `default_permissions` on the group: Discord applies it to every subcommand, and moderators (who may not
# have Manage Server) must reach `/setup show`. Each subcommand checks its own rule on the server instead.
@app_commands.guild_only()
class Setup(commands.GroupCog, group_name="setup", group_description="Configure the co-creation bot"):
    def __init__(self, service: GuildSetupService) -> None:
        self.service = service

    @app_commands.command(name="set", description="Choose channels, roles and time zone; only what you pass changes")
    @app_commands.describe(
        ideas_channel="Where ideas are posted (a forum or text channel)",
        announcements_channel="Where results and winners are announced",
        staff_role="Brand staff: answer ideas, host AMAs",
        moderator_role="Moderators: schedule challenges and polls, moderate",
        timezone="Time zone for schedules, e.g. Europe/Amsterdam",
    )
    @only(ADMIN)
    async def set_settings(
        self,
        interaction: discord.Interaction,
        ideas_channel: discord.TextChannel | discord.ForumChannel | None = None,
        announcements_channel: discord.TextChannel | None = None,
        staff_role: discord.Role | None = None,
        moderator_role: discord.Role | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        change = SetupChange(
            ideas_channel_id=ideas_channel and ideas_channel.id,
            announcements_channel_id=announcements_channel and announcements_channel.id,
            staff_role_id=staff_role and staff_role.id,
            moderator_role_id=moderator_role and moderator_role.id,
            timezone=timezone,
        )
        settings = await self.service.update(interaction.guild_id, change)
        await interaction.client.delivery.resume(interaction.guild_id)  # type: ignore[attr-defined]
        await interaction.response.send_message("Settings saved.", embed=settings_embed(settings), ephemeral=True)

    @set_settings.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.lower()
        return [app_commands.Choice(name=tz, value=tz) for tz in TIMEZONES if needle in tz.lower()][:25]

    @app_commands.command(name="show", description="Show this server's co-creation settings")
    @only(MODERATOR)
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        settings = await self.service.get(interaction.guild_id)
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Setup(bot.services.setup))
