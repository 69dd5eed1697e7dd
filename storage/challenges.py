"""Challenges, their runs, entries, votes and winners in SQLite. Every query is scoped by guild."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.base import EntryRemoved, PhaseOver, VotesUsed
from storage.database import Database, insert_returning_id, suggest
from storage.deliveries import add_intents
from storage.models import Challenge, ChallengeDraft, Entry, EntryFile, Intent, Phase, Run, Winner

CHALLENGE_COLUMNS = (
    "id, guild_id, channel_id, name, themes, rotation, schedule, timezone, entry_minutes, voting_minutes, prize, "
    "votes_per_member, paused, skip_until, runs_started, last_fire_at"
)
RUN_COLUMNS = (
    "id, challenge_id, guild_id, number, theme, starts_at, entries_close_at, voting_close_at, phase, voting_message_id"
)
ENTRY_COLUMNS = "id, run_id, guild_id, member_id, text, attachment_name, link, message_id, removed_reason"


def draft_values(draft: ChallengeDraft) -> tuple[object, ...]:
    """The stored columns of a draft, in the order of `DRAFT_COLUMNS`."""
    return (
        draft.channel_id,
        draft.name,
        json.dumps(draft.themes),
        draft.rotation.value,
        draft.schedule,
        draft.timezone,
        draft.entry_minutes,
        draft.voting_minutes,
        draft.prize,
        draft.votes_per_member,
    )


DRAFT_COLUMNS = (
    "channel_id, name, themes, rotation, schedule, timezone, entry_minutes, voting_minutes, prize, votes_per_member"
)


def to_challenge(row: Any) -> Challenge:
    return Challenge(**(dict(row) | {"themes": tuple(json.loads(row["themes"]))}))


async def check_voting(conn: Any, run: Run) -> None:
    """Inside a vote's transaction: the run still takes votes (`PhaseOver` otherwise)."""
    rows = await conn.execute_fetchall("SELECT phase FROM challenge_runs WHERE id = ?", (run.id,))
    if not rows or rows[0][0] != Phase.VOTING.value:
        raise PhaseOver(run.id)


async def check_entry(conn: Any, run: Run, entry_id: int) -> None:
    """Inside a vote's transaction: the entry is one of the run's, and not removed (`EntryRemoved` otherwise)."""
    rows = await conn.execute_fetchall(
        "SELECT removed_reason FROM challenge_entries WHERE id = ? AND run_id = ?", (entry_id, run.id)
    )
    if not rows or rows[0][0] is not None:
        raise EntryRemoved(entry_id)


MEMBER_VOTES = "SELECT entry_id FROM challenge_votes WHERE run_id = ? AND member_id = ?"


async def votes(conn: Any, run: Run, member_id: int) -> set[int]:
    return {row[0] for row in await conn.execute_fetchall(MEMBER_VOTES, (run.id, member_id))}


class SqliteChallengeRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def suggest(self, guild_id: int, current: str, limit: int) -> list[tuple[int, str]]:
        return await suggest(self._db, "challenges", "name", guild_id, current, limit)

    # -- challenges ----------------------------------------------------------------------------------

    async def create(self, guild_id: int, created_by: int, draft: ChallengeDraft, now: datetime) -> int:
        values = (guild_id, *draft_values(draft), created_by, now.isoformat(), now.isoformat())
        async with self._db.transaction() as conn:
            new_id = await insert_returning_id(
                conn,
                f"INSERT INTO challenges (guild_id, {DRAFT_COLUMNS}, created_by, created_at, last_fire_at) "
                f"VALUES ({', '.join('?' * len(values))})",
                values,
            )
            return new_id

    async def mark_fired(self, guild_id: int, challenge_id: int, when: datetime) -> None:
        """Remember that the run job fired (or the challenge resumed) at `when`: earlier runs are settled."""
        await self._db.execute(
            "UPDATE challenges SET last_fire_at = ? WHERE guild_id = ? AND id = ?",
            (when.isoformat(), guild_id, challenge_id),
        )

    async def update(self, guild_id: int, challenge_id: int, draft: ChallengeDraft) -> None:
        assignments = ", ".join(f"{column.strip()} = ?" for column in DRAFT_COLUMNS.split(","))
        await self._db.execute(
            f"UPDATE challenges SET {assignments} WHERE guild_id = ? AND id = ?",
            (*draft_values(draft), guild_id, challenge_id),
        )

    async def get(self, guild_id: int, challenge_id: int) -> Challenge | None:
        row = await self._db.fetch_one(
            f"SELECT {CHALLENGE_COLUMNS} FROM challenges WHERE guild_id = ? AND id = ?", (guild_id, challenge_id)
        )
        return to_challenge(row) if row else None

    async def all(self, guild_id: int | None = None) -> list[Challenge]:
        where, params = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        rows = await self._db.fetch_all(f"SELECT {CHALLENGE_COLUMNS} FROM challenges {where} ORDER BY id", params)
        return [to_challenge(r) for r in rows]

    async def set_paused(self, guild_id: int, challenge_id: int, paused: bool) -> None:
        await self._db.execute(
            "UPDATE challenges SET paused = ? WHERE guild_id = ? AND id = ?", (paused, guild_id, challenge_id)
        )

    async def set_skip_until(self, guild_id: int, challenge_id: int, until: datetime | None) -> None:
        await self._db.execute(
            "UPDATE challenges SET skip_until = ? WHERE guild_id = ? AND id = ?",
            (until.isoformat() if until else None, guild_id, challenge_id),
        )

    async def delete(self, guild_id: int, challenge_id: int, now: datetime, intents: Sequence[Intent] = ()) -> None:
        async with self._db.transaction() as conn:
            await add_intents(conn, guild_id, intents, now)
            await conn.execute("DELETE FROM challenges WHERE guild_id = ? AND id = ?", (guild_id, challenge_id))

    # -- runs ----------------------------------------------------------------------------------------

    async def start_run(
        self,
        challenge: Challenge,
        theme: str,
        starts_at: datetime,
        entries_close_at: datetime,
        voting_close_at: datetime,
        intents: Sequence[Intent] = (),
    ) -> int | None:
        """Record run number `runs_started + 1` and count it, with its intents, in one transaction; None when that
        run was started already (by another process that fired the same job): each run starts once."""
        async with self._db.transaction() as conn:
            claimed = await conn.execute(
                "UPDATE challenges SET runs_started = runs_started + 1, last_fire_at = ? "
                "WHERE id = ? AND guild_id = ? AND runs_started = ?",
                (starts_at.isoformat(), challenge.id, challenge.guild_id, challenge.runs_started),
            )
            if claimed.rowcount != 1:
                return None
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO challenge_runs (challenge_id, guild_id, number, theme, starts_at, entries_close_at, "
                "voting_close_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    challenge.id,
                    challenge.guild_id,
                    challenge.runs_started + 1,
                    theme,
                    starts_at.isoformat(),
                    entries_close_at.isoformat(),
                    voting_close_at.isoformat(),
                ),
            )
            await add_intents(conn, challenge.guild_id, intents, starts_at, new_id)
            return new_id

    async def run(self, guild_id: int, run_id: int) -> Run | None:
        row = await self._db.fetch_one(
            f"SELECT {RUN_COLUMNS} FROM challenge_runs WHERE guild_id = ? AND id = ?", (guild_id, run_id)
        )
        return Run(**dict(row)) if row else None

    async def unfinished_runs(self, guild_id: int | None = None) -> list[Run]:
        where = "phase != 'finished'" + (" AND guild_id = ?" if guild_id is not None else "")
        rows = await self._db.fetch_all(
            f"SELECT {RUN_COLUMNS} FROM challenge_runs WHERE {where} ORDER BY id",
            () if guild_id is None else (guild_id,),
        )
        return [Run(**dict(r)) for r in rows]

    async def move(
        self,
        guild_id: int,
        run_id: int,
        from_phase: Phase,
        to_phase: Phase,
        now: datetime,
        intents: Sequence[Intent] = (),
        per_entry: Intent | None = None,
    ) -> bool:
        """Move the run to its next phase, with `intents` and one `per_entry` intent for each of its entries.

        Moving to FINISHED records the winners in the same transaction: every entry tied on the most votes (none
        without votes). Entries and votes check the phase in their own transaction, so none lands after this.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE challenge_runs SET phase = ? WHERE guild_id = ? AND id = ? AND phase = ?",
                (to_phase.value, guild_id, run_id, from_phase.value),
            )
            if cursor.rowcount != 1:
                return False
            if to_phase == Phase.FINISHED:
                await conn.execute(
                    "WITH tally AS (SELECT entry_id, COUNT(*) AS votes FROM challenge_votes WHERE run_id = ? "
                    "GROUP BY entry_id) "
                    "INSERT INTO challenge_winners (run_id, guild_id, member_id, entry_id, votes) "
                    "SELECT e.run_id, e.guild_id, e.member_id, e.id, t.votes FROM tally t "
                    "JOIN challenge_entries e ON e.id = t.entry_id "  # a removed entry has no votes left
                    "WHERE t.votes = (SELECT MAX(votes) FROM tally) ON CONFLICT DO NOTHING",
                    (run_id,),
                )
            entry_intents = []
            if per_entry is not None:  # shown for voting in a random order: posting first is no advantage
                order = "random()" if to_phase == Phase.VOTING else "id"
                cursor = await conn.execute(
                    f"SELECT id FROM challenge_entries WHERE guild_id = ? AND run_id = ? ORDER BY {order}",
                    (guild_id, run_id),
                )
                entry_intents = [per_entry.model_copy(update={"entity_id": r[0]}) for r in await cursor.fetchall()]
            await add_intents(conn, guild_id, [*intents, *entry_intents], now)
            return True

    async def winners(self, guild_id: int, run_id: int) -> list[tuple[int, int]]:
        """(entry id, votes) of the run's winners, recorded when voting closed."""
        rows = await self._db.fetch_all(
            "SELECT entry_id, votes FROM challenge_winners WHERE guild_id = ? AND run_id = ? ORDER BY entry_id",
            (guild_id, run_id),
        )
        return [(r[0], r[1]) for r in rows]

    # -- entries and votes ---------------------------------------------------------------------------

    async def save_entry(
        self, run: Run, member_id: int, text: str | None, file: EntryFile | None, link: str | None, now: datetime
    ) -> tuple[int, bool]:
        """Store or replace the member's entry; returns (entry id, whether it replaced an earlier one).

        Raises `PhaseOver` when the run stopped taking entries before this transaction.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute("SELECT phase FROM challenge_runs WHERE id = ?", (run.id,))
            row = await cursor.fetchone()
            if row is None or row[0] != Phase.ENTRIES.value:
                raise PhaseOver(run.id)
            cursor = await conn.execute(
                "SELECT id FROM challenge_entries WHERE run_id = ? AND member_id = ?", (run.id, member_id)
            )
            existing = await cursor.fetchone()
            if existing:
                await conn.execute(
                    "UPDATE challenge_entries SET text = ?, attachment_name = ?, attachment_data = ?, link = ?, "
                    "submitted_at = ? "
                    "WHERE id = ?",
                    (text, file and file.name, file and file.data, link, now.isoformat(), existing[0]),
                )
                return existing[0], True
            new_id = await insert_returning_id(
                conn,
                "INSERT INTO challenge_entries (run_id, guild_id, member_id, text, attachment_name, attachment_data, "
                "link, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run.id, run.guild_id, member_id, text, file and file.name, file and file.data, link, now.isoformat()),
            )
            return new_id, False

    async def entry(self, guild_id: int, entry_id: int) -> Entry | None:
        row = await self._db.fetch_one(
            f"SELECT {ENTRY_COLUMNS} FROM challenge_entries WHERE guild_id = ? AND id = ?", (guild_id, entry_id)
        )
        return Entry(**dict(row)) if row else None

    async def entry_file(self, guild_id: int, entry_id: int) -> bytes | None:
        row = await self._db.fetch_one(
            "SELECT attachment_data FROM challenge_entries WHERE guild_id = ? AND id = ?", (guild_id, entry_id)
        )
        return row["attachment_data"] if row else None

    async def entries(self, guild_id: int, run_id: int) -> list[Entry]:
        rows = await self._db.fetch_all(
            f"SELECT {ENTRY_COLUMNS} FROM challenge_entries WHERE guild_id = ? AND run_id = ? ORDER BY id",
            (guild_id, run_id),
        )
        return [Entry(**dict(r)) for r in rows]

    async def remove_entry(
        self, guild_id: int, entry_id: int, reason: str, now: datetime, intents: Sequence[Intent] = ()
    ) -> bool:
        """Remove an entry's content, its votes and any win, keeping only why; False if it was removed already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE challenge_entries SET removed_reason = ?, text = NULL, attachment_name = NULL, "
                "attachment_data = NULL, link = NULL WHERE guild_id = ? AND id = ? AND removed_reason IS NULL",
                (reason, guild_id, entry_id),
            )
            if cursor.rowcount != 1:
                return False
            await conn.execute("DELETE FROM challenge_votes WHERE guild_id = ? AND entry_id = ?", (guild_id, entry_id))
            await conn.execute(
                "DELETE FROM challenge_winners WHERE guild_id = ? AND entry_id = ?", (guild_id, entry_id)
            )
            await add_intents(conn, guild_id, intents, now)
            return True

    async def set_voting_message(self, guild_id: int, run_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE challenge_runs SET voting_message_id = ? WHERE guild_id = ? AND id = ?",
            (message_id, guild_id, run_id),
        )

    async def set_entry_message(self, guild_id: int, entry_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE challenge_entries SET message_id = ? WHERE guild_id = ? AND id = ?",
            (message_id, guild_id, entry_id),
        )

    async def toggle_vote(self, run: Run, member_id: int, entry_id: int, now: datetime, cap: int = 1) -> bool:
        """Vote for `entry_id`, or take the vote back; returns whether it counts. With one vote per member
        (`cap` 1) a vote for another entry moves it; with more, a vote past the cap raises `VotesUsed`.

        Raises `PhaseOver` when voting closed before this transaction, `EntryRemoved` when the entry was removed.
        """
        async with self._db.transaction() as conn:
            await check_voting(conn, run)
            await check_entry(conn, run, entry_id)
            cursor = await conn.execute(
                "DELETE FROM challenge_votes WHERE run_id = ? AND member_id = ? AND entry_id = ?",
                (run.id, member_id, entry_id),
            )
            if cursor.rowcount:
                return False
            if cap == 1:
                await conn.execute(
                    "DELETE FROM challenge_votes WHERE run_id = ? AND member_id = ?", (run.id, member_id)
                )
            elif len(await votes(conn, run, member_id)) >= cap:
                raise VotesUsed(cap)
            await conn.execute(
                "INSERT INTO challenge_votes (run_id, guild_id, member_id, entry_id, voted_at) VALUES (?, ?, ?, ?, ?)",
                (run.id, run.guild_id, member_id, entry_id, now.isoformat()),
            )
            return True

    async def votes_of(self, run: Run, member_id: int) -> set[int]:
        """The entries the member votes for in the run."""
        return {row[0] for row in await self._db.fetch_all(MEMBER_VOTES, (run.id, member_id))}

    async def cast_ballot(self, run: Run, member_id: int, entry_ids: set[int], cap: int, now: datetime) -> None:
        """Make the member's votes in the run exactly `entry_ids` (none: no vote), in one transaction that checks
        the phase, each entry and the cap (`PhaseOver`, `EntryRemoved`, `VotesUsed`)."""
        if len(entry_ids) > cap:
            raise VotesUsed(cap)
        async with self._db.transaction() as conn:
            await check_voting(conn, run)
            for entry_id in sorted(entry_ids):
                await check_entry(conn, run, entry_id)
            await conn.execute("DELETE FROM challenge_votes WHERE run_id = ? AND member_id = ?", (run.id, member_id))
            for entry_id in sorted(entry_ids):
                await conn.execute(
                    "INSERT INTO challenge_votes (run_id, guild_id, member_id, entry_id, voted_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (run.id, run.guild_id, member_id, entry_id, now.isoformat()),
                )

    # -- standings -----------------------------------------------------------------------------------

    async def hall_of_fame(self, guild_id: int, limit: int) -> list[Winner]:
        rows = await self._db.fetch_all(
            f"""SELECT {", ".join("r." + c.strip() for c in RUN_COLUMNS.split(","))}, c.name AS challenge_name,
                       w.member_id, w.entry_id, w.votes
                FROM challenge_winners w JOIN challenge_runs r ON r.id = w.run_id
                JOIN challenges c ON c.id = r.challenge_id
                WHERE w.guild_id = ? ORDER BY r.voting_close_at DESC, w.member_id LIMIT ?""",
            (guild_id, limit),
        )
        result = []
        for row in rows:
            data = dict(row)
            extra = {k: data.pop(k) for k in ("challenge_name", "member_id", "entry_id", "votes")}
            result.append(Winner(run=Run(**data), **extra))
        return result

    async def participation(self, guild_id: int) -> list[tuple[int, int, int, int]]:
        """(challenge id, run number, member id, the challenge's latest run number) for every entry, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT r.challenge_id, r.number, e.member_id, c.runs_started FROM challenge_entries e "
            "JOIN challenge_runs r ON r.id = e.run_id JOIN challenges c ON c.id = r.challenge_id "
            "WHERE e.guild_id = ? ORDER BY r.challenge_id, r.number",
            (guild_id,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def wins(self, guild_id: int) -> dict[int, int]:
        rows = await self._db.fetch_all(
            "SELECT member_id, COUNT(*) FROM challenge_winners WHERE guild_id = ? GROUP BY member_id", (guild_id,)
        )
        return {r[0]: r[1] for r in rows}
