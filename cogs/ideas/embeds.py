"""How ideas look in Discord: pure functions from models to embeds and text, easy to test."""

import discord

from bot.text import member_name
from services.i18n import _, n_
from services.ideas import Page, VoteOutcome
from services.wording import removed_by_moderators, state_name
from storage.models import Idea, IdeaStatus

STATUS_COLOURS = {
    IdeaStatus.NEW: discord.Colour.light_grey(),
    IdeaStatus.UNDER_REVIEW: discord.Colour.gold(),
    IdeaStatus.PLANNED: discord.Colour.blue(),
    IdeaStatus.IN_PROGRESS: discord.Colour.purple(),
    IdeaStatus.SHIPPED: discord.Colour.green(),
    IdeaStatus.DECLINED: discord.Colour.red(),
    IdeaStatus.DUPLICATE: discord.Colour.dark_grey(),
    IdeaStatus.REMOVED: discord.Colour.dark_red(),
    IdeaStatus.AWAITING_REVIEW: discord.Colour.light_grey(),
}


def score_line(idea: Idea) -> str:
    return f"▲ {idea.upvotes}  ▼ {idea.downvotes}  ·  " + _("score {score}", score=idea.score)


def idea_embed(idea: Idea) -> discord.Embed:
    if idea.status == IdeaStatus.REMOVED:  # nothing of what was removed is shown again
        removed = removed_by_moderators(idea.status_reason)
        return discord.Embed(title=f"#{idea.id}", description=removed, colour=STATUS_COLOURS[idea.status])
    embed = discord.Embed(
        title=f"#{idea.id} {idea.title}", description=idea.description, colour=STATUS_COLOURS[idea.status]
    )
    status = state_name(idea.status).capitalize()
    if idea.status == IdeaStatus.DUPLICATE:
        status = _("Duplicate of #{idea}", idea=idea.duplicate_of)
    embed.add_field(name=_("Status"), value=f"{status}\n{idea.status_reason}" if idea.status_reason else status)
    embed.add_field(name=_("Score"), value=score_line(idea))
    embed.add_field(name=_("Author"), value=_("Anonymous") if idea.anonymous else member_name(idea.author_id))
    if idea.category:
        embed.add_field(name=_("Category"), value=idea.category)
    credited = [m for m in idea.credited if not (idea.anonymous and m == idea.author_id)]  # credited privately
    if credited:
        embed.add_field(name=_("Credited"), value=" ".join(member_name(m) for m in credited), inline=False)
    embed.set_footer(text=_("Vote with the buttons · discuss in the thread"))
    return embed


def idea_line(idea: Idea) -> str:
    link = f" · [{_('open')}](https://discord.com/channels/{idea.guild_id}/{idea.thread_id})" if idea.thread_id else ""
    title = discord.utils.escape_markdown(idea.title)
    return f"**#{idea.id} {title}** · {state_name(idea.status)} · {score_line(idea)}{link}"


def page_embed(title: str, page: Page, number: int) -> discord.Embed:
    lines = [idea_line(i) for i in page.ideas] or [_("No ideas match.")]
    embed = discord.Embed(title=title, description="\n".join(lines), colour=discord.Colour.blurple())
    embed.set_footer(text=_("Page {number}", number=number + 1))
    return embed


def vote_confirmation(outcome: VoteOutcome) -> str:
    label = f"#{outcome.idea.id} {outcome.idea.title}"
    if outcome.my_vote is None:
        return _("Your vote on {idea} is taken back.", idea=label)
    voted = (
        _("You voted up ▲ on {idea}.", idea=label)
        if outcome.my_vote > 0
        else _("You voted down ▼ on {idea}.", idea=label)
    )
    return voted + " " + _("Click the same button again to take it back.")


def leaderboard_embed(rows: list[tuple[int, int, int]]) -> discord.Embed:
    lines = [
        f"{rank}. {member_name(member)} · "
        + _("{count} shipped", count=shipped)
        + " · "
        + n_("{count} upvote received", "{count} upvotes received", votes)
        for rank, (member, shipped, votes) in enumerate(rows, start=1)
    ]
    return discord.Embed(
        title=_("Co-creators leaderboard"),
        description="\n".join(lines) or _("No votes or shipped ideas yet."),
        colour=discord.Colour.gold(),
    )
