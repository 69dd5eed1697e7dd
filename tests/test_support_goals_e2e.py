"""Support thresholds, as LEGO Ideas has them: with a goal set, a new idea shows its progress and time left; the
vote that reaches the goal moves it to staff review and pings the staff in its thread; an idea that misses its
deadline expires, says so and is archived, also when the bot was offline at the deadline and Discord fails."""

from datetime import UTC, datetime, timedelta

import time_machine

from emulator.interactions import Payload, message_text
from tests.conftest import BotStarter, Community, posted_now
from tests.test_ideas_e2e import field, post, vote

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def thread_posts(c: Community, thread_id: int, words: str) -> list[Payload]:
    return [m for m in c.discord.messages_in(c.discord.channel(thread_id)) if words in m["content"]]


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


async def goal(c: Community, **settings: int) -> str:
    return await (await c.discord.slash(c.moderator, "idea settings", **settings)).ephemeral_text()


async def test_the_vote_that_reaches_the_goal_sends_the_idea_to_review(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True):
        async with start_bot() as bot:
            before = await post(c, c.alice, "Cedar smoke")  # posted while the server set no goal: it keeps none
            assert "new ideas need 2 supporters within 30 days" in await goal(c, support_goal=2, support_days=30)
            refused = await goal(c, support_goal=1)  # bad input: a goal of one supporter is no goal
            assert refused == "support goal: at least 2"
            mint = await post(c, c.alice, "Mint wax")
            deadline = unix(START + timedelta(days=30))
            progress = field(mint, "Support goal")
            assert "0 of 2 supporters" in progress and f"Ends <t:{deadline}:R>" in progress
            assert all(f["name"] != "Support goal" for f in before["embeds"][0]["fields"])
            await vote(c, c.bob, mint, "up")
        async with start_bot() as bot:  # the goal and the vote survive a restart
            reaching = await vote(c, c.staff, mint, "up")
            assert "brought it to its goal: it is now under review" in await reaching.ephemeral_text()
            await bot.delivery.drain()
            idea = await bot.services.ideas.get(c.guild.id, 2)
            assert idea.status == "under review" and idea.upvotes == 2
            shown = await posted_now(bot, c, mint)
            assert field(shown, "Status") == "Under review" and field(shown, "Support goal").endswith(
                "2 of 2 supporters ✓"
            )
            [notice] = [
                m
                for m in c.discord.messages_in(c.discord.channel(int(mint["channel_id"])))
                if "reached its goal" in m["content"]
            ]
            assert notice["content"].endswith(f"under review by the staff. <@&{c.staff_role.id}>")
            assert [int(r) for r in notice["mention_roles"]] == [c.staff_role.id], "the staff are pinged"
            assert "brought it" not in await (await vote(c, c.moderator, mint, "up")).ephemeral_text(), "only once"
            assert (await bot.services.ideas.get(c.guild.id, 2)).status == "under review"


async def test_an_idea_that_misses_its_deadline_expires_after_an_outage_and_a_discord_failure(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            await goal(c, support_goal=3, support_days=10)
            mint = await post(c, c.alice, "Mint wax")
            await vote(c, c.bob, mint, "up")
            clock.shift(timedelta(days=10, minutes=1))  # the deadline passes before the sweep comes round
            late = await vote(c, c.staff, mint, "up")
            deadline = unix(START + timedelta(days=10))
            assert await late.ephemeral_text() == (
                f"Idea #1 had until <t:{deadline}:f> to gather supporters; voting is closed."
            )
        thread = int(mint["channel_id"])
        c.discord.inject_fault("POST", rf"/channels/{thread}/messages$", 503, times=99)
        clock.shift(timedelta(days=2))  # the bot was offline at the deadline
        async with start_bot() as bot:
            await bot.catch_up()
            idea = await bot.services.ideas.get(c.guild.id, 1)
            assert idea.status == "expired" and idea.upvotes == 1, "decided at start-up, whatever Discord does"
            c.discord.faults.clear()
            clock.shift(timedelta(minutes=1))  # the notice's retry falls due
            await bot.catch_up()
            [notice] = thread_posts(c, thread, "did not reach")
            assert notice["content"].startswith("This idea did not reach 3 supporters in time, so it has expired")
            assert c.discord.channel(thread).archived
            shown = await posted_now(bot, c, mint)
            assert field(shown, "Status") == "Expired"
            assert field(shown, "Support goal") == (
                f"`███░░░░░░░` 1 of 3 supporters\nMissed its goal on <t:{deadline}:D>"
            )
            assert all(button["disabled"] for row in shown["components"] for button in row["components"])
            listed = message_text(await (await c.discord.slash(c.bob, "idea list", status="expired")).reply())
            assert "#1 Mint wax" in listed
            await bot.catch_up()
            assert len(thread_posts(c, thread, "did not reach")) == 1
