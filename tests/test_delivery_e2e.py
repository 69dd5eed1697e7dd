"""The delivery path end to end: Discord failing while the bot publishes, and decisions that race.

Each effect on Discord is written as an intent with the state change that causes it; these tests make Discord
fail at the moment of publishing (503, 403, a lost answer, the bot removed from the server) and check that the
member is told the truth, nothing is lost, and exactly one post appears once Discord accepts it again.
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.core import CoCreateBot
from bot.errors import COULD_NOT_SAVE
from emulator.state import Payload, Permissions
from tests.conftest import BotStarter, Community, fail_next_commit
from tests.test_amas_e2e import ask, open_ama, question_post
from tests.test_ideas_e2e import post, submit, vote
from tests.test_polls_e2e import create, live_poll, pick

START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
MESSAGES = r"/channels/{}/messages$"


def polls_in(c: Community) -> list[Payload]:
    return [m for m in c.discord.messages_in(c.general) if m["embeds"] and m["embeds"][0]["title"].startswith("Poll")]


def results_posts(c: Community) -> list[Payload]:
    return [m for m in c.discord.messages_in(c.announcements) if m["content"].startswith("Poll #1 has closed.")]


async def catch_up_until(bot: CoCreateBot, done: Callable[[], object]) -> None:
    """Deliver in short rounds until `done()`: the gateway event that unblocks delivery arrives in its own time."""
    for _ in range(20):
        await bot.catch_up()
        if done():
            return
        await asyncio.sleep(0.05)


async def until(done: Callable[[], bool]) -> None:
    """Wait (at most 5 s) until `done()`: a gateway event reaches the bot in its own time."""
    for _ in range(500):
        if done():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the bot did not see the gateway event within 5 s")


async def health(bot: CoCreateBot, caplog: pytest.LogCaptureFixture) -> dict[str, object]:
    """The fields of the health line the bot logs every five minutes."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.core"):
        await bot.log_health()
    [line] = [r for r in caplog.records if r.getMessage() == "health"]
    return {key: getattr(line, key) for key in ("shards", "shard_count", "guilds", "deliveries_queued", "jobs")}


async def test_503_while_publishing_a_poll_saves_it_and_posts_it_once_later(
    configured: Community, start_bot: BotStarter, caplog: pytest.LogCaptureFixture
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            c.discord.inject_fault("POST", MESSAGES.format(c.general.id), 503)
            reply = await (await create(c)).ephemeral_text()
            assert reply == (
                "Poll #1 is saved. Its post will follow: Discord is not accepting posts right now; "
                "it goes out as soon as it does."
            )
            assert polls_in(c) == []
            jobs = len(bot.scheduler.job_ids())
            assert await health(bot, caplog) == {
                "shards": [0], "shard_count": 1, "guilds": 2, "deliveries_queued": 1, "jobs": jobs
            }  # fmt: skip
            clock.shift(timedelta(minutes=1))
            await bot.catch_up()
            assert len(polls_in(c)) == 1, "the retry posts it, once"
            assert (await health(bot, caplog))["deliveries_queued"] == 0
            assert "Thanks" not in await pick(c, c.alice, polls_in(c)[0], 1), "the posted poll takes votes"
            assert (await bot.services.polls.get(c.guild.id, 1)).message_id == int(polls_in(c)[0]["id"])


async def test_an_outage_of_many_attempts_is_waited_out_and_the_poll_posted_once(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            c.discord.inject_fault("POST", MESSAGES.format(c.general.id), 503, times=8)
            await (await create(c)).reply()
            for _ in range(8):
                assert polls_in(c) == []
                clock.shift(timedelta(minutes=11))  # past the longest backoff
                await bot.catch_up()
            assert len(polls_in(c)) == 1, "posted after the ninth attempt, once"
            assert [status for _, _, status in c.discord.fault_log] == [503] * 8


async def test_503_while_publishing_an_idea_keeps_it_pending_then_posts_it(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            c.discord.inject_fault("POST", rf"/channels/{c.ideas.id}/threads$", 503)
            text = await (await submit(c, c.alice, "Cedar moustache wax")).ephemeral_text()
            assert text.startswith("Your idea #1 is saved. Its post will follow: Discord is not accepting posts")
            assert await bot.services.ideas.similar(c.guild.id, "Cedar moustache wax") == [], "not offered unseen"
            clock.shift(timedelta(minutes=1))
            await bot.catch_up()
            idea = await bot.services.ideas.get(c.guild.id, 1)
            assert idea.thread_id is not None and c.discord.channel(idea.thread_id).parent_id == c.ideas.id
            assert [i.id for i in await bot.services.ideas.similar(c.guild.id, "Cedar moustache wax")] == [1]


async def test_403_blocks_the_post_tells_staff_once_and_resumes_when_fixed(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            c.discord.inject_fault("POST", MESSAGES.format(c.general.id), 403, times=99)
            reply = await (await create(c)).ephemeral_text()
            assert reply == (
                f"Poll #1 is saved. Its post waits: I can't post in <#{c.general.id}>: Discord said: Missing "
                "Permissions. It goes out once that is fixed."
            )
            await bot.catch_up()
            notices = [m["content"] for m in c.discord.messages_in(c.announcements)]
            assert notices == [
                f"⚠️ I can't post in <#{c.general.id}>: Discord said: Missing Permissions. "
                "What I could not post is kept and goes out as soon as this is fixed."
            ]
            clock.shift(timedelta(hours=2))
            await bot.catch_up()
            assert len(c.discord.fault_log) == 1, "a permanent refusal is not hammered"
            assert len(c.discord.messages_in(c.announcements)) == 1, "staff are told once"
            c.discord.faults.clear()  # a moderator gives the bot its permission back
            await c.discord.update_channel(c.general)
            await bot.catch_up()
            await asyncio.sleep(0.1)
            await bot.catch_up()
            assert len(polls_in(c)) == 1
            c.discord.inject_fault("POST", MESSAGES.format(c.announcements.id), 403, times=99)
            reply = await (await c.discord.slash(c.moderator, "poll close", poll=1)).ephemeral_text()
            assert f"I can't post in <#{c.announcements.id}>" in reply, "the results' channel is named"


async def test_setup_resumes_what_was_blocked(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        c.discord.inject_fault("POST", MESSAGES.format(c.general.id), 404)
        assert "It goes out once that is fixed." in await (await create(c)).ephemeral_text()
        await bot.catch_up()
        assert polls_in(c) == []
        record = await c.discord.slash(c.owner, "setup set", **c.setup_options())
        assert "Settings saved." in await record.ephemeral_text()
        await bot.catch_up()
        assert len(polls_in(c)) == 1


async def test_a_lost_answer_from_discord_never_posts_twice(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await live_poll(c)
            await pick(c, c.alice, polls_in(c)[0], 0)
            # Discord posts the results, but its answer is lost: the worker cannot know it was posted.
            c.discord.inject_fault("POST", MESSAGES.format(c.announcements.id), 503, after=True)
            await (await c.discord.slash(c.staff, "poll close", poll=1)).reply()
            assert len(results_posts(c)) == 1
            clock.shift(timedelta(minutes=1))
            await bot.catch_up()
            assert len(results_posts(c)) == 1, "the retry carries the same nonce, so Discord drops it"
            assert c.discord.fault_log == [("POST", f"/api/v10/channels/{c.announcements.id}/messages", 503)]


async def test_a_lost_thread_answer_finds_the_thread_instead_of_failing(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await c.discord.slash(c.owner, "setup set", ideas_channel=c.general)
            c.discord.inject_fault("POST", r"/messages/\d+/threads$", 503, after=True)
            await (await submit(c, c.alice, "Tin with a mirror")).reply()
            clock.shift(timedelta(minutes=1))
            await bot.catch_up()
            idea = await bot.services.ideas.get(c.guild.id, 1)
            assert idea.thread_id == idea.message_id, "the thread made by the lost attempt is the idea's thread"
            assert len([m for m in c.discord.messages_in(c.general) if m["embeds"]]) == 1


async def test_votes_racing_the_close_match_the_announced_result(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"fan{i}") for i in range(40)]
    async with start_bot() as bot:
        poll = await live_poll(c, options="Mint | Cedar")
        clicks = [asyncio.create_task(pick(c, m, poll, i % 2)) for i, m in enumerate(voters)]
        await asyncio.sleep(0.02)
        close = asyncio.create_task(c.discord.slash(c.staff, "poll close", poll=1))
        answers = await asyncio.gather(*clicks)
        await (await close).reply()
        await bot.catch_up()
        stored = await bot.services.polls.results(c.guild.id, 1)
        confirmed = sum(1 for text in answers if text.startswith("Your ballot"))
        assert sum(stored.counts) == confirmed, "every confirmed vote is counted and no refused one"
        announced = results_posts(c)[0]["embeds"][0]["description"]
        for count in stored.counts:
            assert f"` {count} · " in announced, "the announcement shows the stored counts"


async def test_a_double_click_on_post_anyway_posts_once(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await (await submit(c, c.alice, "Blue moustache wax")).reply()
        warned = await (await submit(c, c.bob, "Blue Moustache Wax!", "Mine is bluer.")).reply()
        custom_id = warned["components"][0]["components"][0]["custom_id"]
        first, second = await asyncio.gather(
            c.discord.click(c.bob, warned, custom_id), c.discord.click(c.bob, warned, custom_id)
        )
        texts = sorted([await first.ephemeral_text(), await second.ephemeral_text()])
        assert texts[0] == "This draft was already posted, has expired, or is not yours."
        assert texts[1].startswith("Your idea #2 is posted")
        assert [i.id for i in await bot.storage.ideas.all(c.guild.id)] == [1, 2]


async def test_concurrent_submissions_cannot_pass_the_hourly_limit(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await (await c.discord.slash(c.moderator, "idea settings", hourly_limit=2)).reply()
        forms = [await c.discord.slash(c.alice, "idea submit") for _ in range(5)]  # all opened before any is sent
        sent = await asyncio.gather(
            *(
                c.discord.submit_modal(c.alice, form, {"title": f"Idea number {n}", "description": "d"})
                for n, form in enumerate(forms)
            )
        )
        texts = [await record.ephemeral_text() for record in sent]
        assert sum("is posted" in t for t in texts) == 2
        assert sum("You can submit 2 ideas an hour" in t for t in texts) == 3
        assert len(await bot.storage.ideas.all(c.guild.id)) == 2


async def test_a_guild_that_removed_the_bot_is_paused_and_resumes_on_return(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await live_poll(c)
        await c.discord.remove_bot(c.guild)
        await asyncio.sleep(0.1)
        await bot.get_cog("Polls").close_on_time(c.guild.id, 1)  # type: ignore[union-attr]  # due while it is out
        await bot.catch_up()
        assert results_posts(c) == [] and c.discord.fault_log == []
        assert (await bot.storage.guilds.departed()).keys() == {c.guild.id}
        await c.discord.readd_bot(c.guild)
        await catch_up_until(bot, lambda: results_posts(c))
        assert len(results_posts(c)) == 1
        assert await bot.storage.guilds.departed() == {}


async def test_a_long_rate_limit_keeps_the_results_across_a_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await live_poll(c)
            await pick(c, c.alice, polls_in(c)[0], 1)
            c.discord.inject_fault("POST", MESSAGES.format(c.announcements.id), 429, times=99, retry_after=120)
            reply = await (await c.discord.slash(c.staff, "poll close", poll=1)).ephemeral_text()
            assert reply.startswith("Poll #1 is closed. Its post will follow: Discord is not accepting posts right now")
            assert not (await bot.services.polls.get(c.guild.id, 1)).is_open, "the close itself is durable"
        c.discord.faults.clear()  # Discord recovers while the bot restarts
        async with start_bot() as bot:
            clock.shift(timedelta(minutes=2))
            await bot.catch_up()
            announcement = results_posts(c)
            assert [m["content"] for m in announcement] == ["Poll #1 has closed. Winner: **Cedar** with 1 vote (100%)."]
            assert announcement[0]["attachments"][0]["filename"] == "results.png"
            assert await bot.storage.deliveries.pending_count() == 0


async def test_a_vote_whose_commit_fails_is_refused_clearly_and_not_counted(
    configured: Community, start_bot: BotStarter, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c)
        await bot.delivery.close()  # so that the failing COMMIT is the vote's, not the worker's
        fail_next_commit(monkeypatch, bot.storage.db)
        assert await pick(c, c.alice, poll, 0) == COULD_NOT_SAVE
        assert (await bot.services.polls.results(c.guild.id, 1)).ballots == 0
        assert (await pick(c, c.alice, poll, 0)).startswith("Your ballot"), "trying again works"


async def test_forms_opened_before_a_restart_can_be_submitted_after_it(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        idea_form = await c.discord.slash(c.alice, "idea submit")
        await open_ama(c)
        ask_form = await c.discord.slash(c.bob, "ama ask", anonymous=True)
        assert (await ask(c, c.alice, "When is the next tin?")).startswith("Your question #1 is in")
        answer_form = await c.discord.click(c.staff, question_post(c, 1), "ama:answer:1")
    async with start_bot() as bot:  # the bot restarted while three members had a form open
        posted = await c.discord.submit_modal(c.alice, idea_form, {"title": "Tin with a mirror", "description": "d"})
        assert (await posted.ephemeral_text()).startswith("Your idea #1 is posted")
        asked = await c.discord.submit_modal(c.bob, ask_form, {"question": "Can we vote on scents?"})
        assert (await asked.ephemeral_text()).startswith("Your question #2 is in")
        assert (await bot.services.amas.question(c.guild.id, 2)).anonymous, "the form's choice travels with it"
        answered = await c.discord.submit_modal(c.staff, answer_form, {"answer": "In the spring."})
        assert await answered.ephemeral_text() == "Question #1 is answered."
        assert (await bot.services.amas.question(c.guild.id, 1)).answer == "In the spring."


async def test_two_members_with_the_same_form_open_each_submit_their_own(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        first = await c.discord.slash(c.alice, "idea submit")
        second = await c.discord.slash(c.bob, "idea submit")
        for member, form, title in ((c.alice, first, "Alice's tin"), (c.bob, second, "Bob's comb")):
            sent = await c.discord.submit_modal(member, form, {"title": title, "description": "d"})
            assert "is posted" in await sent.ephemeral_text()
        ideas = await bot.storage.ideas.all(c.guild.id)
        assert [(i.title, i.author_id) for i in ideas] == [("Alice's tin", c.alice.id), ("Bob's comb", c.bob.id)]


async def test_a_departed_guild_pauses_its_schedules_and_is_purged_after_retention(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await live_poll(c, closes="2h")
            await c.discord.remove_bot(c.guild)
            await until(lambda: c.guild.id in bot.scheduler.paused_guilds)  # its departure is stored
            clock.shift(timedelta(hours=3))
            await bot.catch_up()
            assert (await bot.services.polls.get(c.guild.id, 1)).is_open, "no job runs for a guild the bot left"
            await c.discord.readd_bot(c.guild)
            await catch_up_until(bot, lambda: results_posts(c))  # back: its jobs are rebuilt and run
            assert not (await bot.services.polls.get(c.guild.id, 1)).is_open, "back: the missed close runs"
            assert len(results_posts(c)) == 1
            await c.discord.remove_bot(c.guild)
            await until(lambda: c.guild.id in bot.scheduler.paused_guilds)
            clock.shift(timedelta(days=29))
            await bot.apply_retention()
            assert await bot.storage.polls.get(c.guild.id, 1) is not None, "kept within the retention period"
        clock.shift(timedelta(days=2))
        async with start_bot() as bot:  # the daily purge also runs at start-up
            await bot.catch_up()
            assert await bot.storage.polls.get(c.guild.id, 1) is None
            assert await bot.services.setup.get(c.guild.id) == type(await bot.services.setup.get(0))(
                guild_id=c.guild.id
            )
            assert await bot.storage.guilds.departed() == {}


async def test_a_moderator_removing_the_bots_permissions_is_named_and_fixing_it_resumes(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await c.discord.deny_bot(c.general, Permissions.SEND_MESSAGES | Permissions.EMBED_LINKS)
        await asyncio.sleep(0.05)  # the CHANNEL_UPDATE reaches the bot
        reply = await (await create(c)).ephemeral_text()
        assert reply == (
            f"Poll #1 is saved. Its post waits: I can't post in <#{c.general.id}>: missing Send Messages, Embed "
            "Links, Attach Files. It goes out once that is fixed."  # without Send Messages, Discord drops those too
        )
        await bot.catch_up()
        notice = c.discord.messages_in(c.announcements)[-1]["content"]
        assert notice.startswith(f"⚠️ I can't post in <#{c.general.id}>: missing Send Messages, Embed Links")
        await c.discord.restore_bot(c.general)  # the moderator gives them back: CHANNEL_UPDATE resumes delivery
        await catch_up_until(bot, lambda: polls_in(c))
        assert len(polls_in(c)) == 1


async def test_a_role_change_that_gives_the_bot_its_permission_back_resumes_delivery(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    everyone = c.guild.everyone
    async with start_bot() as bot:
        granted = everyone.permissions
        await c.discord.update_role(c.guild, everyone, granted & ~Permissions.SEND_MESSAGES)
        await asyncio.sleep(0.05)
        assert "missing Send Messages" in await (await create(c)).ephemeral_text()
        await c.discord.update_role(c.guild, everyone, granted)  # GUILD_ROLE_UPDATE resumes what was blocked
        await catch_up_until(bot, lambda: polls_in(c))
        assert len(polls_in(c)) == 1


async def test_a_thread_archived_for_inactivity_is_reopened_and_a_locked_one_reported(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        first, second = await post(c, c.alice, "Mint tins"), await post(c, c.alice, "Cedar tins")
        idle = c.discord.channel(int(first["channel_id"]))
        await c.discord.archive_thread(idle)
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Soon")).reply()
        assert not idle.archived and any("**Status: Planned**" in m["content"] for m in c.discord.messages_in(idle))
        locked = c.discord.channel(int(second["channel_id"]))
        await c.discord.archive_thread(locked, locked=True)
        record = await c.discord.slash(c.staff, "idea status", idea=2, status="planned", reason="Soon")
        assert "Thread is archived" in await record.ephemeral_text()
        await bot.catch_up()
        assert "Thread is archived" in c.discord.messages_in(c.announcements)[-1]["content"], "staff are told"


async def test_a_deleted_public_post_is_reported_not_retried_for_ever(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Mint tins")
        await c.discord.delete_message_as_moderator(int(message["id"]))
        await vote(c, c.bob, message | {"id": message["id"]}, "up")
        await bot.delivery.drain()
        notice = c.discord.messages_in(c.announcements)[-1]["content"]
        assert "the channel or message no longer exists" in notice
        assert (await bot.services.ideas.get(c.guild.id, 1)).upvotes == 1, "the vote itself is kept"
