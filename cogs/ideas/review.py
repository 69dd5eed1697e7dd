"""The review queue: when a server reviews new ideas, staff approve each (it is posted) or reject it with a
reason its author receives privately. The buttons and the reason form are restart-proof."""

import re

import discord

from bot.context import services
from bot.errors import reports_errors
from bot.forms import Form
from bot.permissions import ensure_allowed
from bot.text import fit_lines, member_name
from services.i18n import N_, _
from services.permissions import ORGANISER
from services.validation import Reason, build

DECISIONS = {
    "approve": (N_("Approve #{idea}"), discord.ButtonStyle.success),
    "reject": (N_("Reject #{idea}"), discord.ButtonStyle.danger),
}


async def queue_message(interaction: discord.Interaction) -> tuple[str, discord.ui.View]:
    """The oldest ideas awaiting review, with their authors (staff see them), and a decision row for each."""
    assert interaction.guild_id is not None
    waiting = await services(interaction).ideas.awaiting_review(interaction.guild_id)
    view = discord.ui.View(timeout=None)
    lines = [_("Ideas awaiting review:") if waiting else _("No ideas are awaiting review.")]
    for idea in waiting:
        title = discord.utils.escape_markdown(idea.title)
        lines.append(f"**#{idea.id} {title}** · {member_name(idea.author_id)}\n> {idea.description[:300]}")
        for decision in DECISIONS:
            view.add_item(IdeaReviewButton(decision, idea.id))
    return fit_lines(lines, 2000), view


class IdeaReviewButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"idea:review:(?P<decision>approve|reject):(?P<idea_id>\d+)"
):
    def __init__(self, decision: str, idea_id: int) -> None:
        label, style = DECISIONS[decision]
        super().__init__(
            discord.ui.Button(label=_(label, idea=idea_id), style=style, custom_id=f"idea:review:{decision}:{idea_id}")
        )
        self.decision, self.idea_id = decision, idea_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "IdeaReviewButton":
        return cls(match["decision"], int(match["idea_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, ORGANISER)
        assert interaction.guild_id is not None
        if self.decision == "reject":
            await IdeaRejectForm(self.idea_id).open(interaction)
            return
        if not await services(interaction).ideas.approve(interaction.guild_id, self.idea_id, actor.user_id):
            await interaction.response.send_message(already_reviewed(self.idea_id), ephemeral=True)
            return
        content, view = await queue_message(interaction)
        await interaction.response.edit_message(content=content, view=view)


def already_reviewed(idea_id: int) -> str:
    return _("Idea #{idea} was already reviewed.", idea=idea_id)


class IdeaRejectForm(Form):
    """Why an idea is turned down: its author receives this."""

    template = re.compile(r"idea:reject-form:(?P<idea_id>\d+)")

    def __init__(self, idea_id: int) -> None:
        super().__init__(title=_("Reject idea #{idea}", idea=idea_id), custom_id=f"idea:reject-form:{idea_id}")
        self.add_item(
            discord.ui.TextInput(
                label=_("Why (its author receives this)"),
                custom_id="reason",
                style=discord.TextStyle.paragraph,
                max_length=500,
            )
        )

    @classmethod
    async def submitted(cls, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]) -> None:
        actor = await ensure_allowed(interaction, ORGANISER)
        assert interaction.guild_id is not None
        idea_id = int(match["idea_id"])
        reason = build(Reason, reason=values.get("reason", "")).reason
        if not await services(interaction).ideas.reject(interaction.guild_id, idea_id, reason, actor.user_id):
            await interaction.response.send_message(already_reviewed(idea_id), ephemeral=True)
            return
        text = _("Idea #{idea} is rejected; its author is told why.", idea=idea_id)
        await interaction.response.send_message(text, ephemeral=True)
