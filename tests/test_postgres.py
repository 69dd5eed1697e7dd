"""The PostgreSQL backend's own parts: its schema against SQLite's, placeholders, and start-up with two processes."""

import asyncio
from pathlib import Path

import pytest

from storage.database import SqliteDatabase, bundled_migrations
from storage.postgres import PostgresDatabase, translate


async def test_both_backends_have_the_same_tables_and_columns(tmp_path: Path, postgres_url: str) -> None:
    sqlite = await SqliteDatabase.open(tmp_path / "schema.db")
    postgres = await PostgresDatabase.open(postgres_url)
    try:
        await sqlite.migrate()
        await asyncio.gather(postgres.migrate(), postgres.migrate())  # two processes starting at once
        lite = await sqlite.fetch_all(
            "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c "
            "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE 'ideas_fts%'"
        )
        pg = await postgres.fetch_all(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
        assert {tuple(r) for r in lite} - {("schema_migrations", "applied_at")} == {tuple(r) for r in pg} - {
            ("schema_migrations", "applied_at")
        }
        recorded = await postgres.fetch_all("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [tuple(r) for r in recorded] == [(v, n) for v, n, _ in bundled_migrations("postgresql")]
        assert [n for _, n, _ in bundled_migrations("postgresql")] == [n for _, n, _ in bundled_migrations("sqlite")]
    finally:
        await sqlite.close()
        await postgres.close()


@pytest.mark.parametrize(
    ("sqlite", "postgres", "names"),
    [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", ()),
        ("VALUES (?, ?, ?7, ?2)", "VALUES ($1, $2, $7, $2)", ()),  # a bare ? follows the largest number so far
        ("WHERE a = :now OR b <= :now AND c = :limit", "WHERE a = $1 OR b <= $1 AND c = $2", ("now", "limit")),
        (
            "SELECT '?:x', CAST(a AS json), b::text WHERE c = ?",
            "SELECT '?:x', CAST(a AS json), b::text WHERE c = $1",
            (),
        ),
        ("SELECT 'it''s ?' WHERE a = ?", "SELECT 'it''s ?' WHERE a = $1", ()),
    ],
)
def test_placeholders_become_numbered(sqlite: str, postgres: str, names: tuple[str, ...]) -> None:
    assert translate(sqlite) == (postgres, names)
