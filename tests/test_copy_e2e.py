"""`python -m bot copy`: a community on SQLite moves to PostgreSQL and carries on where it was."""

import asyncio
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

from bot.__main__ import copy
from emulator.harness import running_bot
from tests.conftest import BotStarter, Community
from tests.test_ideas_e2e import post, vote
from tests.test_polls_e2e import live_poll, pick

ROOT = Path(__file__).resolve().parents[1]


async def copy_command(source: Path, target: str) -> tuple[int, str, str]:
    """`python -m bot copy SOURCE TARGET` as an operator runs it: exit code, output, errors."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "copy", str(source), target, cwd=ROOT, stdout=PIPE, stderr=PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_community_moves_to_postgresql_and_carries_on(
    configured: Community, start_bot: BotStarter, db_path: Path, postgres_url: str
) -> None:
    c = configured
    async with start_bot():
        first = await post(c, c.alice, "Cedar scent")
        second = await post(c, c.bob, "Lavender tin")
        await vote(c, c.bob, first, "up")
        await post(c, c.bob, "Pine needles")
        merged = await c.discord.slash(c.staff, "idea merge", duplicate=1, into=3)  # merged into a later idea
        assert "merged" in (await merged.ephemeral_text()).lower()
        poll = await live_poll(c, anonymous=True)
        assert "Your ballot in poll #1: Mint." in await pick(c, c.alice, poll, 0)

    target = postgres_url
    code, out, _ = await copy_command(db_path, target)
    key = db_path.with_name(db_path.name + ".ballot-key")
    assert code == 0
    assert (
        out.splitlines()[1]
        == f"set BALLOT_SECRET to the contents of {key} in every process, so anonymous ballots stay linked"
    )

    secret = db_path.with_name(db_path.name + ".ballot-key").read_text().strip()
    async with running_bot(c.discord, target, ballot_secret=secret) as bot:
        assert (await bot.services.ideas.get(c.guild.id, 1)).duplicate_of == 3
        assert (await bot.services.ideas.get(c.guild.id, 3)).upvotes == 1, "Bob's vote moved with the merge"
        # The same ballot secret: Alice's anonymous ballot is still hers to take back.
        assert await pick(c, c.alice, poll, 0) == "You have no choice selected in poll #1."
        fourth = await post(c, c.alice, "Oak comb")  # the id counters moved past the copied ids
        assert fourth["embeds"][0]["title"].startswith("#4 ")
        await vote(c, c.alice, second, "up")
        assert (await bot.services.ideas.get(c.guild.id, 2)).upvotes == 1

    # A second copy into the same, no longer empty, database is refused and changes nothing.
    code, _, err = await copy_command(db_path, target)
    assert code == 2
    assert err.strip() == (
        "error: nothing was copied: the PostgreSQL database already holds data (table meta); use an empty one"
    )


def test_a_missing_sqlite_file_is_refused_in_one_line(tmp_path: Path) -> None:
    assert copy(tmp_path / "absent.db", "postgresql://localhost/unused") == 2
    assert not (tmp_path / "absent.db").exists(), "nothing is created"
