"""Polls and their ballots in SQLite. Every query is scoped by guild."""

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.base import BallotFull, PollClosed
from storage.database import Database, insert_returning_id, suggest
from storage.deliveries import add_intents
from storage.models import Intent, Poll, PollDraft

POLL_COLUMNS = (
    "id, guild_id, channel_id, message_id, creator_id, question, options, max_choices, anonymous, "
    "voter_role_id, closes_at, closed_at, created_at, unshown_changes"
)


class BallotKeys:
    """How ballots are keyed: the member id in public polls; in anonymous ones an HMAC of the member id under a
    key derived from the poll's salt *and* the bot's ballot secret, which is never stored in the database. So the
    database file alone cannot link a ballot to a member, and once the salt is erased at close nothing can."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def key(self, member_id: int, salt: str | None) -> str:
        if salt is None:
            return str(member_id)
        poll_key = hmac.new(self._secret, salt.encode(), hashlib.sha256).digest()
        return hmac.new(poll_key, str(member_id).encode(), hashlib.sha256).hexdigest()


def to_poll(row: Any) -> Poll:
    return Poll(**(dict(row) | {"options": tuple(json.loads(row["options"]))}))


class SqlitePollRepository:
    def __init__(self, db: Database, keys: BallotKeys) -> None:
        self._db = db
        self._keys = keys

    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]:
        return await suggest(self._db, "polls", "question", guild_id, current, limit)

    async def create(
        self,
        guild_id: int,
        channel_id: int,
        creator_id: int,
        draft: PollDraft,
        salt: str | None,
        now: datetime,
        intents: Sequence[Intent] = (),
        ideas: Sequence[int] = (),
    ) -> int:
        """Store a poll with its intents; `ideas` are the ideas its options stand for, in order (if any)."""
        async with self._db.transaction() as conn:
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO polls (guild_id, channel_id, creator_id, question, options, max_choices, anonymous, "
                "voter_role_id, closes_at, salt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    creator_id,
                    draft.question,
                    json.dumps(draft.options),
                    draft.max_choices,
                    draft.anonymous,
                    draft.voter_role_id,
                    draft.closes_at.isoformat() if draft.closes_at else None,
                    salt,
                    now.isoformat(),
                ),
            )
            for option, idea_id in enumerate(ideas):
                await conn.execute(
                    "INSERT INTO poll_ideas (poll_id, guild_id, option, idea_id) VALUES (?, ?, ?, ?)",
                    (new_id, guild_id, option, idea_id),
                )
            await add_intents(conn, guild_id, intents, now, new_id)
            return new_id

    async def ideas(self, guild_id: int, poll_id: int) -> list[int]:
        """The ideas a poll's options stand for, in option order (none for an ordinary poll)."""
        rows = await self._db.fetch_all(
            "SELECT idea_id FROM poll_ideas WHERE guild_id = ? AND poll_id = ? ORDER BY option", (guild_id, poll_id)
        )
        return [row[0] for row in rows]

    async def get(self, guild_id: int, poll_id: int) -> Poll | None:
        row = await self._db.fetch_one(
            f"SELECT {POLL_COLUMNS} FROM polls WHERE guild_id = ? AND id = ?", (guild_id, poll_id)
        )
        return to_poll(row) if row else None

    async def voter_key(self, guild_id: int, poll_id: int, member_id: int) -> str:
        """The key of the member's ballot in this poll (see `BallotKeys`)."""
        row = await self._db.fetch_one("SELECT salt FROM polls WHERE guild_id = ? AND id = ?", (guild_id, poll_id))
        return self._keys.key(member_id, row["salt"] if row else None)

    async def shown(self, guild_id: int, poll_id: int, changes: int) -> None:
        """`changes` ballot changes are now shown on the public message."""
        await self._db.execute(
            "UPDATE polls SET unshown_changes = CASE WHEN unshown_changes > ?1 THEN unshown_changes - ?1 ELSE 0 END "
            "WHERE guild_id = ?2 AND id = ?3",
            (changes, guild_id, poll_id),
        )

    async def attach_message(self, guild_id: int, poll_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE polls SET message_id = ? WHERE guild_id = ? AND id = ?", (message_id, guild_id, poll_id)
        )

    async def open_polls(self, guild_id: int | None = None) -> list[Poll]:
        """Open polls of one guild, or of every guild (to schedule their closing at start-up)."""
        where = "closed_at IS NULL" + (" AND guild_id = ?" if guild_id is not None else "")
        rows = await self._db.fetch_all(
            f"SELECT {POLL_COLUMNS} FROM polls WHERE {where} ORDER BY id DESC",
            () if guild_id is None else (guild_id,),
        )
        return [to_poll(r) for r in rows]

    async def set_ballot(
        self,
        guild_id: int,
        poll_id: int,
        voter_key: str,
        choose: int,
        max_choices: int,
        now: datetime,
        intents: Sequence[Intent] = (),
    ) -> list[int]:
        """Toggle option `choose` in the voter's ballot, atomically; returns the ballot now.

        With one choice allowed, picking another option replaces the first. With several, picking one more
        than allowed raises `BallotFull`. A poll closed meanwhile raises `PollClosed`: decided in the same
        transaction as the ballot, so no vote lands after the results were fixed.
        """
        async with self._db.transaction() as conn:
            open_ = await conn.execute_fetchall(  # each read is one round trip to the database thread, not two
                "SELECT 1 FROM polls WHERE guild_id = ? AND id = ? AND closed_at IS NULL", (guild_id, poll_id)
            )
            if not open_:
                raise PollClosed(poll_id)
            rows = await conn.execute_fetchall(
                "SELECT option FROM poll_votes WHERE poll_id = ? AND voter_key = ? ORDER BY option",
                (poll_id, voter_key),
            )
            ballot = [row[0] for row in rows]
            if choose in ballot:
                ballot.remove(choose)
            elif max_choices == 1:
                ballot = [choose]
            elif len(ballot) >= max_choices:
                raise BallotFull(max_choices)
            else:
                ballot = sorted([*ballot, choose])
            await conn.execute("DELETE FROM poll_votes WHERE poll_id = ? AND voter_key = ?", (poll_id, voter_key))
            await conn.executemany(
                "INSERT INTO poll_votes (poll_id, guild_id, voter_key, option, voted_at) VALUES (?, ?, ?, ?, ?)",
                [(poll_id, guild_id, voter_key, option, now.isoformat()) for option in ballot],
            )
            await conn.execute(
                "UPDATE polls SET unshown_changes = unshown_changes + 1 WHERE guild_id = ? AND id = ?",
                (guild_id, poll_id),
            )
            await add_intents(conn, guild_id, intents, now)
            return ballot

    async def counts(self, guild_id: int, poll_id: int) -> tuple[dict[int, int], int]:
        """Votes per option, and how many members cast a ballot."""
        rows = await self._db.fetch_all(
            "SELECT option, COUNT(*) FROM poll_votes WHERE guild_id = ? AND poll_id = ? GROUP BY option",
            (guild_id, poll_id),
        )
        ballots = await self._db.fetch_one(
            "SELECT COUNT(DISTINCT voter_key) FROM poll_votes WHERE guild_id = ? AND poll_id = ?", (guild_id, poll_id)
        )
        assert ballots is not None
        return {row[0]: row[1] for row in rows}, ballots[0]

    async def voters(self, guild_id: int, poll_id: int) -> list[tuple[int, int]]:
        """(option, member id) pairs of public polls, whose voter keys are member ids (erased members excluded)."""
        rows = await self._db.fetch_all(
            "SELECT option, voter_key FROM poll_votes WHERE guild_id = ? AND poll_id = ? "
            "AND voter_key NOT LIKE 'erased:%' ORDER BY option, voter_key",
            (guild_id, poll_id),
        )
        return [(row[0], int(row[1])) for row in rows]

    async def close(self, guild_id: int, poll_id: int, now: datetime, intents: Sequence[Intent] = ()) -> bool:
        """Close the poll and erase its salt; False if it was already closed (so results are posted once)."""
        async with self._db.transaction() as conn:
            salted = await conn.execute_fetchall(
                "SELECT salt IS NOT NULL FROM polls WHERE guild_id = ? AND id = ? AND closed_at IS NULL",
                (guild_id, poll_id),
            )
            cursor = await conn.execute(
                "UPDATE polls SET closed_at = ?, salt = NULL WHERE guild_id = ? AND id = ? AND closed_at IS NULL",
                (now.isoformat(), guild_id, poll_id),
            )
            if cursor.rowcount == 1:
                await add_intents(conn, guild_id, intents, now)
        if cursor.rowcount == 1 and any(row[0] for row in salted):
            await self._db.forget_overwritten()  # an anonymous poll's salt: no old page keeps it, in file or WAL
        return cursor.rowcount == 1
