"""`/poll ...`: let the community decide, with live results and a scheduled close."""

import functools
import io

import discord
from discord import app_commands

from bot.core import CoCreateBot
from bot.delivery import Handler
from bot.feature import FeatureCog
from bot.permissions import actor_from, only
from bot.suggestions import NUMBER, suggestions
from bot.text import fit_lines
from cogs.polls import publish
from cogs.polls.publish import PollVoteButton, poll_embed, poll_link
from services.i18n import _
from services.permissions import MEMBER, ORGANISER, STAFF
from services.polls import PollService
from storage.models import Poll

PollId = app_commands.Range[int, 1]


@app_commands.guild_only()
class Polls(FeatureCog, group_name="poll", group_description="Let the community decide"):
    dynamic_items = (PollVoteButton,)
    job_prefix = "poll:"

    def __init__(self, bot: CoCreateBot) -> None:
        super().__init__(bot)
        self.polls: PollService = bot.services.polls

    def delivery_handlers(self) -> dict[str, Handler]:
        return {
            "poll.publish": functools.partial(publish.publish, self.bot),
            "poll.render": functools.partial(publish.render, self.bot),
            "poll.results": functools.partial(publish.post_results, self.bot),
        }

    async def rebuild_jobs(self) -> None:
        for poll in await self.polls.open_polls():
            self.schedule_close(poll)

    def schedule_close(self, poll: Poll) -> None:
        """Close on time; if the bot was offline then, as soon as it is back (no misfire grace)."""
        if poll.closes_at is not None:
            self.bot.scheduler.at(
                f"poll:close:{poll.id}", poll.closes_at, self.close_on_time, poll.guild_id, poll.id, grace=None
            )

    async def close_on_time(self, guild_id: int, poll_id: int) -> None:
        settings = await self.bot.services.setup.get(guild_id)
        await self.polls.close(guild_id, poll_id, settings.announcements_channel_id)

    @app_commands.command(name="create", description="Ask the community a question with 2 to 10 options")
    @app_commands.describe(
        question="What should the community decide?",
        options='2 to 10 options separated by "|", e.g. Mint | Cedar | Lavender',
        max_choices="How many options a member may pick (1 = single choice)",
        anonymous="Hide who voted for what from everyone, staff included",
        closes="When voting ends: a duration (30m, 2h, 3d) or a date and time (2026-12-01 18:00)",
        voter_role="Only members with this role may vote",
    )
    @only(ORGANISER)
    async def create(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 300],
        options: app_commands.Range[str, 3, 1000],
        max_choices: app_commands.Range[int, 1, 10] = 1,
        anonymous: bool = False,
        closes: app_commands.Range[str, 1, 40] | None = None,
        voter_role: discord.Role | None = None,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        timezone = (await self.bot.services.setup.get(interaction.guild_id)).timezone
        poll = await self.polls.create(
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            question,
            options,
            max_choices=max_choices,
            anonymous=anonymous,
            voter_role_id=voter_role.id if voter_role else None,
            closes=closes,
            timezone=timezone,
        )
        await self.launch(interaction, poll)

    @app_commands.command(name="ideas", description="Let the community choose between 2 to 10 ideas")
    @app_commands.describe(
        ideas="The ideas' numbers, e.g. 3, 5, 8",
        question="What to decide (default: which do we build first?)",
        closes="When voting ends: a duration (30m, 2h, 3d) or a date and time (2026-12-01 18:00)",
    )
    @only(STAFF)
    async def from_ideas(
        self,
        interaction: discord.Interaction,
        ideas: app_commands.Range[str, 1, 100],
        question: app_commands.Range[str, 1, 300] | None = None,
        closes: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        """A poll whose options are ideas; when it closes, each idea's thread gets its result."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        chosen = await self.bot.services.ideas.for_poll(interaction.guild_id, ideas)
        timezone = (await self.bot.services.setup.get(interaction.guild_id)).timezone
        poll = await self.polls.create(
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            question or _("Which idea should we build first?"),
            [f"#{idea.id} {' '.join(idea.title.split())}"[:80] for idea in chosen],
            closes=closes,
            timezone=timezone,
            ideas=[idea.id for idea in chosen],
        )
        await self.launch(interaction, poll)

    async def launch(self, interaction: discord.Interaction, poll: Poll) -> None:
        """Schedule a new poll's close, and tell its creator once it is live (or that it is saved, and why not yet)."""
        self.schedule_close(poll)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settled = await self.bot.delivery.settle(poll.guild_id, f"poll:{poll.id}")
        text = settled.say(_("Poll #{poll} is live.", poll=poll.id), _("Poll #{poll} is saved.", poll=poll.id))
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="close", description="Close a poll now (its creator or a moderator)")
    @app_commands.describe(poll=NUMBER["poll"])
    @only(MEMBER)
    async def close(self, interaction: discord.Interaction, poll: PollId) -> None:
        assert interaction.guild_id is not None
        settings = await self.bot.services.setup.get(interaction.guild_id)
        await self.polls.close_early(interaction.guild_id, poll, actor_from(interaction), settings)
        self.bot.scheduler.cancel(f"poll:close:{poll}")
        await interaction.response.defer(ephemeral=True, thinking=True)
        settled = await self.bot.delivery.settle(interaction.guild_id, f"poll:{poll}")
        await interaction.followup.send(_("Poll #{poll} is closed.", poll=poll) + settled.note(), ephemeral=True)

    @app_commands.command(name="results", description="See a poll's current results")
    @app_commands.describe(poll=NUMBER["poll"])
    @only(MEMBER)
    async def results(self, interaction: discord.Interaction, poll: PollId) -> None:
        assert interaction.guild_id is not None
        results = await self.polls.results(interaction.guild_id, poll)
        embed = poll_embed(results)
        for label, voters in zip(results.poll.options, results.voters, strict=False):
            if voters:  # at most ~350 characters an option, so ten options stay within the embed's 6,000
                embed.add_field(name=label, value=fit_lines([f"<@{m}>" for m in voters], 350, " "), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="list", description="Open polls in this server")
    @only(MEMBER)
    async def list_polls(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        polls = await self.polls.open_polls(interaction.guild_id)
        lines = [
            f"**#{p.id}** {discord.utils.escape_markdown(p.question)[:150]}"
            + (" · " + _("closes {when}", when=discord.utils.format_dt(p.closes_at, "R")) if p.closes_at else "")
            + (f" · {link}" if (link := poll_link(p)) else "")
            for p in polls
        ]
        embed = discord.Embed(title=_("Open polls"), description=fit_lines(lines, 4096) or _("No open polls."))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="export", description="Download a poll's votes as CSV (anonymous polls: counts only)")
    @app_commands.describe(poll=NUMBER["poll"])
    @only(ORGANISER)
    async def export(self, interaction: discord.Interaction, poll: PollId) -> None:
        assert interaction.guild_id is not None
        data = (await self.polls.export_csv(interaction.guild_id, poll)).encode()
        file = discord.File(io.BytesIO(data), filename=f"poll-{poll}.csv")
        await interaction.response.send_message(_("Poll #{poll}, as CSV.", poll=poll), file=file, ephemeral=True)

    @close.autocomplete("poll")
    @results.autocomplete("poll")
    @export.autocomplete("poll")
    async def poll_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await suggestions(interaction, self.polls.suggest, current)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Polls(bot))
