"""`python -m bot`: clear one-line errors for bad settings, and a clean shutdown on SIGTERM."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import serve
from bot.factory import create_bot
from bot.settings import Settings
from emulator import DiscordEmulator
from emulator.harness import SANDBOX_TOKEN, point_discord_at, sandbox_settings

ROOT = Path(__file__).resolve().parents[1]


def run_bot(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "LOG_LEVEL", "DATABASE_URL", "BALLOT_SECRET"}
    }
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=cwd, env=clean | env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "error: invalid settings: DISCORD_TOKEN is not set (see .env.example)"),
        ({"DISCORD_TOKEN": "hunter2"}, "error: invalid settings: DISCORD_TOKEN does not look like a Discord bot token"),
        ({"DISCORD_TOKEN": SANDBOX_TOKEN, "LOG_LEVEL": "LOUD"}, "error: invalid settings: LOG_LEVEL"),
        (
            {"DISCORD_TOKEN": SANDBOX_TOKEN, "DATABASE_URL": "mysql://db/cocreate"},
            "error: invalid settings: DATABASE_URL must start with sqlite:/// (then a file) or postgresql://",
        ),
        (
            {"DISCORD_TOKEN": SANDBOX_TOKEN, "DATABASE_URL": "postgresql://bot:pw@db:5432/cocreate"},
            "error: invalid settings: a PostgreSQL DATABASE_URL needs BALLOT_SECRET, the same in every process",
        ),
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = run_bot(tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_settings_are_read_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=not-a-token\n")
    result = run_bot(tmp_path)
    assert result.returncode == 2 and "DISCORD_TOKEN does not look like" in result.stderr


async def test_sigterm_closes_gateway_scheduler_and_database(discord_emulator: DiscordEmulator, db_path: Path) -> None:
    point_discord_at(discord_emulator.api_base, discord_emulator.gateway_url)
    bot = await create_bot(sandbox_settings(db_path), guild_ready_timeout=0.01)
    serving = asyncio.create_task(serve(bot, SANDBOX_TOKEN))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    assert bot.scheduler.running
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(serving, 10)
    assert bot.is_closed() and not bot.scheduler.running
    with pytest.raises(ValueError, match=r"no active connection|Connection closed"):
        await bot.storage.meta.get("anything")


def test_the_example_settings_with_a_token_are_valid(tmp_path: Path) -> None:
    """A newcomer copies `.env.example` and sets only the token: every empty setting means its default."""
    example = (ROOT / ".env.example").read_text()
    (tmp_path / ".env").write_text(example.replace("DISCORD_TOKEN=\n", f"DISCORD_TOKEN={SANDBOX_TOKEN}\n"))
    settings = Settings(_env_file=tmp_path / ".env")  # type: ignore[call-arg]
    assert settings.dev_guild_id is None and settings.shard_ids is None and settings.ballot_secret is None
    assert settings.sqlite_path == Path("cocreate.db") and settings.log_level == "INFO"
