"""The ideas board end to end: the real bot, the loopback emulator and a real SQLite file."""

import asyncio
import copy
import csv
import io
from datetime import datetime

import pytest

from emulator import InteractionRecord, Member
from emulator.interactions import message_text
from emulator.state import Payload
from services.ideas import IdeaQuery, Page
from tests.conftest import BotStarter, Community, posted_now


async def submit(
    c: Community, member: Member, title: str, description: str = "It would be great."
) -> InteractionRecord:
    opened = await c.discord.slash(member, "idea submit")
    return await c.discord.submit_modal(member, opened, {"title": title, "description": description})


async def post(c: Community, member: Member, title: str) -> Payload:
    """Submit an idea and return its public message (the forum post's first message, or the channel message)."""
    text = await (await submit(c, member, title)).ephemeral_text()
    assert "is posted" in text, text
    thread_id = int(text.split("<#")[1].split(">")[0])
    return c.discord.message(thread_id)  # both kinds of post share their id with the thread


def field(message: Payload, name: str) -> str:
    return next(f["value"] for f in message["embeds"][0]["fields"] if f["name"] == name)


async def vote(c: Community, member: Member, message: Payload, direction: str) -> InteractionRecord:
    idea_id = message["embeds"][0]["title"].split()[0].lstrip("#")
    record = await c.discord.click(member, message, f"idea:vote:{idea_id}:{direction}")
    await record.reply()
    return record


async def test_submit_posts_a_forum_thread_with_embed_and_buttons(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Mint moustache wax")
        thread = c.discord.channel(int(message["channel_id"]))
        assert thread.parent_id == c.ideas.id and thread.name == "Mint moustache wax"
        embed = message["embeds"][0]
        assert embed["title"] == "#1 Mint moustache wax" and embed["description"] == "It would be great."
        assert field(message, "Status") == "New" and field(message, "Author") == f"<@{c.alice.id}>"
        assert field(message, "Score") == "▲ 0  ▼ 0  ·  score 0"
        assert message["mention_everyone"] is False and message["mentions"] == []
        idea = await bot.services.ideas.get(c.guild.id, 1)
        assert (idea.thread_id, idea.author_id) == (thread.id, c.alice.id)


async def test_votes_retract_and_switch_exactly_under_concurrency(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"fan{i}") for i in range(30)]
    async with start_bot() as bot:
        message = await post(c, c.alice, "Beard oil sampler")
        await asyncio.gather(*(vote(c, m, message, "up") for m in voters[:20]))
        await asyncio.gather(*(vote(c, m, message, "down") for m in voters[20:]))
        # five retract their upvote, five switch down -> up: 15 + 5 up, 5 down
        await asyncio.gather(
            *(vote(c, m, message, "up") for m in voters[:5]), *(vote(c, m, message, "up") for m in voters[20:25])
        )
        idea = await bot.services.ideas.get(c.guild.id, 1)
        assert (idea.upvotes, idea.downvotes, idea.score) == (20, 5, 15)
        assert field(await posted_now(bot, c, message), "Score") == "▲ 20  ▼ 5  ·  score 15"
        edits = [
            call
            for call in c.discord.rest_log
            if call == ("PATCH", f"/api/v10/channels/{message['channel_id']}/messages/{message['id']}")
        ]
        assert 1 <= len(edits) <= 4, f"40 votes must coalesce into a few edits, got {len(edits)}"
        last = await vote(c, c.bob, message, "up")
        assert "You voted up ▲" in await last.ephemeral_text()


async def test_votes_survive_restart(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        message = await post(c, c.alice, "Wax tin with a mirror")
        await vote(c, c.bob, message, "up")
    async with start_bot() as bot:
        message = await posted_now(bot, c, message)
        await vote(c, c.staff, message, "up")
        retract = await vote(c, c.bob, message, "up")
        assert "taken back" in await retract.ephemeral_text()
        assert (await bot.services.ideas.get(c.guild.id, 1)).upvotes == 1


async def test_status_change_with_reason_notifies_followers(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Refill pouches")
        await vote(c, c.bob, message, "up")
        await vote(c, c.moderator, message, "up")
        await (await c.discord.slash(c.moderator, "idea notifications", enabled=False)).reply()
        refused = await c.discord.slash(c.bob, "idea status", idea=1, status="planned", reason="I like it")
        assert await refused.ephemeral_text() == "Only brand staff can do this."
        assert (await bot.services.ideas.get(c.guild.id, 1)).status == "new"
        record = await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Coming in spring")
        assert "now planned. 2 followers notified." in await record.ephemeral_text()
        shown = await posted_now(bot, c, message)
        assert field(shown, "Status") == "Planned\nComing in spring"
        thread_messages = c.discord.messages_in(c.discord.channel(int(message["channel_id"])))
        assert "**Status: Planned** (was new)" in thread_messages[-2]["content"]
        pinged = {int(u["id"]) for u in thread_messages[-1]["mentions"]}
        assert pinged == {c.alice.id, c.bob.id}
        assert thread_messages[-2]["mentions"] == [] and not thread_messages[-1]["mention_everyone"]


async def test_closed_idea_refuses_votes(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Glitter wax")
        stale = copy.deepcopy(message)  # what a member's client still shows before it refreshes
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="declined", reason="Too messy")).reply()
        shown = await posted_now(bot, c, message)
        with pytest.raises(AssertionError, match="disabled"):
            await c.discord.click(c.bob, shown, "idea:vote:1:up")
        record = await c.discord.click(c.bob, stale, "idea:vote:1:up")
        assert await record.ephemeral_text() == "Idea #1 is declined; voting is closed."


async def test_merge_moves_votes_without_counting_anyone_twice(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        keep = await post(c, c.alice, "Travel size wax")
        dup = await post(c, c.bob, "Pocket wax")
        await vote(c, c.moderator, keep, "up")
        await vote(c, c.moderator, dup, "up")  # overlapping voter
        await vote(c, c.staff, dup, "up")
        await vote(c, c.owner, dup, "down")
        stale = copy.deepcopy(dup)
        refused = await c.discord.slash(c.alice, "idea merge", duplicate=2, into=1)
        assert await refused.ephemeral_text() == "Only brand staff can do this."
        done = await c.discord.slash(c.staff, "idea merge", duplicate=2, into=1, reason="Same idea")
        assert "Merged #2 into #1" in await done.ephemeral_text()
        kept = await bot.services.ideas.get(c.guild.id, 1)
        merged = await bot.services.ideas.get(c.guild.id, 2)
        assert (kept.upvotes, kept.downvotes) == (2, 1)
        assert (merged.status, merged.duplicate_of, merged.upvotes) == ("duplicate", 1, 0)
        assert field(await posted_now(bot, c, dup), "Status") == "Duplicate of #1\nSame idea"
        in_dup = c.discord.messages_in(c.discord.channel(merged.thread_id))[-1]["content"]
        assert in_dup == f"Merged into **#1 Travel size wax**: <#{kept.thread_id}>"
        in_kept = c.discord.messages_in(c.discord.channel(kept.thread_id))[-1]["content"]
        assert in_kept == "**#2 Pocket wax** was merged into this idea."
        assert field(await posted_now(bot, c, keep), "Score") == "▲ 2  ▼ 1  ·  score 1"
        record = await c.discord.click(c.alice, stale, "idea:vote:2:up")
        assert await record.ephemeral_text() == "Idea #2 was merged into #1; vote there."
        again = await c.discord.slash(c.staff, "idea merge", duplicate=1, into=1)
        assert await again.ephemeral_text() == "An idea cannot be merged into itself."


async def test_list_top_search_and_pagination(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        titles = [
            "Cedar scent",
            "Lavender tin",
            "Cold brew wax",
            "Smoky whisky",
            "Rose gift box",
            "Mint oil",
            "Oak comb",
        ]
        messages = [await post(c, c.alice if i % 2 else c.bob, title) for i, title in enumerate(titles)]
        await vote(c, c.staff, messages[3], "up")
        await vote(c, c.moderator, messages[3], "up")
        await vote(c, c.staff, messages[5], "up")
        top = message_text(await (await c.discord.slash(c.bob, "idea top")).reply()).splitlines()
        assert top[1].startswith("**#4 Smoky whisky**") and top[2].startswith("**#6 Mint oil**")
        newest = await (await c.discord.slash(c.bob, "idea list")).reply()
        assert message_text(newest).splitlines()[1].startswith("**#7 ")
        following = await c.discord.click(c.bob, newest, newest["components"][0]["components"][1]["custom_id"])
        page_two = message_text(c.discord.message(int(newest["id"])))
        assert following.response_type == 7 and "#2 Lavender tin" in page_two and "#1 Cedar scent" in page_two
        mine = message_text(await (await c.discord.slash(c.bob, "idea list", author=c.alice)).reply())
        assert mine.count("· new ·") == 3 and "Lavender tin" in mine and "Cedar scent" not in mine
        found = message_text(await (await c.discord.slash(c.bob, "idea search", words="wax")).reply())
        assert "#3 Cold brew wax" in found and found.count("· new ·") == 1
        nothing = await c.discord.slash(c.bob, "idea search", words="!!!")
        assert await nothing.ephemeral_text() == "Search for at least one word."


async def test_similar_title_warns_and_keeps_the_draft_across_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        await post(c, c.alice, "Blue moustache wax")
        warned = await (await submit(c, c.bob, "Blue Moustache Wax!", "Mine is bluer.")).reply()
        assert "These ideas look like yours" in warned["content"] and "#1 Blue moustache wax" in warned["content"]
    async with start_bot() as bot:
        posted = await c.discord.click(c.bob, warned, warned["components"][0]["components"][0]["custom_id"])
        assert "Your idea #2 is posted" in await posted.ephemeral_text()
        idea = await bot.services.ideas.get(c.guild.id, 2)
        assert (idea.title, idea.description, idea.author_id) == ("Blue Moustache Wax!", "Mine is bluer.", c.bob.id)
        twice = await c.discord.click(c.bob, warned, warned["components"][0]["components"][0]["custom_id"])
        assert await twice.ephemeral_text() == "This draft was already posted, has expired, or is not yours."


async def test_bad_input_and_rate_limit_store_nothing(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        blank = await (await submit(c, c.alice, "   ")).ephemeral_text()
        assert blank.startswith("title: cannot be empty")
        hidden = await (await submit(c, c.alice, "Sneaky\u200btitle")).ephemeral_text()
        assert "invisible or control character (U+200B)" in hidden
        with pytest.raises(AssertionError, match="Discord refuses input 'title'"):
            await submit(c, c.alice, "x" * 101)
        assert await bot.services.ideas.browse(c.guild.id, IdeaQuery()) == Page(ideas=(), has_next=False)
        limited = await c.discord.slash(c.moderator, "idea settings", hourly_limit=2)
        assert "2 ideas per member per hour" in await limited.ephemeral_text()
        denied = await c.discord.slash(c.alice, "idea settings", hourly_limit=100)
        assert await denied.ephemeral_text() == "Only moderators can do this."
        await post(c, c.alice, "First")
        await post(c, c.alice, "Second")
        refused = await c.discord.slash(c.alice, "idea submit")
        assert await refused.ephemeral_text() == "You can submit 2 ideas an hour. Try again in 60 minutes."
        assert refused.response_type != 9, "no modal may open once the limit is reached"
        assert len((await bot.services.ideas.browse(c.guild.id, IdeaQuery())).ideas) == 2


async def test_credit_leaderboard_and_export(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        message = await post(c, c.alice, "Wax in a stick")
        await vote(c, c.bob, message, "up")
        early = await c.discord.slash(c.staff, "idea credit", idea=1, member=c.bob)
        assert "credit members once it has shipped" in await early.ephemeral_text()
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason="In stores now")).reply()
        assert field(await posted_now(bot, c, message), "Credited") == f"<@{c.alice.id}>"
        await (await c.discord.slash(c.staff, "idea credit", idea=1, member=c.bob)).reply()
        assert field(await posted_now(bot, c, message), "Credited") == f"<@{c.alice.id}> <@{c.bob.id}>"
        board = await (await c.discord.slash(c.alice, "idea leaderboard")).reply()
        lines = message_text(board).splitlines()
        assert lines[1] == f"1. <@{c.alice.id}> · 1 shipped · 1 upvote received"
        assert board["mentions"] == [] and not board["flags"] & 64
        denied = await c.discord.slash(c.alice, "idea export")
        assert await denied.ephemeral_text() == "Only brand staff can do this."
        exported = await (await c.discord.slash(c.staff, "idea export")).reply()
        data = c.discord.files[int(exported["attachments"][0]["id"])].decode()
        [row] = list(csv.DictReader(io.StringIO(data)))
        created = row.pop("created_at")
        assert row == {
            "id": "1", "title": "Wax in a stick", "description": "It would be great.", "category": "",
            "status": "shipped", "reason": "In stores now", "author_id": str(c.alice.id), "upvotes": "1",
            "downvotes": "0", "score": "1", "duplicate_of": "", "credited": f"{c.alice.id} {c.bob.id}",
        }  # fmt: skip
        assert datetime.fromisoformat(created).tzinfo is not None


async def test_text_channel_gets_a_message_with_a_discussion_thread(
    community: Community, start_bot: BotStarter
) -> None:
    c = community
    async with start_bot() as bot:
        await (await c.discord.slash(c.owner, "setup set", ideas_channel=c.general)).reply()
        message = await post(c, c.alice, "Gift wrapping")
        assert int(message["channel_id"]) == c.general.id
        idea = await bot.services.ideas.get(c.guild.id, 1)
        thread = c.discord.channel(idea.thread_id)
        assert thread.parent_id == c.general.id and thread.id == int(message["id"])
        await vote(c, c.bob, message, "up")
        assert field(await posted_now(bot, c, message), "Score") == "▲ 1  ▼ 0  ·  score 1"


async def test_submit_without_ideas_channel_is_refused(community: Community, start_bot: BotStarter) -> None:
    async with start_bot():
        record = await community.discord.slash(community.alice, "idea submit")
        assert await record.ephemeral_text() == "The ideas channel is not set up yet; ask an admin to run /setup set."


async def test_refused_text_is_kept_and_can_be_fixed_after_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    long_text = "A tin that fits a shirt pocket. " * 40
    async with start_bot():
        refused = await (await submit(c, c.alice, "Pocket\u200btin", long_text)).reply()
        assert "invisible or control character" in refused["content"] and "Your text is saved." in refused["content"]
    async with start_bot() as bot:
        edit_id = refused["components"][0]["components"][0]["custom_id"]
        opened = await c.discord.click(c.alice, refused, edit_id)
        inputs = {i["custom_id"]: i.get("value") for row in opened.modal["components"] for i in row["components"]}
        assert inputs == {"title": "Pocket\u200btin", "description": long_text}
        posted = await c.discord.submit_modal(c.alice, opened, {"title": "Pocket tin"})
        assert "Your idea #1 is posted" in await posted.ephemeral_text()
        idea = await bot.services.ideas.get(c.guild.id, 1)
        assert (idea.title, idea.description) == ("Pocket tin", long_text.strip())
        stranger = await c.discord.click(c.bob, refused, edit_id)
        assert await stranger.ephemeral_text() == "This draft was already posted, has expired, or is not yours."


async def test_upvote_only_guild_and_categories(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        settings = c.discord.slash(c.moderator, "idea settings", downvotes=False, categories="Flavours, Packaging")
        assert "Downvotes off · categories: Flavours, Packaging" in await (await settings).ephemeral_text()
        opened = await c.discord.slash(c.alice, "idea submit")
        fields = {"title": "Cherry", "description": "Sweet.", "category": "flavours"}
        text = await (await c.discord.submit_modal(c.alice, opened, fields)).ephemeral_text()
        message = c.discord.message(int(text.split("<#")[1].split(">")[0]))
        assert field(message, "Category") == "Flavours"
        buttons = [b["custom_id"] for b in message["components"][0]["components"]]
        assert buttons == ["idea:vote:1:up"]
        stale = copy.deepcopy(message)
        stale["components"][0]["components"].append(
            stale["components"][0]["components"][0] | {"custom_id": "idea:vote:1:down"}
        )
        refused = await c.discord.click(c.bob, stale, "idea:vote:1:down")
        assert await refused.ephemeral_text() == "This server only uses upvotes."
        assert (await bot.services.ideas.get(c.guild.id, 1)).downvotes == 0
        unknown = await c.discord.submit_modal(
            c.alice, await c.discord.slash(c.alice, "idea submit"), fields | {"category": "Hats"}
        )
        assert "Unknown category 'Hats'. Choose one of: Flavours, Packaging." in await unknown.ephemeral_text()
        listed = message_text(await (await c.discord.slash(c.bob, "idea list", category="FLAVOURS")).reply())
        assert "#1 Cherry" in listed
        filtered = await c.discord.slash(c.bob, "idea list", category="Hats")
        assert await filtered.ephemeral_text() == "Unknown category 'Hats'. Choose one of: Flavours, Packaging."


async def test_idea_options_suggest_this_servers_ideas_by_number_or_title(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    c, neighbour = configured, both_configured
    async with start_bot():
        for title in ("Mint wax", "Cedar wax", "100% cedar comb", "Moustache_comb", "Beard oil"):
            await post(c, c.alice, title)
        await post(neighbour, neighbour.alice, "Neighbour's wax")

        async def suggested(typed: str) -> list[str]:
            choices = await c.discord.autocomplete(c.staff, "idea status", "idea", idea=typed)
            return [choice["name"] for choice in choices]

        assert await suggested("wax") == ["#2 Cedar wax", "#1 Mint wax"], "newest first, this server only"
        assert await suggested("3") == ["#3 100% cedar comb"], "by number"
        assert await suggested("%") == ["#3 100% cedar comb"], "% is a character, not a wildcard"
        assert await suggested("_") == ["#4 Moustache_comb"]
        assert len(await suggested("")) == 5
