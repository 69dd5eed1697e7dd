"""What the README promises about members' data holds when tried: exports safe to open in a spreadsheet,
leaderboards that count only what is true, drafts that expire, erasure that reaches everything."""

import csv
import hashlib
import hmac
import io
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.core import CoCreateBot
from emulator.interactions import message_text
from storage.privacy import EXPORT_QUERIES
from tests.conftest import BotStarter, Community, posted_now
from tests.test_amas_e2e import ask, open_ama, question_post
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter
from tests.test_challenges_e2e import schedule as schedule_challenge
from tests.test_ideas_e2e import field, post, submit, vote
from tests.test_polls_e2e import live_poll, pick
from tests.test_privacy_e2e import export

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
        assert board[1] == f"1. <@{c.alice.id}> · 0 shipped · 1 upvote received"


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


async def test_erasure_removes_the_name_everywhere_and_keeps_history_whole(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    photo = c.discord.upload("tache.png", b"\x89PNG fake")
    with time_machine.travel(TUESDAY, tick=True) as clock:
        async with start_bot() as bot:
            idea = await post(c, c.alice, "Wax in a stick")
            await (await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason="Out")).reply()
            await (await c.discord.slash(c.staff, "idea credit", idea=1, member=c.bob)).reply()
            await open_ama(c, host2=c.alice)
            assert "is in" in await ask(c, c.alice, "Who makes the wax?")
            assert "is in" in await ask(c, c.bob, "When is the next tin?")
            await c.discord.click(c.alice, question_post(c, 2), "ama:upvote:2")
            answered = await c.discord.slash(c.alice, "ama answer", question=2, answer="In the spring.")
            assert (await answered.ephemeral_text()).startswith("Question #2 is answered.")
            await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
            await schedule_challenge(c)
            clock.move_to(FRIDAY_18_CEST)
            await bot.catch_up()
            await enter(c, c.bob, text="The handlebar")
            await enter(c, c.alice, text="The walrus", attachment=photo)  # entry #2 of run #1
            clock.move_to(FRIDAY_18_CEST + timedelta(days=1))
            await bot.catch_up()
            entry = next(
                m for m in c.discord.messages_in(c.announcements) if m["embeds"][:1] and "walrus" in message_text(m)
            )
            await c.discord.click(c.bob, entry, "challenge:vote:2")
            clock.move_to(FRIDAY_18_CEST + timedelta(days=2))
            await bot.catch_up()

            asked = await (await c.discord.slash(c.alice, "privacy delete")).reply()
            await c.discord.click(c.alice, asked, asked["components"][0]["components"][0]["custom_id"])
            await bot.delivery.drain()

            shown = c.discord.message(int(idea["id"]))
            assert field(shown, "Author") == "a former member"
            assert field(shown, "Credited") == f"a former member <@{c.bob.id}>"
            assert question_post(c, 1)["embeds"][0]["footer"]["text"].startswith("Asked by a former member")
            assert "**Answer from a former member:**" in question_post(c, 2)["embeds"][0]["description"]
            transcript = await (await c.discord.slash(c.bob, "ama transcript", ama=1)).reply()
            text = attachment_text(c, transcript)
            assert "alice" not in text and "Asked by a former member" in text
            shown_entry = c.discord.message(int(entry["id"]))
            assert message_text(shown_entry).startswith("🏆 Winner: Entry #2\nby a former member")
            assert "walrus" not in message_text(shown_entry) and shown_entry["attachments"] == []
            fame_post = await (await c.discord.slash(c.bob, "challenge halloffame")).reply()
            assert "Moustache parade #1 (Moustaches): a former member · 1 vote" in message_text(fame_post)
            assert fame_post["attachments"] == [] and len(fame_post["embeds"]) == 1, "no erased photo"
            board = message_text(await (await c.discord.slash(c.bob, "challenge leaderboard")).reply()).splitlines()
            assert "a former member · 4 points · 1 entry · 1 win · streak 1" in board[1], "entry and win together"
            leaders = message_text(await (await c.discord.slash(c.bob, "idea leaderboard")).reply())
            assert "a former member · 1 shipped" in leaders
            for message in c.discord.messages.values():
                rendered = json.dumps([message["content"], message["embeds"]])
                assert "<@0>" not in rendered and "<@-" not in rendered, rendered
            after = await export(c, c.alice)
            assert all(after[k] == [] for k in after if k not in {"guild_id", "member_id", "exported_at"}), after
            hosts = (await bot.services.amas.get(c.guild.id, 1)).hosts
            assert [(h.id, h.name) for h in hosts] == [(c.staff.id, c.staff.user.username), (0, "a former member")]
            db = bot.storage.db
            assert (await bot.services.amas.question(c.guild.id, 2)).upvotes == 1, "her upvote still counts"
            assert await db.fetch_all("SELECT 1 FROM ama_upvotes WHERE member_id = ?", (c.alice.id,)) == []
            kept = await db.fetch_one(
                "SELECT text, attachment_name, attachment_data FROM challenge_entries WHERE id = 2"
            )
            assert tuple(kept) == (None, None, None), "the entry's photo and words are gone from the database too"


@pytest.mark.sqlite_only
async def test_the_export_covers_every_table_that_holds_member_data(bot: CoCreateBot) -> None:
    """A new table with a member column fails this test until `/privacy export` (and erase) cover it."""
    member_columns = {
        "member_id",
        "author_id",
        "asker_id",
        "creator_id",
        "created_by",
        "voter_key",
        "hosts",
        "actor_id",
    }
    tables = await bot.storage.db.fetch_all(
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'"
    )
    holding = {table for table, column in tables if column in member_columns}
    exported = {re.search(r"FROM (\w+)", sql)[1] for sql in EXPORT_QUERIES.values()} | {"poll_votes"}  # type: ignore[index]
    assert holding - exported == set()


def raw_bytes(db_path: Path) -> bytes:
    """What an attacker who copied the database gets: the file and its write-ahead log, byte for byte."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_anonymous_ballots_cannot_be_linked_from_the_database_file(
    configured: Community, start_bot: BotStarter, db_path: Path
) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c, anonymous=True, question="Secret ballot?")
        for member, option in ((c.alice, 0), (c.bob, 2)):
            await pick(c, member, poll, option)
        with sqlite3.connect(db_path) as attacker:  # while the poll is open
            (salt,) = attacker.execute("SELECT salt FROM polls WHERE id = 1").fetchone()
            keys = {row[0] for row in attacker.execute("SELECT voter_key FROM poll_votes")}
        members = [m.id for m in c.discord.guilds[c.guild.id].members.values()]
        guesses = {
            guess
            for m in members
            for guess in (
                str(m),
                hashlib.sha256(f"{salt}:{m}".encode()).hexdigest(),
                hmac.new(salt.encode(), str(m).encode(), hashlib.sha256).hexdigest(),
            )
        }
        assert len(keys) == 2 and not keys & guesses, "the salt in the file is not enough to link a ballot"
        secret = (db_path.with_name(db_path.name + ".ballot-key")).read_bytes().strip()
        assert secret not in raw_bytes(db_path), "the ballot secret is never in the database"
        await (await c.discord.slash(c.staff, "poll close", poll=1)).reply()
        await bot.delivery.drain()
        assert salt.encode() not in raw_bytes(db_path), "after close no page, in the file or its WAL, keeps the salt"
        counts = (await bot.services.polls.results(c.guild.id, 1)).counts
        assert counts == (1, 0, 1), "the counts stay"


async def test_anonymous_live_results_change_only_in_batches(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"fan{i}") for i in range(5)]
    async with start_bot() as bot:
        poll = await live_poll(c, anonymous=True, question="Secret ballot?")
        for voter in voters[:4]:
            await pick(c, voter, poll, 0)
            shown = await posted_now(bot, c, poll)
            assert "0 ballots" in field(shown, "Voting"), "fewer than 5 changes: the counts do not move"
        await pick(c, voters[4], poll, 1)
        shown = await posted_now(bot, c, poll)
        assert "5 ballots" in field(shown, "Voting")
        await pick(c, voters[0], poll, 1)  # one change after a batch does not show on its own either
        assert "5 ballots" in field(await posted_now(bot, c, poll), "Voting")
