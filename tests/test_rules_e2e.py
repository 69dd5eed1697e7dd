"""Rules the README promises, each pinned where a member would see it break: who may run which command,
whose draft is whose, what an anonymous question hides, and the windows and limits around every vote."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community, posted_now, with_button
from tests.test_amas_e2e import START as AMA_START
from tests.test_amas_e2e import ask, open_ama, question_post
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter, move
from tests.test_challenges_e2e import schedule as schedule_challenge
from tests.test_ideas_e2e import post, submit
from tests.test_polls_e2e import live_poll, pick

Options = Callable[[Community], dict[str, Any]]
STAFF_REFUSAL = "Only brand staff can do this."
MODERATOR_REFUSAL = "Only moderators can do this."
ORGANISER_REFUSAL = "Only brand staff or moderators can do this."
ADMIN_REFUSAL = "Only members with the Manage Server permission can do this."

ama = {"title": "Meet the founders", "starts": "2h", "ends": "1h"}
challenge = {"name": "Parade", "themes": "Hats", "schedule": "daily 18:00", "entry_window": "1h", "voting_window": "1h"}
COMMANDS: list[tuple[str, Options, str]] = [
    ("idea status", lambda c: {"idea": 1, "status": "planned", "reason": "Soon"}, STAFF_REFUSAL),
    ("idea merge", lambda c: {"duplicate": 1, "into": 2}, STAFF_REFUSAL),
    ("idea credit", lambda c: {"idea": 1, "member": c.bob}, STAFF_REFUSAL),
    ("idea export", lambda c: {}, STAFF_REFUSAL),
    ("ama schedule", lambda c: ama | {"host": c.staff}, STAFF_REFUSAL),
    ("ama open", lambda c: {"ama": 1}, STAFF_REFUSAL),
    ("ama close", lambda c: {"ama": 1}, STAFF_REFUSAL),
    ("idea settings", lambda c: {}, MODERATOR_REFUSAL),
    ("challenge schedule", lambda c: challenge, MODERATOR_REFUSAL),
    *(
        (f"challenge {verb}", lambda c: {"challenge": 1}, MODERATOR_REFUSAL)
        for verb in ("edit", "pause", "skip", "resume", "delete")
    ),
    ("ama queue", lambda c: {}, MODERATOR_REFUSAL),
    ("setup show", lambda c: {}, MODERATOR_REFUSAL),
    ("poll create", lambda c: {"question": "Which?", "options": "A | B"}, ORGANISER_REFUSAL),
    ("poll export", lambda c: {"poll": 1}, ORGANISER_REFUSAL),
    ("setup set", lambda c: {"timezone": "Europe/Amsterdam"}, ADMIN_REFUSAL),
]


async def test_each_command_tells_staff_moderators_and_members_apart(
    configured: Community, start_bot: BotStarter
) -> None:
    """Staff-only commands refuse moderators, moderator-only commands refuse staff, and both let their own in."""
    c = configured
    allowed = {
        STAFF_REFUSAL: [c.staff],
        MODERATOR_REFUSAL: [c.moderator],
        ORGANISER_REFUSAL: [c.staff, c.moderator],
        ADMIN_REFUSAL: [c.owner],
    }
    async with start_bot():
        for command, options, refusal in COMMANDS:
            for member in (c.alice, c.staff, c.moderator):
                reply = await (await c.discord.slash(member, command, **options(c))).ephemeral_text()
                if member in allowed[refusal]:
                    assert reply != refusal, (command, member.user.username)
                else:
                    assert reply == refusal, (command, member.user.username, reply)


async def test_a_draft_can_be_posted_only_by_its_author(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await post(c, c.alice, "Blue moustache wax")
        warned = await (await submit(c, c.bob, "Blue Moustache Wax!", "Mine is bluer.")).reply()
        post_anyway, edit = (b["custom_id"] for b in warned["components"][0]["components"][:2])
        for custom_id in (post_anyway, edit):
            taken = await c.discord.click(c.alice, warned, custom_id)
            assert await taken.ephemeral_text() == "This draft was already posted, has expired, or is not yours."
        assert len(await bot.storage.ideas.all(c.guild.id)) == 1
        posted = await c.discord.click(c.bob, warned, post_anyway)
        assert "Your idea #2 is posted" in await posted.ephemeral_text()


async def test_every_way_of_posting_an_idea_counts_towards_the_hourly_limit(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await (await c.discord.slash(c.moderator, "idea settings", hourly_limit=1)).reply()
        await post(c, c.alice, "Green moustache wax")
        warned = await (await submit(c, c.bob, "Green Moustache Wax!", "Mine is greener.")).reply()
        await post(c, c.bob, "Cedar comb")  # Bob's one idea this hour
        anyway = await c.discord.click(c.bob, warned, warned["components"][0]["components"][0]["custom_id"])
        assert "You can submit 1 idea an hour" in await anyway.ephemeral_text(), await anyway.ephemeral_text()
        assert len(await bot.storage.ideas.all(c.guild.id)) == 2


async def test_an_anonymous_question_never_shows_or_pings_its_asker(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(AMA_START, tick=True):
        async with start_bot() as bot:
            await open_ama(c)
            assert "is in" in await ask(c, c.alice, "Is the wax vegan?", anonymous=True)
            answered = await c.discord.slash(c.staff, "ama answer", question=1, answer="Yes, fully.")
            assert (await answered.ephemeral_text()).startswith("Question #1 is answered.")
            await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
            await bot.delivery.drain()
            listing = message_text(await (await c.discord.slash(c.bob, "ama transcript", ama=1)).reply())
            public = [m for m in c.discord.messages.values() if not m["flags"] & 64]
            for text in [listing, *(message_text(m) for m in public)]:
                assert str(c.alice.id) not in text and "alice" not in text, text
            assert all(c.alice.id not in {int(u["id"]) for u in m["mentions"]} for m in public)
            footer = question_post(c, 1)["embeds"][0]["footer"]["text"]
            assert footer.startswith("Asked anonymously"), footer


async def test_upvotes_after_an_ama_closed_are_refused(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(AMA_START, tick=True):
        async with start_bot() as bot:
            await open_ama(c)
            await ask(c, c.alice, "Where is the wax made?")
            await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
            late = await c.discord.click(c.bob, question_post(c, 1), "ama:upvote:1")
            assert await late.ephemeral_text() == "AMA #1 has ended; upvotes are closed."
            assert (await bot.services.amas.question(c.guild.id, 1)).upvotes == 0


async def test_challenge_votes_count_only_inside_the_voting_window(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule_challenge(c)
            await move(bot, clock, FRIDAY_18_CEST)
            await enter(c, c.alice, text="The walrus")
            announced = c.discord.messages_in(c.announcements)[-1]
            early = await c.discord.click(c.bob, with_button(announced, "challenge:vote:1"), "challenge:vote:1")
            opens = int((FRIDAY_18_CEST + timedelta(days=1)).timestamp())
            assert await early.ephemeral_text() == f"Voting for this run opens when entries close, <t:{opens}:R>."
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            entry = next(m for m in c.discord.messages_in(c.announcements) if "walrus" in message_text(m))
            clock.move_to(FRIDAY_18_CEST + timedelta(days=2, seconds=5))  # voting is over; its job has not run
            late = await c.discord.click(c.bob, entry, "challenge:vote:1")
            assert await late.ephemeral_text() == "Voting for this run is closed."
            await bot.catch_up()
            assert "no votes" in c.discord.messages_in(c.announcements)[-1]["content"]


async def test_the_bot_itself_refuses_attachments_over_8_mb(configured: Community, start_bot: BotStarter) -> None:
    """Discord lets members upload up to 25 MB; the bot keeps entry photos, so it holds its own 8 MB line."""
    c = configured
    big = c.discord.upload("huge.png", b"\x89PNG" + bytes(8 * 1024 * 1024))
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule_challenge(c)
            await move(bot, clock, FRIDAY_18_CEST)
            assert await enter(c, c.alice, text="Too big", attachment=big) == "Attachments can be 8 MB at most."
            assert await enter(c, c.alice, text="No photo") != "Attachments can be 8 MB at most."


@pytest.mark.parametrize("option", [3, 99])
async def test_a_vote_for_an_option_the_poll_does_not_have_is_refused(
    configured: Community, start_bot: BotStarter, option: int
) -> None:
    c = configured
    async with start_bot() as bot:
        poll = await live_poll(c)
        assert await pick(c, c.alice, with_button(poll, f"poll:vote:1:{option}"), option) == (
            "That option does not exist."
        )
        assert sum((await bot.services.polls.results(c.guild.id, 1)).counts) == 0
        shown = await posted_now(bot, c, poll)
        assert message_text(shown).endswith("single choice · public · 0 ballots")
