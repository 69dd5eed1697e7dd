"""Ideas, their votes, credits, drafts and per-guild idea settings in SQLite. Every query is scoped by guild."""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from storage.base import DraftGone, IdeaClosed, LimitReached
from storage.database import Database, insert_returning_id, suggest
from storage.deliveries import add_intents, update_recording
from storage.models import DraftText, Idea, IdeaDraft, IdeaSettings, IdeaStatus, Intent

IDEA_SELECT = """
SELECT i.*,
       (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id AND v.value = 1) AS upvotes,
       (SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = i.id AND v.value = -1) AS downvotes,
       (SELECT json_group_array(member_id) FROM (SELECT member_id FROM idea_credits c WHERE c.idea_id = i.id
        ORDER BY member_id)) AS credited,
       (SELECT pi.poll_id FROM poll_ideas pi JOIN polls p ON p.id = pi.poll_id
        WHERE pi.idea_id = i.id AND p.closed_at IS NOT NULL ORDER BY p.closed_at DESC, p.id DESC LIMIT 1)
        AS decided_in_poll
FROM ideas i
"""
SCORE = "(SELECT COALESCE(SUM(v.value), 0) FROM idea_votes v WHERE v.idea_id = i.id)"  # upvotes - downvotes
SORTS = {"new": "i.created_at DESC, i.id DESC", "top": f"{SCORE} DESC, i.id ASC"}


def to_idea(row: Any) -> Idea:
    data = dict(row)
    data["credited"] = tuple(json.loads(data["credited"] or "[]"))
    return Idea(**data)


def storable(typed: str | None) -> str | None:
    """A draft as typed, without the characters no database text can hold (NUL); Discord never shows them."""
    return None if typed is None else typed.replace("\x00", "")


def past_deadline(row: Any, now: datetime) -> bool:
    """Whether an idea (its status and support deadline) stopped gathering support."""
    return row[0] == IdeaStatus.NEW and row[1] is not None and datetime.fromisoformat(row[1]) <= now


async def reach_goal(conn: Any, guild_id: int, idea_id: int) -> bool:
    """Move an idea that has its supporters to review (once: the update is guarded by its status)."""
    cursor = await conn.execute(
        "UPDATE ideas SET status = 'under review' WHERE guild_id = ? AND id = ? AND status = 'new' "
        "AND support_goal IS NOT NULL AND support_goal <= "
        "(SELECT COUNT(*) FROM idea_votes v WHERE v.idea_id = ideas.id AND v.value = 1)",
        (guild_id, idea_id),
    )
    return bool(cursor.rowcount)


Support = tuple[int | None, datetime | None]  # an idea's support goal and the deadline to reach it


def stored(support: Support) -> tuple[int | None, str | None]:
    goal, deadline = support
    return goal, deadline and deadline.isoformat()


# Ideas the community sees: not removed, and not waiting for review (hidden from lists, searches and leaderboard).
VISIBLE = "i.status NOT IN ('removed', 'awaiting review')"


class SqliteIdeaRepository:
    SELECT = IDEA_SELECT

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- settings ------------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> IdeaSettings:
        row = await self._db.fetch_one("SELECT * FROM idea_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return IdeaSettings(guild_id=guild_id)
        return IdeaSettings(**(dict(row) | {"categories": tuple(json.loads(row["categories"]))}))

    async def save_settings(self, settings: IdeaSettings) -> None:
        columns = ("downvotes", "categories", "hourly_limit", "review", "support_goal", "support_days")
        values = settings.model_dump(include=set(columns)) | {"categories": json.dumps(settings.categories)}
        await self._db.execute(
            f"INSERT INTO idea_settings (guild_id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)}) "
            "ON CONFLICT (guild_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in columns),
            (settings.guild_id, *(values[c] for c in columns)),
        )

    # -- drafts --------------------------------------------------------------------------------------

    async def save_draft(
        self, guild_id: int, author_id: int, draft: DraftText, now: datetime, replacing: int | None = None
    ) -> int:
        async with self._db.transaction() as conn:
            if replacing is not None:
                await conn.execute(
                    "DELETE FROM idea_drafts WHERE id = ? AND guild_id = ? AND author_id = ?",
                    (replacing, guild_id, author_id),
                )
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO idea_drafts (guild_id, author_id, title, description, category, anonymous, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    author_id,
                    *map(storable, (draft.title, draft.description, draft.category)),
                    draft.anonymous,
                    now.isoformat(),
                ),
            )
            return new_id

    async def delete_drafts_before(self, cutoff: datetime) -> int:
        """Drafts expire: delete those kept since before `cutoff`, in every guild; returns how many."""
        return await self._db.execute_count("DELETE FROM idea_drafts WHERE created_at < ?", (cutoff.isoformat(),))

    async def draft(self, guild_id: int, author_id: int, draft_id: int) -> DraftText | None:
        row = await self._db.fetch_one(
            "SELECT title, description, category, anonymous FROM idea_drafts "
            "WHERE id = ? AND guild_id = ? AND author_id = ?",
            (draft_id, guild_id, author_id),
        )
        return DraftText(**dict(row)) if row else None

    # -- ideas ---------------------------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        author_id: int,
        draft: IdeaDraft,
        now: datetime,
        draft_id: int | None = None,
        *,
        hourly_limit: int,
        status: IdeaStatus = IdeaStatus.NEW,
        support: Support = (None, None),
        intents: Sequence[Intent] = (),
    ) -> int:
        """Store a new idea (consuming its draft, if any) with its intents and its support goal and deadline, and
        return its id.

        Decided in the one transaction, so that concurrent submissions cannot pass the limit together and a
        double click on a draft posts it once: `LimitReached` or `DraftGone` otherwise.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT COUNT(*), MIN(created_at) FROM ideas WHERE guild_id = ? AND author_id = ? AND created_at > ?",
                (guild_id, author_id, (now - timedelta(hours=1)).isoformat()),
            )
            count, oldest = await cursor.fetchone()  # type: ignore[misc]
            if count >= hourly_limit:
                raise LimitReached(hourly_limit, datetime.fromisoformat(oldest))
            if draft_id is not None:
                cursor = await conn.execute(
                    "DELETE FROM idea_drafts WHERE id = ? AND guild_id = ? AND author_id = ?",
                    (draft_id, guild_id, author_id),
                )
                if cursor.rowcount == 0:
                    raise DraftGone(draft_id)
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO ideas (guild_id, author_id, title, description, category, anonymous, status, created_at, "
                "support_goal, support_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    author_id,
                    draft.title,
                    draft.description,
                    draft.category,
                    draft.anonymous,
                    status.value,
                    now.isoformat(),
                    *stored(support),
                ),
            )
            await add_intents(conn, guild_id, intents, now, new_id)
            return new_id

    async def get(self, guild_id: int, idea_id: int) -> Idea | None:
        row = await self._db.fetch_one(self.SELECT + "WHERE i.guild_id = ? AND i.id = ?", (guild_id, idea_id))
        return to_idea(row) if row else None

    async def attach_post(
        self, guild_id: int, idea_id: int, channel_id: int, message_id: int, thread_id: int | None
    ) -> None:
        await self._db.execute(
            "UPDATE ideas SET channel_id = ?, message_id = ?, thread_id = ? WHERE guild_id = ? AND id = ?",
            (channel_id, message_id, thread_id, guild_id, idea_id),
        )

    async def count_by_author_since(
        self, guild_id: int, author_id: int, since: datetime
    ) -> tuple[int, datetime | None]:
        """How many ideas the author submitted since `since`, and when the oldest of those was."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*), MIN(created_at) FROM ideas WHERE guild_id = ? AND author_id = ? AND created_at > ?",
            (guild_id, author_id, since.isoformat()),
        )
        assert row is not None
        return row[0], datetime.fromisoformat(row[1]) if row[1] else None

    async def title_matches(self, guild_id: int, words: list[str], limit: int = 10) -> list[Idea]:
        """Ideas whose title shares any of `words` (full-text), best match first."""
        if not words:
            return []
        query = "title : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        rows = await self._db.fetch_all(
            self.SELECT + "JOIN ideas_fts f ON f.rowid = i.id WHERE f.ideas_fts MATCH ? AND i.guild_id = ? "
            f"AND i.message_id IS NOT NULL AND {VISIBLE} ORDER BY f.rank LIMIT ?",  # only ideas members see
            (query, guild_id, limit),
        )
        return [to_idea(r) for r in rows]

    async def search(self, guild_id: int, words: list[str], limit: int, offset: int) -> list[Idea]:
        """Ideas containing every word in title or description, best match first."""
        query = " AND ".join(f'"{w}"' for w in words)
        rows = await self._db.fetch_all(
            self.SELECT + "JOIN ideas_fts f ON f.rowid = i.id WHERE f.ideas_fts MATCH ? AND i.guild_id = ? "
            f"AND {VISIBLE} ORDER BY f.rank LIMIT ? OFFSET ?",
            (query, guild_id, limit, offset),
        )
        return [to_idea(r) for r in rows]

    async def browse(
        self,
        guild_id: int,
        *,
        sort: Literal["new", "top"],
        limit: int,
        offset: int,
        status: IdeaStatus | None = None,
        category: str | None = None,
        author_id: int | None = None,
        since: datetime | None = None,
    ) -> list[Idea]:
        clauses, params = ["i.guild_id = ?", VISIBLE], [guild_id]
        filters: list[tuple[str, Any]] = [
            ("i.status = ?", status and status.value),
            ("i.category = ?", category),
            ("i.author_id = ? AND i.anonymous = 0", author_id),  # nobody finds an anonymous idea by its author
            ("i.created_at >= ?", since and since.isoformat()),
        ]
        for clause, value in filters:
            if value is not None:
                clauses.append(clause)
                params.append(value)
        rows = await self._db.fetch_all(
            self.SELECT + f"WHERE {' AND '.join(clauses)} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [to_idea(r) for r in rows]

    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]:
        return await suggest(self._db, "ideas", "title", guild_id, current, limit)

    async def all(self, guild_id: int) -> list[Idea]:
        rows = await self._db.fetch_all(self.SELECT + "WHERE i.guild_id = ? ORDER BY i.id", (guild_id,))
        return [to_idea(r) for r in rows]

    # -- votes ---------------------------------------------------------------------------------------

    async def toggle_vote(
        self,
        guild_id: int,
        idea_id: int,
        member_id: int,
        value: int,
        now: datetime,
        intents: Sequence[Intent] = (),
        reached: Sequence[Intent] = (),
    ) -> tuple[int | None, bool]:
        """Cast `value`; the same vote again retracts it, the other one switches. Returns the member's vote now,
        and whether this vote brought the idea to its support goal (then it is under review, with `reached`).

        The idea must still be open for voting when the vote is stored (`IdeaClosed` otherwise, also once its
        support deadline passed), in the same transaction, so a vote racing a merge or a status change never lands
        on a closed idea, and one idea reaches its goal once however many vote at the same moment.
        """
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(  # one round trip to the database thread, not two
                "SELECT status, support_deadline FROM ideas WHERE guild_id = ? AND id = ?", (guild_id, idea_id)
            )
            if not rows or not IdeaStatus(rows[0][0]).is_open or past_deadline(rows[0], now):
                raise IdeaClosed(idea_id)
            cursor = await conn.execute(
                "DELETE FROM idea_votes WHERE idea_id = ? AND member_id = ? AND value = ?",
                (idea_id, member_id, value),
            )
            mine: int | None = None
            if cursor.rowcount == 0:
                await conn.execute(
                    "INSERT INTO idea_votes (idea_id, guild_id, member_id, value, voted_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (idea_id, member_id) DO UPDATE SET value = excluded.value, "
                    "voted_at = excluded.voted_at",
                    (idea_id, guild_id, member_id, value, now.isoformat()),
                )
                mine = value
            goal = mine == 1 and await reach_goal(conn, guild_id, idea_id)
            await add_intents(conn, guild_id, [*intents, *(reached if goal else ())], now)
            return mine, goal

    async def support_due(self, now: datetime, limit: int) -> list[Idea]:
        """Ideas still gathering support whose deadline has passed, in every guild, oldest deadline first."""
        rows = await self._db.fetch_all(
            self.SELECT + "WHERE i.status = 'new' AND i.support_deadline IS NOT NULL AND i.support_deadline <= ? "
            "ORDER BY i.support_deadline LIMIT ?",
            (now.isoformat(), limit),
        )
        return [to_idea(r) for r in rows]

    async def settle_support(
        self, guild_id: int, idea_id: int, now: datetime, reached: Sequence[Intent], expired: Sequence[Intent]
    ) -> IdeaStatus | None:
        """At its deadline: under review if the idea has its supporters (merged votes count), else expired; with
        the intents of that outcome. None if it no longer gathers support (staff moved it meanwhile)."""
        async with self._db.transaction() as conn:
            if await reach_goal(conn, guild_id, idea_id):
                await add_intents(conn, guild_id, reached, now)
                return IdeaStatus.UNDER_REVIEW
            cursor = await conn.execute(
                "UPDATE ideas SET status = 'expired' WHERE guild_id = ? AND id = ? AND status = 'new' "
                "AND support_deadline <= ?",
                (guild_id, idea_id, now.isoformat()),
            )
            if cursor.rowcount == 0:
                return None
            await add_intents(conn, guild_id, expired, now)
            return IdeaStatus.EXPIRED

    async def upvoters(self, guild_id: int, idea_id: int) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT member_id FROM idea_votes WHERE guild_id = ? AND idea_id = ? AND value = 1 ORDER BY member_id",
            (guild_id, idea_id),
        )
        return [r[0] for r in rows]

    # -- staff actions -------------------------------------------------------------------------------

    async def roadmap_message(self, guild_id: int) -> int | None:
        row = await self._db.fetch_one("SELECT message_id FROM roadmaps WHERE guild_id = ?", (guild_id,))
        return row[0] if row else None

    async def set_roadmap_message(self, guild_id: int, message_id: int) -> None:
        await self._db.execute(
            "INSERT INTO roadmaps (guild_id, message_id) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET message_id = excluded.message_id",
            (guild_id, message_id),
        )

    async def awaiting_review(self, guild_id: int, limit: int) -> list[Idea]:
        rows = await self._db.fetch_all(
            self.SELECT + "WHERE i.guild_id = ? AND i.status = 'awaiting review' ORDER BY i.id LIMIT ?",
            (guild_id, limit),
        )
        return [to_idea(r) for r in rows]

    async def review(
        self,
        guild_id: int,
        idea_id: int,
        status: IdeaStatus,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
        support: Support = (None, None),
    ) -> bool:
        """Approve (NEW, gathering `support` from now) or reject (REMOVED) an idea awaiting review; False if
        someone reviewed it already."""
        return await update_recording(
            self._db,
            guild_id,
            "UPDATE ideas SET status = ?, status_reason = ?, support_goal = ?, support_deadline = ? "
            "WHERE guild_id = ? AND id = ? AND status = 'awaiting review'",
            (status.value, reason, *stored(support), guild_id, idea_id),
            intents,
            now,
        )

    async def set_status(
        self,
        guild_id: int,
        idea_id: int,
        status: IdeaStatus,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> None:
        async with self._db.transaction() as conn:
            await add_intents(conn, guild_id, intents, now)
            await conn.execute(  # a removal hides the idea; any other decision answers it
                "UPDATE ideas SET status = ?, status_reason = ?, answered_at = COALESCE(answered_at, ?) "
                "WHERE guild_id = ? AND id = ?",
                (status.value, reason, None if status == IdeaStatus.REMOVED else now.isoformat(), guild_id, idea_id),
            )
            if status == IdeaStatus.SHIPPED:
                await conn.execute(
                    "INSERT INTO idea_credits (idea_id, guild_id, member_id) "
                    "SELECT id, guild_id, author_id FROM ideas WHERE guild_id = ? AND id = ? ON CONFLICT DO NOTHING",
                    (guild_id, idea_id),
                )
            else:  # credit is for what shipped: an idea moved back loses it, and leaderboards count what is true
                await conn.execute("DELETE FROM idea_credits WHERE guild_id = ? AND idea_id = ?", (guild_id, idea_id))

    async def merge(
        self,
        guild_id: int,
        duplicate_id: int,
        target_id: int,
        reason: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> None:
        """Mark `duplicate_id` a duplicate of `target_id` and move its votes; nobody is counted twice."""
        async with self._db.transaction() as conn:
            await add_intents(conn, guild_id, intents, now)
            await conn.execute(
                "INSERT INTO idea_votes (idea_id, guild_id, member_id, value, voted_at) "
                "SELECT CAST(? AS BIGINT), guild_id, member_id, value, voted_at FROM idea_votes "
                "WHERE idea_id = ? AND guild_id = ? ON CONFLICT DO NOTHING",
                (target_id, duplicate_id, guild_id),
            )
            await conn.execute("DELETE FROM idea_votes WHERE idea_id = ? AND guild_id = ?", (duplicate_id, guild_id))
            await conn.execute(
                "UPDATE ideas SET status = ?, status_reason = ?, duplicate_of = ?, "
                "answered_at = COALESCE(answered_at, ?) WHERE guild_id = ? AND id = ?",
                (IdeaStatus.DUPLICATE.value, reason, target_id, now.isoformat(), guild_id, duplicate_id),
            )

    async def add_credit(
        self, guild_id: int, idea_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO idea_credits (idea_id, guild_id, member_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (idea_id, guild_id, member_id),
            )
            await add_intents(conn, guild_id, intents, now)

    async def leaderboard(self, guild_id: int, limit: int) -> list[tuple[int, int, int]]:
        """(member_id, shipped ideas credited, upvotes received on own ideas), best first."""
        rows = await self._db.fetch_all(
            """
            WITH shipped AS (
                SELECT c.member_id, COUNT(*) AS n FROM idea_credits c JOIN ideas i ON i.id = c.idea_id
                WHERE c.guild_id = ? AND NOT (i.anonymous = 1 AND c.member_id = i.author_id)  -- credited privately
                GROUP BY c.member_id
            ), received AS (
                SELECT i.author_id AS member_id, COUNT(v.member_id) AS n
                FROM ideas i JOIN idea_votes v ON v.idea_id = i.id AND v.value = 1
                WHERE i.guild_id = ? AND i.status <> 'removed' AND i.anonymous = 0 GROUP BY i.author_id
            ), members AS (SELECT member_id FROM shipped UNION SELECT member_id FROM received)
            SELECT m.member_id, COALESCE(s.n, 0), COALESCE(r.n, 0)
            FROM members m LEFT JOIN shipped s USING (member_id) LEFT JOIN received r USING (member_id)
            ORDER BY 2 DESC, 3 DESC, m.member_id LIMIT ?
            """,
            (guild_id, guild_id, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    # -- notifications -------------------------------------------------------------------------------

    async def set_notifications(self, guild_id: int, member_id: int, enabled: bool) -> None:
        if enabled:
            sql = "DELETE FROM idea_notification_optouts WHERE guild_id = ? AND member_id = ?"
        else:
            sql = "INSERT INTO idea_notification_optouts (guild_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        await self._db.execute(sql, (guild_id, member_id))

    async def opted_out(self, guild_id: int) -> set[int]:
        rows = await self._db.fetch_all(
            "SELECT member_id FROM idea_notification_optouts WHERE guild_id = ?", (guild_id,)
        )
        return {r[0] for r in rows}
