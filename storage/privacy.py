"""Everything stored about one member in one guild: gather it for export, or erase it.

Erasing keeps the community's numbers: votes, ballots and upvotes stay counted but are re-keyed to random
pseudonyms, so no row can be linked back to the member. Authored content is detached from the member, and
the text of their challenge entries is removed.
"""

import secrets
from typing import Any

from storage.database import Database
from storage.polls import ballot_key

# What an export contains; every query takes (guild_id, member_id).
EXPORT_QUERIES: dict[str, str] = {
    "ideas": "SELECT id, title, description, category, status, created_at FROM ideas "
    "WHERE guild_id = ? AND author_id = ?",
    "idea_votes": "SELECT idea_id, value FROM idea_votes WHERE guild_id = ? AND member_id = ?",
    "idea_credits": "SELECT idea_id FROM idea_credits WHERE guild_id = ? AND member_id = ?",
    "idea_drafts": "SELECT id, title, description, category, created_at FROM idea_drafts "
    "WHERE guild_id = ? AND author_id = ?",
    "idea_notifications_off": "SELECT 1 AS off FROM idea_notification_optouts WHERE guild_id = ? AND member_id = ?",
    "polls_created": "SELECT id, question, created_at FROM polls WHERE guild_id = ? AND creator_id = ?",
    "ama_questions": "SELECT id, ama_id, text, anonymous, status, answer, asked_at FROM ama_questions "
    "WHERE guild_id = ? AND asker_id = ?",
    "ama_upvotes": "SELECT question_id FROM ama_upvotes WHERE guild_id = ? AND member_id = ?",
    "challenge_entries": "SELECT id, run_id, text, attachment_name, link, submitted_at FROM challenge_entries "
    "WHERE guild_id = ? AND member_id = ?",
    "challenge_votes": "SELECT run_id, entry_id FROM challenge_votes WHERE guild_id = ? AND member_id = ?",
    "challenge_wins": "SELECT run_id, entry_id, votes FROM challenge_winners WHERE guild_id = ? AND member_id = ?",
}
# Rows keyed by the member that are re-keyed to pseudonyms on erase: (table, member column).
REKEYED = (
    ("idea_votes", "member_id"),
    ("idea_credits", "member_id"),
    ("ama_upvotes", "member_id"),
    ("challenge_votes", "member_id"),
    ("challenge_winners", "member_id"),
    ("challenge_entries", "member_id"),
)


def pseudonym() -> int:
    """A random negative id: never a real Discord id, and far too many to collide within a table."""
    return -secrets.randbelow(2**62) - 1


class SqlitePrivacyRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def _ballot_keys(self, guild_id: int, member_id: int) -> list[str]:
        """The member's ballot keys: their id (public polls) and their hash in each open anonymous poll."""
        rows = await self._db.fetch_all("SELECT salt FROM polls WHERE guild_id = ? AND salt IS NOT NULL", (guild_id,))
        return [ballot_key(member_id, None)] + [ballot_key(member_id, row[0]) for row in rows]

    async def export(self, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
        data = {
            name: [dict(row) for row in await self._db.fetch_all(sql, (guild_id, member_id))]
            for name, sql in EXPORT_QUERIES.items()
        }
        keys = await self._ballot_keys(guild_id, member_id)
        marks = ", ".join("?" * len(keys))
        rows = await self._db.fetch_all(
            f"SELECT poll_id, option FROM poll_votes WHERE guild_id = ? AND voter_key IN ({marks}) ORDER BY poll_id",
            (guild_id, *keys),
        )
        data["poll_ballots"] = [dict(row) for row in rows]
        return data

    async def erase(self, guild_id: int, member_id: int) -> None:
        """Remove or anonymise the member's data, in one transaction."""
        scope = (guild_id, member_id)
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM idea_drafts WHERE guild_id = ? AND author_id = ?", scope)
            await conn.execute("DELETE FROM idea_notification_optouts WHERE guild_id = ? AND member_id = ?", scope)
            await conn.execute(
                "UPDATE challenge_entries SET text = NULL, attachment_name = NULL, attachment_data = NULL, link = NULL "
                "WHERE guild_id = ? AND member_id = ?",
                scope,
            )
            for table, column in REKEYED:
                cursor = await conn.execute(f"SELECT rowid FROM {table} WHERE guild_id = ? AND {column} = ?", scope)
                for (rowid,) in await cursor.fetchall():
                    await conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (pseudonym(), rowid))
            for key in await self._ballot_keys(guild_id, member_id):
                await conn.execute(
                    "UPDATE poll_votes SET voter_key = ? WHERE guild_id = ? AND voter_key = ?",
                    (f"erased:{secrets.token_hex(16)}", guild_id, key),
                )
            await conn.execute("UPDATE ideas SET author_id = 0 WHERE guild_id = ? AND author_id = ?", scope)
            await conn.execute("UPDATE polls SET creator_id = 0 WHERE guild_id = ? AND creator_id = ?", scope)
            await conn.execute(
                "UPDATE ama_questions SET asker_id = 0, asker_name = 'a former member', anonymous = 1 "
                "WHERE guild_id = ? AND asker_id = ?",
                scope,
            )
