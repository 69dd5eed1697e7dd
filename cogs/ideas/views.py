"""The submit modal, the "post anyway" button and list pagination (DynamicItems: restart-proof)."""

import re

import discord

from bot.context import services
from bot.errors import reports_errors
from bot.forms import Form
from bot.permissions import ensure_allowed
from cogs.ideas.embeds import page_embed
from services.errors import InvalidInput
from services.i18n import N_, _
from services.ideas import IdeaQuery
from services.permissions import MEMBER
from services.wording import state_name
from storage.models import DraftText, Idea, IdeaStatus

STATUSES = list(IdeaStatus)


DRAFT_ACTIONS = {
    "post": (N_("Post mine anyway"), discord.ButtonStyle.primary),
    "edit": (N_("Edit and resubmit"), discord.ButtonStyle.secondary),
}


class IdeaDraftButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"idea:draft:(?P<action>post|edit):(?P<draft_id>\d+)"
):
    """Act on a member's stored draft: post it despite similar ideas, or reopen the form filled in with it."""

    def __init__(self, action: str, draft_id: int) -> None:
        label, style = DRAFT_ACTIONS[action]
        super().__init__(discord.ui.Button(label=_(label), style=style, custom_id=f"idea:draft:{action}:{draft_id}"))
        self.action, self.draft_id = action, draft_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "IdeaDraftButton":
        return cls(match["action"], int(match["draft_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        assert interaction.guild_id is not None
        ideas = services(interaction).ideas
        if self.action == "edit":
            draft = await ideas.draft(interaction.guild_id, actor.user_id, self.draft_id)
            categories = (await ideas.settings(interaction.guild_id)).categories
            await IdeaModal(categories, draft, self.draft_id).open(interaction)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        idea = await ideas.submit_draft(interaction.guild_id, actor.user_id, self.draft_id)
        await interaction.followup.send(await posted_text(interaction, idea), ephemeral=True)


async def posted_text(interaction: discord.Interaction, idea: Idea) -> str:
    """Where the new idea is, once Discord shows it; or that it is saved and will appear, or awaits review."""
    if idea.status == IdeaStatus.AWAITING_REVIEW:
        return _("Your idea #{idea} is saved and waits for the staff's review; you will hear back.", idea=idea.id)
    settled = await interaction.client.delivery.settle(idea.guild_id, f"idea:{idea.id}")  # type: ignore[attr-defined]
    if not settled.delivered:
        return _("Your idea #{idea} is saved.", idea=idea.id) + settled.note()
    idea = await services(interaction).ideas.get(idea.guild_id, idea.id)
    return _(
        "Your idea #{idea} is posted: {thread}. Share it so people can vote!",
        idea=idea.id,
        thread=f"<#{idea.thread_id}>",
    )


PAGE_TEMPLATE = (
    r"idea:page:(?P<page>\d+):(?P<sort>new|top):(?P<status>\d+|-):(?P<period>week|month|all)"
    r":(?P<author>\d+):(?P<category>\d+|-)"
)


class IdeaPageButton(discord.ui.DynamicItem[discord.ui.Button], template=PAGE_TEMPLATE):
    """Previous/next page of /idea list or /idea top; the filters travel in the custom_id."""

    def __init__(self, query: IdeaQuery, categories: tuple[str, ...], label: str, disabled: bool = False) -> None:
        status = "-" if query.status is None else str(STATUSES.index(query.status))
        category = "-" if query.category is None else str(categories.index(query.category))
        custom_id = f"idea:page:{query.page}:{query.sort}:{status}:{query.period}:{query.author_id or 0}:{category}"
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id, disabled=disabled)
        )
        self.query = query

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "IdeaPageButton":
        assert interaction.guild_id is not None
        categories = (await services(interaction).ideas.settings(interaction.guild_id)).categories
        category = None if match["category"] == "-" else int(match["category"])
        query = IdeaQuery(
            page=int(match["page"]),
            sort=match["sort"],  # type: ignore[arg-type]
            status=None if match["status"] == "-" else STATUSES[int(match["status"])],
            period=match["period"],  # type: ignore[arg-type]
            author_id=int(match["author"]) or None,
            category=categories[category] if category is not None and category < len(categories) else None,
        )
        return cls(query, categories, item.label or "")

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        await ensure_allowed(interaction, MEMBER)
        embed, view = await browse_page(interaction, self.query)
        await interaction.response.edit_message(embed=embed, view=view)


async def browse_page(interaction: discord.Interaction, query: IdeaQuery) -> tuple[discord.Embed, discord.ui.View]:
    assert interaction.guild_id is not None
    ideas = services(interaction).ideas
    page = await ideas.browse(interaction.guild_id, query)
    categories = (await ideas.settings(interaction.guild_id)).categories
    view = discord.ui.View(timeout=None)
    previous = query.model_copy(update={"page": max(0, query.page - 1)})
    following = query.model_copy(update={"page": query.page + 1})
    view.add_item(IdeaPageButton(previous, categories, "◀ " + _("Previous"), disabled=query.page == 0))
    view.add_item(IdeaPageButton(following, categories, _("Next") + " ▶", disabled=not page.has_next))
    title = _("Top ideas") if query.sort == "top" else _("Newest ideas")
    return page_embed(title, page, query.page), view


class IdeaModal(Form):
    """The submit form; its custom_id names the member's kept draft it replaces (0: none)."""

    template = re.compile(r"idea:submit:(?P<draft_id>\d+)(?::(?P<anonymous>[01]))?")  # forms opened before: no flag

    def __init__(
        self,
        categories: tuple[str, ...],
        draft: DraftText | None = None,
        draft_id: int | None = None,
        anonymous: bool = False,
    ) -> None:
        """A blank form, or one filled in with the member's kept `draft` (which the submission replaces)."""
        anonymous = draft.anonymous if draft is not None else anonymous
        title = _("Propose an idea anonymously") if anonymous else _("Propose an idea")
        super().__init__(title=title, custom_id=f"idea:submit:{draft_id or 0}:{int(anonymous)}")
        self.idea_title = discord.ui.TextInput(label=_("Title"), custom_id="title", min_length=1, max_length=100)
        self.description = discord.ui.TextInput(
            label=_("Description"),
            custom_id="description",
            style=discord.TextStyle.paragraph,
            min_length=1,
            max_length=2000,
        )
        self.add_item(self.idea_title).add_item(self.description)
        self.category: discord.ui.TextInput | None = None
        if categories:
            self.category = discord.ui.TextInput(
                label=_("Category (optional)"),
                custom_id="category",
                required=False,
                max_length=30,
                placeholder=", ".join(categories)[:100],
            )
            self.add_item(self.category)
        if draft is not None:
            self.idea_title.default, self.description.default = draft.title, draft.description
            if self.category is not None:
                self.category.default = draft.category

    @classmethod
    async def submitted(cls, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        ideas = services(interaction).ideas
        draft_id = int(match["draft_id"]) or None
        text = DraftText(
            title=values.get("title", ""),
            description=values.get("description", ""),
            category=values.get("category"),
            anonymous=match["anonymous"] == "1",
        )
        try:
            outcome = await ideas.submit(interaction.guild_id, actor.user_id, text, draft_id=draft_id)
        except InvalidInput as refusal:
            kept = await ideas.keep_draft(interaction.guild_id, actor.user_id, text, replacing=draft_id)
            view = discord.ui.View(timeout=None)
            view.add_item(IdeaDraftButton("edit", kept))
            await interaction.followup.send(
                refusal.message + "\n" + _("Your text is saved."), view=view, ephemeral=True
            )
            return
        if outcome.idea is None:
            assert outcome.draft_id is not None
            lines = "\n".join(
                f"• #{i.id} {i.title} ("
                + _("{status}, score {score}", status=state_name(i.status), score=i.score)
                + ")"
                for i in outcome.similar
            )
            view = discord.ui.View(timeout=None)
            view.add_item(IdeaDraftButton("post", outcome.draft_id))
            view.add_item(IdeaDraftButton("edit", outcome.draft_id))
            notice = "\n".join(
                (_("These ideas look like yours:"), lines, _("Vote there, or post yours anyway (your text is saved)."))
            )
            await interaction.followup.send(notice, view=view, ephemeral=True)
            return
        await interaction.followup.send(await posted_text(interaction, outcome.idea), ephemeral=True)
