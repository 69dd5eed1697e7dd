"""The AMA transcript, line for line: what brand staff download and share after the AMA."""

from datetime import UTC, datetime

from services.amas import render_transcript
from storage.models import Ama, AmaStatus, Host, Question, QuestionStatus

STARTS = datetime(2026, 11, 6, 18, 0, tzinfo=UTC)
AMA = Ama(
    id=3, guild_id=1, channel_id=2, title="Meet the founders", description="Ask us anything about wax.",
    hosts=(Host(id=10, name="sam"), Host(id=11, name="kim")), starts_at=STARTS, ends_at=STARTS,
    moderated=False, max_questions=5, status=AmaStatus.CLOSED, message_id=None, thread_id=None, event_id=None,
    created_by=10,
)  # fmt: skip


def question(number: int, text: str, upvotes: int, answer: str | None = None, anonymous: bool = False) -> Question:
    return Question(
        id=number, ama_id=3, guild_id=1, asker_id=20 + number, asker_name=f"member{number}", anonymous=anonymous,
        text=text, status=QuestionStatus.ANSWERED if answer else QuestionStatus.OPEN, answer=answer,
        answered_by="kim" if answer else None, message_id=None, asked_at=STARTS, upvotes=upvotes,
    )  # fmt: skip


def test_the_transcript_lists_hosts_description_and_every_question_with_its_answer() -> None:
    questions = [question(1, "Vegan wax?", 1, "Next spring."), question(2, "Refills?", 2, anonymous=True)]
    assert render_transcript(AMA, questions).split("\n") == [
        "# AMA #3: Meet the founders",
        "",
        "Hosts: sam, kim  ",
        "2026-11-06 18:00 UTC",
        "",
        "Ask us anything about wax.",
        "",
        "## 1. Vegan wax?",
        "",
        "Asked by member1 · 1 upvote",
        "",
        "**kim:** Next spring.",
        "",
        "## 2. Refills?",
        "",
        "Asked anonymously · 2 upvotes",
        "",
        "*Not answered.*",
        "",
    ]


def test_a_transcript_without_questions_says_so() -> None:
    quiet = AMA.model_copy(update={"description": None})
    assert render_transcript(quiet, []).splitlines()[-1] == "No questions were asked."
    assert "Ask us anything" not in render_transcript(quiet, [])
