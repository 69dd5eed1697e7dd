"""How ideas look in Discord: pure functions from models to embeds and text, easy to test."""

import discord

from bot.text import bar, fit_lines, member_name
from services.i18n import N_, _, n_
from services.ideas import Page, VoteOutcome
from services.wording import discord_time, removed_by_moderators, state_name
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
    IdeaStatus.EXPIRED: discord.Colour.dark_grey(),
}


def score_line(idea: Idea) -> str:
    return f"▲ {idea.upvotes}  ▼ {idea.downvotes}  ·  " + _("score {score}", score=idea.score)


def support_line(idea: Idea) -> str | None:
    """Progress toward the idea's support goal and the time left (Discord shows "in 12 days" to each reader)."""
    if idea.support_goal is None or idea.support_deadline is None:
        return None
    progress = f"`{bar(min(1.0, idea.upvotes / idea.support_goal))}` " + n_(
        "{upvotes} of {count} supporter", "{upvotes} of {count} supporters", idea.support_goal, upvotes=idea.upvotes
    )
    if idea.status == IdeaStatus.NEW:
        return progress + "\n" + _("Ends {when}", when=discord_time(idea.support_deadline, "R"))
    if idea.status == IdeaStatus.EXPIRED:
        return progress + "\n" + _("Missed its goal on {date}", date=discord_time(idea.support_deadline, "D"))
    if idea.upvotes >= idea.support_goal:
        return progress + " ✓"
    return None  # staff decided before the deadline


def idea_embed(idea: Idea, decided: str | None = None) -> discord.Embed:
    """The idea's post; `decided` is what the latest community poll about it decided, if any."""
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
    if support := support_line(idea):
        embed.add_field(name=_("Support goal"), value=support, inline=False)
    if decided:
        embed.add_field(name=_("Community poll"), value=decided, inline=False)
    credited = [m for m in idea.credited if not (idea.anonymous and m == idea.author_id)]  # credited privately
    if credited:
        embed.add_field(name=_("Credited"), value=" ".join(member_name(m) for m in credited), inline=False)
    embed.set_footer(text=_("Vote with the buttons · discuss in the thread"))
    return embed


ROADMAP_SECTIONS = {
    IdeaStatus.PLANNED: N_("Planned"),
    IdeaStatus.IN_PROGRESS: N_("In progress"),
    IdeaStatus.SHIPPED: N_("Recently shipped"),
}


def roadmap_embed(sections: dict[IdeaStatus, list[Idea]]) -> discord.Embed:
    """The roadmap: each section's ideas, linking to their posts."""
    embed = discord.Embed(title="🗺️ " + _("Roadmap"), colour=discord.Colour.blue())
    for status, ideas in sections.items():
        lines = [idea_link(idea) for idea in ideas]
        embed.add_field(name=_(ROADMAP_SECTIONS[status]), value=fit_lines(lines, 1024) or "—", inline=False)
    embed.set_footer(text=_("Kept up to date by the staff's decisions"))
    return embed


def idea_link(idea: Idea) -> str:
    title = f"#{idea.id} {discord.utils.escape_markdown(idea.title)}"
    if idea.thread_id is None:
        return title
    return f"[{title}](https://discord.com/channels/{idea.guild_id}/{idea.thread_id})"


def changelog_text(idea: Idea) -> str:
    """When an idea ships: credit its authors (an anonymous one stays anonymous) and thank its supporters."""
    named = [member_name(m) for m in idea.credited if not (idea.anonymous and m == idea.author_id)]
    authors = [_("an anonymous member")] * idea.anonymous + named or [member_name(idea.author_id)]
    names = (
        authors[0] if len(authors) == 1 else _("{first} and {last}", first=", ".join(authors[:-1]), last=authors[-1])
    )
    text = "🚀 **" + _("Shipped: {idea}", idea=idea_link(idea)) + "**\n" + _("Proposed by {names}.", names=names)
    if idea.upvotes:
        thanks = n_(
            "Thank you to the {count} member who supported it!",
            "Thank you to the {count} members who supported it!",
            idea.upvotes,
        )
        text += " " + thanks
    return text


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
    if outcome.reached_goal:
        voted += " 🎉 " + _("Yours was the vote that brought it to its goal: it is now under review.")
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
