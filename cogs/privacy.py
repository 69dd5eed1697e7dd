"""`/privacy export` and `/privacy delete`: what the bot holds about you, and erasing it."""

import io
import re

import discord
from discord import app_commands

from bot.context import services
from bot.core import CoCreateBot
from bot.errors import reports_errors
from bot.feature import FeatureCog
from bot.permissions import ensure_confirmer, only
from services.i18n import _
from services.permissions import MEMBER


class EraseButton(discord.ui.DynamicItem[discord.ui.Button], template=r"privacy:erase:(?P<member_id>\d+)"):
    """The confirmation of `/privacy delete`; only the member it was shown to can use it."""

    def __init__(self, member_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Yes, delete my data"), style=discord.ButtonStyle.danger, custom_id=f"privacy:erase:{member_id}"
            )
        )
        self.member_id = member_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "EraseButton":
        return cls(int(match["member_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_confirmer(interaction, MEMBER, self.member_id)
        assert interaction.guild_id is not None
        await services(interaction).privacy.erase(interaction.guild_id, actor.user_id)
        await interaction.response.edit_message(
            content=_("Your data in this server is deleted. Your votes still count, anonymously."), view=None
        )


@app_commands.guild_only()
class Privacy(FeatureCog, group_name="privacy", group_description="Your data in this server"):
    dynamic_items = (EraseButton,)

    @app_commands.command(name="export", description="Download everything the bot holds about you here (JSON)")
    @only(MEMBER)
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = await self.bot.services.privacy.export_json(interaction.guild_id, interaction.user.id)
        file = discord.File(io.BytesIO(data.encode()), filename="my-data.json")
        await interaction.response.send_message(
            _("Everything the bot holds about you in this server."), file=file, ephemeral=True
        )

    @app_commands.command(name="delete", description="Delete your data here (votes stay counted, anonymously)")
    @only(MEMBER)
    async def delete(self, interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(EraseButton(interaction.user.id))
        await interaction.response.send_message(
            _(
                "This deletes your drafts and settings, detaches your name from your ideas, questions and entries, "
                "and turns your votes into anonymous counts. It cannot be undone. Continue?"
            ),
            view=view,
            ephemeral=True,
        )


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Privacy(bot))
