"""`/challenge ...`: recurring themed challenges that moderators schedule and members enter and vote on."""

import functools

import discord
from discord import app_commands

from bot.core import CoCreateBot
from bot.delivery import Handler, reply_when_settled
from bot.feature import FeatureCog
from bot.i18n import server_language
from bot.permissions import only
from bot.suggestions import NUMBER, Reason, suggestions
from bot.text import fit_lines
from cogs.challenges import publish
from cogs.challenges.publish import (
    RUN_POSTS,
    ChallengeBallotButton,
    ChallengeBallotPick,
    ChallengeDeleteButton,
    ChallengeVoteButton,
    challenge_line,
    hall_of_fame_embed,
    leaderboard_embed,
    preview_lines,
    winning_photos,
)
from services.challenges import START_GRACE, ChallengeService
from services.errors import InvalidInput
from services.i18n import _, speaking
from services.permissions import MEMBER, MODERATOR, ORGANISER
from services.validation import build
from storage.models import Challenge, EntryFile, Phase, Rotation, Run

ChallengeId = app_commands.Range[int, 1]
MAX_FILE_BYTES = 8 * 1024 * 1024
ROTATIONS = [app_commands.Choice(name="in order", value="order"), app_commands.Choice(name="random", value="random")]


@app_commands.guild_only()
class Challenges(FeatureCog, group_name="challenge", group_description="Recurring themed challenges"):
    dynamic_items = (ChallengeVoteButton, ChallengeDeleteButton, ChallengeBallotButton, ChallengeBallotPick)
    job_prefix = "challenge:"

    def __init__(self, bot: CoCreateBot) -> None:
        super().__init__(bot)
        self.challenges: ChallengeService = bot.services.challenges

    def delivery_handlers(self) -> dict[str, Handler]:
        handlers = {kind: functools.partial(publish.post_run, self.bot) for kind in RUN_POSTS}
        return handlers | {
            "challenge.entry": functools.partial(publish.post_entry, self.bot),
            "challenge.entry_render": functools.partial(publish.render_entry, self.bot),
            "challenge.voting_closed": functools.partial(publish.close_ballots, self.bot),
        }

    async def rebuild_jobs(self) -> None:
        for challenge in await self.challenges.all():
            self.schedule_runs(challenge)
        for run in await self.challenges.unfinished_runs():
            self.schedule_phase(run)

    # -- jobs ----------------------------------------------------------------------------------------

    def schedule_runs(self, challenge: Challenge) -> None:
        """Runs fire on the challenge's trigger; one due while the bot was offline may start up to an hour late."""
        job = f"challenge:run:{challenge.id}"
        if challenge.paused:
            self.bot.scheduler.cancel(job)
            return
        trigger, first = self.challenges.trigger(challenge), self.challenges.next_due(challenge)
        if first is None:
            self.bot.scheduler.cancel(job)
            return
        self.bot.scheduler.add(
            job, trigger, self.start_run, challenge.guild_id, challenge.id, grace=START_GRACE, first=first
        )

    def schedule_phase(self, run: Run) -> None:
        """The next phase change of a run; always happens, however late."""
        if run.phase == Phase.ENTRIES:
            self.bot.scheduler.at(
                f"challenge:voting:{run.id}", run.entries_close_at, self.open_voting, run.guild_id, run.id, grace=None
            )
        elif run.phase == Phase.VOTING:
            self.bot.scheduler.at(
                f"challenge:finish:{run.id}", run.voting_close_at, self.finish, run.guild_id, run.id, grace=None
            )

    async def start_run(self, guild_id: int, challenge_id: int) -> None:
        started = await self.challenges.start_run(guild_id, challenge_id)
        if started is not None:
            self.schedule_phase(started[1])

    async def open_voting(self, guild_id: int, run_id: int) -> None:
        opened = await self.challenges.open_voting(guild_id, run_id)
        if opened is None:
            return
        run, entries = opened
        if entries:
            self.schedule_phase(run)
        else:
            await self.finish(guild_id, run_id)

    async def finish(self, guild_id: int, run_id: int) -> None:
        await self.challenges.finish(guild_id, run_id)

    # -- moderators ----------------------------------------------------------------------------------

    @app_commands.command(name="schedule", description="Schedule a recurring themed challenge")
    @app_commands.describe(
        name="e.g. Moustache parade",
        themes='Themes separated by "|", e.g. Moustaches | Hats | Pets',
        schedule="daily 18:00, weekly fri 18:00, once 2026-12-01 18:00, or cron like 0 18 * * fri",
        entry_window="How long entries are open, e.g. 2d",
        voting_window="How long voting lasts after entries close, e.g. 1d",
        timezone="Time zone of the schedule (default: the server's)",
        channel="Where runs are announced (default: the announcements channel, else here)",
        rotation="Themes in order or at random",
        prize="What the winner gets",
        votes="How many entries each member may vote for per run (default 1)",
    )
    @app_commands.choices(rotation=ROTATIONS)
    @only(MODERATOR)
    async def schedule(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 100],
        themes: app_commands.Range[str, 1, 1000],
        schedule: app_commands.Range[str, 1, 100],
        entry_window: app_commands.Range[str, 1, 20],
        voting_window: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        channel: discord.TextChannel | None = None,
        rotation: str = "order",
        prize: app_commands.Range[str, 1, 200] | None = None,
        votes: app_commands.Range[int, 1, 10] = 1,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        settings = await self.bot.services.setup.get(interaction.guild_id)
        challenge = await self.challenges.schedule(
            interaction.guild_id,
            interaction.user.id,
            name=name,
            themes=themes,
            rotation=Rotation(rotation),
            schedule=schedule,
            timezone=timezone or settings.timezone,
            channel_id=channel.id if channel else settings.announcements_channel_id or interaction.channel_id,
            entry_window=entry_window,
            voting_window=voting_window,
            prize=prize,
            votes_per_member=votes,
        )
        self.schedule_runs(challenge)
        upcoming = preview_lines(await self.challenges.preview(interaction.guild_id, challenge.id, 3))
        await interaction.response.send_message(
            _(
                "Challenge #{challenge} {name} is scheduled. Next runs:",
                challenge=challenge.id,
                name=f"**{challenge.name}**",
            )
            + f"\n{upcoming}",
            ephemeral=True,
        )

    @app_commands.command(name="edit", description="Change a challenge; only what you pass changes")
    @app_commands.describe(
        challenge=NUMBER["challenge"],
        name="A new name",
        themes='New themes separated by "|"',
        schedule="A new schedule, e.g. weekly fri 18:00",
        entry_window="How long entries are open, e.g. 2d",
        voting_window="How long voting lasts after entries close, e.g. 1d",
        timezone="Time zone of the schedule",
        rotation="Themes in order or at random",
        prize="What the winner gets",
        votes="How many entries each member may vote for per run",
    )
    @app_commands.choices(rotation=ROTATIONS)
    @only(MODERATOR)
    async def edit(
        self,
        interaction: discord.Interaction,
        challenge: ChallengeId,
        name: app_commands.Range[str, 1, 100] | None = None,
        themes: app_commands.Range[str, 1, 1000] | None = None,
        schedule: app_commands.Range[str, 1, 100] | None = None,
        entry_window: app_commands.Range[str, 1, 20] | None = None,
        voting_window: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        rotation: str | None = None,
        prize: app_commands.Range[str, 1, 200] | None = None,
        votes: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        changes: dict[str, str | int | None] = {"name": name, "themes": themes, "schedule": schedule}
        changes |= {"entry_window": entry_window, "voting_window": voting_window, "timezone": timezone}
        changes |= {"rotation": rotation, "prize": prize, "votes_per_member": votes}
        edited = await self.challenges.edit(interaction.guild_id, challenge, **changes)
        self.schedule_runs(edited)
        await interaction.response.send_message(_("Saved.") + " " + challenge_line(edited), ephemeral=True)

    @app_commands.command(name="pause", description="Pause a challenge: no new runs until resumed")
    @app_commands.describe(challenge=NUMBER["challenge"])
    @only(MODERATOR)
    async def pause(self, interaction: discord.Interaction, challenge: ChallengeId) -> None:
        assert interaction.guild_id is not None
        self.schedule_runs(await self.challenges.pause(interaction.guild_id, challenge, True))
        await interaction.response.send_message(
            _("Challenge #{challenge} is paused.", challenge=challenge), ephemeral=True
        )

    @app_commands.command(name="resume", description="Resume a paused challenge from its next scheduled time")
    @app_commands.describe(challenge=NUMBER["challenge"])
    @only(MODERATOR)
    async def resume(self, interaction: discord.Interaction, challenge: ChallengeId) -> None:
        assert interaction.guild_id is not None
        self.schedule_runs(await self.challenges.pause(interaction.guild_id, challenge, False))
        await interaction.response.send_message(
            _("Challenge #{challenge} is running again.", challenge=challenge), ephemeral=True
        )

    @app_commands.command(name="skip", description="Skip the next run (its theme moves to the run after)")
    @app_commands.describe(challenge=NUMBER["challenge"])
    @only(MODERATOR)
    async def skip(self, interaction: discord.Interaction, challenge: ChallengeId) -> None:
        assert interaction.guild_id is not None
        skipped = await self.challenges.skip_next(interaction.guild_id, challenge)
        await interaction.response.send_message(
            _("The run of {when} is skipped.", when=discord.utils.format_dt(skipped, "f")), ephemeral=True
        )

    @app_commands.command(name="remove", description="Remove an abusive entry, its votes and any win")
    @app_commands.describe(
        entry="The entry's number (shown on its post)", reason="Why, told to its author and shown in its place"
    )
    @only(ORGANISER)
    async def remove(
        self,
        interaction: discord.Interaction,
        entry: app_commands.Range[int, 1],
        reason: Reason,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        removed = await self.challenges.remove_entry(interaction.guild_id, entry, reason, by=interaction.user.id)
        await reply_when_settled(
            interaction, f"challenge:{removed.run_id}", _("Entry #{entry} is removed.", entry=entry)
        )

    @app_commands.command(name="delete", description="Delete a challenge with its runs and entries")
    @app_commands.describe(challenge=NUMBER["challenge"])
    @only(MODERATOR)
    async def delete(self, interaction: discord.Interaction, challenge: ChallengeId) -> None:
        """Asks first: deleting takes the challenge's runs, entries, votes and winners with it."""
        assert interaction.guild_id is not None
        found = await self.challenges.get(interaction.guild_id, challenge)
        view = discord.ui.View(timeout=None)
        view.add_item(ChallengeDeleteButton(found.id, interaction.user.id))
        await interaction.response.send_message(
            _(
                "Delete challenge #{challenge} {name} with all its runs, entries, votes and winners? "
                "It cannot be undone.",
                challenge=found.id,
                name=f"**{found.name}**",
            ),
            view=view,
            ephemeral=True,
        )

    # -- everyone ------------------------------------------------------------------------------------

    @app_commands.command(name="list", description="This server's challenges")
    @only(MEMBER)
    async def list_challenges(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lines = [challenge_line(c) for c in await self.challenges.all(interaction.guild_id)]
        await interaction.response.send_message(fit_lines(lines, 2000) or _("No challenges yet."), ephemeral=True)

    @app_commands.command(name="preview", description="The next five runs with their themes")
    @app_commands.describe(challenge=NUMBER["challenge"])
    @only(MEMBER)
    async def preview(self, interaction: discord.Interaction, challenge: ChallengeId) -> None:
        assert interaction.guild_id is not None
        runs = await self.challenges.preview(interaction.guild_id, challenge)
        await interaction.response.send_message(
            _("Next runs of #{challenge}:", challenge=challenge) + "\n" + preview_lines(runs), ephemeral=True
        )

    @app_commands.command(name="enter", description="Enter the running challenge (enter again to replace your entry)")
    @app_commands.describe(
        challenge="The challenge to enter (default: the one taking entries)",
        text="Describe your entry",
        attachment="A photo or video (8 MB at most)",
        link="A link (https://...)",
    )
    @only(MEMBER)
    async def enter(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000] | None = None,
        attachment: discord.Attachment | None = None,
        link: app_commands.Range[str, 1, 300] | None = None,
        challenge: ChallengeId | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        file = None
        if attachment is not None:  # kept now: Discord's links to it expire before voting opens
            if attachment.size > MAX_FILE_BYTES:
                raise InvalidInput(_("Attachments can be 8 MB at most."))
            file = build(
                EntryFile,
                name=attachment.filename,
                content_type=attachment.content_type or "",
                data=await attachment.read(),
            )
        run, replaced = await self.challenges.enter(
            interaction.guild_id, challenge, interaction.user.id, text, file, link
        )
        theme, until = f"**{run.theme}**", discord.utils.format_dt(run.entries_close_at, "f")
        text = (
            _("Your entry for {theme} is updated.", theme=theme)
            if replaced
            else _("Your entry for {theme} is in.", theme=theme)
        )
        await interaction.response.send_message(
            text + " " + _("You can change it until {when}.", when=until), ephemeral=True
        )

    @app_commands.command(name="halloffame", description="Past winners")
    @only(MEMBER)
    async def halloffame(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        winners = await self.challenges.hall_of_fame(guild_id)
        latest = [await self.challenges.entry(guild_id, w.entry_id) for w in winners if w.run.id == winners[0].run.id]
        with speaking(await server_language(self.bot, guild_id)):  # a public answer
            embed = hall_of_fame_embed(winners)
            photos = await winning_photos(self.bot, guild_id, latest)  # the latest run's winning photos
        await interaction.response.send_message(
            embeds=[embed, *(photo for photo, _file in photos)], files=[file for _photo, file in photos]
        )

    @app_commands.command(name="leaderboard", description="Participation points and streaks")
    @only(MEMBER)
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        standings = await self.challenges.leaderboard(interaction.guild_id)
        with speaking(await server_language(self.bot, interaction.guild_id)):  # a public answer
            embed = leaderboard_embed(standings)
        await interaction.response.send_message(embed=embed)

    @edit.autocomplete("challenge")
    @pause.autocomplete("challenge")
    @resume.autocomplete("challenge")
    @skip.autocomplete("challenge")
    @delete.autocomplete("challenge")
    @preview.autocomplete("challenge")
    @enter.autocomplete("challenge")
    async def challenge_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await suggestions(interaction, self.challenges.suggest, current)


async def setup(bot: CoCreateBot) -> None:
    await bot.add_cog(Challenges(bot))
