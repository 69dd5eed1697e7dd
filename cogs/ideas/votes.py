"""Vote buttons: DynamicItems carrying the idea id in the custom_id, so they keep working after a restart."""

import re

import discord

from bot.context import services
from bot.errors import reports_errors
from bot.permissions import ensure_allowed
from cogs.ideas.embeds import idea_embed, vote_confirmation
from services.permissions import MEMBER
from storage.models import Idea


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
        downvotes = (await ideas.settings(interaction.guild_id)).downvotes
        await interaction.response.edit_message(embed=idea_embed(outcome.idea), view=vote_view(outcome.idea, downvotes))
        await interaction.followup.send(vote_confirmation(outcome), ephemeral=True)


def vote_view(idea: Idea, downvotes: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    closed = not idea.status.is_open
    view.add_item(IdeaVoteButton(idea.id, "up", idea.upvotes, disabled=closed))
    if downvotes:
        view.add_item(IdeaVoteButton(idea.id, "down", idea.downvotes, disabled=closed))
    return view
