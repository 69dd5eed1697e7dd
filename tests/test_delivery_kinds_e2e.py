"""Every kind of post survives Discord refusing it at the moment of publishing: a 503 (retried later) and a 403
(kept until staff fix it; `/setup set` resumes it). Each ends with exactly one post and the stored state right."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.core import CoCreateBot
from emulator.state import Payload
from tests.conftest import BotStarter, Community
from tests.test_amas_e2e import ask, question_post
from tests.test_amas_e2e import schedule as schedule_ama
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter, entry_posts
from tests.test_challenges_e2e import schedule as schedule_challenge
from tests.test_ideas_e2e import post, vote

START = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
Recover = Callable[[], Awaitable[None]]


def recovery(c: Community, bot: CoCreateBot, clock: time_machine.Traveller, status: int) -> Recover:
    """Let Discord accept again: a transient failure is retried later; a permanent one after `/setup set`."""

    async def recover() -> None:
        clock.shift(timedelta(minutes=5))  # longer than the first retries' backoff
        await bot.catch_up()
        if status == 403:
            assert (
                "Settings saved."
                in await (await c.discord.slash(c.owner, "setup set", timezone="Europe/Amsterdam")).ephemeral_text()
            )
            await bot.catch_up()

    return recover


def with_content(c: Community, channel_id: int, start: str) -> list[Payload]:
    return [m for m in c.discord.messages_in(c.discord.channel(channel_id)) if m["content"].startswith(start)]


@pytest.mark.parametrize("status", [503, 403])
async def test_idea_status_post_and_follower_pings(configured: Community, start_bot: BotStarter, status: int) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            message = await post(c, c.alice, "Sturdier tins")
            await vote(c, c.bob, message, "up")
            thread = int(message["channel_id"])
            c.discord.inject_fault("POST", rf"/channels/{thread}/messages$", status)
            record = await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Coming soon")
            assert "Its post" in await record.ephemeral_text()
            await recovery(c, bot, clock, status)()
            assert len(with_content(c, thread, "**Status: Planned**")) == 1
            pings = with_content(c, thread, "Following this idea:")
            assert len(pings) == 1 and {m["id"] for m in pings[0]["mentions"]} == {str(c.alice.id), str(c.bob.id)}


@pytest.mark.parametrize("status", [503, 403])
async def test_ama_announcement_thread_event_question_answer_and_transcript(
    configured: Community, start_bot: BotStarter, status: int
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            recover = recovery(c, bot, clock, status)
            steps = [rf"/channels/{c.announcements.id}/messages$", r"/messages/\d+/threads$", r"/scheduled-events$"]
            for path in steps:  # Discord refuses once at each step of publishing
                c.discord.inject_fault("POST", path, status)
            await (await schedule_ama(c)).reply()
            for _ in steps:
                await recover()
            ama = await bot.services.amas.get(c.guild.id, 1)
            assert None not in (ama.message_id, ama.thread_id, ama.event_id)
            assert [m["embeds"][0]["title"] for m in c.discord.messages_in(c.announcements)] == [
                "AMA #1: Meet the founders"
            ]
            assert len(c.discord.scheduled_events) == 1
            await (await c.discord.slash(c.staff, "ama open", ama=1)).reply()
            await recover()
            thread = ama.thread_id
            assert thread is not None
            c.discord.inject_fault("POST", rf"/channels/{thread}/messages$", status)
            assert "saved" in await ask(c, c.alice, "When is the next tin?")
            await recover()
            c.discord.inject_fault("POST", rf"/channels/{thread}/messages$", status)
            answer = await c.discord.slash(c.staff, "ama answer", question=1, answer="In the spring.")
            assert (await answer.ephemeral_text()).startswith("Question #1 is answered.")
            await recover()
            assert len(with_content(c, thread, f"<@{c.alice.id}>, your question is answered:")) == 1
            assert "In the spring." in question_post(c, 1)["embeds"][0]["description"]
            c.discord.inject_fault("POST", rf"/channels/{c.announcements.id}/messages$", status)
            await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
            await recover()
            ended = with_content(c, c.announcements.id, "AMA #1 **Meet the founders** has ended.")
            assert len(ended) == 1 and ended[0]["attachments"][0]["filename"] == "ama-1-transcript.md"


@pytest.mark.parametrize("status", [503, 403])
async def test_challenge_phases_entries_and_winners(configured: Community, start_bot: BotStarter, status: int) -> None:
    c = configured
    channel = rf"/channels/{c.announcements.id}/messages$"
    with time_machine.travel(TUESDAY, tick=True) as clock:
        async with start_bot() as bot:
            recover = recovery(c, bot, clock, status)
            await schedule_challenge(c, channel=c.announcements)
            c.discord.inject_fault("POST", channel, status)
            clock.move_to(FRIDAY_18_CEST)
            await bot.catch_up()
            assert (await bot.services.challenges.run(c.guild.id, 1)).phase == "entries", "the run started anyway"
            await recover()
            assert len(with_content(c, c.announcements.id, "**Moustache parade** #1 is on!")) == 1
            await enter(c, c.alice, text="The walrus")
            await enter(c, c.bob, text="The handlebar")
            c.discord.inject_fault("POST", channel, status, times=2)  # the call to vote and the first entry
            clock.move_to(FRIDAY_18_CEST + timedelta(days=1))
            await bot.catch_up()
            assert (await bot.services.challenges.run(c.guild.id, 1)).phase == "voting", "voting opened anyway"
            for _ in range(2):
                await recover()
            assert len(with_content(c, c.announcements.id, "Voting is open for **Moustache parade** #1")) == 1
            entries = entry_posts(c)
            assert [m["embeds"][0]["title"] for m in entries] == ["Entry #1", "Entry #2"]
            await c.discord.click(c.bob, entries[0], "challenge:vote:1")
            c.discord.inject_fault("POST", channel, status)
            clock.move_to(FRIDAY_18_CEST + timedelta(days=2))
            await bot.catch_up()
            await recover()
            winners = with_content(c, c.announcements.id, "🏆 **Moustache parade** #1")
            assert len(winners) == 1 and winners[0]["mentions"][0]["id"] == str(c.alice.id)
            assert all(c.discord.message(int(m["id"]))["components"][0]["components"][0]["disabled"] for m in entries)


@pytest.mark.parametrize("status", [503, 403])
async def test_idea_post_and_poll_results(configured: Community, start_bot: BotStarter, status: int) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            recover = recovery(c, bot, clock, status)
            c.discord.inject_fault("POST", rf"/channels/{c.ideas.id}/threads$", status)
            opened = await c.discord.slash(c.alice, "idea submit")
            sent = await c.discord.submit_modal(c.alice, opened, {"title": "Tin with a mirror", "description": "d"})
            assert (await sent.ephemeral_text()).startswith("Your idea #1 is saved. Its post")
            await recover()
            posts = [t for t in c.discord.guilds[c.guild.id].channels.values() if t.parent_id == c.ideas.id]
            assert [t.name for t in posts] == ["Tin with a mirror"]
            await (
                await c.discord.slash(c.staff, "poll create", in_channel=c.general, question="Q?", options="A | B")
            ).reply()
            c.discord.inject_fault("POST", rf"/channels/{c.announcements.id}/messages$", status)
            assert "Its post" in await (await c.discord.slash(c.staff, "poll close", poll=1)).ephemeral_text()
            await recover()
            assert len(with_content(c, c.announcements.id, "Poll #1 has closed.")) == 1


@pytest.mark.parametrize("status", [503, 403])
async def test_co_creation_posts_roadmap_changelog_poll_results_and_review_messages(
    configured: Community, start_bot: BotStarter, status: int
) -> None:
    c = configured
    roadmap = await c.discord.add_channel(c.guild, "roadmap")
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            recover = recovery(c, bot, clock, status)
            await (await c.discord.slash(c.owner, "setup set", roadmap_channel=roadmap)).reply()
            mint, cedar = await post(c, c.alice, "Mint wax"), await post(c, c.bob, "Cedar smoke")
            threads = [int(mint["channel_id"]), int(cedar["channel_id"])]
            await (await c.discord.slash(c.staff, "poll ideas", ideas="1, 2", closes="1h")).reply()
            poll = c.discord.messages_in(c.general)[-1]
            await c.discord.click(c.bob, poll, "poll:vote:1:0")
            for thread in threads:  # each idea's thread refuses the poll's result once
                c.discord.inject_fault("POST", rf"/channels/{thread}/messages$", status)
            clock.shift(timedelta(hours=2))
            await bot.catch_up()
            for _ in threads:
                await recover()
            for thread in threads:
                assert len(with_content(c, thread, "📊 Community poll #1: this idea got")) == 1

            c.discord.inject_fault("POST", rf"/channels/{roadmap.id}/messages$", status, times=2)  # roadmap, changelog
            await (await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason="Done")).reply()
            for _ in range(2):
                await recover()
            assert len(with_content(c, roadmap.id, "🚀 **Shipped: [#1 Mint wax]")) == 1
            assert len([m for m in c.discord.messages_in(roadmap) if m["embeds"]]) == 1, "one roadmap"

            saved = await (await c.discord.slash(c.moderator, "idea settings", review=True)).ephemeral_text()
            assert "wait for review" in saved
            opened = await c.discord.slash(c.alice, "idea submit")
            submitted = await c.discord.submit_modal(c.alice, opened, {"title": "Glitter", "description": "Shiny"})
            assert "waits for the staff's review" in await submitted.ephemeral_text()
            queue = await (await c.discord.slash(c.staff, "idea queue")).reply()
            form = await c.discord.click(c.staff, queue, "idea:review:reject:3")
            c.discord.inject_fault("POST", r"/users/@me/channels$", status)  # opening the direct message fails
            await (await c.discord.submit_modal(c.staff, form, {"reason": "Off topic"})).reply()
            await bot.delivery.drain()  # the first attempt is refused
            assert c.discord.dms_to(c.alice) == []
            await recover()
            [told] = c.discord.dms_to(c.alice)
            assert told["content"].endswith("was not accepted by the staff: Off topic")
