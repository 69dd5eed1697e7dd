"""The public roadmap and changelog: a post in the configured channel shows planned, in-progress and shipped
ideas with links, follows every decision (coalesced, one message, across a restart, posted again if deleted), and
a changelog post credits a shipped idea's authors and thanks its supporters."""

from datetime import UTC, datetime, timedelta

import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community
from tests.test_ideas_e2e import post, vote


def field(message: dict, name: str) -> str:  # type: ignore[type-arg]
    return next(f["value"] for f in message["embeds"][0]["fields"] if f["name"] == name)


async def decide(c: Community, idea: int, status: str) -> None:
    await (await c.discord.slash(c.staff, "idea status", idea=idea, status=status, reason="Decided")).reply()


async def test_the_roadmap_follows_decisions_and_shipping_is_celebrated(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    roadmap_channel = await c.discord.add_channel(c.guild, "roadmap")
    async with start_bot() as bot:
        await (await c.discord.slash(c.owner, "setup set", roadmap_channel=roadmap_channel)).reply()
        mint = await post(c, c.alice, "Mint wax")
        await post(c, c.bob, "Cedar smoke")
        await vote(c, c.bob, mint, "up")
        await vote(c, c.staff, mint, "up")
        await decide(c, 1, "planned")
        await decide(c, 2, "in progress")
        await bot.delivery.drain()
        [roadmap] = c.discord.messages_in(roadmap_channel)
        assert roadmap["embeds"][0]["title"] == "🗺️ Roadmap"
        assert (
            field(roadmap, "Planned")
            == f"[#1 Mint wax](https://discord.com/channels/{c.guild.id}/{mint['channel_id']})"
        )
        assert (
            field(roadmap, "In progress").startswith("[#2 Cedar smoke]") and field(roadmap, "Recently shipped") == "—"
        )

        await decide(c, 1, "shipped")
        await bot.delivery.drain()
        posts = c.discord.messages_in(roadmap_channel)
        assert len(posts) == 2, "the roadmap is edited, and the changelog posted beside it"
        assert field(c.discord.message(int(roadmap["id"])), "Recently shipped").startswith("[#1 Mint wax]")
        changelog = posts[-1]
        assert changelog["content"].startswith("🚀 **Shipped: [#1 Mint wax](")
        assert f"Proposed by <@{c.alice.id}>. Thank you to the 2 members who supported it!" in changelog["content"]
        assert [int(u["id"]) for u in changelog["mentions"]] == [c.alice.id], "the author is pinged, not supporters"

    async with start_bot() as bot:
        await decide(c, 2, "declined")
        await bot.delivery.drain()
        assert len(c.discord.messages_in(roadmap_channel)) == 2, "after a restart the same message is edited"
        assert field(c.discord.message(int(roadmap["id"])), "In progress") == "—"
        c.discord.delete_message(int(roadmap["id"]))  # a moderator deletes it
        await decide(c, 2, "planned")
        await bot.delivery.drain()
        reposted = c.discord.messages_in(roadmap_channel)[-1]
        assert reposted["id"] != roadmap["id"] and "#2 Cedar smoke" in message_text(reposted)
        shown = message_text(await (await c.discord.slash(c.moderator, "setup show")).reply())
        assert f"Roadmap channel\n<#{roadmap_channel.id}>" in shown


async def test_a_roadmap_discord_refuses_is_posted_once_after_a_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    roadmap_channel = await c.discord.add_channel(c.guild, "roadmap")
    c.discord.inject_fault("POST", rf"/channels/{roadmap_channel.id}/messages$", 503, times=99)
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=True) as clock:
        async with start_bot() as bot:
            await (await c.discord.slash(c.owner, "setup set", roadmap_channel=roadmap_channel)).reply()
            await post(c, c.alice, "Mint wax")
            await decide(c, 1, "planned")
            await bot.delivery.drain()
            assert c.discord.messages_in(roadmap_channel) == [], "Discord refused it: nothing posted yet"
        c.discord.faults.clear()
        async with start_bot() as bot:
            clock.shift(timedelta(minutes=1))  # the retry falls due
            await bot.catch_up()
            [roadmap] = c.discord.messages_in(roadmap_channel)
            assert field(roadmap, "Planned").startswith("[#1 Mint wax]")
            assert await bot.storage.ideas.roadmap_message(c.guild.id) == int(roadmap["id"])
