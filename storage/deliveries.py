"""The delivery queue in SQLite: intents written with the state change that causes them, claimed by the worker.

Repositories call `add_intents` inside their own transaction, so a state change and the effects it owes on
Discord commit together or not at all.
"""

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from storage.base import Shards
from storage.database import Connection, Database
from storage.models import AUDIT, Delivery, Intent

RENDER_REST = timedelta(seconds=2)  # at most one edit of a post per 2 s (Discord allows about 5 per 5 s)
LEASE = timedelta(minutes=2)  # a claim not finished by then (the worker died) is claimed again


def lane_of(intent: Intent, entity_id: int | None) -> str:
    return intent.lane or f"{intent.kind.split('.')[0]}:{entity_id}"


async def add_intents(
    conn: Connection, guild_id: int, intents: Sequence[Intent], now: datetime, created_id: int | None = None
) -> None:
    """Record `intents` in the caller's transaction: deliveries, and lines of the audit log; `created_id` stands
    in for intents without an entity."""
    for intent in intents:
        if intent.kind == AUDIT:
            line = intent.payload
            await conn.execute(
                "INSERT INTO audit_log (guild_id, at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, now.isoformat(), line["actor_id"], line["action"], line["subject"], line["detail"]),
            )
            continue
        entity_id = intent.entity_id if intent.entity_id is not None else created_id
        values = (
            guild_id,
            intent.kind,
            entity_id,
            lane_of(intent, entity_id),
            json.dumps(intent.payload),
            intent.file_data,
            now.isoformat(),
        )
        if not intent.render:
            await conn.execute(
                "INSERT INTO deliveries (guild_id, kind, entity_id, lane, payload, file_data, next_attempt_at, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?7)",
                values,
            )
            continue
        # One row per post: a change while a render is pending or being sent bumps its version, so the worker
        # renders once more; a finished render is woken, but not before its rest is over.
        await conn.execute(
            "INSERT INTO deliveries (guild_id, kind, entity_id, lane, payload, file_data, next_attempt_at, "
            "created_at, render_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?7, ?) "
            "ON CONFLICT (render_key) DO UPDATE SET version = deliveries.version + 1, payload = excluded.payload, "
            "state = CASE deliveries.state WHEN 'done' THEN 'pending' ELSE deliveries.state END",
            (*values, f"{intent.kind}:{entity_id}"),
        )


async def update_recording(
    db: Database, guild_id: int, sql: str, params: Sequence[Any], intents: Sequence[Intent], now: datetime
) -> bool:
    """One conditional UPDATE and, if it changed a row, `intents` with it, in one transaction; whether it did.

    The decisions that race (a status still as expected, a reminder not yet claimed) are made by the UPDATE's
    WHERE clause, so of two attempts at once exactly one records its intents."""
    async with db.transaction() as conn:
        cursor = await conn.execute(sql, params)
        if cursor.rowcount == 1:
            await add_intents(conn, guild_id, intents, now)
        return cursor.rowcount == 1


def to_delivery(row: Any) -> Delivery:
    return Delivery(**(dict(row) | {"payload": json.loads(row["payload"]), "render": row["render_key"] is not None}))


# The head of its lane (earlier messages and publications first; renders wait for no one) in a present guild.
CLAIMABLE = """d.guild_id NOT IN (SELECT guild_id FROM departed_guilds) AND NOT EXISTS (
    SELECT 1 FROM deliveries e WHERE e.lane = d.lane AND e.id < d.id AND e.state != 'done' AND e.render_key IS NULL
)"""
COLUMNS = "id, guild_id, kind, entity_id, lane, render_key, payload, file_data, attempts, version"


def owned(shards: Shards | None) -> str:
    """SQL keeping the deliveries `d` of guilds on `shards`: each process performs those of its own guilds."""
    if shards is None:
        return "1 = 1"
    count, ids = shards
    return f"(d.guild_id >> 22) % {int(count)} IN ({', '.join(str(int(i)) for i in ids)})"


class SqliteDeliveryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, guild_id: int, intents: Sequence[Intent], now: datetime) -> None:
        """Intents that follow no state change of their own (e.g. a notice to staff)."""
        async with self._db.transaction() as conn:
            await add_intents(conn, guild_id, intents, now)

    async def claim(
        self, now: datetime, limit: int, *, rested: bool = False, shards: Shards | None = None
    ) -> list[Delivery]:
        """Claim due deliveries, each the first unfinished one of its lane (renders wait for no one).

        `rested` also claims renders still resting after their last edit, and first attempts not yet due
        (tests and shutdown: send everything now). A claim lasts `LEASE`; a crashed worker's claims expire.
        Only deliveries of guilds on `shards` (all, if None) are claimed.
        """
        async with self._db.transaction() as conn:
            # Executed and read in one call: a RETURNING statement left half-read (the worker cancelled between
            # execute and fetch) would keep SQLite from opening or releasing any savepoint afterwards.
            rows = await conn.execute_fetchall(
                f"""
                UPDATE deliveries SET state = 'sending', lease_until = :lease,
                    attempts = attempts + CASE state WHEN 'sending' THEN 1 ELSE 0 END  -- an expired claim: an attempt
                WHERE id IN (
                    SELECT d.id FROM deliveries d
                    WHERE ((d.state = 'pending' AND (d.next_attempt_at <= :now OR (:rested AND d.attempts = 0)))
                           OR (d.state = 'sending' AND d.lease_until <= :now))
                      AND {CLAIMABLE} AND {owned(shards)}
                    ORDER BY d.id LIMIT :limit
                ) RETURNING {COLUMNS}
                """,
                {"now": now.isoformat(), "lease": (now + LEASE).isoformat(), "rested": rested, "limit": limit},
            )
            return [to_delivery(row) for row in rows]

    async def delivered(self, delivery: Delivery, now: datetime) -> None:
        """Done: a message is forgotten; a render rests, or goes again if a change arrived meanwhile."""
        if not delivery.render:
            await self._db.execute("DELETE FROM deliveries WHERE id = ?", (delivery.id,))
            return
        await self._db.execute(
            "UPDATE deliveries SET state = CASE version WHEN ? THEN 'done' ELSE 'pending' END, attempts = 0, "
            "next_attempt_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
            (delivery.version, (now + RENDER_REST).isoformat(), delivery.id),
        )

    async def retry_later(self, delivery: Delivery, error: str, at: datetime) -> None:
        await self._db.execute(
            "UPDATE deliveries SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, "
            "lease_until = NULL, last_error = ? WHERE id = ?",
            (at.isoformat(), error[:500], delivery.id),
        )

    async def block(self, delivery: Delivery, error: str) -> bool:
        """Keep it until the cause is fixed; False if it was already blocked (staff were told then)."""
        changed = await self._db.execute_count(
            "UPDATE deliveries SET state = 'blocked', attempts = attempts + 1, lease_until = NULL, last_error = ? "
            "WHERE id = ? AND state = 'sending'",
            (error[:500], delivery.id),
        )
        return changed == 1

    async def unblock(self, guild_id: int, now: datetime) -> int:
        """Try the guild's blocked deliveries again (a permission, channel or setting changed)."""
        return await self._db.execute_count(
            "UPDATE deliveries SET state = 'pending', next_attempt_at = ? WHERE guild_id = ? AND state = 'blocked'",
            (now.isoformat(), guild_id),
        )

    async def release_claims(self, shards: Shards | None = None) -> None:
        """At start-up: what this process (the one of `shards`) was sending when it stopped is pending again,
        counted as an attempt (Discord may have performed it: handlers check before creating what carries no nonce)."""
        await self._db.execute(
            "UPDATE deliveries SET state = 'pending', lease_until = NULL, attempts = attempts + 1 "
            f"WHERE id IN (SELECT d.id FROM deliveries d WHERE d.state = 'sending' AND {owned(shards)})"
        )

    async def next_due(self, shards: Shards | None = None) -> datetime | None:
        """When the first delivery of `shards` that can be claimed (the head of its lane) falls due."""
        row = await self._db.fetch_one(
            "SELECT MIN(d.next_attempt_at) FROM deliveries d "
            f"WHERE d.state = 'pending' AND {CLAIMABLE} AND {owned(shards)}"
        )
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def unfinished(self, guild_id: int, lane: str) -> list[tuple[str, int, str | None]]:
        """(state, attempts, last error) of each unfinished message or publish in `lane`."""
        rows = await self._db.fetch_all(
            "SELECT state, attempts, last_error FROM deliveries "
            "WHERE guild_id = ? AND lane = ? AND state != 'done' AND render_key IS NULL ORDER BY id",
            (guild_id, lane),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def pending_count(self, shards: Shards | None = None) -> int:
        row = await self._db.fetch_one(
            f"SELECT COUNT(*) FROM deliveries d WHERE d.state IN ('pending', 'sending') AND {owned(shards)}"
        )
        return row[0] if row else 0
