"""AMAs: schedule, open, ask, moderate, upvote, answer, close with a transcript."""

from datetime import datetime, timedelta

from services.clock import Clock
from services.errors import InvalidInput, NotAllowed, NotFound
from services.i18n import _, n_
from services.timeparse import parse_when
from services.validation import SUGGESTIONS, Reason, build, typed_so_far
from services.wording import state_name
from storage.base import AmaRepository
from storage.models import (
    FORMER_MEMBER,
    Ama,
    AmaDraft,
    AmaStatus,
    Host,
    Intent,
    Model,
    Question,
    QuestionStatus,
    audit,
    direct_message,
    removal_notice,
    text,
)

SCHEDULE_AHEAD = timedelta(days=90)
LONGEST_AMA = timedelta(hours=12)
REMIND_BEFORE = timedelta(minutes=15)


def lane(ama_id: int) -> str:
    """An AMA's posts go out in order: the announcement and thread first, then its questions and answers."""
    return f"ama:{ama_id}"


def ama_post(kind: str, ama: Ama) -> Intent:
    return Intent(kind=kind, entity_id=ama.id, payload={"channel_id": ama.channel_id})


def event_status(ama: Ama, status: str) -> Intent:
    """Make the AMA's Discord scheduled event follow it: active when it opens, completed (or canceled) at the end."""
    return Intent(kind="ama.event", entity_id=ama.id, payload={"status": status})


def show_question(ama_id: int, question_id: int | None = None) -> Intent:
    """Post a question the community may see in the AMA's thread, after the thread (same lane); without an id,
    the question being added."""
    return Intent(kind="ama.question", entity_id=question_id, lane=lane(ama_id))


def refresh(question_id: int, ama_id: int) -> Intent:
    """Show the question's stored state (upvotes, answer, asker) on its post, coalesced."""
    return Intent(kind="ama.question_render", entity_id=question_id, lane=lane(ama_id), render=True)


class QuestionText(Model):
    question: text(500)  # type: ignore[valid-type]


class AnswerText(Model):
    answer: text(1500)  # type: ignore[valid-type]


def asked(question: Question) -> str:
    if question.anonymous:
        return _("Asked anonymously")
    return _("Asked by {name}", name=_(FORMER_MEMBER) if question.asker_name == FORMER_MEMBER else question.asker_name)


def render_transcript(ama: Ama, questions: list[Question]) -> str:
    """The AMA as Markdown: every public question in the order asked, with its upvotes and answer."""
    hosts = ", ".join(h.name for h in ama.hosts)
    lines = [
        f"# AMA #{ama.id}: {ama.title}",
        "",
        _("Hosts: {hosts}", hosts=hosts) + "  ",
        f"{ama.starts_at:%Y-%m-%d %H:%M} UTC",
        "",
    ]
    if ama.description:
        lines += [ama.description, ""]
    if not questions:
        lines.append(_("No questions were asked."))
    for number, q in enumerate(questions, start=1):
        lines += [
            f"## {number}. {q.text}",
            "",
            f"{asked(q)} · " + n_("{count} upvote", "{count} upvotes", q.upvotes),
            "",
        ]
        if q.answer:
            lines += [f"**{q.answered_by}:** {q.answer}", ""]
        elif q.status == QuestionStatus.ANSWERED:
            lines += ["*" + _("Answered live by {host}.", host=q.answered_by) + "*", ""]
        else:
            lines += ["*" + _("Not answered.") + "*", ""]
    return "\n".join(lines)


class AmaService:
    def __init__(self, repository: AmaRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def suggest(self, guild_id: int, current: str) -> list[tuple[int, str]]:
        """Up to 25 AMAs whose number or text matches what the member is typing (autocomplete)."""
        return await self._repo.suggest(guild_id, typed_so_far(current), SUGGESTIONS)

    async def suggest_questions(self, guild_id: int, current: str) -> list[tuple[int, str]]:
        """Up to 25 questions whose number or text matches what the member is typing (autocomplete)."""
        return await self._repo.suggest_questions(guild_id, typed_so_far(current), SUGGESTIONS)

    async def schedule(
        self,
        guild_id: int,
        created_by: int,
        *,
        title: str,
        hosts: list[Host],
        channel_id: int,
        starts: str,
        ends: str,
        description: str | None,
        moderated: bool,
        timezone: str,
        max_questions: int = 5,
    ) -> Ama:
        """`starts` is a duration from now or a local date and time; `ends` a duration from the start or a time."""
        now = self._clock.now()
        starts_at = parse_when(starts, timezone, now, what=_("The start"), at_most=SCHEDULE_AHEAD)
        ends_at = parse_when(ends, timezone, starts_at, what=_("The end"), at_most=LONGEST_AMA)
        unique_hosts = tuple({h.id: h for h in hosts}.values())
        draft = build(
            AmaDraft,
            title=title,
            description=description,
            hosts=unique_hosts,
            channel_id=channel_id,
            starts_at=starts_at,
            ends_at=ends_at,
            moderated=moderated,
            max_questions=max_questions,
        )
        publish = Intent(kind="ama.publish", payload={"channel_id": channel_id})
        ama_id = await self._repo.create(guild_id, created_by, draft, now, intents=[publish])
        return await self.get(guild_id, ama_id)

    async def attach(self, ama: Ama, message_id: int, thread_id: int | None, event_id: int | None) -> Ama:
        """Record what its publication made so far (a retry does only the rest)."""
        await self._repo.attach(ama.guild_id, ama.id, message_id, thread_id, event_id)
        return await self.get(ama.guild_id, ama.id)

    async def remind(self, guild_id: int, ama_id: int) -> None:
        """Remind the channel of an AMA that has not opened yet; once, however often the job fires."""
        ama = await self.get(guild_id, ama_id)
        await self._repo.remind(guild_id, ama_id, self._clock.now(), [ama_post("ama.reminder", ama)])

    async def get(self, guild_id: int, ama_id: int) -> Ama:
        ama = await self._repo.get(guild_id, ama_id)
        if ama is None:
            raise NotFound(_("There is no AMA #{ama} in this server.", ama=ama_id))
        return ama

    async def unfinished(self, guild_id: int | None = None) -> list[Ama]:
        return await self._repo.unfinished(guild_id)

    async def open(self, guild_id: int, ama_id: int) -> Ama | None:
        """Open a scheduled AMA (on time or by hand); None if it was not waiting to open."""
        ama = await self.get(guild_id, ama_id)
        opened = [ama_post("ama.opened", ama), event_status(ama, "active")]
        if not await self._repo.move(guild_id, ama_id, AmaStatus.SCHEDULED, AmaStatus.OPEN, self._clock.now(), opened):
            return None
        return await self.get(guild_id, ama_id)

    async def close(self, guild_id: int, ama_id: int) -> Ama | None:
        """Close the AMA (its transcript is posted with the closing); None if it was already closed."""
        ama = await self.get(guild_id, ama_id)
        if ama.status == AmaStatus.CLOSED:
            return None
        # the Discord event completes if it ran, and is canceled if the AMA never opened
        closed = [
            ama_post("ama.closed", ama),
            event_status(ama, "completed" if ama.status == AmaStatus.OPEN else "canceled"),
        ]
        if not await self._repo.move(guild_id, ama_id, ama.status, AmaStatus.CLOSED, self._clock.now(), closed):
            return None
        return await self.get(guild_id, ama_id)

    async def transcript(self, guild_id: int, ama_id: int) -> str:
        """The closed AMA as Markdown, made from its questions as they are stored now (so an erased member's
        name is gone from it too); questions cannot change once the AMA closed."""
        ama = await self.get(guild_id, ama_id)
        if ama.status != AmaStatus.CLOSED:
            raise InvalidInput(
                _(
                    "AMA #{ama} is {status}; its transcript is made when it closes.",
                    ama=ama.id,
                    status=state_name(ama.status),
                )
            )
        public = (QuestionStatus.OPEN, QuestionStatus.ANSWERED)
        return render_transcript(ama, await self._repo.questions(guild_id, ama_id, public))

    async def current(self, guild_id: int, ama_id: int | None) -> Ama:
        """The AMA a member means: the one given, or the only open one."""
        if ama_id is not None:
            return await self.get(guild_id, ama_id)
        open_now = [a for a in await self._repo.unfinished(guild_id) if a.status == AmaStatus.OPEN]
        if len(open_now) != 1:
            raise InvalidInput(
                _("No AMA is open right now.")
                if not open_now
                else _("Several AMAs are open; say which one with `ama`.")
            )
        return open_now[0]

    async def askable(self, guild_id: int, ama_id: int | None, asker_id: int) -> Ama:
        """The AMA a question would go to, if it is open and the member may still ask; otherwise a refusal."""
        ama = await self.current(guild_id, ama_id)
        if ama.status != AmaStatus.OPEN:
            if ama.status == AmaStatus.CLOSED:
                raise InvalidInput(_("AMA #{ama} has ended; questions are taken while it is open.", ama=ama.id))
            raise InvalidInput(_("AMA #{ama} has not started yet; questions are taken while it is open.", ama=ama.id))
        if await self._repo.count_asked(guild_id, ama.id, asker_id) >= ama.max_questions:
            raise InvalidInput(
                n_(
                    "You can ask at most {count} question in AMA #{ama}.",
                    "You can ask at most {count} questions in AMA #{ama}.",
                    ama.max_questions,
                    ama=ama.id,
                )
            )
        return ama

    async def ask(
        self, guild_id: int, ama_id: int | None, asker_id: int, asker_name: str, question: str, anonymous: bool
    ) -> tuple[Ama, Question]:
        ama = await self.askable(guild_id, ama_id, asker_id)
        clean = build(QuestionText, question=question).question
        status = QuestionStatus.PENDING if ama.moderated else QuestionStatus.OPEN
        shown = [show_question(ama.id)] if status == QuestionStatus.OPEN else []
        question_id = await self._repo.add_question(
            ama, asker_id, asker_name[:100], anonymous, clean, status, self._clock.now(), shown
        )
        return ama, await self.question(guild_id, question_id)

    async def question(self, guild_id: int, question_id: int) -> Question:
        found = await self._repo.question(guild_id, question_id)
        if found is None:
            raise NotFound(_("There is no question #{question} in this server.", question=question_id))
        return found

    async def attach_question(self, question: Question, message_id: int) -> None:
        await self._repo.set_question_message(question.guild_id, question.id, message_id)

    async def pending(self, guild_id: int, ama_id: int) -> list[Question]:
        return await self._repo.questions(guild_id, ama_id, (QuestionStatus.PENDING,))

    async def remove(self, guild_id: int, question_id: int, reason: str, by: int) -> Question:
        """Remove a question (and its answer): its post shows only why, the asker is told (in the thread, or
        privately when they asked anonymously: the thread would name them), and a line goes to the audit log."""
        clean = build(Reason, reason=reason).reason
        question = await self.question(guild_id, question_id)
        ama = await self.get(guild_id, question.ama_id)
        intents = [refresh(question_id, ama.id), audit(by, "question.remove", f"question #{question_id}", clean)]
        if question.asker_id > 0 and question.anonymous:
            intents.append(direct_message(question.asker_id, "question.removed", title=ama.title, reason=clean))
        elif question.asker_id > 0 and ama.thread_id is not None:
            intents.append(removal_notice(ama.thread_id, question.asker_id, "question", clean, lane(ama.id)))
        if not await self._repo.remove_question(guild_id, question_id, clean, self._clock.now(), intents):
            raise InvalidInput(_("Question #{question} is already removed.", question=question_id))
        return await self.question(guild_id, question_id)

    async def moderate(self, guild_id: int, question_id: int, approve: bool, by: int) -> Question | None:
        """Approve or reject a waiting question; None if another moderator already did."""
        status = QuestionStatus.OPEN if approve else QuestionStatus.REJECTED
        question = await self.question(guild_id, question_id)
        shown = [show_question(question.ama_id, question_id)] if approve else []
        decided = audit(by, "question.approve" if approve else "question.reject", f"question #{question_id}")
        if not await self._repo.moderate(guild_id, question_id, status, self._clock.now(), [*shown, decided]):
            return None
        return await self.question(guild_id, question_id)

    async def upvote(self, guild_id: int, question_id: int, member_id: int) -> tuple[Question, bool]:
        question = await self.question(guild_id, question_id)
        if question.status not in (QuestionStatus.OPEN, QuestionStatus.ANSWERED):
            raise InvalidInput(_("This question is not public."))
        ama = await self.get(guild_id, question.ama_id)
        if ama.status != AmaStatus.OPEN:
            raise InvalidInput(_("AMA #{ama} has ended; upvotes are closed.", ama=ama.id))
        upvoted = await self._repo.toggle_upvote(
            guild_id, question_id, member_id, self._clock.now(), [refresh(question.id, question.ama_id)]
        )
        if upvoted is None:
            raise InvalidInput(_("AMA #{ama} has ended; upvotes are closed.", ama=ama.id))
        return await self.question(guild_id, question_id), upvoted

    async def next_questions(self, guild_id: int, ama_id: int | None, limit: int = 5) -> tuple[Ama, list[Question]]:
        """The most upvoted unanswered questions (oldest first on a tie)."""
        ama = await self.current(guild_id, ama_id)
        waiting = await self._repo.questions(guild_id, ama.id, (QuestionStatus.OPEN,))
        return ama, sorted(waiting, key=lambda q: (-q.upvotes, q.id))[:limit]

    async def answerable(self, guild_id: int, question_id: int, host_id: int) -> tuple[Ama, Question, Host]:
        """The question, if `host_id` hosts its AMA and may answer it now; otherwise a clear refusal."""
        question = await self.question(guild_id, question_id)
        ama = await self.get(guild_id, question.ama_id)
        host = next((h for h in ama.hosts if h.id == host_id), None)
        if host is None:
            raise NotAllowed(_("Only the hosts of AMA #{ama} can answer its questions.", ama=ama.id))
        if question.status != QuestionStatus.OPEN:
            raise InvalidInput(
                _(
                    "Question #{question} is {status}; only open questions can be answered.",
                    question=question.id,
                    status=state_name(question.status),
                )
            )
        if ama.status != AmaStatus.OPEN:
            raise InvalidInput(
                _(
                    "AMA #{ama} is {status}; answers are given while it is open.",
                    ama=ama.id,
                    status=state_name(ama.status),
                )
            )
        return ama, question, host

    async def answer(self, guild_id: int, question_id: int, host_id: int, answer: str | None) -> tuple[Ama, Question]:
        """Answer a question in writing, or (`answer` None) mark it answered live, on stage or in voice."""
        ama, _question, host = await self.answerable(guild_id, question_id, host_id)
        clean = None if answer is None else build(AnswerText, answer=answer).answer
        posts = [refresh(question_id, ama.id), Intent(kind="ama.answered", entity_id=question_id, lane=lane(ama.id))]
        if not await self._repo.answer(guild_id, question_id, clean, host.name, self._clock.now(), posts):
            raise InvalidInput(
                _("Question #{question} was answered, or the AMA ended, a moment ago.", question=question_id)
            )
        return ama, await self.question(guild_id, question_id)

    async def skip(self, guild_id: int, question_id: int, host_id: int) -> Question:
        """The hosts pass on a question: it leaves the queue, and its post says so."""
        ama, _question, _host = await self.answerable(guild_id, question_id, host_id)
        if not await self._repo.skip(guild_id, question_id, self._clock.now(), [refresh(question_id, ama.id)]):
            raise InvalidInput(
                _("Question #{question} was answered, or the AMA ended, a moment ago.", question=question_id)
            )
        return await self.question(guild_id, question_id)

    async def highlight(self, guild_id: int, question_id: int, host_id: int) -> Question:
        """Star the question the hosts are answering now (one at a time: the star moves)."""
        ama, _question, _host = await self.answerable(guild_id, question_id, host_id)
        starred = [refresh(question_id, ama.id)]
        if ama.highlighted_question_id is not None and ama.highlighted_question_id != question_id:
            starred.append(refresh(ama.highlighted_question_id, ama.id))
        if not await self._repo.highlight(ama, question_id, self._clock.now(), starred):
            raise InvalidInput(_("Another host just changed the highlighted question; try again."))
        return await self.question(guild_id, question_id)

    def reminder_time(self, ama: Ama) -> datetime:
        return ama.starts_at - REMIND_BEFORE
