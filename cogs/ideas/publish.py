"""An idea's public post: posting it, its restart-proof vote buttons, and keeping it up to date."""

import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.delivery import Undeliverable, thread_from
from bot.errors import reports_errors
from bot.permissions import ensure_may_vote
from cogs.ideas.embeds import changelog_text, idea_embed, roadmap_embed, vote_confirmation
from cogs.polls.publish import poll_link
from services.i18n import N_, _
from services.wording import state_name
from storage.models import Delivery, Idea, IdeaStatus

NO_IDEAS_CHANNEL = N_("The ideas channel is not set up yet; ask an admin to run /setup set.")


async def publish(bot: CoCreateBot, delivery: Delivery) -> None:
    """Create the idea's forum post (or message + thread), recording each step so a retry does only the rest."""
    assert delivery.entity_id is not None
    idea = await bot.services.ideas.get(delivery.guild_id, delivery.entity_id)
    if idea.message_id is None:
        settings = await bot.services.setup.get(idea.guild_id)
        guild = bot.get_guild(idea.guild_id)
        channel = guild and settings.ideas_channel_id and guild.get_channel(settings.ideas_channel_id)
        downvotes = (await bot.services.ideas.settings(idea.guild_id)).downvotes
        embed, view = idea_embed(idea, await decision(bot, idea)), vote_view(idea, downvotes)
        if isinstance(channel, discord.ForumChannel):
            # A forum post carries no nonce: after an interrupted attempt, look for the post it may have made.
            post_id = await forum_post_made_before(bot, channel, idea) if delivery.attempts else None
            if post_id is None:
                post_id = (await channel.create_thread(name=idea.title, embed=embed, view=view)).thread.id
            # a forum post's first message lives in its thread and has the thread's id
            await bot.services.ideas.attach_post(idea, post_id, post_id, post_id)
            return
        if not isinstance(channel, discord.TextChannel):
            raise Undeliverable(_(NO_IDEAS_CHANNEL))  # not configured, deleted, or not a text or forum channel
        message = await channel.send(embed=embed, view=view, nonce=delivery.nonce())
        await bot.services.ideas.attach_post(idea, channel.id, message.id, None)
        idea = idea.model_copy(update={"channel_id": channel.id, "message_id": message.id})
    if idea.thread_id is None:
        assert idea.channel_id is not None and idea.message_id is not None
        channel = bot.get_partial_messageable(idea.channel_id, guild_id=idea.guild_id)
        thread_id = await thread_from(channel.get_partial_message(idea.message_id), idea.title)
        await bot.services.ideas.attach_post(idea, idea.channel_id, idea.message_id, thread_id)


async def forum_post_made_before(bot: CoCreateBot, forum: discord.ForumChannel, idea: Idea) -> int | None:
    """The id of the idea's forum post if an earlier, interrupted attempt made it."""
    me = forum.guild.me.id
    for thread in await forum.guild.active_threads():
        if thread.parent_id == forum.id and thread.owner_id == me and thread.name == idea.title:
            starter = await thread.fetch_message(thread.id)
            if starter.embeds and (starter.embeds[0].title or "").startswith(f"#{idea.id} "):
                return thread.id
    return None


async def render(bot: CoCreateBot, delivery: Delivery) -> None:
    """Make the idea's public post show its stored state (votes, status, credits)."""
    assert delivery.entity_id is not None
    idea = await bot.services.ideas.get(delivery.guild_id, delivery.entity_id)
    if idea.channel_id is None or idea.message_id is None:
        return  # not published yet: the post will show the latest state when it is
    downvotes = (await bot.services.ideas.settings(idea.guild_id)).downvotes
    message = bot.get_partial_messageable(idea.channel_id).get_partial_message(idea.message_id)
    await message.edit(embed=idea_embed(idea, await decision(bot, idea)), view=vote_view(idea, downvotes))


async def thread_post(bot: CoCreateBot, delivery: Delivery) -> None:
    """A post in the idea's thread: a status change, follower pings, a merge note, or its support goal's outcome."""
    assert delivery.entity_id is not None
    ideas, payload = bot.services.ideas, delivery.payload
    idea = await ideas.get(delivery.guild_id, delivery.entity_id)
    if idea.thread_id is None:
        return
    ping: list[int] = []
    roles: list[int] = []
    match delivery.kind:
        case "idea.goal_reached":
            staff = (await bot.services.setup.get(idea.guild_id)).staff_role_id
            roles = [staff] if staff else []
            text = "🎉 " + _(
                "This idea reached its goal of {goal} supporters! It is now under review by the staff.",
                goal=idea.support_goal,
            )
            text += "".join(f" <@&{role}>" for role in roles)
        case "idea.expired":
            text = _(
                "This idea did not reach {goal} supporters in time, so it has expired and this thread is archived. "
                "Thank you to everyone who supported it.",
                goal=idea.support_goal,
            )
        case "idea.status":
            status = state_name(IdeaStatus(payload["status"])).capitalize()
            previous = state_name(IdeaStatus(payload["previous"]))
            text = "**" + _("Status: {status}", status=status) + "** " + _("(was {previous})", previous=previous)
            if payload.get("by"):
                text += _(", by {member}", member=f"<@{payload['by']}>")
            text += f"\n> {payload['reason']}"
        case "idea.followers":
            ping = payload["members"]
            text = _("Following this idea:") + " " + " ".join(f"<@{m}>" for m in ping)
        case "idea.merged":
            target = await ideas.get(idea.guild_id, payload["into"])
            text = _(
                "Merged into {idea}: {thread}", idea=f"**#{target.id} {target.title}**", thread=f"<#{target.thread_id}>"
            )
        case _:
            merged = await ideas.get(idea.guild_id, payload["from"])
            text = _("{idea} was merged into this idea.", idea=f"**#{merged.id} {merged.title}**")
    await bot.get_partial_messageable(idea.thread_id, guild_id=idea.guild_id).send(
        text,
        allowed_mentions=discord.AllowedMentions(
            users=[discord.Object(m) for m in ping], roles=[discord.Object(r) for r in roles]
        ),
        nonce=delivery.nonce(),
    )


async def poll_outcome(bot: CoCreateBot, idea: Idea, poll_id: int) -> str:
    """How `idea` did in poll `poll_id`: "67% of the votes (1 of 2)"."""
    results = await bot.services.polls.results(idea.guild_id, poll_id)
    mine = results.counts[(await bot.services.polls.ideas(idea.guild_id, poll_id)).index(idea.id)]
    total = sum(results.counts)
    return _(
        "{share} of the votes ({rank} of {options})",
        share=f"{mine / total:.0%}" if total else "0%",
        rank=1 + sum(count > mine for count in results.counts),
        options=len(results.counts),
    )


async def decision(bot: CoCreateBot, idea: Idea) -> str | None:
    """What the latest closed poll about `idea` decided, for its post."""
    if idea.decided_in_poll is None:
        return None
    outcome = await poll_outcome(bot, idea, idea.decided_in_poll)
    return _("Poll #{poll}: {outcome}", poll=idea.decided_in_poll, outcome=outcome)


async def post_poll_result(bot: CoCreateBot, delivery: Delivery) -> None:
    """A poll made from ideas has closed: its result for this idea, in the idea's thread."""
    assert delivery.entity_id is not None
    idea = await bot.services.ideas.get(delivery.guild_id, delivery.entity_id)
    if idea.thread_id is None:
        return
    poll_id = int(delivery.payload["poll"])
    outcome = await poll_outcome(bot, idea, poll_id)
    text = "📊 " + _("Community poll #{poll}: this idea got {outcome}.", poll=poll_id, outcome=outcome)
    link = poll_link(await bot.services.polls.get(delivery.guild_id, poll_id))
    await bot.get_partial_messageable(idea.thread_id, guild_id=idea.guild_id).send(
        text + (f" {link}" if link else ""), nonce=delivery.nonce()
    )


async def render_roadmap(bot: CoCreateBot, delivery: Delivery) -> None:
    """Make the server's roadmap show the stored statuses: edit its message, or post it (again, if it was
    deleted or the roadmap moved to another channel)."""
    channel_id = (await bot.services.setup.get(delivery.guild_id)).roadmap_channel_id
    if channel_id is None:
        return
    ideas = bot.services.ideas
    embed = roadmap_embed(await ideas.roadmap(delivery.guild_id))
    channel = bot.get_partial_messageable(channel_id, guild_id=delivery.guild_id)
    message_id = await ideas.roadmap_message(delivery.guild_id)
    if message_id is not None:
        try:
            await channel.get_partial_message(message_id).edit(embed=embed)
            return
        except discord.NotFound:
            pass
    message = await channel.send(embed=embed, nonce=delivery.nonce())
    await ideas.attach_roadmap(delivery.guild_id, message.id)


async def post_changelog(bot: CoCreateBot, delivery: Delivery) -> None:
    """When an idea ships: a post in the roadmap's channel (else the announcements channel) crediting it."""
    assert delivery.entity_id is not None
    settings = await bot.services.setup.get(delivery.guild_id)
    channel_id = settings.roadmap_channel_id or settings.announcements_channel_id
    if channel_id is None:
        return
    idea = await bot.services.ideas.get(delivery.guild_id, delivery.entity_id)
    credited = [m for m in idea.credited if m > 0 and not (idea.anonymous and m == idea.author_id)]
    await bot.get_partial_messageable(channel_id, guild_id=delivery.guild_id).send(
        changelog_text(idea),
        allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in credited]),
        nonce=delivery.nonce(),
    )


THREAD_POSTS = (
    "idea.status",
    "idea.followers",
    "idea.merged",
    "idea.merged_in",
    "idea.goal_reached",
    "idea.expired",
)


async def close_thread(bot: CoCreateBot, delivery: Delivery) -> None:
    """A removed or expired idea's thread is archived; a removed one is also renamed (its title may be what was
    abusive). The bot started the thread, so it may do both without Manage Threads."""
    assert delivery.entity_id is not None
    idea = await bot.services.ideas.get(delivery.guild_id, delivery.entity_id)
    if idea.thread_id is None:
        return
    guild = bot.get_guild(idea.guild_id)
    thread = guild.get_thread(idea.thread_id) if guild else None
    thread = thread or await bot.fetch_channel(idea.thread_id)
    assert isinstance(thread, discord.Thread)
    if idea.status == IdeaStatus.REMOVED:
        await thread.edit(name=_("Removed idea #{idea}", idea=idea.id), archived=True)
    else:
        await thread.edit(archived=True)


class IdeaVoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"idea:vote:(?P<idea_id>\d+):(?P<direction>up|down)"
):
    def __init__(self, idea_id: int, direction: str, count: int = 0, disabled: bool = False) -> None:
        up = direction == "up"
        super().__init__(
            discord.ui.Button(
                label=("▲ " + _("Upvote") if up else "▼ " + _("Downvote")) + f" ({count})",
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
        actor = await ensure_may_vote(interaction)
        ideas = services(interaction).ideas
        assert interaction.guild_id is not None
        outcome = await ideas.vote(
            interaction.guild_id, self.idea_id, actor.user_id, 1 if self.direction == "up" else -1
        )
        await interaction.response.send_message(vote_confirmation(outcome), ephemeral=True)


def vote_view(idea: Idea, downvotes: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    closed = not idea.status.is_open
    view.add_item(IdeaVoteButton(idea.id, "up", idea.upvotes, disabled=closed))
    if downvotes:
        view.add_item(IdeaVoteButton(idea.id, "down", idea.downvotes, disabled=closed))
    return view
