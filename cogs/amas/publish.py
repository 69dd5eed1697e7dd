"""What an AMA shows in Discord: announcement, scheduled event, question posts with buttons, answers, transcript."""

import io
import re

import discord

from bot.context import services
from bot.core import CoCreateBot
from bot.delivery import SETTLE_BEFORE_ANSWER, Undeliverable, thread_from
from bot.errors import reports_errors
from bot.forms import Form
from bot.permissions import ensure_allowed
from bot.text import fit_lines, member_name
from services.amas import asked
from services.i18n import N_, _, n_
from services.permissions import MEMBER, MODERATOR
from services.wording import removed_by_moderators
from storage.models import Ama, AmaStatus, Delivery, Question, QuestionStatus

QUESTION_ACTIONS = {"upvote": N_("Upvote"), "answer": N_("Answer")}
MODERATION_LABELS = {"approve": N_("Approve #{question}"), "reject": N_("Reject #{question}")}


def hosts_text(ama: Ama) -> str:
    return ", ".join(member_name(h.id) for h in ama.hosts)


def ama_embed(ama: Ama) -> discord.Embed:
    embed = discord.Embed(title=f"AMA #{ama.id}: {ama.title}", description=ama.description or None)
    embed.add_field(name=_("Hosts"), value=hosts_text(ama), inline=False)
    when = _(
        "{start} to {end}",
        start=discord.utils.format_dt(ama.starts_at),
        end=discord.utils.format_dt(ama.ends_at, "t"),
    )
    embed.add_field(name=_("When"), value=when)
    embed.add_field(name=_("Ask"), value=_("Use `/ama ask` while it is open; upvote the questions you want answered."))
    return embed


def ama_line(ama: Ama) -> str:
    """One AMA in `/ama list`: open now or when it starts, its hosts, and where to ask."""
    when = (
        _("open now, until {end}", end=discord.utils.format_dt(ama.ends_at, "t"))
        if ama.status == AmaStatus.OPEN
        else discord.utils.format_dt(ama.starts_at, "f") + " (" + discord.utils.format_dt(ama.starts_at, "R") + ")"
    )
    where = f" · <#{ama.thread_id}>" if ama.thread_id else ""
    title = discord.utils.escape_markdown(ama.title)
    return f"**#{ama.id} {title}** · {when} · " + _("with {hosts}", hosts=hosts_text(ama)) + where


def question_embed(question: Question) -> discord.Embed:
    """The question, and its answer once given (both in the description: up to 500 + 1,500 characters)."""
    if question.status == QuestionStatus.REMOVED:
        return discord.Embed(
            title=_("Question #{question}", question=question.id),
            description=removed_by_moderators(question.removed_reason),
        )
    text = question.text
    if question.answer:
        text += "\n\n**" + _("Answer from {host}:", host=question.answered_by) + f"**\n{question.answer}"
    elif question.status == QuestionStatus.ANSWERED:
        text += "\n\n**" + _("Answered live by {host}.", host=question.answered_by) + "**"
    elif question.status == QuestionStatus.SKIPPED:
        text += "\n\n*" + _("The hosts skipped this question.") + "*"
    title = _("Question #{question}", question=question.id)
    if question.highlighted:
        title = "⭐ " + _("{question} · now answering", question=title)
    embed = discord.Embed(title=title, description=text)
    embed.set_footer(text=f"{asked(question)} · " + n_("{count} upvote", "{count} upvotes", question.upvotes))
    return embed


class AmaQuestionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"ama:(?P<action>upvote|answer):(?P<question_id>\d+)"
):
    """Upvote a question (members), or open the answer form (the AMA's hosts)."""

    def __init__(
        self, action: str, question_id: int, label: str = "", disabled: bool = False, row: int | None = None
    ) -> None:
        style = discord.ButtonStyle.success if action == "upvote" else discord.ButtonStyle.primary
        super().__init__(
            discord.ui.Button(
                label=label or _(QUESTION_ACTIONS[action]),
                style=style,
                custom_id=f"ama:{action}:{question_id}",
                disabled=disabled,
            ),
            row=row,
        )
        self.action, self.question_id = action, question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "AmaQuestionButton":
        return cls(match["action"], int(match["question_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MEMBER)
        assert interaction.guild_id is not None
        amas = services(interaction).amas
        if self.action == "answer":
            _ama, question, _host = await amas.answerable(interaction.guild_id, self.question_id, actor.user_id)
            await AnswerModal(question).open(interaction)
            return
        question, upvoted = await amas.upvote(interaction.guild_id, self.question_id, actor.user_id)
        text = (
            _("You upvoted question #{question}.", question=question.id)
            if upvoted
            else _("You took back your upvote on question #{question}.", question=question.id)
        )
        await interaction.response.send_message(text, ephemeral=True)


def question_view(question: Question) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if question.status == QuestionStatus.REMOVED:
        return view  # nothing left to upvote or answer
    answered = question.status == QuestionStatus.ANSWERED
    view.add_item(AmaQuestionButton("upvote", question.id, "▲ " + _("Upvote") + f" ({question.upvotes})"))
    view.add_item(
        AmaQuestionButton(
            "answer",
            question.id,
            _("Answered") if answered else _("Answer"),
            disabled=question.status != QuestionStatus.OPEN,
        )
    )
    return view


HOST_ACTIONS = {
    "live": (N_("Answered live #{question}"), discord.ButtonStyle.success),
    "star": (N_("⭐ Highlight #{question}"), discord.ButtonStyle.secondary),
    "skip": (N_("Skip #{question}"), discord.ButtonStyle.danger),
}


async def next_panel(interaction: discord.Interaction, ama_id: int | None) -> tuple[str, discord.ui.View]:
    """The most upvoted open questions, each with a row of the hosts' buttons: answer, answered live,
    highlight, skip (checked against the hosts when clicked)."""
    assert interaction.guild_id is not None
    current, questions = await services(interaction).amas.next_questions(interaction.guild_id, ama_id)
    lines = [("⭐ " if q.highlighted else "") + f"**#{q.id}** ({q.upvotes} ▲) {q.text}" for q in questions]
    view = discord.ui.View(timeout=None)
    for row, q in enumerate(questions):
        view.add_item(AmaQuestionButton("answer", q.id, _("Answer #{question}", question=q.id), row=row))
        for action in HOST_ACTIONS:
            view.add_item(AmaHostButton(action, q.id, row=row))
    heading = _("Next questions for AMA #{ama}:", ama=current.id)
    return fit_lines([heading, *(lines or [_("No questions are waiting.")])], 2000), view


class AmaHostButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"ama:host:(?P<action>live|star|skip):(?P<question_id>\d+)"
):
    """A host marks a question answered live (without text), highlights it as the one being answered, or skips it."""

    def __init__(self, action: str, question_id: int, row: int | None = None) -> None:
        label, style = HOST_ACTIONS[action]
        super().__init__(
            discord.ui.Button(
                label=_(label, question=question_id), style=style, custom_id=f"ama:host:{action}:{question_id}"
            ),
            row=row,
        )
        self.action, self.question_id = action, question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "AmaHostButton":
        return cls(match["action"], int(match["question_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MEMBER)  # the service checks that they host this AMA
        assert interaction.guild_id is not None
        amas = services(interaction).amas
        if self.action == "live":
            _ama, question = await amas.answer(interaction.guild_id, self.question_id, actor.user_id, None)
        elif self.action == "star":
            question = await amas.highlight(interaction.guild_id, self.question_id, actor.user_id)
        else:
            question = await amas.skip(interaction.guild_id, self.question_id, actor.user_id)
        content, view = await next_panel(interaction, question.ama_id)
        await interaction.response.edit_message(content=content, view=view)


class AnswerModal(Form):
    """The host's answer form; its custom_id names the question."""

    template = re.compile(r"ama:answer-form:(?P<question_id>\d+)")

    def __init__(self, question: Question) -> None:
        super().__init__(title=_("Answer a question"), custom_id=f"ama:answer-form:{question.id}")
        self.add_item(
            discord.ui.TextInput(
                label=_("Your answer"), custom_id="answer", style=discord.TextStyle.paragraph, max_length=1500
            )
        )

    @classmethod
    async def submitted(cls, interaction: discord.Interaction, match: re.Match[str], values: dict[str, str]) -> None:
        await answer_question(interaction, int(match["question_id"]), values.get("answer", ""))


async def answer_question(interaction: discord.Interaction, question_id: int, answer: str) -> None:
    """Shared by the answer button's form and `/ama answer`."""
    actor = await ensure_allowed(interaction, MEMBER)
    assert interaction.guild_id is not None
    bot: CoCreateBot = interaction.client  # type: ignore[assignment]
    ama, question = await bot.services.amas.answer(interaction.guild_id, question_id, actor.user_id, answer)
    await interaction.response.defer(ephemeral=True, thinking=True)
    settled = await bot.delivery.settle(ama.guild_id, f"ama:{ama.id}")
    await interaction.followup.send(
        _("Question #{question} is answered.", question=question.id) + settled.note(), ephemeral=True
    )


class AmaModerationButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"ama:moderate:(?P<decision>approve|reject):(?P<question_id>\d+)",
):
    def __init__(self, decision: str, question_id: int) -> None:
        style = discord.ButtonStyle.success if decision == "approve" else discord.ButtonStyle.danger
        super().__init__(
            discord.ui.Button(
                label=_(MODERATION_LABELS[decision], question=question_id),
                style=style,
                custom_id=f"ama:moderate:{decision}:{question_id}",
            )
        )
        self.decision, self.question_id = decision, question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> "AmaModerationButton":
        return cls(match["decision"], int(match["question_id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction) -> None:
        actor = await ensure_allowed(interaction, MODERATOR)
        assert interaction.guild_id is not None
        bot: CoCreateBot = interaction.client  # type: ignore[assignment]
        amas = bot.services.amas
        question = await amas.moderate(
            interaction.guild_id, self.question_id, self.decision == "approve", actor.user_id
        )
        if question is None:
            await interaction.response.send_message(
                _("Question #{question} was already moderated.", question=self.question_id), ephemeral=True
            )
            return
        if question.status == QuestionStatus.OPEN:  # the moderator sees the queue once the question is public
            await bot.delivery.settle(question.guild_id, f"ama:{question.ama_id}", within=SETTLE_BEFORE_ANSWER)
        content, view = await queue_message(bot, question.guild_id, question.ama_id)
        await interaction.response.edit_message(content=content, view=view)


async def queue_message(bot: CoCreateBot, guild_id: int, ama_id: int) -> tuple[str, discord.ui.View]:
    """The moderation queue: up to five waiting questions with approve/reject buttons."""
    waiting = await bot.services.amas.pending(guild_id, ama_id)
    view = discord.ui.View(timeout=None)
    lines = [_("Questions waiting for AMA #{ama}: {count}", ama=ama_id, count=len(waiting))]
    for question in waiting[:5]:
        asker = _("anonymous") if question.anonymous else question.asker_name
        lines.append(f"**#{question.id}** ({asker}): {question.text}")
        view.add_item(AmaModerationButton("approve", question.id))
        view.add_item(AmaModerationButton("reject", question.id))
    return fit_lines(lines, 2000), view


async def publish(bot: CoCreateBot, delivery: Delivery) -> None:
    """The announcement, its questions thread and the Discord scheduled event, each recorded as it is made."""
    assert delivery.entity_id is not None
    amas = bot.services.amas
    ama = await amas.get(delivery.guild_id, delivery.entity_id)
    guild = bot.get_guild(ama.guild_id)
    channel = guild.get_channel(ama.channel_id) if guild else None
    if guild is None or not isinstance(channel, discord.TextChannel):
        raise Undeliverable(
            _(
                "AMA #{ama} cannot be posted: {channel} is not a text channel I can see.",
                ama=ama.id,
                channel=f"<#{ama.channel_id}>",
            )
        )
    if ama.message_id is None:
        message = await channel.send(embed=ama_embed(ama), nonce=delivery.nonce())
        ama = await amas.attach(ama, message.id, None, None)
    assert ama.message_id is not None
    if ama.thread_id is None:
        thread_id = await thread_from(
            channel.get_partial_message(ama.message_id), _("Questions: {title}", title=ama.title)
        )
        ama = await amas.attach(ama, ama.message_id, thread_id, None)
    if ama.event_id is None:
        # A scheduled event carries no nonce: after an interrupted attempt, look for the one it may have made.
        made = await guild.fetch_scheduled_events(with_counts=False) if delivery.attempts else []
        mine = [e for e in made if (e.creator_id, e.name, e.start_time) == (guild.me.id, ama.title, ama.starts_at)]
        event = mine[0] if mine else None
        if event is None:
            event = await guild.create_scheduled_event(
                name=ama.title,
                start_time=ama.starts_at,
                end_time=ama.ends_at,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=f"#{channel.name}",
                description=(ama.description or _("Ask the hosts anything in {channel}.", channel=f"#{channel.name}"))[
                    :1000
                ],
            )
        await amas.attach(ama, ama.message_id, ama.thread_id, event.id)


async def post_question(bot: CoCreateBot, delivery: Delivery) -> None:
    """A question the community can see, with its upvote and answer buttons, in the AMA's thread."""
    assert delivery.entity_id is not None
    question = await bot.services.amas.question(delivery.guild_id, delivery.entity_id)
    ama = await bot.services.amas.get(question.guild_id, question.ama_id)
    if question.message_id is not None or ama.thread_id is None:
        return
    message = await bot.get_partial_messageable(ama.thread_id, guild_id=ama.guild_id).send(
        embed=question_embed(question), view=question_view(question), nonce=delivery.nonce()
    )
    await bot.services.amas.attach_question(question, message.id)


async def render_question(bot: CoCreateBot, delivery: Delivery) -> None:
    assert delivery.entity_id is not None
    question = await bot.services.amas.question(delivery.guild_id, delivery.entity_id)
    ama = await bot.services.amas.get(question.guild_id, question.ama_id)
    if question.message_id is None or ama.thread_id is None:
        return
    message = bot.get_partial_messageable(ama.thread_id).get_partial_message(question.message_id)
    await message.edit(embed=question_embed(question), view=question_view(question))


async def post_answer(bot: CoCreateBot, delivery: Delivery) -> None:
    """The answer in the thread, notifying the asker (unless they asked anonymously)."""
    assert delivery.entity_id is not None
    question = await bot.services.amas.question(delivery.guild_id, delivery.entity_id)
    ama = await bot.services.amas.get(question.guild_id, question.ama_id)
    if ama.thread_id is None:
        return
    ping = () if question.anonymous or question.asker_id <= 0 else (question.asker_id,)  # not an erased member
    await bot.get_partial_messageable(ama.thread_id, guild_id=ama.guild_id).send(
        _("{member}, your question is answered:", member=f"<@{ping[0]}>") if ping else "",
        embed=question_embed(question),
        allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in ping]),
        nonce=delivery.nonce(),
    )


async def announce(bot: CoCreateBot, delivery: Delivery) -> None:
    """The reminder, the opening and the end (with the transcript as a Markdown file) in its channel."""
    assert delivery.entity_id is not None
    ama = await bot.services.amas.get(delivery.guild_id, delivery.entity_id)
    file = discord.utils.MISSING
    ping: list[int] = []
    match delivery.kind:
        case "ama.reminder":
            hosts = ", ".join(h.name for h in ama.hosts)
            starts = discord.utils.format_dt(ama.starts_at, "R")
            content = _(
                "Reminder: AMA {title} with {hosts} starts {starts}. Get ready!",
                title=f"**{ama.title}**",
                hosts=hosts,
                starts=starts,
            )
            ping = await interested(bot, ama)
            if ping:
                content += "\n" + _("Interested:") + " " + " ".join(f"<@{m}>" for m in ping)
        case "ama.opened":
            content = _(
                "AMA #{ama} {title} is open! Ask with `/ama ask`, upvote in {thread}.",
                ama=ama.id,
                title=f"**{ama.title}**",
                thread=f"<#{ama.thread_id}>",
            )
        case _:
            content = _(
                "AMA #{ama} {title} has ended. Thank you for your questions! The transcript is attached.",
                ama=ama.id,
                title=f"**{ama.title}**",
            )
            transcript = await bot.services.amas.transcript(ama.guild_id, ama.id)
            file = discord.File(io.BytesIO(transcript.encode()), filename=f"ama-{ama.id}-transcript.md")
    await bot.get_partial_messageable(ama.channel_id, guild_id=ama.guild_id).send(
        content,
        file=file,
        allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in ping]),
        nonce=delivery.nonce(),
    )


REMINDED_AT_MOST = 90  # Discord lets one message ping at most 100 members


async def interested(bot: CoCreateBot, ama: Ama) -> list[int]:
    """The members who marked themselves interested in the AMA's Discord event (the first 90), to ping."""
    guild = bot.get_guild(ama.guild_id)
    if ama.event_id is None or guild is None:
        return []
    event = await guild.fetch_scheduled_event(ama.event_id)
    return [user.id async for user in event.users(limit=REMINDED_AT_MOST)]


ANNOUNCEMENTS = ("ama.reminder", "ama.opened", "ama.closed")
EVENT_STATUS = {"active": discord.EventStatus.active, "completed": discord.EventStatus.completed,
                "canceled": discord.EventStatus.cancelled}  # fmt: skip


async def follow_event(bot: CoCreateBot, delivery: Delivery) -> None:
    """Move the AMA's Discord scheduled event to the status its AMA reached."""
    assert delivery.entity_id is not None
    ama = await bot.services.amas.get(delivery.guild_id, delivery.entity_id)
    if ama.event_id is not None:
        status = EVENT_STATUS[delivery.payload["status"]]
        await bot.http.edit_scheduled_event(ama.guild_id, ama.event_id, status=status.value)
