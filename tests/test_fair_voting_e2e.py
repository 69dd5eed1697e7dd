"""Fair voting: a server can ask that accounts, and members in the server, are some days old before they vote on
ideas, polls and contests. A member too new is refused, told from when they may vote, and nothing is counted;
the setting survives a restart. Contests show each voter the entries in an order of their own, without names
until voting ends, and can give each member several votes up to a cap."""

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter, entry_posts, move, schedule
from tests.test_ideas_e2e import post, vote

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def voting_opens(member_created: datetime, days: int) -> int:
    return int((member_created + timedelta(days=days)).timestamp())


async def test_accounts_and_members_too_new_wait_to_vote_on_ideas_and_polls(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    veteran = c.discord.add_member(c.guild, "veteran", since=START - timedelta(days=400))  # for over a year
    newcomer = c.discord.add_member(c.guild, "newcomer", since=START)  # an account made and joined today
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            saved = await c.discord.slash(c.owner, "setup set", vote_account_days=30, vote_member_days=7)
            assert "Who may vote\naccounts 30 days old · 7 days in the server" in message_text(await saved.reply())
            idea = await post(c, c.alice, "Mint wax")
            refused = await vote(c, newcomer, idea, "up")
            when = voting_opens(START, 30)
            assert await refused.ephemeral_text() == (
                "To keep votes fair, new accounts and newcomers wait a little here. "
                f"You can vote from <t:{when}:f> (<t:{when}:R>)."
            )
            assert "You voted up" in await (await vote(c, veteran, idea, "up")).ephemeral_text()
            created = await c.discord.slash(c.staff, "poll create", question="Scent?", options="Mint | Cedar")
            await created.reply()
            await bot.delivery.drain()
            poll = c.discord.messages_in(c.general)[-1]
            denied = await c.discord.click(newcomer, poll, "poll:vote:1:0")
            assert "You can vote from" in await denied.ephemeral_text()
            await c.discord.click(veteran, poll, "poll:vote:1:0")
            assert (await bot.services.polls.results(c.guild.id, 1)).counts == (1, 0)
            assert (await bot.services.ideas.get(c.guild.id, 1)).upvotes == 1, "the refused vote was not counted"
        clock.shift(timedelta(days=20))
        async with start_bot() as bot:  # the minimums survive a restart
            assert "You can vote from" in await (await vote(c, newcomer, idea, "up")).ephemeral_text()
            clock.shift(timedelta(days=11))  # 31 days after the account was made
            assert "You voted up" in await (await vote(c, newcomer, idea, "up")).ephemeral_text()
            await (await c.discord.slash(c.owner, "setup set", vote_account_days=0, vote_member_days=0)).reply()
            late = c.discord.add_member(c.guild, "late")
            assert "You voted up" in await (await vote(c, late, idea, "up")).ephemeral_text(), "minimums off"


async def ballot(c: Community, member: object, call: dict) -> dict:  # type: ignore[type-arg]
    return await (await c.discord.click(member, call, "challenge:ballot:1")).reply()  # type: ignore[arg-type]


def order(ballot_message: dict) -> list[str]:  # type: ignore[type-arg]
    return [o["value"] for o in ballot_message["components"][0]["components"][0]["options"]]


async def test_contest_ballots_are_shuffled_per_voter_anonymous_and_capped(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    voters = [c.discord.add_member(c.guild, f"voter{i}") for i in range(5)]
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            assert "is scheduled" in await schedule(c, votes=2)
            await move(bot, clock, FRIDAY_18_CEST)
            for member, text in (
                (c.alice, "Walrus"),
                (c.bob, "Handlebar"),
                (c.staff, "Pencil"),
                (c.owner, "Horseshoe"),
            ):
                await enter(c, member, text=text)
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            posts = entry_posts(c)
            assert [m["embeds"][0]["description"].splitlines()[0] for m in posts] == [
                "by a member, named when voting ends"
            ] * 4
            assert all(m["mentions"] == [] for m in posts), "nobody is named while voting is open"
            call = next(m for m in c.discord.messages_in(c.announcements) if "Voting is open" in m["content"])
            assert "Up to 2 votes per member per run." in call["content"]

            orders = [order(await ballot(c, voter, call)) for voter in voters]
            assert all(sorted(o) == ["1", "2", "3", "4"] for o in orders)
            assert len({tuple(o) for o in orders}) > 1, "each voter sees an order of their own"
            first = await ballot(c, voters[0], call)
            assert order(first) == orders[0], "the same order every time a voter looks"
            assert order(await ballot(c, c.alice, call)).count("1") == 0, "not their own entry"

            await c.discord.click(voters[0], first, "challenge:pick:1", values=["2", "3"])
            shown = message_text(c.discord.message(int(first["id"])))  # the ballot is updated in place
            assert "You vote for: #2, #3. Up to 2 votes per member per run." in shown
            third = await c.discord.click(voters[0], posts[0], "challenge:vote:1")
            assert await third.ephemeral_text() == "You have used your 2 votes in this run; take one back first."
            await asyncio.gather(*(c.discord.click(v, posts[1], "challenge:vote:2") for v in voters[1:3]))
        async with start_bot() as bot:  # the votes, the order and the cap survive a restart
            again = await ballot(c, voters[0], call)
            assert order(again) == orders[0]
            picks = again["components"][0]["components"][0]
            assert picks["max_values"] == 2 and {o["value"] for o in picks["options"] if o.get("default")} == {"2", "3"}
            await c.discord.click(voters[0], again, "challenge:pick:1", values=["3"])
            assert "You vote for: #3." in message_text(c.discord.message(int(again["id"])))
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=2))
            winner = c.discord.message(int(posts[1]["id"]))
            assert winner["embeds"][0]["description"].startswith(f"by <@{c.bob.id}>"), "named once voting ended"
            assert c.discord.messages_in(c.announcements)[-1]["content"].startswith(
                "🏆 **Moustache parade** #1 (Moustaches): congratulations"
            )
            await bot.delivery.drain()
            closed = c.discord.message(int(call["id"]))
            assert closed["components"][0]["components"][0]["disabled"], "the ballot button closes with the voting"
