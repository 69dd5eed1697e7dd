"""AMAs, their questions and upvotes in SQLite. Every query is scoped by guild."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.database import Database, insert_returning_id, suggest
from storage.deliveries import add_intents, update_recording
from storage.models import Ama, AmaDraft, AmaStatus, Host, Intent, Question, QuestionStatus

AMA_COLUMNS = (
    "id, guild_id, channel_id, title, description, hosts, starts_at, ends_at, moderated, max_questions, status, "
    "message_id, thread_id, event_id, created_by, highlighted_question_id"
)
QUESTION_SELECT = """
SELECT q.id, q.ama_id, q.guild_id, q.asker_id, q.asker_name, q.anonymous, q.text, q.status, q.answer,
       q.answered_by, q.message_id, q.asked_at, q.removed_reason,
       COALESCE((SELECT a.highlighted_question_id = q.id FROM amas a WHERE a.id = q.ama_id), FALSE) AS highlighted,
       (SELECT COUNT(*) FROM ama_upvotes u WHERE u.question_id = q.id) AS upvotes
FROM ama_questions q
"""


def to_ama(row: Any) -> Ama:
    hosts = tuple(Host(id=member_id, name=name) for member_id, name in json.loads(row["hosts"]))
    return Ama(**(dict(row) | {"hosts": hosts}))


def to_question(row: Any) -> Question:
    return Question(**dict(row))


class SqliteAmaRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]:
        return await suggest(self._db, "amas", "title", guild_id, current, limit)

    async def suggest_questions(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]:
        return await suggest(self._db, "ama_questions", "text", guild_id, current, limit)

    async def create(
        self, guild_id: int, created_by: int, draft: AmaDraft, now: datetime, intents: Sequence[Intent] = ()
    ) -> int:
        hosts = json.dumps([[h.id, h.name] for h in draft.hosts])
        async with self._db.transaction() as conn:
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO amas (guild_id, channel_id, title, description, hosts, starts_at, ends_at, moderated, "
                "max_questions, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    draft.channel_id,
                    draft.title,
                    draft.description,
                    hosts,
                    draft.starts_at.isoformat(),
                    draft.ends_at.isoformat(),
                    draft.moderated,
                    draft.max_questions,
                    created_by,
                    now.isoformat(),
                ),
            )
            await add_intents(conn, guild_id, intents, now, new_id)
            return new_id

    async def get(self, guild_id: int, ama_id: int) -> Ama | None:
        row = await self._db.fetch_one(
            f"SELECT {AMA_COLUMNS} FROM amas WHERE guild_id = ? AND id = ?", (guild_id, ama_id)
        )
        return to_ama(row) if row else None

    async def unfinished(self, guild_id: int | None = None) -> list[Ama]:
        """Scheduled or open AMAs of one guild, or of every guild (to schedule their jobs at start-up)."""
        where = "status != 'closed'" + (" AND guild_id = ?" if guild_id is not None else "")
        rows = await self._db.fetch_all(
            f"SELECT {AMA_COLUMNS} FROM amas WHERE {where} ORDER BY starts_at", () if guild_id is None else (guild_id,)
        )
        return [to_ama(r) for r in rows]

    async def attach(
        self, guild_id: int, ama_id: int, message_id: int, thread_id: int | None, event_id: int | None
    ) -> None:
        await self._db.execute(
            "UPDATE amas SET message_id = ?, thread_id = ?, event_id = ? WHERE guild_id = ? AND id = ?",
            (message_id, thread_id, event_id, guild_id, ama_id),
        )

    async def move(
        self,
        guild_id: int,
        ama_id: int,
        from_status: AmaStatus,
        to_status: AmaStatus,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> bool:
        """Change the status only if it is still `from_status`, with its intents."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE amas SET status = ? WHERE guild_id = ? AND id = ? AND status = ?",
            (to_status.value, guild_id, ama_id, from_status.value),
            intents,
            now,
        )

    async def remind(self, guild_id: int, ama_id: int, now: datetime, intents: Sequence[Intent]) -> bool:
        """Claim the reminder of a scheduled AMA and record its intents; False if it was claimed already."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE amas SET reminded_at = ? "
            "WHERE guild_id = ? AND id = ? AND status = 'scheduled' AND reminded_at IS NULL",
            (now.isoformat(), guild_id, ama_id),
            intents,
            now,
        )

    async def add_question(
        self,
        ama: Ama,
        asker_id: int,
        asker_name: str,
        anonymous: bool,
        text: str,
        status: QuestionStatus,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> int:
        async with self._db.transaction() as conn:
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO ama_questions (ama_id, guild_id, asker_id, asker_name, anonymous, text, status, asked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (ama.id, ama.guild_id, asker_id, asker_name, anonymous, text, status.value, now.isoformat()),
            )
            await add_intents(conn, ama.guild_id, intents, now, new_id)
            return new_id

    async def count_asked(self, guild_id: int, ama_id: int, asker_id: int) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM ama_questions WHERE guild_id = ? AND ama_id = ? AND asker_id = ?",
            (guild_id, ama_id, asker_id),
        )
        return row[0] if row else 0

    async def question(self, guild_id: int, question_id: int) -> Question | None:
        row = await self._db.fetch_one(QUESTION_SELECT + "WHERE q.guild_id = ? AND q.id = ?", (guild_id, question_id))
        return to_question(row) if row else None

    async def questions(self, guild_id: int, ama_id: int, statuses: tuple[QuestionStatus, ...]) -> list[Question]:
        """Questions with these statuses, in the order they were asked."""
        marks = ", ".join("?" * len(statuses))
        rows = await self._db.fetch_all(
            QUESTION_SELECT + f"WHERE q.guild_id = ? AND q.ama_id = ? AND q.status IN ({marks}) ORDER BY q.id",
            (guild_id, ama_id, *(s.value for s in statuses)),
        )
        return [to_question(r) for r in rows]

    async def set_question_message(self, guild_id: int, question_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE ama_questions SET message_id = ? WHERE guild_id = ? AND id = ?", (message_id, guild_id, question_id)
        )

    async def remove_question(
        self, guild_id: int, question_id: int, reason: str, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool:
        """Remove a question and its answer, keeping only why; False if it was removed or rejected already."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE ama_questions SET status = 'removed', removed_reason = ?, text = '', answer = NULL "
            "WHERE guild_id = ? AND id = ? AND status IN ('pending', 'open', 'answered')",
            (reason, guild_id, question_id),
            intents,
            now,
        )

    async def moderate(
        self, guild_id: int, question_id: int, status: QuestionStatus, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool:
        """Approve or reject a pending question; False if it was not pending any more."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE ama_questions SET status = ? WHERE guild_id = ? AND id = ? AND status = 'pending'",
            (status.value, guild_id, question_id),
            intents,
            now,
        )

    async def answer(
        self,
        guild_id: int,
        question_id: int,
        answer: str | None,
        host_name: str,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> bool:
        """Answer an open question of an open AMA (`answer` None: answered live, without text); False if it was
        answered, or the AMA closed, meanwhile."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE ama_questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? "
            "WHERE guild_id = ? AND id = ? AND status = 'open' "
            "AND ama_id IN (SELECT id FROM amas WHERE guild_id = ? AND status = 'open')",
            (answer, host_name, now.isoformat(), guild_id, question_id, guild_id),
            intents,
            now,
        )

    async def skip(self, guild_id: int, question_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool:
        """The hosts pass on an open question of an open AMA; False if it was answered or the AMA closed meanwhile."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE ama_questions SET status = 'skipped' WHERE guild_id = ? AND id = ? AND status = 'open' "
            "AND ama_id IN (SELECT id FROM amas WHERE guild_id = ? AND status = 'open')",
            (guild_id, question_id, guild_id),
            intents,
            now,
        )

    async def highlight(self, ama: Ama, question_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool:
        """Star `question_id` instead of the one `ama` had starred; False if another host changed it meanwhile."""
        return await update_recording(
            self._db,
            ama.guild_id,
            "UPDATE amas SET highlighted_question_id = ? WHERE guild_id = ? AND id = ? AND status = 'open' "
            "AND COALESCE(highlighted_question_id, 0) = ?",
            (question_id, ama.guild_id, ama.id, ama.highlighted_question_id or 0),
            intents,
            now,
        )

    async def toggle_upvote(
        self, guild_id: int, question_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool | None:
        """Upvote, or take the upvote back; whether the member upvotes it now (None: its AMA is not open)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM ama_questions q JOIN amas a ON a.id = q.ama_id "
                "WHERE q.guild_id = ? AND q.id = ? AND a.status = 'open'",
                (guild_id, question_id),
            )
            if await cursor.fetchone() is None:
                return None
            cursor = await conn.execute(
                "DELETE FROM ama_upvotes WHERE question_id = ? AND member_id = ?", (question_id, member_id)
            )
            upvoted = not cursor.rowcount
            if upvoted:
                await conn.execute(
                    "INSERT INTO ama_upvotes (question_id, guild_id, member_id) VALUES (?, ?, ?)",
                    (question_id, guild_id, member_id),
                )
            await add_intents(conn, guild_id, intents, now)
            return upvoted
