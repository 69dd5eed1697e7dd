"""Faults: Discord rate-limiting or failing REST calls, and the bot killed mid vote storm."""

import asyncio
import functools
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator import InteractionRecord
from emulator.interactions import message_text
from emulator.server import HANG
from tests.conftest import BotStarter, Community, posted_now
from tests.test_ideas_e2e import field, post
from tests.test_polls_e2e import live_poll

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


async def test_status_change_survives_rate_limits(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Sturdier tins")
        c.discord.inject_fault("POST", rf"/channels/{message['channel_id']}/messages$", 429, times=2)
        c.discord.inject_fault("PATCH", rf"/messages/{message['id']}$", 429, times=2)
        record = await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Coming soon")
        assert "now planned" in await record.ephemeral_text()
        shown = await posted_now(bot, c, message)
        assert field(shown, "Status") == "Planned\nComing soon"
        thread_posts = c.discord.messages_in(c.discord.channel(int(message["channel_id"])))
        assert any("**Status: Planned**" in m["content"] for m in thread_posts)
        assert [status for _, _, status in c.discord.fault_log] == [429, 429, 429, 429]


async def test_poll_results_survive_a_server_error(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        await live_poll(c)
        c.discord.inject_fault(
            "POST", rf"/channels/{c.announcements.id}/messages$", 502
        )  # discord.py retries after 1 s
        assert await (await c.discord.slash(c.staff, "poll close", poll=1)).ephemeral_text() == "Poll #1 is closed."
        assert c.discord.messages_in(c.announcements)[-1]["content"].startswith("Poll #1 has closed.")
        assert c.discord.fault_log == [("POST", f"/api/v10/channels/{c.announcements.id}/messages", 502)]


async def test_every_acknowledged_vote_survives_sigkill(
    configured: Community, start_bot: BotStarter, db_path: Path
) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"fan{i}") for i in range(400)]
    async with start_bot():
        poll = await live_poll(c, options="Mint | Cedar")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator.bot_process", c.discord.api_base, c.discord.gateway_url, str(db_path), cwd=ROOT
    )
    try:
        for _ in range(200):  # wait until the new process answers commands
            if c.discord.connections:
                break
            await asyncio.sleep(0.05)
        assert "Open polls" in message_text(await (await c.discord.slash(c.alice, "poll list")).reply())
        records: list[InteractionRecord] = []
        enough = asyncio.Event()

        async def click(member: object, index: int) -> None:
            await asyncio.sleep(index / 200)  # 200 clicks a second, so that the kill lands mid-storm
            records.append(await c.discord.click(member, poll, f"poll:vote:1:{index % 2}"))  # type: ignore[arg-type]
            if len(records) >= 60:
                enough.set()

        storm = [asyncio.create_task(click(m, i)) for i, m in enumerate(voters)]
        await asyncio.wait_for(enough.wait(), 30)
        os.kill(bot.pid, signal.SIGKILL)
        await asyncio.gather(*storm, return_exceptions=True)
    finally:
        if bot.returncode is None:
            bot.kill()
        await bot.wait()
    acknowledged = {r.member.id: int(r.payload["data"]["custom_id"][-1]) for r in records}
    assert 60 <= len(acknowledged) < len(voters), "the bot died mid-storm"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    async with start_bot() as restarted:
        results = await restarted.services.polls.results(c.guild.id, 1)
        for member_id, option in acknowledged.items():
            assert member_id in results.voters[option], "a vote the member saw confirmed was lost"
        assert sum(results.counts) >= len(acknowledged)


async def kill_mid_request(
    c: Community, db_path: Path, path: str, act: Callable[[], Awaitable[object]], *, performed: bool
) -> None:
    """Run the bot in its own process, `act`, and SIGKILL the bot while Discord holds the POST to `path` (before
    Discord performed it, or after it performed it but before the bot could record that)."""
    c.discord.inject_fault("POST", path, HANG, after=performed)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator.bot_process", c.discord.api_base, c.discord.gateway_url, str(db_path), cwd=ROOT
    )
    acting = None
    try:
        for _ in range(200):
            if c.discord.connections:
                break
            await asyncio.sleep(0.05)
        acting = asyncio.create_task(act())
        for _ in range(200):  # until the post is on its way to Discord
            if c.discord.fault_log:
                break
            await asyncio.sleep(0.05)
        assert c.discord.fault_log, "the bot never sent the post"
        os.kill(bot.pid, signal.SIGKILL)
    finally:
        if bot.returncode is None:
            bot.kill()
        await bot.wait()
        c.discord.held.set()
        if acting is not None:
            acting.cancel()
            await asyncio.gather(acting, return_exceptions=True)


@pytest.mark.parametrize("performed", [False, True], ids=["killed-before-discord-posted", "killed-before-recording"])
async def test_sigkill_between_commit_and_discord_posts_exactly_once(
    configured: Community, start_bot: BotStarter, db_path: Path, performed: bool
) -> None:
    """The close is committed with its intent; the bot dies while Discord holds the results post."""
    c = configured
    async with start_bot():
        await live_poll(c)
    close = functools.partial(c.discord.slash, c.staff, "poll close", poll=1)
    await kill_mid_request(c, db_path, rf"/channels/{c.announcements.id}/messages$", close, performed=performed)
    async with start_bot() as restarted:
        assert not (await restarted.services.polls.get(c.guild.id, 1)).is_open, "the close was durable"
        await restarted.catch_up()
        results = [m for m in c.discord.messages_in(c.announcements) if m["content"].startswith("Poll #1 has closed.")]
        assert len(results) == 1
        assert await restarted.storage.deliveries.pending_count() == 0


async def test_sigkill_after_discord_made_a_forum_post_adopts_it(
    configured: Community, start_bot: BotStarter, db_path: Path
) -> None:
    """A forum post carries no nonce: after a restart the bot finds the post the killed attempt made."""
    c = configured

    async def submit_idea() -> object:
        opened = await c.discord.slash(c.alice, "idea submit")
        return await c.discord.submit_modal(c.alice, opened, {"title": "Tin with a mirror", "description": "d"})

    await kill_mid_request(c, db_path, rf"/channels/{c.ideas.id}/threads$", submit_idea, performed=True)
    async with start_bot() as restarted:
        await restarted.catch_up()
        posts = [t for t in c.discord.guilds[c.guild.id].channels.values() if t.parent_id == c.ideas.id]
        assert len(posts) == 1
        assert (await restarted.services.ideas.get(c.guild.id, 1)).thread_id == posts[0].id


async def test_sigkill_after_discord_made_the_ama_event_adopts_it(
    configured: Community, start_bot: BotStarter, db_path: Path
) -> None:
    c = configured
    schedule = functools.partial(
        c.discord.slash, c.staff, "ama schedule", title="Meet us", host=c.staff, starts="2h", ends="1h"
    )
    await kill_mid_request(c, db_path, r"/scheduled-events$", schedule, performed=True)
    async with start_bot() as restarted:
        await restarted.catch_up()
        assert len(c.discord.scheduled_events) == 1
        event_id = int(next(iter(c.discord.scheduled_events)))
        assert (await restarted.services.amas.get(c.guild.id, 1)).event_id == event_id
