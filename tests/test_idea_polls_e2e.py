"""From ideas to a decision: staff put 2 to 10 open ideas to a poll, which links them; when it closes, each
idea's thread and post record its result, also when the poll closes on time after a restart."""

from datetime import UTC, datetime, timedelta

import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community
from tests.test_ideas_e2e import post

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def poll_of(c: Community, ideas: str, **options: object) -> str:
    record = await c.discord.slash(c.staff, "poll ideas", ideas=ideas, **options)
    return await record.ephemeral_text()


async def test_ideas_go_to_a_poll_and_each_records_its_result(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot():
            mint = await post(c, c.alice, "Mint wax")
            cedar = await post(c, c.bob, "Cedar smoke")
            assert await poll_of(c, "1") == "Name 2 to 10 different ideas by number, e.g. 3, 5, 8; you named 1."
            assert await poll_of(c, "1, 99") == "There is no idea #99 in this server."
            refused = await (await c.discord.slash(c.alice, "poll ideas", ideas="1, 2")).ephemeral_text()
            assert refused == "Only brand staff can do this."
            assert await poll_of(c, "#1 #2 #1", closes="2h") == "Poll #1 is live."
            poll = c.discord.messages_in(c.general)[-1]
            assert message_text(poll).startswith("Poll #1\nWhich idea should we build first?")
            labels = [b["label"] for b in poll["components"][0]["components"]]
            assert labels == ["#1 Mint wax", "#2 Cedar smoke"]
            links = next(f["value"] for f in poll["embeds"][0]["fields"] if f["name"] == "The ideas")
            assert f"[#1](https://discord.com/channels/{c.guild.id}/{mint['channel_id']})" in links
            for member, option in ((c.alice, 1), (c.bob, 1), (c.moderator, 0)):
                await c.discord.click(member, poll, f"poll:vote:1:{option}")
        async with start_bot() as bot:  # it closes on time after a restart, and records its result
            clock.shift(timedelta(hours=3))
            await bot.catch_up()

            def said_in(message: dict) -> str:  # type: ignore[type-arg]
                return c.discord.messages_in(c.discord.channel(int(message["channel_id"])))[-1]["content"]

            assert said_in(cedar).startswith("📊 Community poll #1: this idea got 67% of the votes (1 of 2).")
            assert said_in(mint).startswith("📊 Community poll #1: this idea got 33% of the votes (2 of 2).")
            await bot.delivery.drain()
            shown = c.discord.message(int(cedar["id"]))
            decided = next(f["value"] for f in shown["embeds"][0]["fields"] if f["name"] == "Community poll")
            assert decided == "Poll #1: 67% of the votes (1 of 2)", "its post shows the decision too"
            await (await c.discord.slash(c.staff, "idea status", idea=2, status="shipped", reason="Done")).reply()
            assert await poll_of(c, "1, 2") == "Idea #2 is shipped; only open ideas can go to a poll."
