"""What a challenge run shows in Discord: the call for entries, the entries with vote buttons, the winners."""

import io
import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.errors import reports_errors
from bot.permissions import ensure_allowed, ensure_confirmer
from bot.text import member_name
from services.challenges import PreviewRun, Standing
from services.permissions import MEMBER, MODERATOR
from storage.models import Challenge, Delivery, Entry, Phase, Run, Winner


def when(moment: object) -> str:
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"  # type: ignore[arg-type]


def preview_lines(runs: list[PreviewRun]) -> str:
    return (
        "\n".join(
            f"{run.starts_at:%a %d %b %Y %H:%M %Z}: {'~~skipped~~' if run.skipped else run.theme}" for run in runs
        )
        or "No upcoming runs."
    )


def challenge_line(challenge: Challenge) -> str:
    state = " · paused" if challenge.paused else ""
    where = f"`{challenge.schedule}` {challenge.timezone} · <#{challenge.channel_id}>"
    return f"**#{challenge.id} {challenge.name}** · {where}{state}"


class ChallengeVoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"challenge:vote:(?P<entry_id>\d+)"):
    def __init__(self, entry_id: int, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Vote",
                style=discord.ButtonStyle.success,
                custom_id=f"challenge:vote:{entry_id}",
                disabled=disabled,
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "ChallengeVoteButton":
        return cls(int(match["entry_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        assert interaction.guild_id is not None
        entry, counted = await services(interaction).challenges.vote(interaction.guild_id, self.entry_id, actor.user_id)
        text = f"You voted for entry #{entry.id}." if counted else f"Your vote for entry #{entry.id} is taken back."
        await interaction.response.send_message(text + " One vote per member per run.", ephemeral=True)


class ChallengeDeleteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"challenge:delete:(?P<challenge_id>\d+):(?P<member_id>\d+)",
):
    """The confirmation of `/challenge delete`; only the moderator it was shown to can use it."""

    def __init__(self, challenge_id: int, member_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Yes, delete challenge #{challenge_id}",
                style=discord.ButtonStyle.danger,
                custom_id=f"challenge:delete:{challenge_id}:{member_id}",
            )
        )
        self.challenge_id, self.member_id = challenge_id, member_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "ChallengeDeleteButton":
        return cls(int(match["challenge_id"]), int(match["member_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await ensure_confirmer(interaction, MODERATOR, self.member_id)
        assert interaction.guild_id is not None
        deleted = await services(interaction).challenges.delete(interaction.guild_id, self.challenge_id)
        interaction.client.scheduler.cancel(f"challenge:run:{self.challenge_id}")  # type: ignore[attr-defined]
        await interaction.response.edit_message(
            content=f"Challenge #{deleted.id} {deleted.name} is deleted.", view=None
        )


def entry_view(entry: Entry, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ChallengeVoteButton(entry.id, disabled=disabled))
    return view


def entry_embed(entry: Entry) -> discord.Embed:
    parts = [f"by {member_name(entry.member_id)}"]
    if entry.text:
        parts.append(entry.text)
    if entry.link:
        parts.append(entry.link)
    embed = discord.Embed(title=f"Entry #{entry.id}", description="\n".join(parts))
    if entry.attachment_name:
        embed.set_image(url=f"attachment://{entry.attachment_name}")
    return embed


async def post_run(bot: CoCreateBot, delivery: Delivery) -> None:
    """The run's public posts, from what is stored: the call for entries, the call to vote, the winners."""
    assert delivery.entity_id is not None
    challenges = bot.services.challenges
    run = await challenges.run(delivery.guild_id, delivery.entity_id)
    challenge = await challenges.get(run.guild_id, run.challenge_id)
    title = f"**{challenge.name}** #{run.number} ({run.theme})"
    ping: tuple[int, ...] = ()
    match delivery.kind:
        case "challenge.started":
            prize = f"\nPrize: {challenge.prize}" if challenge.prize else ""
            text = (
                f"**{challenge.name}** #{run.number} is on! This time's theme: **{run.theme}**.\n"
                f"Enter with `/challenge enter` until {when(run.entries_close_at)}.{prize}"
            )
        case "challenge.voting":
            entries = await challenges.entries(run.guild_id, run.id)
            text = (
                f"Voting is open for {title} until {when(run.voting_close_at)}. "
                f"{len(entries)} entries: vote for your favourite (one vote, not your own)!"
            )
        case _:
            text, ping = await winners_text(bot, challenge, run, title)
    await bot.get_partial_messageable(challenge.channel_id, guild_id=run.guild_id).send(
        text,
        allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in ping]),
        nonce=delivery.nonce(),
    )


RUN_POSTS = ("challenge.started", "challenge.voting", "challenge.winners")


async def winners_text(bot: CoCreateBot, challenge: Challenge, run: Run, title: str) -> tuple[str, tuple[int, ...]]:
    """Celebrate the recorded winners, pinging them (a ping they should get)."""
    if not await bot.services.challenges.entries(run.guild_id, run.id):
        return f"{title} had no entries this time. See you at the next one!", ()
    winners = await bot.services.challenges.winners(run.guild_id, run.id)
    if not winners:
        return f"{title}: no votes were cast, so there is no winner this time.", ()
    names = " and ".join(member_name(entry.member_id) for entry, _ in winners)
    votes = winners[0][1]
    tie = " (a tie!)" if len(winners) > 1 else ""
    prize = f" Prize: {challenge.prize}." if challenge.prize else ""
    text = f"🏆 {title}: congratulations {names}{tie} with {votes} vote{'s' * (votes != 1)}!{prize}"
    return text, tuple(entry.member_id for entry, _ in winners)


async def post_entry(bot: CoCreateBot, delivery: Delivery) -> None:
    """One entry with its photo and vote button (its own delivery: one refused entry does not stop the rest)."""
    assert delivery.entity_id is not None
    challenges = bot.services.challenges
    entry = await challenges.entry(delivery.guild_id, delivery.entity_id)
    if entry.message_id is not None:
        return
    run = await challenges.run(entry.guild_id, entry.run_id)
    challenge = await challenges.get(run.guild_id, run.challenge_id)
    data = await challenges.entry_file(entry.guild_id, entry.id)
    file = discord.File(io.BytesIO(data), filename=entry.attachment_name) if data and entry.attachment_name else None
    message = await bot.get_partial_messageable(challenge.channel_id, guild_id=entry.guild_id).send(
        embed=entry_embed(entry), view=entry_view(entry), file=file or discord.utils.MISSING, nonce=delivery.nonce()
    )
    await challenges.attach_entry_message(entry, message.id)


async def render_entry(bot: CoCreateBot, delivery: Delivery) -> None:
    """Show the entry as stored (without its photo once its author erased their data), with its vote button as
    the run's phase allows (disabled once voting closed)."""
    assert delivery.entity_id is not None
    challenges = bot.services.challenges
    entry = await challenges.entry(delivery.guild_id, delivery.entity_id)
    if entry.message_id is None:
        return
    run = await challenges.run(entry.guild_id, entry.run_id)
    challenge = await challenges.get(run.guild_id, run.challenge_id)
    message = bot.get_partial_messageable(challenge.channel_id).get_partial_message(entry.message_id)
    await message.edit(
        embed=entry_embed(entry),
        view=entry_view(entry, disabled=run.phase != Phase.VOTING),
        attachments=[] if entry.attachment_name is None else discord.utils.MISSING,
    )


def hall_of_fame_embed(winners: list[Winner]) -> discord.Embed:
    lines = [
        f"{discord.utils.format_dt(w.run.voting_close_at, 'd')} · {w.challenge_name} #{w.run.number} "
        f"({w.run.theme}): {member_name(w.member_id)} · {w.votes} votes"
        for w in winners
    ]
    return discord.Embed(title="Hall of fame", description="\n".join(lines) or "No winners yet.")


def leaderboard_embed(standings: list[Standing]) -> discord.Embed:
    lines = [
        f"{rank}. {member_name(s.member_id)} · {s.points} points · {s.entries} entries · {s.wins} wins"
        f" · streak {s.streak}"
        for rank, s in enumerate(standings, start=1)
    ]
    return discord.Embed(title="Challenge leaderboard", description="\n".join(lines) or "Nobody has entered yet.")
