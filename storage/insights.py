"""Participation over time, for brand staff: each week's figures are counted on a range of one guild's rows by
time, read from an index that holds what is counted (migration 0021), so no table row is visited. Portable SQL:
timestamps are ISO text in UTC, which sort as they compare."""

from datetime import datetime
from typing import Any

from storage.database import Database


def within(column: str) -> str:
    """One guild's rows from a moment (inclusive) to another (exclusive): the params are (guild, from, to)."""
    return f"guild_id = ? AND {column} >= ? AND {column} < ?"


# Who did what, and when: an idea, a vote on an idea or an entry, a question, an entry. Poll ballots are
# anonymous by design, so they are not in it.
PEOPLE = (
    ("ideas", "author_id", "created_at"),
    ("idea_votes", "member_id", "voted_at"),
    ("challenge_votes", "member_id", "voted_at"),
    ("ama_questions", "asker_id", "asked_at"),
    ("challenge_entries", "member_id", "submitted_at"),
)
ACTIVE = " UNION ALL ".join(
    f"SELECT {member} AS member_id FROM {table} WHERE {within(at)}" for table, member, at in PEOPLE
)
WEEKLY = {
    "ideas": f"SELECT COUNT(*) FROM ideas WHERE {within('created_at')}",
    "votes": f"SELECT (SELECT COUNT(*) FROM idea_votes WHERE {within('voted_at')}) "
    f"+ (SELECT COUNT(*) FROM challenge_votes WHERE {within('voted_at')})",
    "ballots": "SELECT COUNT(*) FROM (SELECT DISTINCT poll_id, voter_key FROM poll_votes "
    f"WHERE {within('voted_at')}) b",  # a ballot of several choices is one ballot
    "questions": f"SELECT COUNT(*) FROM ama_questions WHERE {within('asked_at')}",
    "entries": f"SELECT COUNT(*) FROM challenge_entries WHERE {within('submitted_at')}",
    "active_members": f"SELECT COUNT(DISTINCT member_id) FROM ({ACTIVE}) t WHERE member_id > 0",  # not the erased
}
# A contribution is an idea, a question or an entry: each member's first one, across the guild's history.
FIRSTS = " UNION ALL ".join(
    f"SELECT {member} AS member_id, {at} AS at FROM {table} WHERE guild_id = ?"
    for table, member, at in (PEOPLE[0], PEOPLE[3], PEOPLE[4])
)


class SqlInsightsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def weekly_counts(self, guild_id: int, starts: list[datetime], end: datetime) -> dict[str, list[int]]:
        """Per measure, its count in each week from each of `starts` (the last week ends at `end`)."""
        bounds = list(zip(starts, [*starts[1:], end], strict=True))
        counts: dict[str, list[int]] = {}
        for measure, sql in WEEKLY.items():
            counts[measure] = []
            for since, until in bounds:
                row = await self._db.fetch_one(
                    sql, (guild_id, since.isoformat(), until.isoformat()) * sql.count("guild_id = ?")
                )
                counts[measure].append(row[0] if row else 0)
        return counts

    async def first_contributions(self, guild_id: int, since: datetime, end: datetime) -> list[datetime]:
        """When each member whose first idea, question or entry came between `since` and `end` made it."""
        rows = await self._db.fetch_all(
            f"SELECT MIN(at) FROM ({FIRSTS}) t WHERE member_id > 0 GROUP BY member_id "
            "HAVING MIN(at) >= ? AND MIN(at) < ?",
            (*(guild_id,) * FIRSTS.count("guild_id = ?"), since.isoformat(), end.isoformat()),
        )
        return [datetime.fromisoformat(row[0]) for row in rows]

    async def answers(self, guild_id: int, since: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """(posted, first answered by staff) of the ideas answered between `since` and `end`."""
        rows: list[Any] = await self._db.fetch_all(
            f"SELECT created_at, answered_at FROM ideas WHERE {within('answered_at')}",
            (guild_id, since.isoformat(), end.isoformat()),
        )
        return [(datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])) for row in rows]
