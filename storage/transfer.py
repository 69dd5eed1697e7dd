"""Move a community's data from a SQLite file to an empty PostgreSQL database: `python -m bot copy FILE URL`."""

from pathlib import Path

from storage.postgres import PostgresDatabase
from storage.sqlite import SqliteDatabase

BATCH = 1000


class TransferRefused(Exception):
    """The copy cannot start; nothing was written. The message says what to do."""


async def copy_sqlite_to_postgres(source: Path, target_url: str) -> dict[str, int]:
    """Copy every table's rows in one transaction, then move the id counters past the copied ids; returns the
    rows copied per table. Both databases are first migrated to this version's schema; the target must be empty.
    The caller checks that `source` exists (opening a missing file would create it)."""
    sqlite = await SqliteDatabase.open(source)
    postgres = await PostgresDatabase.open(target_url)
    try:
        await sqlite.migrate()
        await postgres.migrate()
        # Creation order: a table is created after the tables it references, so it is filled after them too.
        tables = [
            row[0]
            for row in await sqlite.fetch_all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
                "AND name NOT LIKE 'ideas_fts%' AND name != 'schema_migrations' ORDER BY rowid"
            )
        ]
        for table in tables:
            if await postgres.fetch_one(f'SELECT 1 FROM "{table}" LIMIT 1'):
                raise TransferRefused(f"the PostgreSQL database already holds data (table {table}); use an empty one")
        copied = {}
        async with postgres.transaction() as conn:
            await conn.execute("SET CONSTRAINTS ALL DEFERRED")  # an idea may be merged into a later one
            for table in tables:
                rows = await sqlite.fetch_all(f'SELECT * FROM "{table}"')
                copied[table] = len(rows)
                if not rows:
                    continue
                columns = rows[0].keys()
                insert = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                for start in range(0, len(rows), BATCH):
                    await conn.executemany(insert, [tuple(row) for row in rows[start : start + BATCH]])
                if "id" in columns:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM \"{table}\""
                    )
        return copied
    finally:
        await sqlite.close()
        await postgres.close()
