"""Polls end to end: the real bot, the loopback emulator, a real SQLite file and the real APScheduler."""

import asyncio
import copy
import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from emulator import InteractionRecord, Member
from emulator.interactions import message_text
from emulator.state import Payload
from tests.conftest import BotStarter, Community, posted_now

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def create(c: Community, member: Member | None = None, **options: object) -> InteractionRecord:
    options = {"question": "Which scent next?", "options": "Mint | Cedar | Lavender"} | options
    return await c.discord.slash(member or c.staff, "poll create", in_channel=c.general, **options)


async def live_poll(c: Community, **options: object) -> Payload:
    """Create a poll and return its public message."""
    text = await (await create(c, **options)).ephemeral_text()
    assert text.startswith("Poll #") and text.endswith("is live."), text
    return c.discord.messages_in(c.general)[-1]


async def pick(c: Community, member: Member, poll: Payload, option: int) -> str:
    poll_id = poll["embeds"][0]["title"].removeprefix("Poll #")
    return await (await c.discord.click(member, poll, f"poll:vote:{poll_id}:{option}")).ephemeral_text()


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"options": "Mint only"}, 'A poll needs 2 to 10 options separated by "|"; you gave 1.'),
        ({"options": " | ".join(f"o{i}" for i in range(11))}, "you gave 11"),
        ({"options": "Mint | Cedar | mint"}, "options must differ; repeated: Mint, mint"),
        ({"closes": "2020-01-01 10:00"}, "The closing time is in the past."),
        ({"closes": "whenever"}, "The closing time: use a duration like 30m, 2h or 3d"),
        ({"closes": "200d"}, "The closing time can be at most 90 days away."),
        ({"max_choices": 4}, "max choices (4) cannot exceed the number of options"),
        ({"options": "Mint | " + "x" * 81}, "options.1: at most 80 characters"),
    ],
)
async def test_bad_polls_are_refused_and_nothing_is_stored(
    configured: Community, start_bot: BotStarter, options: dict[str, object], refusal: str
) -> None:
    c = configured
    async with start_bot() as bot:
        text = await (await create(c, **options)).ephemeral_text()
        assert refusal in text
        assert await bot.services.polls.open_polls(c.guild.id) == []
        assert c.discord.messages_in(c.general) == []


async def test_members_cannot_create_polls(configured: Community, start_bot: BotStarter) -> None:
    async with start_bot():
        text = await (await create(configured, configured.alice)).ephemeral_text()
        assert text == "Only brand staff or moderators can do this."


async def test_concurrent_votes_are_counted_exactly_and_edits_coalesced(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"voter{i}") for i in range(45)]
    async with start_bot() as bot:
        poll = await live_poll(c)
        await asyncio.gather(*(pick(c, m, poll, i % 3) for i, m in enumerate(voters)))
        results = await bot.services.polls.results(c.guild.id, 1)
        assert results.counts == (15, 15, 15) and results.ballots == 45
        text = message_text(await posted_now(bot, c, poll))
        assert text.count("`███░░░░░░░` 15 · 33%") == 3 and "45 ballots" in text
        edits = [call for call in c.discord.rest_log if call[0] == "PATCH" and call[1].endswith(poll["id"])]
        assert 1 <= len(edits) <= 4, f"45 votes must coalesce into a few edits, got {len(edits)}"


async def test_single_choice_vote_can_be_changed_and_taken_back(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c)
        assert await pick(c, c.alice, poll, 0) == "Your ballot in poll #1: Mint. Click an option again to take it back."
        assert "Your ballot in poll #1: Cedar." in await pick(c, c.alice, poll, 1)
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (0, 1, 0)
        assert await pick(c, c.alice, poll, 1) == "You have no choice selected in poll #1."
        assert (await bot.services.polls.results(c.guild.id, 1)).ballots == 0


async def test_multiple_choice_maximum_is_enforced(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c, max_choices=2)
        await pick(c, c.bob, poll, 0)
        assert "Mint, Cedar" in await pick(c, c.bob, poll, 1)
        refused = await pick(c, c.bob, poll, 2)
        assert refused == "You can pick at most 2 options. Click one of your choices to remove it first."
        await pick(c, c.bob, poll, 0)
        assert "Cedar, Lavender" in await pick(c, c.bob, poll, 2)
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (0, 1, 1)


async def test_voter_role_is_enforced(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c, voter_role=c.staff_role)
        refused = await pick(c, c.alice, poll, 0)
        assert refused == f"Only members with the <@&{c.staff_role.id}> role can vote in this poll."
        await pick(c, c.staff, poll, 0)
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (1, 0, 0)


async def test_poll_closes_when_the_clock_reaches_its_time(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            poll = await live_poll(c, closes="2h")
            stale = copy.deepcopy(poll)  # what a member's client shows before the close reaches it
            await pick(c, c.alice, poll, 1)
            await pick(c, c.bob, poll, 1)
            await pick(c, c.staff, poll, 0)
            clock.shift(timedelta(hours=1, minutes=59))
            await bot.catch_up()
            assert (await bot.services.polls.get(c.guild.id, 1)).is_open
            clock.shift(timedelta(minutes=2))
            await bot.catch_up()
            assert not (await bot.services.polls.get(c.guild.id, 1)).is_open
            final = await posted_now(bot, c, poll)
            assert all(b["disabled"] for row in final["components"] for b in row["components"])
            announcement = c.discord.messages_in(c.announcements)[-1]
            assert announcement["content"] == "Poll #1 has closed. Winner: **Cedar** with 2 votes (67%)."
            png = c.discord.files[int(announcement["attachments"][0]["id"])]
            assert announcement["attachments"][0]["filename"] == "results.png" and png.startswith(b"\x89PNG")
            late = await c.discord.click(c.moderator, stale, "poll:vote:1:0")
            assert await late.ephemeral_text() == "Poll #1 is closed."


async def test_poll_due_while_offline_closes_on_restart(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot():
            poll = await live_poll(c, closes="30m")
            await pick(c, c.alice, poll, 0)
            await pick(c, c.bob, poll, 1)
        clock.shift(timedelta(hours=5))
        async with start_bot() as bot:
            await bot.catch_up()
            assert not (await bot.services.polls.get(c.guild.id, 1)).is_open
            announcement = c.discord.messages_in(c.announcements)[-1]
            assert announcement["content"] == "Poll #1 has closed. Tie between **Mint** and **Cedar** with 1 vote each."


async def test_votes_survive_restart(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        poll = await live_poll(c)
        await pick(c, c.alice, poll, 2)
    async with start_bot() as bot:
        assert "Lavender" in await pick(c, c.bob, poll, 2)
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (0, 0, 2)


async def test_anonymous_poll_never_reveals_voters(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c, anonymous=True)
        await pick(c, c.alice, poll, 0)
        await pick(c, c.bob, poll, 0)
        results = await (await c.discord.slash(c.owner, "poll results", poll=1)).reply()
        assert str(c.alice.id) not in str(results) and "2 ballots" in message_text(results)
        exported = await (await c.discord.slash(c.staff, "poll export", poll=1)).reply()
        data = c.discord.files[int(exported["attachments"][0]["id"])].decode()
        assert list(csv.reader(io.StringIO(data))) == [
            ["option", "label", "votes"],
            ["1", "Mint", "2"],
            ["2", "Cedar", "0"],
            ["3", "Lavender", "0"],
        ]
        keys = [row[0] for row in await bot.storage.db.fetch_all("SELECT voter_key FROM poll_votes")]
        assert all(str(m.id) not in k for k in keys for m in (c.alice, c.bob))
        closed = await c.discord.slash(c.moderator, "poll close", poll=1)
        assert await closed.ephemeral_text() == "Poll #1 is closed."
        salt = await bot.storage.db.fetch_one("SELECT salt FROM polls WHERE id = 1")
        assert salt["salt"] is None, "closing erases the salt, so ballots can never be linked to members"


async def test_public_poll_shows_and_exports_voters(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        poll = await live_poll(c)
        await pick(c, c.alice, poll, 1)
        results = await (await c.discord.slash(c.bob, "poll results", poll=1)).reply()
        assert f"Cedar\n<@{c.alice.id}>" in message_text(results) and results["mentions"] == []
        exported = await (await c.discord.slash(c.moderator, "poll export", poll=1)).reply()
        data = c.discord.files[int(exported["attachments"][0]["id"])].decode()
        assert list(csv.reader(io.StringIO(data))) == [["option", "label", "voter_id"], ["2", "Cedar", str(c.alice.id)]]


async def test_only_creator_or_moderator_may_close_early(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await live_poll(c)
        listed = message_text(await (await c.discord.slash(c.alice, "poll list")).reply())
        assert "**#1** Which scent next?" in listed
        refused = await c.discord.slash(c.alice, "poll close", poll=1)
        assert await refused.ephemeral_text() == "Only the poll's creator or a moderator can close it."
        assert (await bot.services.polls.get(c.guild.id, 1)).is_open
        assert await (await c.discord.slash(c.staff, "poll close", poll=1)).ephemeral_text() == "Poll #1 is closed."
        again = await c.discord.slash(c.moderator, "poll close", poll=1)
        assert await again.ephemeral_text() == "Poll #1 is already closed."
        assert "No votes were cast." in c.discord.messages_in(c.announcements)[-1]["content"]
        assert "No open polls." in message_text(await (await c.discord.slash(c.alice, "poll list")).reply())


async def test_results_of_a_big_public_poll_fit_in_discord_limits(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"fan{i}") for i in range(300)]
    options = " | ".join(f"Option {i}" for i in range(10))
    async with start_bot():
        poll = await live_poll(c, options=options)
        await asyncio.gather(*(pick(c, m, poll, i % 10) for i, m in enumerate(voters)))
        results = await (await c.discord.slash(c.bob, "poll results", poll=1)).reply()
        fields = results["embeds"][0]["fields"]
        assert len(fields) == 11 and all(f["value"].endswith("more") for f in fields[1:])
    # leaving the block asserts that Discord would have accepted every message the bot sent


async def test_a_closing_time_typed_in_dutch(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await live_poll(c, closes="morgen 18:00")
        closes = (await bot.services.polls.get(c.guild.id, 1)).closes_at
        assert closes is not None
        local = closes.astimezone(ZoneInfo("Europe/Amsterdam"))
        tomorrow = datetime.now(ZoneInfo("Europe/Amsterdam")).date() + timedelta(days=1)
        assert (local.date(), local.hour, local.minute) == (tomorrow, 18, 0)
