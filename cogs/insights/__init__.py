"""`/insights`: participation week by week for brand staff, with a chart and a CSV to take further."""

import asyncio
import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.core import CoCreateBot
from bot.permissions import only
from cogs.insights.chart import PANELS, insights_chart
from services.i18n import _
from services.insights import Insights, InsightsService
from services.permissions import STAFF


def insights_embed(insights: Insights) -> discord.Embed:
    """Per measure: this week, the week before, and the total of the period (a median has no total)."""
    this, before = insights.weeks[-1], insights.weeks[-2]
    embed = discord.Embed(
        title=_("Insights"),
        description=_("This week (the last seven days) · the week before · the whole period."),
        colour=discord.Colour.blurple(),
    )
    for metric, name in PANELS.items():
        if metric == "median_answer_hours":
            value = " · ".join("-" if week.median_answer_hours is None else f"{week.median_answer_hours:g} h"
                               for week in (this, before))  # fmt: skip
        else:
            counts = (getattr(this, metric), getattr(before, metric), insights.total(metric))
            value = " · ".join(map(str, counts))
        embed.add_field(name=_(name), value=value)
    embed.set_image(url="attachment://insights.png")
    embed.set_footer(text=_("Poll ballots are anonymous, so they count as ballots but not as active members."))
    return embed


class InsightsCog(commands.Cog):
    def __init__(self, bot: CoCreateBot) -> None:
        self.insights: InsightsService = bot.services.insights

    @app_commands.command(name="insights", description="Participation week by week, with a chart and a CSV")
    @app_commands.describe(weeks="How many weeks to show, the last one ending now (default 8)")
    @app_commands.guild_only()
    @only(STAFF)
    async def insights_command(
        self, interaction: discord.Interaction, weeks: app_commands.Range[int, 2, 26] = 8
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)  # the queries and chart take a moment
        report = await self.insights.report(interaction.guild_id, weeks)
        chart = await asyncio.to_thread(insights_chart, report)  # drawing stays off the event loop
        files = [
            discord.File(io.BytesIO(chart), filename="insights.png"),
            discord.File(io.BytesIO(InsightsService.csv(report).encode()), filename="insights.csv"),
        ]
        await interaction.followup.send(embed=insights_embed(report), files=files, ephemeral=True)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(InsightsCog(bot))
