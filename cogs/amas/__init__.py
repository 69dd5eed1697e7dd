"""`/ama ...`: brand staff answer the community in the open."""

import functools
import io
import re
from datetime import timedelta

import discord
from discord import app_commands

from bot.core import CoCreateBot
from bot.delivery import Handler, reply_when_settled
from bot.feature import FeatureCog
from bot.forms import Form
from bot.permissions import ensure_allowed, only
from bot.suggestions import NUMBER, Reason, suggestions
from bot.text import fit_lines
from cogs.amas import publish
from cogs.amas.publish import (
    ANNOUNCEMENTS,
    AmaHostButton,
    AmaModerationButton,
    AmaQuestionButton,
    AnswerModal,
    ama_line,
    answer_question,
    next_panel,
    queue_message,
)
from services.amas import AmaService
from services.i18n import _
from services.permissions import MEMBER, MODERATOR, ORGANISER, STAFF
from storage.models import Ama, AmaStatus, Host, QuestionStatus

AmaId = app_commands.Range[int, 1]
REMINDER_GRACE = timedelta(minutes=10)


class AskModal(Form):
    """The question form; its custom_id names the AMA and whether the question is anonymous."""

    template = re.compile(r"ama:ask-form:(?P<ama_id>\d+):(?P<anonymous>[01])")

    def __init__(self, ama_id: int, anonymous: bool) -> None:
        super().__init__(title=_("Ask the hosts"), custom_id=f"ama:ask-form:{ama_id}:{int(anonymous)}")
        self.add_item(
            discord.ui.TextInput(
                label=_("Your question"), custom_id="question", style=discord.TextStyle.paragraph, max_length=500
            )
        )

    @classmethod
    async def submitted(cls, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        assert interaction.guild_id is not None
        bot: CoCreateBot = interaction.client  # type: ignore[assignment]
        name = interaction.user.display_name
        ama, question = await bot.services.amas.ask(
            interaction.guild_id,
            int(match["ama_id"]),
            actor.user_id,
            name,
            values.get("question", ""),
            match["anonymous"] == "1",
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        if question.status == QuestionStatus.PENDING:
            await interaction.followup.send(
                _(
                    "Thanks! Question #{question} waits for a moderator before the community sees it.",
                    question=question.id,
                ),
                ephemeral=True,
            )
            return
        settled = await bot.delivery.settle(ama.guild_id, f"ama:{ama.id}")
        text = settled.say(
            _("Your question #{question} is in {thread}.", question=question.id, thread=f"<#{ama.thread_id}>"),
            _("Question #{question} is saved.", question=question.id),
        )
        await interaction.followup.send(text, ephemeral=True)


@app_commands.guild_only()
class Amas(FeatureCog, group_name="ama", group_description="Ask the brand anything"):
    dynamic_items = (AmaQuestionButton, AmaModerationButton, AmaHostButton)
    forms = (AskModal, AnswerModal)
    job_prefix = "ama:"

    def __init__(self, bot: CoCreateBot) -> None:
        super().__init__(bot)
        self.amas: AmaService = bot.services.amas

    def delivery_handlers(self) -> dict[str, Handler]:
        handlers = {kind: functools.partial(publish.announce, self.bot) for kind in ANNOUNCEMENTS}
        return handlers | {
            "ama.publish": functools.partial(publish.publish, self.bot),
            "ama.question": functools.partial(publish.post_question, self.bot),
            "ama.question_render": functools.partial(publish.render_question, self.bot),
            "ama.answered": functools.partial(publish.post_answer, self.bot),
            "ama.event": functools.partial(publish.follow_event, self.bot),
        }

    async def rebuild_jobs(self) -> None:
        for ama in await self.amas.unfinished():
            self.schedule_jobs(ama)

    def schedule_jobs(self, ama: Ama) -> None:
        """Remind (skipped if more than 10 minutes late), open and close; open and close always run, however late."""
        scheduler = self.bot.scheduler
        if ama.status == AmaStatus.SCHEDULED:
            scheduler.at(
                f"ama:remind:{ama.id}",
                self.amas.reminder_time(ama),
                self.remind,
                ama.guild_id,
                ama.id,
                grace=REMINDER_GRACE,
            )
            scheduler.at(f"ama:open:{ama.id}", ama.starts_at, self.open_on_time, ama.guild_id, ama.id, grace=None)
        scheduler.at(f"ama:close:{ama.id}", ama.ends_at, self.close_now, ama.guild_id, ama.id, grace=None)

    async def remind(self, guild_id: int, ama_id: int) -> None:
        await self.amas.remind(guild_id, ama_id)

    async def open_on_time(self, guild_id: int, ama_id: int) -> None:
        ama = await self.amas.get(guild_id, ama_id)
        if ama.ends_at > self.bot.services.clock.now():
            await self.open_now(guild_id, ama_id)

    async def open_now(self, guild_id: int, ama_id: int) -> Ama | None:
        ama = await self.amas.open(guild_id, ama_id)
        if ama is not None:
            self.bot.scheduler.cancel(f"ama:open:{ama_id}")
        return ama

    async def close_now(self, guild_id: int, ama_id: int) -> Ama | None:
        closed = await self.amas.close(guild_id, ama_id)
        if closed is None:
            return None
        for job in ("remind", "open", "close"):
            self.bot.scheduler.cancel(f"ama:{job}:{ama_id}")
        return closed

    @app_commands.command(name="schedule", description="Schedule an AMA with up to three hosts")
    @app_commands.describe(
        description="What members can expect (shown on the announcement)",
        host2="A second host",
        host3="A third host",
        title="What the AMA is about",
        host="Who answers",
        starts="When it starts: in 2h, 3d, or a date and time like 2026-12-01 18:00",
        ends="When it ends: a duration after the start (1h) or a date and time",
        channel="Where it happens (default: the announcements channel, else here)",
        moderated="Questions wait for a moderator before the community sees them",
        max_questions="How many questions each member may ask (default 5)",
    )
    @only(STAFF)
    async def schedule(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100],
        host: discord.Member,
        starts: app_commands.Range[str, 1, 40],
        ends: app_commands.Range[str, 1, 40],
        channel: discord.TextChannel | None = None,
        description: app_commands.Range[str, 1, 1000] | None = None,
        host2: discord.Member | None = None,
        host3: discord.Member | None = None,
        moderated: bool = False,
        max_questions: app_commands.Range[int, 1, 20] = 5,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        settings = await self.bot.services.setup.get(interaction.guild_id)
        hosts = [Host(id=m.id, name=m.display_name) for m in (host, host2, host3) if m is not None]
        ama = await self.amas.schedule(
            interaction.guild_id,
            interaction.user.id,
            title=title,
            hosts=hosts,
            channel_id=channel.id if channel else settings.announcements_channel_id or interaction.channel_id,
            starts=starts,
            ends=ends,
            description=description,
            moderated=moderated,
            timezone=settings.timezone,
            max_questions=max_questions,
        )
        self.schedule_jobs(ama)
        await interaction.response.defer(ephemeral=True, thinking=True)
        settled = await self.bot.delivery.settle(ama.guild_id, f"ama:{ama.id}")
        await interaction.followup.send(
            _("AMA #{ama} is scheduled for {when}.", ama=ama.id, when=discord.utils.format_dt(ama.starts_at))
            + settled.note(),
            ephemeral=True,
        )

    @app_commands.command(name="open", description="Open an AMA now")
    @app_commands.describe(ama=NUMBER["ama"])
    @only(STAFF)
    async def open(self, interaction: discord.Interaction, ama: AmaId) -> None:
        assert interaction.guild_id is not None
        await self.amas.get(interaction.guild_id, ama)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if await self.open_now(interaction.guild_id, ama) is None:
            await interaction.followup.send(_("AMA #{ama} is not waiting to open.", ama=ama), ephemeral=True)
            return
        settled = await self.bot.delivery.settle(interaction.guild_id, f"ama:{ama}")
        await interaction.followup.send(_("AMA #{ama} is open.", ama=ama) + settled.note(), ephemeral=True)

    @app_commands.command(name="close", description="End an AMA now and post its transcript")
    @app_commands.describe(ama=NUMBER["ama"])
    @only(STAFF)
    async def close(self, interaction: discord.Interaction, ama: AmaId) -> None:
        assert interaction.guild_id is not None
        await self.amas.get(interaction.guild_id, ama)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if await self.close_now(interaction.guild_id, ama) is None:
            await interaction.followup.send(_("AMA #{ama} was already closed.", ama=ama), ephemeral=True)
            return
        settled = await self.bot.delivery.settle(interaction.guild_id, f"ama:{ama}")
        await interaction.followup.send(_("AMA #{ama} is closed.", ama=ama) + settled.note(), ephemeral=True)

    @app_commands.command(name="ask", description="Ask the hosts of the open AMA a question")
    @app_commands.describe(
        ama="The AMA to ask in (default: the open one)",
        anonymous="Show your question without your name, to everyone including the hosts",
    )
    @only(MEMBER)
    async def ask(self, interaction: discord.Interaction, anonymous: bool = False, ama: AmaId | None = None) -> None:
        assert interaction.guild_id is not None
        current = await self.amas.askable(interaction.guild_id, ama, interaction.user.id)
        await AskModal(current.id, anonymous).open(interaction)

    @app_commands.command(name="list", description="Open and upcoming AMAs in this server")
    @only(MEMBER)
    async def list_amas(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lines = [ama_line(ama) for ama in await self.amas.unfinished(interaction.guild_id)]
        embed = discord.Embed(title=_("AMAs"), description=fit_lines(lines, 4096) or _("No AMAs are planned."))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="next", description="The most upvoted unanswered questions")
    @app_commands.describe(ama="The AMA (default: the open one)")
    @only(MEMBER)
    async def next(self, interaction: discord.Interaction, ama: AmaId | None = None) -> None:
        content, view = await next_panel(interaction, ama)
        await interaction.response.send_message(content, view=view, ephemeral=True)

    @app_commands.command(name="answer", description="Answer a question (hosts)")
    @app_commands.describe(question=NUMBER["question"], answer="Your answer, shown under the question")
    @only(MEMBER)
    async def answer(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        answer: app_commands.Range[str, 1, 1500],
    ) -> None:
        await answer_question(interaction, question, answer)

    @app_commands.command(name="remove", description="Remove an abusive question; its asker is told why")
    @app_commands.describe(question=NUMBER["question"], reason="Why, told to the asker and shown in its place")
    @only(ORGANISER)
    async def remove(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        reason: Reason,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = await self.amas.remove(interaction.guild_id, question, reason, by=interaction.user.id)
        await reply_when_settled(
            interaction, f"ama:{removed.ama_id}", _("Question #{question} is removed.", question=question)
        )

    @app_commands.command(name="queue", description="Approve or reject questions waiting for moderation")
    @app_commands.describe(ama="The AMA (default: the open one)")
    @only(MODERATOR)
    async def queue(self, interaction: discord.Interaction, ama: AmaId | None = None) -> None:
        assert interaction.guild_id is not None
        current = await self.amas.current(interaction.guild_id, ama)
        content, view = await queue_message(self.bot, interaction.guild_id, current.id)
        await interaction.response.send_message(content, view=view, ephemeral=True)

    @app_commands.command(name="transcript", description="Download an AMA's transcript")
    @app_commands.describe(ama=NUMBER["ama"])
    @only(MEMBER)
    async def transcript(self, interaction: discord.Interaction, ama: AmaId) -> None:
        assert interaction.guild_id is not None
        text = await self.amas.transcript(interaction.guild_id, ama)
        file = discord.File(io.BytesIO(text.encode()), filename=f"ama-{ama}-transcript.md")
        await interaction.response.send_message(_("Transcript of AMA #{ama}.", ama=ama), file=file, ephemeral=True)

    @open.autocomplete("ama")
    @close.autocomplete("ama")
    @ask.autocomplete("ama")
    @next.autocomplete("ama")
    @queue.autocomplete("ama")
    @transcript.autocomplete("ama")
    async def ama_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
        return await suggestions(interaction, self.amas.suggest, current)

    @answer.autocomplete("question")
    @remove.autocomplete("question")
    async def question_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await suggestions(interaction, self.amas.suggest_questions, current)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Amas(bot))
