"""What a challenge run shows in Discord: the call for entries, the entries with vote buttons, the winners."""

import io
import mimetypes
import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.errors import reports_errors
from bot.permissions import ensure_confirmer, ensure_may_vote
from bot.text import fit_lines, member_name
from services.challenges import Ballot, PreviewRun, Standing
from services.i18n import _, n_
from services.permissions import MODERATOR
from services.wording import local_time, removed_by_moderators
from storage.models import Challenge, Delivery, Entry, Phase, Run, Winner


def when(moment: object) -> str:
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"  # type: ignore[arg-type]


def preview_lines(runs: list[PreviewRun]) -> str:
    lines = [
        f"{local_time(run.starts_at)}: " + ("~~" + _("skipped") + "~~" if run.skipped else run.theme) for run in runs
    ]
    return "\n".join(lines) or _("No upcoming runs.")


def challenge_line(challenge: Challenge) -> str:
    state = " · " + _("paused") if challenge.paused else ""
    where = f"`{challenge.schedule}` {challenge.timezone} · <#{challenge.channel_id}>"
    return f"**#{challenge.id} {challenge.name}** · {where}{state}"


class ChallengeVoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"challenge:vote:(?P<entry_id>\d+)"):
    def __init__(self, entry_id: int, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Vote"),
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
        actor = await ensure_may_vote(interaction)
        assert interaction.guild_id is not None
        challenges = services(interaction).challenges
        entry, counted, cap = await challenges.vote(interaction.guild_id, self.entry_id, actor.user_id)
        text = (
            _("You voted for entry #{entry}.", entry=entry.id)
            if counted
            else _("Your vote for entry #{entry} is taken back.", entry=entry.id)
        )
        await interaction.response.send_message(text + " " + votes_per_run(cap), ephemeral=True)


def votes_per_run(cap: int) -> str:
    if cap == 1:
        return _("One vote per member per run.")
    return _("Up to {count} votes per member per run.", count=cap)


class ChallengeBallotButton(discord.ui.DynamicItem[discord.ui.Button], template=r"challenge:ballot:(?P<run_id>\d+)"):
    """On the call to vote: opens the member's own ballot."""

    def __init__(self, run_id: int, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="🗳️ " + _("My ballot"),
                style=discord.ButtonStyle.primary,
                custom_id=f"challenge:ballot:{run_id}",
                disabled=disabled,
            )
        )
        self.run_id = run_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "ChallengeBallotButton":
        return cls(int(match["run_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_may_vote(interaction)
        assert interaction.guild_id is not None
        ballot = await services(interaction).challenges.ballot(interaction.guild_id, self.run_id, actor.user_id)
        content, view = ballot_message(ballot)
        await interaction.response.send_message(content, view=view, ephemeral=True)


class ChallengeBallotPick(discord.ui.DynamicItem[discord.ui.Select], template=r"challenge:pick:(?P<run_id>\d+)"):
    """The entries a member votes for, picked on their ballot (all their votes in the run at once)."""

    def __init__(self, run_id: int, ballot: Ballot | None = None) -> None:
        entries = ballot.entries[:25] if ballot else ()  # Discord's limit; the others are voted on their own posts
        options = [
            discord.SelectOption(
                label=(_("Entry #{entry}", entry=e.id) + (f": {e.text}" if e.text else ""))[:100],
                value=str(e.id),
                default=ballot is not None and e.id in ballot.mine,
            )
            for e in entries
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"challenge:pick:{run_id}",
                placeholder=_("Pick the entries you vote for"),
                min_values=0,
                max_values=max(1, min(ballot.cap if ballot else 1, len(options))),
                options=options,
            )
        )
        self.run_id = run_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> "ChallengeBallotPick":
        return cls(int(match["run_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_may_vote(interaction)
        assert interaction.guild_id is not None
        picked = {int(value) for value in self.item.values}
        ballot = await services(interaction).challenges.cast(interaction.guild_id, self.run_id, actor.user_id, picked)
        content, view = ballot_message(ballot)
        await interaction.response.edit_message(content=content, view=view)


def ballot_view(run: Run) -> discord.ui.View:
    """The call to vote's button, open while the run takes votes."""
    return discord.ui.View(timeout=None).add_item(ChallengeBallotButton(run.id, disabled=run.phase != Phase.VOTING))


def ballot_message(ballot: Ballot) -> tuple[str, discord.ui.View]:
    """The member's ballot: the entries in their own order, linked to their posts, with a pick of their votes."""
    challenge, run = ballot.challenge, ballot.run
    lines = [
        "**"
        + _("Your ballot for {run}", run=f"{challenge.name} #{run.number} ({run.theme})")
        + "** · "
        + _("in an order of your own, names hidden until voting ends.")
    ]
    for place, entry in enumerate(ballot.entries, start=1):
        text = f" · {discord.utils.escape_markdown(entry.text[:80])}" if entry.text else ""
        link = f" · [{_('see it')}]({entry_link(challenge, entry)})" if entry.message_id else ""
        lines.append(f"{place}. " + _("Entry #{entry}", entry=entry.id) + text + link)
    if not ballot.entries:
        lines.append(_("There are no other entries to vote for."))
    mine = ", ".join(f"#{e}" for e in sorted(ballot.mine)) or _("none yet")
    lines.append(_("You vote for: {entries}.", entries=mine) + " " + votes_per_run(ballot.cap))
    view = discord.ui.View(timeout=None)
    if ballot.entries:
        view.add_item(ChallengeBallotPick(run.id, ballot))
    return fit_lines(lines, 2000), view


class ChallengeDeleteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"challenge:delete:(?P<challenge_id>\d+):(?P<member_id>\d+)",
):
    """The confirmation of `/challenge delete`; only the moderator it was shown to can use it."""

    def __init__(self, challenge_id: int, member_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label=_("Yes, delete challenge #{challenge}", challenge=challenge_id),
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
        actor = await ensure_confirmer(interaction, MODERATOR, self.member_id)
        assert interaction.guild_id is not None
        deleted = await services(interaction).challenges.delete(interaction.guild_id, self.challenge_id, actor.user_id)
        interaction.client.scheduler.cancel(f"challenge:run:{self.challenge_id}")  # type: ignore[attr-defined]
        await interaction.response.edit_message(
            content=_("Challenge #{challenge} {name} is deleted.", challenge=deleted.id, name=deleted.name), view=None
        )


def entry_view(entry: Entry, disabled: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if entry.removed_reason is None:  # nothing left to vote for
        view.add_item(ChallengeVoteButton(entry.id, disabled=disabled))
    return view


def entry_embed(entry: Entry, won: bool = False, named: bool = True) -> discord.Embed:
    """An entry's post; while voting is open it does not name its author (`named`), so votes go to the entry."""
    if entry.removed_reason is not None:
        return discord.Embed(
            title=_("Entry #{entry}", entry=entry.id), description=removed_by_moderators(entry.removed_reason)
        )
    parts = [
        _("by {member}", member=member_name(entry.member_id)) if named else _("by a member, named when voting ends")
    ]
    if entry.text:
        parts.append(entry.text)
    if entry.link:
        parts.append(entry.link)
    title = _("Entry #{entry}", entry=entry.id)
    embed = discord.Embed(
        title="🏆 " + _("Winner: {entry}", entry=title) if won else title, description="\n".join(parts)
    )
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
    view = discord.ui.View(timeout=None)
    match delivery.kind:
        case "challenge.started":
            text = _(
                "{challenge} #{number} is on! This time's theme: {theme}.",
                challenge=f"**{challenge.name}**",
                number=run.number,
                theme=f"**{run.theme}**",
            )
            text += "\n" + _("Enter with `/challenge enter` until {when}.", when=when(run.entries_close_at))
            if challenge.prize:
                text += "\n" + _("Prize: {prize}", prize=challenge.prize)
        case "challenge.voting":
            entries = await challenges.entries(run.guild_id, run.id)
            text = " ".join(
                (
                    _("Voting is open for {run} until {when}.", run=title, when=when(run.voting_close_at)),
                    n_(
                        "{count} entry: vote for your favourite (not your own)!",
                        "{count} entries: vote for your favourites (not your own)!",
                        len(entries),
                    ),
                    votes_per_run(challenge.votes_per_member),
                    _("Open your ballot to see them in an order of your own."),
                )
            )
            view = ballot_view(run)
        case _:
            text, ping = await winners_text(bot, challenge, run, title)
    message = await bot.get_partial_messageable(challenge.channel_id, guild_id=run.guild_id).send(
        text,
        view=view,
        allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in ping]),
        nonce=delivery.nonce(),
    )
    if delivery.kind == "challenge.voting":
        await challenges.attach_voting_message(run, message.id)


async def close_ballots(bot: CoCreateBot, delivery: Delivery) -> None:
    """Voting ended: the call to vote keeps its text, and its ballot button is closed."""
    assert delivery.entity_id is not None
    run = await bot.services.challenges.run(delivery.guild_id, delivery.entity_id)
    if run.voting_message_id is None:
        return  # not posted yet: it will be posted with the button closed
    challenge = await bot.services.challenges.get(run.guild_id, run.challenge_id)
    message = bot.get_partial_messageable(challenge.channel_id).get_partial_message(run.voting_message_id)
    await message.edit(view=ballot_view(run))


async def winning_photos(
    bot: CoCreateBot, guild_id: int, entries: list[Entry]
) -> list[tuple[discord.Embed, discord.File]]:
    """The photos of winning entries, as stored now (so a photo its author erased is gone), each in an embed
    naming its author; entries without a photo (a text, a link or a video) have none. At most ten: Discord's
    limit per message."""
    photos = []
    for entry in entries[:10]:
        kind, _encoding = mimetypes.guess_type(entry.attachment_name or "")
        data = await bot.services.challenges.entry_file(guild_id, entry.id) if kind else None
        if data and kind and kind.startswith("image/"):
            name = f"winner-{entry.id}{mimetypes.guess_extension(kind) or ''}"
            embed = discord.Embed(title="🏆 " + _("Entry #{entry}", entry=entry.id), description=entry.text)
            embed.add_field(name=_("By"), value=member_name(entry.member_id)).set_image(url=f"attachment://{name}")
            photos.append((embed, discord.File(io.BytesIO(data), filename=name)))
    return photos


RUN_POSTS = ("challenge.started", "challenge.voting", "challenge.winners")


async def winners_text(bot: CoCreateBot, challenge: Challenge, run: Run, title: str) -> tuple[str, tuple[int, ...]]:
    """Celebrate the recorded winners, pinging them (a ping they should get)."""
    if not await bot.services.challenges.entries(run.guild_id, run.id):
        return _("{run} had no entries this time. See you at the next one!", run=title), ()
    winners = await bot.services.challenges.winners(run.guild_id, run.id)
    if not winners:
        return _("{run}: no votes were cast, so there is no winner this time.", run=title), ()
    members = [member_name(entry.member_id) for entry, _votes in winners]
    names = (
        members[0] if len(members) == 1 else _("{first} and {last}", first=", ".join(members[:-1]), last=members[-1])
    )
    votes = winners[0][1]
    links = [entry_link(challenge, entry) for entry, _votes in winners if entry.message_id]
    text = "🏆 " + (
        n_(
            "{run}: congratulations {names} with {count} vote!",
            "{run}: congratulations {names} with {count} votes!",
            votes,
            run=title,
            names=names,
        )
        if len(winners) == 1
        else n_(
            "{run}: congratulations {names} (a tie!) with {count} vote each!",
            "{run}: congratulations {names} (a tie!) with {count} votes each!",
            votes,
            run=title,
            names=names,
        )
    )
    if challenge.prize:
        text += " " + _("Prize: {prize}", prize=challenge.prize)
    if links:  # the winning entries' own posts show the photo, and lose it if its author erases their data
        text += "\n" + n_(
            "See the winning entry: {links}", "See the winning entries: {links}", len(links), links=" ".join(links)
        )
    return text, tuple(entry.member_id for entry, _votes in winners)


def entry_link(challenge: Challenge, entry: Entry) -> str:
    return f"https://discord.com/channels/{entry.guild_id}/{challenge.channel_id}/{entry.message_id}"


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
        embed=entry_embed(entry, named=run.phase == Phase.FINISHED),
        view=entry_view(entry),
        file=file or discord.utils.MISSING,
        nonce=delivery.nonce(),
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
    winners = await challenges.winners(run.guild_id, run.id) if run.phase == Phase.FINISHED else []
    message = bot.get_partial_messageable(challenge.channel_id).get_partial_message(entry.message_id)
    await message.edit(
        embed=entry_embed(entry, won=entry.id in {e.id for e, _votes in winners}, named=run.phase == Phase.FINISHED),
        view=entry_view(entry, disabled=run.phase != Phase.VOTING),
        attachments=[] if entry.attachment_name is None else discord.utils.MISSING,
    )


def hall_of_fame_embed(winners: list[Winner]) -> discord.Embed:
    lines = [
        f"{discord.utils.format_dt(w.run.voting_close_at, 'd')} · {w.challenge_name} #{w.run.number} "
        f"({w.run.theme}): {member_name(w.member_id)} · " + n_("{count} vote", "{count} votes", w.votes)
        for w in winners
    ]
    return discord.Embed(title=_("Hall of fame"), description="\n".join(lines) or _("No winners yet."))


def leaderboard_embed(standings: list[Standing]) -> discord.Embed:
    lines = [
        f"{rank}. {member_name(s.member_id)} · "
        + " · ".join(
            (
                n_("{count} point", "{count} points", s.points),
                n_("{count} entry", "{count} entries", s.entries),
                n_("{count} win", "{count} wins", s.wins),
                _("streak {count}", count=s.streak),
            )
        )
        for rank, s in enumerate(standings, start=1)
    ]
    return discord.Embed(title=_("Challenge leaderboard"), description="\n".join(lines) or _("Nobody has entered yet."))
