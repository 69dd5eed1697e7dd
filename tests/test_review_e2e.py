"""Review and anonymity: with review on, a new idea waits unseen until staff approve it (then it is posted) or
reject it with a reason its author receives privately; restart-proof, refused to members, audited. An anonymous
idea hides its author from the community, not from staff or the author's own data export."""

import csv
import io
import json

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community, with_button
from tests.test_ideas_e2e import field, submit, vote
from tests.test_privacy_e2e import export
from tests.test_privacy_promises_e2e import attachment_text


async def review_on(c: Community) -> None:
    saved = await (await c.discord.slash(c.moderator, "idea settings", review=True)).ephemeral_text()
    assert "new ideas wait for review" in saved


async def test_new_ideas_wait_for_review_and_are_approved_or_rejected(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await review_on(c)
        waiting = await (await submit(c, c.alice, "Mint wax", "Fresh")).ephemeral_text()
        assert waiting == "Your idea #1 is saved and waits for the staff's review; you will hear back."
        await (await submit(c, c.alice, "Spam spam spam", "Buy now")).ephemeral_text()
        await bot.delivery.drain()
        assert c.discord.messages_in(c.ideas) == [] and not [ch for ch in c.guild.channels.values() if ch.parent_id]
        listed = message_text(await (await c.discord.slash(c.bob, "idea list")).reply())
        assert "Mint wax" not in listed, "the community does not see it yet"
        queue = await (await c.discord.slash(c.staff, "idea queue")).reply()
        assert f"**#1 Mint wax** · <@{c.alice.id}>" in message_text(queue), "staff see who wrote it"
        refused = await (await c.discord.slash(c.alice, "idea queue")).ephemeral_text()
        assert refused == "Only brand staff or moderators can do this."
    async with start_bot() as bot:  # the queue's buttons and form still work after a restart
        forged = await c.discord.click(c.bob, with_button(queue, "idea:review:approve:1"), "idea:review:approve:1")
        assert await forged.ephemeral_text() == "Only brand staff or moderators can do this."
        approved = await c.discord.click(c.staff, queue, "idea:review:approve:1")
        assert approved.response_type == 7 and "#1 Mint wax" not in message_text(c.discord.message(int(queue["id"])))
        await bot.delivery.drain()
        post = next(ch for ch in c.guild.channels.values() if ch.parent_id == c.ideas.id)
        assert post.name == "Mint wax", "approved: posted in the ideas channel"
        stale = with_button(queue, "idea:review:approve:1")  # another moderator's queue, shown before
        again = await c.discord.click(c.moderator, stale, "idea:review:approve:1")
        assert await again.ephemeral_text() == "Idea #1 was already reviewed."

        opened = await c.discord.click(c.staff, queue, "idea:review:reject:2")
        blank = await c.discord.submit_modal(c.staff, opened, {"reason": "   "})
        assert await blank.ephemeral_text() == "reason: cannot be empty"
        rejected = await c.discord.submit_modal(c.staff, opened, {"reason": "Advertising is not allowed"})
        assert await rejected.ephemeral_text() == "Idea #2 is rejected; its author is told why."
        await bot.delivery.drain()
        [told] = c.discord.dms_to(c.alice)
        assert told["content"] == "Your idea “Spam spam spam” was not accepted by the staff: Advertising is not allowed"
        assert (await bot.services.ideas.get(c.guild.id, 2)).status == "removed"
        actions = [a.action for a in await bot.storage.audit.all(c.guild.id)]
        assert actions[-2:] == ["idea.approve", "idea.reject"]


async def test_an_author_who_takes_no_direct_messages_does_not_block_the_queue(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    c.alice.user.accepts_dms = False
    async with start_bot() as bot:
        await review_on(c)
        await (await submit(c, c.alice, "Spam", "Buy now")).ephemeral_text()
        await bot.services.ideas.reject(c.guild.id, 1, "Advertising", by=c.staff.id)
        await bot.delivery.drain()
        assert c.discord.dms_to(c.alice) == [] and await bot.storage.deliveries.pending_count() == 0
        notices = [m for m in c.discord.messages_in(c.announcements) if "can't" in m["content"]]
        assert notices == [], "nothing to fix: staff are not alerted"


async def test_an_anonymous_idea_hides_its_author_from_the_community_only(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        opened = await c.discord.slash(c.alice, "idea submit", anonymous=True)
        assert opened.modal["title"] == "Propose an idea anonymously"
        posted = await c.discord.submit_modal(c.alice, opened, {"title": "Beard glitter", "description": "Shiny"})
        assert "is posted" in await posted.ephemeral_text()
        await bot.delivery.drain()
        message = c.discord.message(next(ch.id for ch in c.guild.channels.values() if ch.parent_id == c.ideas.id))
        assert field(message, "Author") == "Anonymous" and f"{c.alice.id}" not in json.dumps(message)
        await vote(c, c.bob, message, "up")
        status = await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason="In stores now")
        assert "1 follower notified" in await status.ephemeral_text(), "Bob, not the anonymous author"
        await bot.delivery.drain()
        thread = c.discord.channel(int(message["channel_id"]))
        everything = json.dumps([c.discord.message(int(message["id"])), *c.discord.messages_in(thread)])
        assert str(c.alice.id) not in everything, "neither pinged nor credited in public"
        by_author = message_text(await (await c.discord.slash(c.bob, "idea list", author=c.alice)).reply())
        leaders = message_text(await (await c.discord.slash(c.bob, "idea leaderboard")).reply())
        assert "Beard glitter" not in by_author and f"<@{c.alice.id}>" not in leaders
        exported = await (await c.discord.slash(c.staff, "idea export")).reply()
        [row] = csv.DictReader(io.StringIO(attachment_text(c, exported)))
        assert row["author_id"] == str(c.alice.id), "staff still see who wrote it"
        mine = await export(c, c.alice)
        assert mine["ideas"][0]["anonymous"] and mine["idea_credits"] == [{"idea_id": 1}], "credited privately"
