"""Every start-up failure is one line saying what to do, with the exit code the README documents."""

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.startup import DATABASE, DISCORD, SETTINGS
from emulator import DiscordEmulator
from emulator.harness import SANDBOX_TOKEN

ROOT = Path(__file__).resolve().parents[1]


async def start(cwd: Path, *, discord: str | None = None, **env: str) -> tuple[int, str]:
    """`python -m bot` with `env` (and Discord at `discord`, a 127.0.0.1 address); its exit code and the lines
    of its stderr that are not JSON log lines."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BALLOT_SECRET", "LOG_LEVEL"}}
    environment = clean | {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": SANDBOX_TOKEN} | env
    command = [sys.executable, "-m", "bot"]
    if discord is not None:  # the real entry point, its Discord moved to a local address and its patience to 1 s
        code = (
            "import sys; from emulator.harness import point_discord_at; "
            f"point_discord_at('{discord}/api/v10', 'ws://127.0.0.1:9'); "
            "import bot.__main__ as entry; entry.DISCORD_TIMEOUT = 1; sys.exit(entry.main())"
        )
        command = [sys.executable, "-c", code]
    process = await asyncio.create_subprocess_exec(*command, cwd=cwd, env=environment, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    lines = [line for line in err.decode().splitlines() if not line.startswith("{")]
    for line in err.decode().splitlines():
        if line.startswith("{"):
            assert json.loads(line)["level"] != "ERROR", line
    assert "Traceback" not in err.decode()
    return process.returncode or 0, "\n".join(lines)


async def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("shopping list: wax, combs\n" * 200)
    code, line = await start(tmp_path, DATABASE_URL="sqlite:///notes.db")
    assert (code, line) == (
        DATABASE,
        "error: notes.db is not a SQLite database: point DATABASE_URL at the bot's database or at a new file",
    )


async def test_a_database_path_the_bot_cannot_write(tmp_path: Path) -> None:
    code, line = await start(tmp_path, DATABASE_URL="sqlite:////proc/cocreate/bot.db")
    assert code == DATABASE
    assert line.startswith("error: cannot open or write the database /proc/cocreate/bot.db (")
    assert line.endswith("): give the bot's user write access to it")


async def test_a_database_from_a_newer_version(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT)")
        db.execute("INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')")
    code, line = await start(tmp_path, DATABASE_URL="sqlite:///bot.db")
    assert code == DATABASE
    assert line.startswith("error: the database bot.db has schema version 99, newer than this version of CoCreate")


async def test_postgresql_that_is_not_running(tmp_path: Path) -> None:
    url = "postgresql://bot:secret-pw@127.0.0.1:9/cocreate"
    code, line = await start(tmp_path, DATABASE_URL=url, BALLOT_SECRET="x" * 32)
    assert code == DATABASE
    assert line.startswith("error: cannot reach PostgreSQL at 127.0.0.1:9 (") and "secret-pw" not in line


@pytest.mark.parametrize("answers", [False, True], ids=["refused", "silent"])
async def test_discord_unreachable(tmp_path: Path, answers: bool) -> None:
    """Nothing listens (the connection is refused), or something accepts and never answers."""
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1] if answers else 9
    async with silent:
        code, line = await start(tmp_path, discord=f"http://127.0.0.1:{port}")
    assert code == DISCORD
    assert line.startswith("error: cannot reach Discord within 15 s (")
    assert line.endswith("): check this machine's network and https://discordstatus.com")
    assert ("no answer" in line) == answers


async def test_a_token_discord_refuses(tmp_path: Path, discord_emulator: DiscordEmulator) -> None:
    discord_emulator.token = "a-token-reset-in-the-developer-portal"  # the bot's token is no longer the valid one
    code, line = await start(tmp_path, discord=discord_emulator.api_base.removesuffix("/api/v10"))
    assert (code, line) == (SETTINGS, "error: Discord rejected DISCORD_TOKEN: reset it in the developer portal")
