"""`/setup start`: the settings as select menus (channels, roles, language), each pick saved as it is made.

The menus are DynamicItems: a pick works after a restart too, and is checked on the server like a command.
"""

import re

import discord

from bot.context import services
from bot.errors import reports_errors
from bot.permissions import ensure_allowed
from cogs.setup.embeds import settings_embed
from services.guild_setup import SetupChange
from services.i18n import LANGUAGES, N_, _
from services.permissions import ADMIN
from storage.models import GuildSettings

# What each menu sets, and what it asks.
PICKS = {
    "ideas": ("ideas_channel_id", N_("Ideas channel: where members' ideas are posted")),
    "announcements": ("announcements_channel_id", N_("Announcements channel: results, AMAs and winners")),
    "staff": ("staff_role_id", N_("Staff role: brand staff answer ideas and host AMAs")),
    "moderator": ("moderator_role_id", N_("Moderator role: schedule challenges and polls, moderate")),
    "language": ("language", N_("Language of public posts")),
}
CHANNEL_TYPES = {
    "ideas": [discord.ChannelType.text, discord.ChannelType.forum],
    "announcements": [discord.ChannelType.text],
}


def menu(pick: str, settings: GuildSettings) -> discord.ui.Select:
    """The select for `pick`, showing what is set now."""
    field, placeholder = PICKS[pick]
    chosen = getattr(settings, field)
    custom_id, prompt = f"setup:pick:{pick}", _(placeholder)
    if pick in CHANNEL_TYPES:
        defaults = [discord.Object(chosen, type=discord.abc.GuildChannel)] if chosen else []
        return discord.ui.ChannelSelect(
            custom_id=custom_id, placeholder=prompt, channel_types=CHANNEL_TYPES[pick], default_values=defaults
        )
    if pick == "language":
        options = [
            discord.SelectOption(label=name, value=code, default=code == chosen) for code, name in LANGUAGES.items()
        ]
        return discord.ui.Select(custom_id=custom_id, placeholder=prompt, options=options)
    defaults = [discord.Object(chosen, type=discord.Role)] if chosen else []
    return discord.ui.RoleSelect(custom_id=custom_id, placeholder=prompt, default_values=defaults)


def menus_view(settings: GuildSettings) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for pick in PICKS:
        view.add_item(SetupPick(pick, settings))
    return view


def menus_text() -> str:
    return _(
        "Set up CoCreate: pick each item below; every pick is saved at once. "
        "Set the time zone with `/setup set timezone:`, then run `/setup check`."
    )


class SetupPick(
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"setup:pick:(?P<pick>ideas|announcements|staff|moderator|language)",
):
    def __init__(self, pick: str, settings: GuildSettings) -> None:
        super().__init__(menu(pick, settings))
        self.pick = pick

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> "SetupPick":
        assert interaction.guild_id is not None
        return cls(match["pick"], GuildSettings(guild_id=interaction.guild_id))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await ensure_allowed(interaction, ADMIN)
        assert interaction.guild_id is not None
        picked = self.item.values[0]  # Discord sends at least one: a select's minimum is 1
        chosen = picked if isinstance(picked, str) else picked.id
        change = SetupChange(**{PICKS[self.pick][0]: chosen})
        settings = await services(interaction).setup.update(interaction.guild_id, change, by=interaction.user.id)
        await interaction.client.delivery.resume(interaction.guild_id)  # type: ignore[attr-defined]
        await interaction.response.edit_message(
            content=menus_text(), embed=settings_embed(settings), view=menus_view(settings)
        )
