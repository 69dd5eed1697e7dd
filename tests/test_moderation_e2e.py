"""Removing abusive ideas, questions and entries: staff or moderators give a reason, the author is told, nothing of
it is shown again, it counts for nothing, the removal is audited, and it completes across a Discord failure and a
restart."""

from datetime import timedelta

import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community, posted_now, with_button
from tests.test_amas_e2e import ask, open_ama, question_post
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter, entry_posts, move, said
from tests.test_challenges_e2e import schedule as schedule_challenge
from tests.test_ideas_e2e import post, vote


async def remove(c: Community, idea: int, reason: str = "Spam, see the rules") -> str:
    record = await c.discord.slash(c.staff, "idea remove", idea=idea, reason=reason)
    return await record.ephemeral_text()


async def test_a_removed_idea_is_hidden_its_author_told_and_the_removal_audited(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Buy cheap pills")
        await vote(c, c.bob, message, "up")
        refused = await (await c.discord.slash(c.bob, "idea remove", idea=1, reason="Spam")).ephemeral_text()
        assert refused == "Only brand staff or moderators can do this."
        assert await remove(c, 9) == "There is no idea #9 in this server."
        assert await remove(c, 1, "   ") == "reason: cannot be empty"
        assert (await bot.services.ideas.get(c.guild.id, 1)).status == "new", "nothing changed on bad input"

        assert await remove(c, 1) == "Idea #1 is removed; its author is told why."
        shown = await posted_now(bot, c, message)
        assert shown["embeds"][0]["title"] == "#1"
        assert shown["embeds"][0]["description"] == "Removed by the moderators: Spam, see the rules"
        assert "pills" not in message_text(shown) and shown["components"][0]["components"][0]["disabled"]
        thread = c.discord.channel(int(message["channel_id"]))
        assert (thread.name, thread.archived) == ("Removed idea #1", True), "its title no longer shows"
        told = c.discord.messages_in(thread)[-1]
        assert told["content"] == f"<@{c.alice.id}>, your idea was removed by the moderators: Spam, see the rules"
        assert [int(u["id"]) for u in told["mentions"]] == [c.alice.id], "the author is pinged, nobody else"

        listed = message_text(await (await c.discord.slash(c.bob, "idea list")).reply())
        found = message_text(await (await c.discord.slash(c.bob, "idea search", words="pills")).reply())
        leaders = message_text(await (await c.discord.slash(c.bob, "idea leaderboard")).reply())
        assert "pills" not in listed and "No ideas match." in found and f"<@{c.alice.id}>" not in leaders
        forged = await c.discord.click(c.bob, with_button(shown, "idea:vote:1:down"), "idea:vote:1:down")
        assert await forged.ephemeral_text() == "Idea #1 is removed; voting is closed."
        assert await remove(c, 1) == "Idea #1 is already removed."
        [line] = [a for a in await bot.storage.audit.all(c.guild.id) if a.action == "idea.remove"]
        assert (line.actor_id, line.subject, line.detail) == (c.staff.id, "idea #1", "Spam, see the rules")


async def test_a_removal_that_discord_refuses_completes_after_a_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel("2026-11-24 10:00Z", tick=True) as clock:
        async with start_bot() as bot:
            message = await post(c, c.alice, "Rude title")
            thread = c.discord.channel(int(message["channel_id"]))
            c.discord.inject_fault("PATCH", f"/api/v10/channels/{thread.id}$", 503, times=99)
            reply = await remove(c, 1)
            assert reply.startswith("Idea #1 is removed; its author is told why. Its post will follow")
            assert (await bot.services.ideas.get(c.guild.id, 1)).status == "removed", "the removal itself is durable"
        c.discord.faults.clear()
        async with start_bot() as bot:
            clock.shift(60)
            await bot.catch_up()
            assert (thread.name, thread.archived) == ("Removed idea #1", True)
            notices = [m for m in c.discord.messages_in(thread) if "removed by the moderators" in m["content"]]
            assert len(notices) == 1, "the author is told once"


async def test_a_removed_question_shows_only_why_and_its_asker_is_told(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c)
        assert "is in" in await ask(c, c.alice, "Something rude")
        assert "is in" in await ask(c, c.bob, "Something rude, anonymously", anonymous=True)
        refused = await (await c.discord.slash(c.bob, "ama remove", question=1, reason="Rude")).ephemeral_text()
        assert refused == "Only brand staff or moderators can do this."
        removed = await (await c.discord.slash(c.moderator, "ama remove", question=1, reason="Rude")).ephemeral_text()
        assert removed == "Question #1 is removed."
        await (await c.discord.slash(c.moderator, "ama remove", question=2, reason="Rude")).ephemeral_text()
        await bot.delivery.drain()
        shown = question_post(c, 1)
        assert shown["embeds"][0]["description"] == "Removed by the moderators: Rude" and shown["components"] == []
        assert "rude" not in message_text(shown).lower().replace("removed by the moderators: rude", "")
        thread = c.discord.channel(int(shown["channel_id"]))
        notices = [m for m in c.discord.messages_in(thread) if "your question was removed" in m["content"]]
        assert [m["content"] for m in notices] == [
            f"<@{c.alice.id}>, your question was removed by the moderators: Rude"
        ]
        assert notices[0]["mentions"][0]["id"] == str(c.alice.id), "the anonymous asker is not named"
        [private] = c.discord.dms_to(c.bob)
        assert private["content"] == "Your question in the AMA “Meet the founders” was removed by the moderators: Rude"
        upvote = await c.discord.click(c.bob, with_button(shown, "ama:upvote:1"), "ama:upvote:1")
        assert await upvote.ephemeral_text() == "This question is not public."
        again = await (await c.discord.slash(c.moderator, "ama remove", question=1, reason="Rude")).ephemeral_text()
        assert again == "Question #1 is already removed."
        assert (await bot.services.amas.question(c.guild.id, 1)).text == "", "its words are not kept"


async def test_a_removed_entry_loses_its_photo_votes_and_win(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    photo = c.discord.upload("rude.png", b"\x89PNG rude")
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule_challenge(c)
            await move(bot, clock, FRIDAY_18_CEST)
            await enter(c, c.alice, text="Rude", attachment=photo)
            await enter(c, c.bob, text="Nice")
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            rude, nice = entry_posts(c)
            for voter in (c.bob, c.owner):
                await c.discord.click(voter, rude, "challenge:vote:1")
            await c.discord.click(c.alice, nice, "challenge:vote:2")
            removed = await (
                await c.discord.slash(c.staff, "challenge remove", entry=1, reason="Rude")
            ).ephemeral_text()
            assert removed == "Entry #1 is removed."
            await bot.delivery.drain()
            shown = c.discord.message(int(rude["id"]))
            assert shown["embeds"][0]["description"] == "Removed by the moderators: Rude"
            assert shown["attachments"] == [] and shown["components"] == [], "no photo, nothing to vote for"
            told = c.discord.messages_in(c.announcements)[-1]
            assert told["content"] == f"<@{c.alice.id}>, your entry was removed by the moderators: Rude"
            late = await c.discord.click(c.owner, with_button(shown, "challenge:vote:1"), "challenge:vote:1")
            assert await late.ephemeral_text() == "Entry #1 was removed."
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=2))
            assert f"congratulations <@{c.bob.id}> with 1 vote!" in said(c)[-1], "the removed entry cannot win"
            assert await bot.services.challenges.entry_file(c.guild.id, 1) is None, "its photo is not kept"
            [line] = [a for a in await bot.storage.audit.all(c.guild.id) if a.action == "entry.remove"]
            assert (line.actor_id, line.subject) == (c.staff.id, "entry #1")
