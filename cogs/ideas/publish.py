"""An idea's public post: posting it, its restart-proof vote buttons, and keeping it up to date."""

import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.errors import reports_errors
from bot.permissions import ensure_allowed
from cogs.ideas.embeds import idea_embed, vote_confirmation
from services.errors import InvalidInput
from services.permissions import MEMBER
from storage.models import Announcement, Idea

MENTIONS_PER_MESSAGE = 90  # Discord allows at most 100 users in allowed_mentions
NO_IDEAS_CHANNEL = "The ideas channel is not set up yet; ask an admin to run /setup set."


async def post_idea(bot: CoCreateBot, idea: Idea) -> Idea:
    """Create the idea's forum post (or message + thread) and remember where it lives."""
    settings = await bot.services.setup.get(idea.guild_id)
    guild = bot.get_guild(idea.guild_id)
    channel = guild and settings.ideas_channel_id and guild.get_channel(settings.ideas_channel_id)
    downvotes = (await bot.services.ideas.settings(idea.guild_id)).downvotes
    embed, view = idea_embed(idea), vote_view(idea, downvotes)
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(name=idea.title, embed=embed, view=view)
        thread, message = created.thread, created.message
        home = thread.id  # a forum post's first message lives in its thread
    elif isinstance(channel, discord.TextChannel):
        message = await channel.send(embed=embed, view=view)
        thread = await message.create_thread(name=idea.title)
        home = channel.id
    else:
        raise InvalidInput(NO_IDEAS_CHANNEL)  # not configured, deleted, or not a text or forum channel
    return await bot.services.ideas.attach_post(idea, home, message.id, thread.id)


def schedule_refresh(bot: CoCreateBot, idea: Idea) -> None:
    """Re-render the idea's public post soon, from the latest stored state (coalesced across changes)."""

    async def refresh() -> None:
        latest = await bot.services.ideas.get(idea.guild_id, idea.id)
        if latest.channel_id is None or latest.message_id is None:
            return
        downvotes = (await bot.services.ideas.settings(latest.guild_id)).downvotes
        message = bot.get_partial_messageable(latest.channel_id).get_partial_message(latest.message_id)
        await message.edit(embed=idea_embed(latest), view=vote_view(latest, downvotes))

    bot.refreshes.request(("idea", idea.id), refresh)


async def post_in_thread(bot: CoCreateBot, idea: Idea, text: str, notify: tuple[int, ...] = ()) -> bool:
    """Post `text` in the idea's thread, pinging exactly the members in `notify`; False if it waits in the outbox."""
    if idea.thread_id is None:
        return True
    messages = [Announcement(guild_id=idea.guild_id, channel_id=idea.thread_id, content=text)]
    for start in range(0, len(notify), MENTIONS_PER_MESSAGE):
        chunk = notify[start : start + MENTIONS_PER_MESSAGE]
        content = "Following this idea: " + " ".join(f"<@{m}>" for m in chunk)
        messages.append(
            Announcement(guild_id=idea.guild_id, channel_id=idea.thread_id, content=content, ping_users=chunk)
        )
    return all([await bot.outbox.send(message) for message in messages])


class IdeaVoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"idea:vote:(?P<idea_id>\d+):(?P<direction>up|down)"
):
    def __init__(self, idea_id: int, direction: str, count: int = 0, disabled: bool = False) -> None:
        up = direction == "up"
        super().__init__(
            discord.ui.Button(
                label=f"{'▲ Upvote' if up else '▼ Downvote'} ({count})",
                style=discord.ButtonStyle.success if up else discord.ButtonStyle.secondary,
                custom_id=f"idea:vote:{idea_id}:{direction}",
                disabled=disabled,
            )
        )
        self.idea_id, self.direction = idea_id, direction

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "IdeaVoteButton":
        return cls(int(match["idea_id"]), match["direction"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        ideas = services(interaction).ideas
        assert interaction.guild_id is not None
        outcome = await ideas.vote(
            interaction.guild_id, self.idea_id, actor.user_id, 1 if self.direction == "up" else -1
        )
        schedule_refresh(interaction.client, outcome.idea)  # type: ignore[arg-type]
        await interaction.response.send_message(vote_confirmation(outcome), ephemeral=True)


def vote_view(idea: Idea, downvotes: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    closed = not idea.status.is_open
    view.add_item(IdeaVoteButton(idea.id, "up", idea.upvotes, disabled=closed))
    if downvotes:
        view.add_item(IdeaVoteButton(idea.id, "down", idea.downvotes, disabled=closed))
    return view
