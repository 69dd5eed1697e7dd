"""`/idea ...`: the co-creation loop from proposal to shipped with credit."""

import functools
import io
import logging

import discord
from apscheduler.triggers.interval import IntervalTrigger
from discord import app_commands

from bot.core import CoCreateBot
from bot.delivery import Handler, reply_when_settled
from bot.feature import FeatureCog
from bot.i18n import server_language
from bot.permissions import only
from bot.suggestions import NUMBER, Reason, suggestions
from cogs.ideas import publish
from cogs.ideas.embeds import leaderboard_embed, page_embed
from cogs.ideas.publish import NO_IDEAS_CHANNEL, THREAD_POSTS, IdeaVoteButton
from cogs.ideas.review import IdeaRejectForm, IdeaReviewButton, queue_message
from cogs.ideas.views import IdeaDraftButton, IdeaModal, IdeaPageButton, browse_page
from services.errors import InvalidInput
from services.i18n import _, n_, speaking
from services.ideas import IdeaQuery, IdeaService
from services.permissions import MEMBER, MODERATOR, ORGANISER, STAFF
from services.wording import state_name
from storage.models import IdeaStatus

LISTED = [s for s in IdeaStatus if s not in (IdeaStatus.DUPLICATE, IdeaStatus.REMOVED, IdeaStatus.AWAITING_REVIEW)]
LIST_CHOICES = [app_commands.Choice(name=s.value, value=s.value) for s in LISTED]
STATUS_CHOICES = [choice for choice in LIST_CHOICES if choice.value != IdeaStatus.EXPIRED]  # ideas expire by themselves
log = logging.getLogger(__name__)
SUPPORT_JOB = "idea:support"  # decides the ideas whose support deadline passed
SUPPORT_EVERY = IntervalTrigger(minutes=10)
PERIOD_CHOICES = [app_commands.Choice(name=p, value=p) for p in ("week", "month", "all")]
IdeaId = app_commands.Range[int, 1]


@app_commands.guild_only()
class Ideas(FeatureCog, group_name="idea", group_description="Propose, vote on and follow ideas"):
    dynamic_items = (IdeaVoteButton, IdeaDraftButton, IdeaPageButton, IdeaReviewButton)
    job_prefix = "idea:"
    forms = (IdeaModal, IdeaRejectForm)

    def __init__(self, bot: CoCreateBot) -> None:
        super().__init__(bot)
        self.ideas: IdeaService = bot.services.ideas

    async def rebuild_jobs(self) -> None:
        """Every ten minutes, and at once after a restart: ideas whose support deadline passed are decided."""
        now = self.bot.services.clock.now()
        self.bot.scheduler.add(SUPPORT_JOB, SUPPORT_EVERY, self.settle_support, grace=None, first=now)

    async def settle_support(self) -> None:
        decided = await self.ideas.settle_support(self.bot.owns)
        if decided:
            log.info("ideas decided at their support deadline", extra={"ideas": decided})

    def delivery_handlers(self) -> dict[str, Handler]:
        handlers = {kind: functools.partial(publish.thread_post, self.bot) for kind in THREAD_POSTS}
        return handlers | {
            "idea.publish": functools.partial(publish.publish, self.bot),
            "idea.render": functools.partial(publish.render, self.bot),
            "idea.thread_closed": functools.partial(publish.close_thread, self.bot),
            "idea.changelog": functools.partial(publish.post_changelog, self.bot),
            "idea.poll_result": functools.partial(publish.post_poll_result, self.bot),
            "roadmap.render": functools.partial(publish.render_roadmap, self.bot),
        }

    @app_commands.command(name="submit", description="Propose an idea to the community")
    @app_commands.describe(anonymous="Hide your name from the community (staff still see it)")
    @only(MEMBER)
    async def submit(self, interaction: discord.Interaction, anonymous: bool = False) -> None:
        assert interaction.guild_id is not None
        if (await self.bot.services.setup.get(interaction.guild_id)).ideas_channel_id is None:
            raise InvalidInput(_(NO_IDEAS_CHANNEL))
        await self.ideas.check_rate_limit(interaction.guild_id, interaction.user.id)
        categories = (await self.ideas.settings(interaction.guild_id)).categories
        await IdeaModal(categories, anonymous=anonymous).open(interaction)

    @app_commands.command(name="status", description="Move an idea through the workflow with a public reason")
    @app_commands.describe(idea="Idea number", status="The new status", reason="Why, shown to everyone")
    @app_commands.choices(status=STATUS_CHOICES)
    @only(STAFF)
    async def status(self, interaction: discord.Interaction, idea: IdeaId, status: str, reason: Reason) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        change = await self.ideas.set_status(
            interaction.guild_id, idea, IdeaStatus(status), reason, by=interaction.user.id
        )
        settled = await self.bot.delivery.settle(interaction.guild_id, f"idea:{idea}")
        await interaction.followup.send(
            _("Idea #{idea} is now {status}.", idea=idea, status=state_name(change.idea.status))
            + " "
            + n_("{count} follower notified.", "{count} followers notified.", len(change.notify))
            + settled.note(),
            ephemeral=True,
        )

    @app_commands.command(name="queue", description="Approve or reject new ideas awaiting review")
    @only(ORGANISER)
    async def queue(self, interaction: discord.Interaction) -> None:
        content, view = await queue_message(interaction)
        await interaction.response.send_message(content, view=view, ephemeral=True)

    @app_commands.command(name="remove", description="Remove an abusive idea; its author is told why")
    @app_commands.describe(idea=NUMBER["idea"], reason="Why, told to its author and shown in its place")
    @only(ORGANISER)
    async def remove(self, interaction: discord.Interaction, idea: IdeaId, reason: Reason) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.ideas.remove(interaction.guild_id, idea, reason, by=interaction.user.id)
        await reply_when_settled(
            interaction, f"idea:{idea}", _("Idea #{idea} is removed; its author is told why.", idea=idea)
        )

    @app_commands.command(name="merge", description="Mark an idea as a duplicate of another and move its votes")
    @app_commands.describe(duplicate="The duplicate idea's number", into="The idea to keep", reason="Optional note")
    @only(STAFF)
    async def merge(
        self, interaction: discord.Interaction, duplicate: IdeaId, into: IdeaId, reason: Reason | None = None
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        merged, target = await self.ideas.merge(interaction.guild_id, duplicate, into, reason, interaction.user.id)
        settled = await self.bot.delivery.settle(interaction.guild_id, f"idea:{merged.id}")
        await interaction.followup.send(
            _(
                "Merged #{idea} into #{into}; it now has score {score}.",
                idea=merged.id,
                into=target.id,
                score=target.score,
            )
            + settled.note(),
            ephemeral=True,
        )

    async def _browse(self, interaction: discord.Interaction, query: IdeaQuery) -> None:
        embed, view = await browse_page(interaction, query)
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="list", description="Browse the newest ideas")
    @app_commands.describe(
        status="Only ideas with this status",
        category="Only ideas in this category",
        author="Only ideas by this member",
        period="Only ideas posted in this period",
    )
    @app_commands.choices(status=[*LIST_CHOICES, app_commands.Choice(name="duplicate", value="duplicate")])
    @app_commands.choices(period=PERIOD_CHOICES)
    @only(MEMBER)
    async def list_ideas(
        self,
        interaction: discord.Interaction,
        status: str | None = None,
        category: app_commands.Range[str, 1, 30] | None = None,
        author: discord.Member | None = None,
        period: str = "all",
    ) -> None:
        await self._browse(interaction, await self._query(interaction, "new", status, category, author, period))

    @app_commands.command(name="top", description="Browse the highest-voted ideas")
    @app_commands.describe(
        status="Only ideas with this status",
        category="Only ideas in this category",
        author="Only ideas by this member",
        period="Only ideas posted in this period",
    )
    @app_commands.choices(status=LIST_CHOICES, period=PERIOD_CHOICES)
    @only(MEMBER)
    async def top(
        self,
        interaction: discord.Interaction,
        status: str | None = None,
        category: app_commands.Range[str, 1, 30] | None = None,
        author: discord.Member | None = None,
        period: str = "all",
    ) -> None:
        await self._browse(interaction, await self._query(interaction, "top", status, category, author, period))

    async def _query(
        self,
        interaction: discord.Interaction,
        sort: str,
        status: str | None,
        category: str | None,
        author: discord.Member | None,
        period: str,
    ) -> IdeaQuery:
        assert interaction.guild_id is not None
        return IdeaQuery(
            sort=sort,  # type: ignore[arg-type]
            status=IdeaStatus(status) if status else None,
            category=await self.ideas.canonical_category(interaction.guild_id, category),
            author_id=author.id if author else None,
            period=period,  # type: ignore[arg-type]
        )

    @app_commands.command(name="search", description="Find ideas by words in their title or description")
    @app_commands.describe(words="Words in the title or description")
    @only(MEMBER)
    async def search(self, interaction: discord.Interaction, words: app_commands.Range[str, 1, 100]) -> None:
        assert interaction.guild_id is not None
        page = await self.ideas.search(interaction.guild_id, words)
        await interaction.response.send_message(
            embed=page_embed(_("Ideas matching “{words}”", words=words), page, 0), ephemeral=True
        )

    @app_commands.command(name="credit", description="Credit a co-author of a shipped idea")
    @app_commands.describe(idea=NUMBER["idea"], member="Who helped shape the idea")
    @only(STAFF)
    async def credit(self, interaction: discord.Interaction, idea: IdeaId, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        await self.ideas.credit(interaction.guild_id, idea, member.id, by=interaction.user.id)
        await interaction.response.send_message(
            _("{member} is credited on idea #{idea}.", member=member.mention, idea=idea), ephemeral=True
        )

    @app_commands.command(name="leaderboard", description="Members ranked by shipped ideas and votes received")
    @only(MEMBER)
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        rows = await self.ideas.leaderboard(interaction.guild_id)
        with speaking(await server_language(self.bot, interaction.guild_id)):  # a public answer
            embed = leaderboard_embed(rows)
        await interaction.response.send_message(embed=embed)

    @app_commands.command(name="export", description="Download every idea as a CSV file")
    @only(STAFF)
    async def export(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        data = (await self.ideas.export_csv(interaction.guild_id)).encode()
        file = discord.File(io.BytesIO(data), filename="ideas.csv")
        await interaction.response.send_message(_("All ideas, as CSV."), file=file, ephemeral=True)

    @app_commands.command(name="notifications", description="Get (or stop) pings when ideas you follow change")
    @app_commands.describe(enabled="Whether you get a message when your ideas change status")
    @only(MEMBER)
    async def notifications(self, interaction: discord.Interaction, enabled: bool) -> None:
        assert interaction.guild_id is not None
        await self.ideas.set_notifications(interaction.guild_id, interaction.user.id, enabled)
        text = _("Idea notifications are on for you.") if enabled else _("Idea notifications are off for you.")
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="settings", description="Downvotes, categories, submission limit, review and goals")
    @app_commands.describe(
        downvotes="Whether members may vote ideas down",
        hourly_limit="How many ideas a member may submit per hour",
        categories="Comma-separated, e.g. Flavours, Packaging (empty text clears)",
        review="Whether new ideas wait for staff to approve them (/idea queue)",
        support_goal="Supporters a new idea needs to go to staff review (0: no goal)",
        support_days="Days a new idea has to reach its support goal before it expires",
    )
    @only(MODERATOR)
    async def settings(
        self,
        interaction: discord.Interaction,
        downvotes: bool | None = None,
        categories: app_commands.Range[str, 0, 800] | None = None,
        hourly_limit: app_commands.Range[int, 1, 100] | None = None,
        review: bool | None = None,
        support_goal: app_commands.Range[int, 0, 1_000_000] | None = None,
        support_days: app_commands.Range[int, 1, 365] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        saved = await self.ideas.configure(
            interaction.guild_id, downvotes, categories, hourly_limit, review, support_goal, support_days
        )
        goal = (
            n_(
                "new ideas need {count} supporter within {days} days",
                "new ideas need {count} supporters within {days} days",
                saved.support_goal,
                days=saved.support_days,
            )
            if saved.support_goal
            else _("no support goal")
        )
        await interaction.response.send_message(
            " · ".join(
                (
                    _("Downvotes on") if saved.downvotes else _("Downvotes off"),
                    _("categories: {categories}", categories=", ".join(saved.categories) or _("none")),
                    _("new ideas wait for review") if saved.review else _("new ideas are posted at once"),
                    goal,
                    n_("{count} idea per member per hour.", "{count} ideas per member per hour.", saved.hourly_limit),
                )
            ),
            ephemeral=True,
        )

    @status.autocomplete("idea")
    @remove.autocomplete("idea")
    @merge.autocomplete("duplicate")
    @merge.autocomplete("into")
    @credit.autocomplete("idea")
    async def idea_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await suggestions(interaction, self.ideas.suggest, current)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Ideas(bot))
