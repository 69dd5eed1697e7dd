"""Member data rights end to end: export everything, erase it while keeping the community's counts."""

import json

from emulator import Member
from tests.conftest import BotStarter, Community
from tests.test_ideas_e2e import post, vote
from tests.test_polls_e2e import live_poll, pick


async def export_text(c: Community, member: Member) -> str:
    reply = await (await c.discord.slash(member, "privacy export")).reply()
    assert reply["flags"] & 64 and reply["attachments"][0]["filename"] == "my-data.json"
    text = c.discord.files[int(reply["attachments"][0]["id"])].decode()
    assert text.startswith('{\n  "guild_id"'), "indented, so a member can read it"
    return text


async def export(c: Community, member: Member) -> dict:
    return json.loads(await export_text(c, member))


async def test_export_then_erase_keeps_counts_but_not_the_member(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        mine = await post(c, c.alice, "Alice's crème wax")
        theirs = await post(c, c.bob, "Bob's comb")
        await vote(c, c.alice, theirs, "up")
        await vote(c, c.bob, mine, "up")
        public = await live_poll(c)
        secret = await live_poll(c, anonymous=True, question="Secret ballot?")
        await pick(c, c.alice, public, 0)
        await pick(c, c.alice, secret, 2)
        await (await c.discord.slash(c.alice, "idea notifications", enabled=False)).reply()

        text = await export_text(c, c.alice)
        assert "crème" in text, "accents as written, not as \\u escapes"
        data = json.loads(text)
        assert data["member_id"] == c.alice.id and [i["title"] for i in data["ideas"]] == ["Alice's crème wax"]
        [cast] = data["idea_votes"]
        assert (cast["idea_id"], cast["value"]) == (2, 1) and cast["voted_at"], "with when it was cast"
        assert data["poll_ballots"] == [{"poll_id": 1, "option": 0}, {"poll_id": 2, "option": 2}]
        assert data["idea_notifications_off"] == [{"off": 1}]
        assert str(c.bob.id) not in json.dumps(data), "an export holds only the member's own data"

        asked = await (await c.discord.slash(c.alice, "privacy delete")).reply()
        confirm = asked["components"][0]["components"][0]["custom_id"]
    async with start_bot() as bot:  # the confirmation still works after a restart
        stranger = await c.discord.click(c.bob, asked, confirm)
        assert await stranger.ephemeral_text() == "This confirmation belongs to someone else."
        done = await c.discord.click(c.alice, asked, confirm)
        assert done.response_type == 7
        assert c.discord.message(int(asked["id"]))["content"].startswith("Your data in this server is deleted.")

        after = await export(c, c.alice)
        assert all(after[section] == [] for section in after if section not in {"guild_id", "member_id", "exported_at"})
        assert (await bot.services.ideas.get(c.guild.id, 2)).upvotes == 1, "her vote still counts"
        assert (await bot.services.ideas.get(c.guild.id, 1)).author_id == 0
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (1, 0, 0)
        assert (await bot.services.polls.results(c.guild.id, 2)).counts == (0, 0, 1)
        rows = await bot.storage.db.fetch_all("SELECT voter_key FROM poll_votes")
        assert all(str(c.alice.id) not in row[0] for row in rows)
        again = await pick(c, c.alice, public, 1)
        assert "Cedar" in again, "after erasure she is a new voter; her old ballot is no longer hers"
        assert (await bot.services.polls.results(c.guild.id, 1)).counts == (1, 1, 0)
        [cast] = (await export(c, c.bob))["idea_votes"]
        assert (cast["idea_id"], cast["value"]) == (1, 1), "others are untouched"
