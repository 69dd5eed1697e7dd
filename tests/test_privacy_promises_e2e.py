"""What the README promises about members' data holds when tried: exports safe to open in a spreadsheet,
leaderboards that count only what is true, drafts that expire, erasure that reaches everything."""

import csv
import io
from datetime import UTC, datetime, timedelta

import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community, posted_now
from tests.test_ideas_e2e import field, post, submit, vote
from tests.test_polls_e2e import live_poll, pick

START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def attachment_text(c: Community, message: dict) -> str:  # type: ignore[type-arg]
    return c.discord.files[int(message["attachments"][0]["id"])].decode()


async def test_exports_neutralise_spreadsheet_formulas(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        await post(c, c.alice, '=HYPERLINK("http://evil","Click")')
        exported = await (await c.discord.slash(c.staff, "idea export")).reply()
        row = next(csv.DictReader(io.StringIO(attachment_text(c, exported))))
        assert row["title"] == '\'=HYPERLINK("http://evil","Click")'
        poll = await live_poll(c, options="+1+1 | -2+3 | @SUM(A1) | Plain")
        await pick(c, c.alice, poll, 0)
        exported = await (await c.discord.slash(c.staff, "poll export", poll=1)).reply()
        labels = [r["label"] for r in csv.DictReader(io.StringIO(attachment_text(c, exported)))]
        assert labels == ["'+1+1"]
        assert all(not cell.startswith(tuple("=+-@\t\r")) for cell in labels)


async def test_an_idea_moved_back_from_shipped_loses_its_credit(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Wax in a stick")
        await vote(c, c.bob, message, "up")
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason="In stores")).reply()
        await (await c.discord.slash(c.staff, "idea credit", idea=1, member=c.bob)).reply()
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="in progress", reason="Recalled")).reply()
        shown = await posted_now(bot, c, message)
        assert "Credited" not in [f["name"] for f in shown["embeds"][0]["fields"]]
        assert field(shown, "Status").startswith("In progress")
        board = message_text(await (await c.discord.slash(c.alice, "idea leaderboard")).reply()).splitlines()
        assert board[1] == f"1. <@{c.alice.id}> · 0 shipped · 1 upvotes received"


async def test_drafts_expire_after_the_retention_period(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await post(c, c.alice, "Blue moustache wax")
            warned = await (await submit(c, c.bob, "Blue Moustache Wax!", "Mine is bluer.")).reply()
            assert "your text is saved" in warned["content"]
            clock.shift(timedelta(days=6))
            await bot.apply_retention()
            assert await bot.storage.ideas.draft(c.guild.id, c.bob.id, 1) is not None, "kept within 7 days"
        clock.shift(timedelta(days=2))
        async with start_bot() as bot:  # the daily clean-up also runs at start-up
            await bot.catch_up()
            assert await bot.storage.ideas.draft(c.guild.id, c.bob.id, 1) is None
            edit = warned["components"][0]["components"][1]["custom_id"]
            stale = await c.discord.click(c.bob, warned, edit)
            assert await stale.ephemeral_text() == "This draft was already posted, has expired, or is not yours."
