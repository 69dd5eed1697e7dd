"""A poll's public message: rendering, its restart-proof vote buttons, live refreshes and the closing post."""

import asyncio
import io
import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.errors import reports_errors
from bot.permissions import ensure_may_vote
from bot.text import bar
from cogs.polls.chart import results_chart
from services.i18n import _, n_
from storage.models import Delivery, Poll, PollResults


async def idea_links(bot: CoCreateBot, poll: Poll) -> list[str]:
    """For a poll made from ideas: a link to each idea's post, in option order."""
    ideas = [
        await bot.services.ideas.get(poll.guild_id, i) for i in await bot.services.polls.ideas(poll.guild_id, poll.id)
    ]
    return [f"[#{i.id}](https://discord.com/channels/{i.guild_id}/{i.thread_id})" for i in ideas if i.thread_id]


def poll_embed(results: PollResults, links: list[str] | None = None) -> discord.Embed:
    poll = results.poll
    total = sum(results.counts)
    lines = []
    for label, count in zip(poll.options, results.counts, strict=True):
        share = count / total if total else 0.0
        lines.append(f"**{discord.utils.escape_markdown(label)}**\n`{bar(share)}` {count} · {share:.0%}")
    embed = discord.Embed(
        title=_("Poll #{poll}", poll=poll.id),
        description=f"{discord.utils.escape_markdown(poll.question)}\n\n" + "\n".join(lines),
        colour=discord.Colour.blurple() if poll.is_open else discord.Colour.dark_grey(),
    )
    kind = _("single choice") if poll.max_choices == 1 else _("pick up to {count}", count=poll.max_choices)
    secrecy = _("anonymous") if poll.anonymous else _("public")
    details = [f"{kind} · {secrecy} · " + n_("{count} ballot", "{count} ballots", results.ballots)]
    if poll.voter_role_id:
        details.append(_("Who can vote: {role}", role=f"<@&{poll.voter_role_id}>"))
    if not poll.is_open:
        details.append(_("Closed"))
    elif poll.closes_at:
        details.append(_("Closes {when}", when=discord.utils.format_dt(poll.closes_at, "R")))
    embed.add_field(name=_("Voting"), value="\n".join(details))
    if links:
        embed.add_field(name=_("The ideas"), value=" · ".join(links))
    return embed


def outcome_sentence(results: PollResults) -> str:
    """The result in plain words, ties included."""
    winners = [results.poll.options[i] for i in results.winners]
    if not winners:
        return _("No votes were cast.")
    top = results.counts[results.winners[0]]
    total = sum(results.counts)
    if len(winners) == 1:
        return n_(
            "Winner: {option} with {count} vote ({share}).",
            "Winner: {option} with {count} votes ({share}).",
            top,
            option=f"**{winners[0]}**",
            share=f"{top / total:.0%}",
        )
    names = _("{first} and {last}", first=", ".join(f"**{w}**" for w in winners[:-1]), last=f"**{winners[-1]}**")
    return n_(
        "Tie between {options} with {count} vote each.",
        "Tie between {options} with {count} votes each.",
        top,
        options=names,
    )


def ballot_text(poll: Poll, choices: tuple[int, ...]) -> str:
    if not choices:
        return _("You have no choice selected in poll #{poll}.", poll=poll.id)
    picked = ", ".join(poll.options[i] for i in choices)
    return _(
        "Your ballot in poll #{poll}: {picked}. Click an option again to take it back.", poll=poll.id, picked=picked
    )


class PollVoteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"poll:vote:(?P<poll_id>\d+):(?P<option>\d+)"):
    def __init__(self, poll_id: int, option: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or _("Option {number}", number=option + 1),
                style=discord.ButtonStyle.primary,
                custom_id=f"poll:vote:{poll_id}:{option}",
                disabled=disabled,
            )
        )
        self.poll_id, self.option = poll_id, option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "PollVoteButton":
        return cls(int(match["poll_id"]), int(match["option"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_may_vote(interaction)
        assert interaction.guild_id is not None
        outcome = await services(interaction).polls.vote(interaction.guild_id, self.poll_id, actor, self.option)
        await interaction.response.send_message(ballot_text(outcome.poll, outcome.choices), ephemeral=True)


def poll_view(poll: Poll) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for option, label in enumerate(poll.options):
        view.add_item(PollVoteButton(poll.id, option, label, disabled=not poll.is_open))
    return view


async def publish(bot: CoCreateBot, delivery: Delivery) -> None:
    """Post the poll with its buttons (once: a retry finds the message recorded, or Discord drops the nonce)."""
    assert delivery.entity_id is not None
    results = await bot.services.polls.results(delivery.guild_id, delivery.entity_id)
    poll = results.poll
    if poll.message_id is not None:
        return
    channel = bot.get_partial_messageable(poll.channel_id, guild_id=poll.guild_id)
    embed = poll_embed(results, await idea_links(bot, poll))
    message = await channel.send(embed=embed, view=poll_view(poll), nonce=delivery.nonce())
    await bot.services.polls.attach_message(poll, message.id)


async def render(bot: CoCreateBot, delivery: Delivery) -> None:
    """Make the poll's message show the stored counts and state (buttons disabled once closed)."""
    assert delivery.entity_id is not None
    polls = bot.services.polls
    results = await polls.results(delivery.guild_id, delivery.entity_id)
    poll = results.poll
    if poll.message_id is not None and polls.show_live(poll):
        message = bot.get_partial_messageable(poll.channel_id).get_partial_message(poll.message_id)
        await message.edit(embed=poll_embed(results, await idea_links(bot, poll)), view=poll_view(poll))
        await polls.shown(poll)


def poll_link(poll: Poll) -> str | None:
    """Where members find the poll's message, or None before it is posted."""
    if poll.message_id is None:
        return None
    return f"https://discord.com/channels/{poll.guild_id}/{poll.channel_id}/{poll.message_id}"


async def post_results(bot: CoCreateBot, delivery: Delivery) -> None:
    """The final results with a chart, from what is stored: the announcement equals `/poll results`."""
    assert delivery.entity_id is not None
    results = await bot.services.polls.results(delivery.guild_id, delivery.entity_id)
    poll = results.poll
    chart = await asyncio.to_thread(results_chart, results)  # a few hundred ms of drawing, off the event loop
    embed = poll_embed(results, await idea_links(bot, poll)).set_image(url="attachment://results.png")
    embed.url = poll_link(poll)  # the title leads to the poll, also from the announcements channel
    await bot.get_partial_messageable(int(delivery.payload["channel_id"]), guild_id=poll.guild_id).send(
        _("Poll #{poll} has closed.", poll=poll.id) + " " + outcome_sentence(results),
        embed=embed,
        file=discord.File(io.BytesIO(chart), filename="results.png"),
        nonce=delivery.nonce(),
    )
