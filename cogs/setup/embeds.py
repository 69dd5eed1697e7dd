"""The guild's settings as a member reads them: shared by `/setup set`, `/setup show` and `/setup start`."""

import discord

from services.i18n import LANGUAGES, _, n_
from storage.models import GuildSettings


def settings_embed(settings: GuildSettings) -> discord.Embed:
    """The guild's settings as a member would read them."""

    def channel(value: int | None) -> str:
        return f"<#{value}>" if value else _("not set")

    def role(value: int | None) -> str:
        return f"<@&{value}>" if value else _("not set (Manage Server only)")

    language = LANGUAGES[settings.language] if settings.language else _("the server's language on Discord")
    embed = discord.Embed(title=_("Co-creation settings"), colour=discord.Colour.blurple())
    embed.add_field(name=_("Ideas channel"), value=channel(settings.ideas_channel_id), inline=False)
    embed.add_field(name=_("Announcements channel"), value=channel(settings.announcements_channel_id), inline=False)
    embed.add_field(name=_("Staff role"), value=role(settings.staff_role_id), inline=False)
    embed.add_field(name=_("Moderator role"), value=role(settings.moderator_role_id), inline=False)
    embed.add_field(name=_("Roadmap channel"), value=channel(settings.roadmap_channel_id), inline=False)
    embed.add_field(name=_("Time zone"), value=settings.timezone, inline=False)
    embed.add_field(name=_("Language of public posts"), value=language, inline=False)
    minimums = []
    if settings.min_account_days:
        minimums.append(n_("accounts {count} day old", "accounts {count} days old", settings.min_account_days))
    if settings.min_member_days:
        minimums.append(n_("{count} day in the server", "{count} days in the server", settings.min_member_days))
    fair = " · ".join(minimums) or _("every member votes at once")
    embed.add_field(name=_("Who may vote"), value=fair, inline=False)
    return embed
