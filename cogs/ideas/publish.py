"""Posting ideas to the ideas channel and keeping their public message up to date."""

import discord

from bot.core import CoCreateBot
from cogs.ideas.embeds import idea_embed
from cogs.ideas.votes import vote_view
from services.errors import InvalidInput
from storage.models import Idea

MENTIONS_PER_MESSAGE = 90  # Discord allows at most 100 users in allowed_mentions


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
        raise InvalidInput("The ideas channel is not set up; ask an admin to run /setup set.")
    return await bot.services.ideas.attach_post(idea, home, message.id, thread.id)


async def refresh_idea(bot: CoCreateBot, idea: Idea) -> None:
    """Re-render the idea's public message (after a status change, merge or credit)."""
    if idea.channel_id is None or idea.message_id is None:
        return
    downvotes = (await bot.services.ideas.settings(idea.guild_id)).downvotes
    message = bot.get_partial_messageable(idea.channel_id).get_partial_message(idea.message_id)
    await message.edit(embed=idea_embed(idea), view=vote_view(idea, downvotes))


async def post_in_thread(bot: CoCreateBot, idea: Idea, text: str, notify: tuple[int, ...] = ()) -> None:
    """Post `text` in the idea's discussion thread, pinging exactly the members in `notify`."""
    if idea.thread_id is None:
        return
    thread = bot.get_partial_messageable(idea.thread_id)
    await thread.send(text)
    for start in range(0, len(notify), MENTIONS_PER_MESSAGE):
        chunk = notify[start : start + MENTIONS_PER_MESSAGE]
        await thread.send(
            "Following this idea: " + " ".join(f"<@{m}>" for m in chunk),
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in chunk]),
        )
