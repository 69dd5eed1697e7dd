"""Everything stored about one member in one guild: gather it for export, or erase it.

Erasing keeps the community's numbers: votes, ballots and upvotes stay counted but are re-keyed to random
pseudonyms, so no row can be linked back to the member. Authored content is detached from the member, and
the text of their challenge entries is removed.
"""

import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from storage.database import Connection, Database
from storage.deliveries import add_intents
from storage.models import FORMER_MEMBER, Footprint, Intent
from storage.polls import BallotKeys

# What an export contains; every query takes (guild_id, member_id).
EXPORT_QUERIES: dict[str, str] = {
    "ideas": "SELECT id, title, description, category, status, anonymous, created_at FROM ideas "
    "WHERE guild_id = ? AND author_id = ?",
    "idea_votes": "SELECT idea_id, value, voted_at FROM idea_votes WHERE guild_id = ? AND member_id = ?",
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
    "challenge_votes": "SELECT run_id, entry_id, voted_at FROM challenge_votes WHERE guild_id = ? AND member_id = ?",
    "challenge_wins": "SELECT run_id, entry_id, votes FROM challenge_winners WHERE guild_id = ? AND member_id = ?",
    "amas_created": "SELECT id, title, created_at FROM amas WHERE guild_id = ? AND created_by = ?",
    "challenges_created": "SELECT id, name FROM challenges WHERE guild_id = ? AND created_by = ?",
    "staff_actions": "SELECT id, at, action, subject, detail FROM audit_log WHERE guild_id = ? AND actor_id = ?",
}
# Rows keyed by the member that are re-keyed to pseudonyms on erase: (table, the other column of its key).
REKEYED = (
    ("idea_votes", "idea_id"),
    ("idea_credits", "idea_id"),
    ("ama_upvotes", "question_id"),
    ("challenge_votes", "run_id"),
)


AMA_HOSTS = "SELECT id, title, starts_at, hosts FROM amas WHERE guild_id = ? ORDER BY id"


def hosted_by(rows: Iterable[Any], member_id: int) -> list[tuple[Any, list[str]]]:
    """Of the guild's AMAs (rows of `AMA_HOSTS`), those the member hosts, with the names they host under. The
    JSON host list is read here rather than in SQL, so every backend runs the same queries."""
    hosted = []
    for row in rows:
        names = [name for host_id, name in json.loads(row["hosts"]) if host_id == member_id]
        if names:
            hosted.append((row, names))
    return hosted


def pseudonym() -> int:
    """A random negative id: never a real Discord id, and far too many to collide within a table."""
    return -secrets.randbelow(2**62) - 1


class SqlitePrivacyRepository:
    def __init__(self, db: Database, keys: BallotKeys) -> None:
        self._db = db
        self._keys = keys

    async def _ballot_keys(self, guild_id: int, member_id: int) -> list[str]:
        """The member's ballot keys: their id (public polls) and their hash in each open anonymous poll."""
        rows = await self._db.fetch_all("SELECT salt FROM polls WHERE guild_id = ? AND salt IS NOT NULL", (guild_id,))
        return [self._keys.key(member_id, None)] + [self._keys.key(member_id, row[0]) for row in rows]

    async def export(self, guild_id: int, member_id: int) -> dict[str, list[dict[str, Any]]]:
        data = {
            name: [dict(row) for row in await self._db.fetch_all(sql, (guild_id, member_id))]
            for name, sql in EXPORT_QUERIES.items()
        }
        hosted = hosted_by(await self._db.fetch_all(AMA_HOSTS, (guild_id,)), member_id)
        data["amas_hosted"] = [{"id": r["id"], "title": r["title"], "starts_at": r["starts_at"]} for r, _ in hosted]
        keys = await self._ballot_keys(guild_id, member_id)
        marks = ", ".join("?" * len(keys))
        rows = await self._db.fetch_all(
            f"SELECT poll_id, option FROM poll_votes WHERE guild_id = ? AND voter_key IN ({marks}) ORDER BY poll_id",
            (guild_id, *keys),
        )
        data["poll_ballots"] = [dict(row) for row in rows]
        return data

    async def footprint(self, guild_id: int, member_id: int) -> Footprint:
        """The public posts that name the member: ideas they wrote or are credited on, questions, entries."""
        scope = (guild_id, member_id)
        ideas = await self._db.fetch_all(
            "SELECT id FROM ideas WHERE guild_id = ?1 AND (author_id = ?2 OR id IN "
            "(SELECT idea_id FROM idea_credits WHERE guild_id = ?1 AND member_id = ?2)) ORDER BY id",
            scope,
        )
        hosted = {
            row["id"]: names for row, names in hosted_by(await self._db.fetch_all(AMA_HOSTS, (guild_id,)), member_id)
        }
        asked_or_answered = await self._db.fetch_all(
            "SELECT id, ama_id, asker_id, answered_by FROM ama_questions "
            "WHERE guild_id = ? AND (asker_id = ? OR answered_by IS NOT NULL) ORDER BY id",
            scope,
        )
        questions = [  # asked by them, or answered by them as a host
            r
            for r in asked_or_answered
            if r["asker_id"] == member_id or r["answered_by"] in hosted.get(r["ama_id"], ())
        ]
        entries = await self._db.fetch_all(
            "SELECT id, run_id FROM challenge_entries WHERE guild_id = ? AND member_id = ? ORDER BY id", scope
        )
        return Footprint(
            ideas=tuple(r[0] for r in ideas),
            questions=tuple((r[0], r[1]) for r in questions),
            entries=tuple((r[0], r[1]) for r in entries),
        )

    async def erase(self, guild_id: int, member_id: int, now: datetime, intents: Sequence[Intent] = ()) -> None:
        """Remove or anonymise the member's data, with the intents that re-render their public posts, in one
        transaction. Counts stay; an entry and its win keep one shared pseudonym, so history stays whole."""
        scope = (guild_id, member_id)
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM idea_drafts WHERE guild_id = ? AND author_id = ?", scope)
            await conn.execute("DELETE FROM idea_notification_optouts WHERE guild_id = ? AND member_id = ?", scope)
            await conn.execute("UPDATE audit_log SET actor_id = 0 WHERE guild_id = ? AND actor_id = ?", scope)
            cursor = await conn.execute("SELECT id FROM challenge_entries WHERE guild_id = ? AND member_id = ?", scope)
            for (entry_id,) in await cursor.fetchall():
                alias = pseudonym()
                await conn.execute(
                    "UPDATE challenge_entries SET member_id = ?, text = NULL, attachment_name = NULL, "
                    "attachment_data = NULL, link = NULL WHERE id = ?",
                    (alias, entry_id),
                )
                await conn.execute("UPDATE challenge_winners SET member_id = ? WHERE entry_id = ?", (alias, entry_id))
            for table, key in REKEYED:
                cursor = await conn.execute(f"SELECT {key} FROM {table} WHERE guild_id = ? AND member_id = ?", scope)
                for (key_value,) in await cursor.fetchall():
                    await conn.execute(
                        f"UPDATE {table} SET member_id = ? WHERE {key} = ? AND member_id = ?",
                        (pseudonym(), key_value, member_id),
                    )
            for key in await self._ballot_keys(guild_id, member_id):
                await conn.execute(
                    "UPDATE poll_votes SET voter_key = ? WHERE guild_id = ? AND voter_key = ?",
                    (f"erased:{secrets.token_hex(16)}", guild_id, key),
                )
            await conn.execute("UPDATE ideas SET author_id = 0 WHERE guild_id = ? AND author_id = ?", scope)
            await conn.execute("UPDATE polls SET creator_id = 0 WHERE guild_id = ? AND creator_id = ?", scope)
            await conn.execute("UPDATE amas SET created_by = 0 WHERE guild_id = ? AND created_by = ?", scope)
            await conn.execute("UPDATE challenges SET created_by = 0 WHERE guild_id = ? AND created_by = ?", scope)
            await conn.execute(
                "UPDATE ama_questions SET asker_id = 0, asker_name = ? WHERE guild_id = ? AND asker_id = ?",
                (FORMER_MEMBER, *scope),
            )
            await self._erase_host(conn, guild_id, member_id)
            await add_intents(conn, guild_id, intents, now)

    async def _erase_host(self, conn: Connection, guild_id: int, member_id: int) -> None:
        """Replace the member among an AMA's hosts, and as the name under their answers."""
        for row, names in hosted_by(await conn.execute_fetchall(AMA_HOSTS, (guild_id,)), member_id):
            hosts = json.loads(row["hosts"])
            kept = [[0, FORMER_MEMBER] if host_id == member_id else [host_id, name] for host_id, name in hosts]
            await conn.execute("UPDATE amas SET hosts = ? WHERE id = ?", (json.dumps(kept), row["id"]))
            for name in names:
                await conn.execute(
                    "UPDATE ama_questions SET answered_by = ? WHERE ama_id = ? AND answered_by = ?",
                    (FORMER_MEMBER, row["id"], name),
                )
