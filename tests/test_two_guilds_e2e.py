"""Two servers on one bot: nothing a member of one server sends reaches the other's ideas, polls, AMAs,
challenges or member data, whether it names the other's entity in a command option or in a forged custom_id."""

from datetime import timedelta

import time_machine

from emulator import InteractionRecord, Member
from emulator.interactions import message_text
from emulator.state import Payload
from tests.conftest import BotStarter, Community
from tests.test_amas_e2e import START as AMA_START
from tests.test_amas_e2e import ask, open_ama, question_post
from tests.test_challenges_e2e import FRIDAY_18_CEST, TUESDAY, enter, move
from tests.test_challenges_e2e import schedule as schedule_challenge
from tests.test_ideas_e2e import field, post
from tests.test_polls_e2e import create as create_poll
from tests.test_polls_e2e import live_poll
from tests.test_privacy_e2e import export


async def forged(other: Community, member: Member, message: Payload, custom_id: str) -> InteractionRecord:
    """`member` of the other server sends a click on `custom_id` from a channel of their own server: what a
    modified client could send. The bot must decide by the server the click comes from, not trust the id."""
    return await other.discord.click(member, message | {"channel_id": str(other.general.id)}, custom_id)


def refused(text: str) -> bool:
    return text.startswith(("No ", "There is no", "Only ")) or "does not exist" in text


async def test_ideas_cannot_be_voted_on_or_changed_from_another_server(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    a, b = configured, both_configured
    async with start_bot() as bot:
        theirs = await post(b, b.alice, "Rival beard oil")  # the other server has ideas of its own
        ours = await post(a, a.alice, "Mint moustache wax")
        idea_id = (await bot.services.ideas.similar(a.guild.id, "Mint moustache wax"))[0].id
        click = await forged(b, b.bob, ours, f"idea:vote:{idea_id}:up")
        assert refused(await click.ephemeral_text()), await click.ephemeral_text()
        for command, options in (
            ("idea status", {"idea": idea_id, "status": "declined", "reason": "Not ours"}),
            ("idea merge", {"duplicate": idea_id, "into": 1 if idea_id != 1 else 2}),
            ("idea credit", {"idea": idea_id, "member": b.bob}),
        ):
            reply = await (await b.discord.slash(b.staff, command, **options)).ephemeral_text()
            assert refused(reply), (command, reply)
        searched = message_text(await (await b.discord.slash(b.alice, "idea search", words="mint")).reply())
        assert "Mint" not in searched
        await bot.delivery.drain()
        idea = await bot.services.ideas.get(a.guild.id, idea_id)
        assert (idea.status.value, idea.upvotes, idea.credited) == ("new", 0, ())
        assert field(a.discord.message(int(ours["id"])), "Score") == "▲ 0  ▼ 0  ·  score 0"
        assert field(b.discord.message(int(theirs["id"])), "Status") == "New"


async def test_polls_cannot_be_voted_on_closed_or_read_from_another_server(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    a, b = configured, both_configured
    async with start_bot() as bot:
        poll = await live_poll(a, question="Which scent for the winter tin?")
        poll_id = int(poll["embeds"][0]["title"].removeprefix("Poll #"))
        click = await forged(b, b.bob, poll, f"poll:vote:{poll_id}:0")
        assert refused(await click.ephemeral_text()), await click.ephemeral_text()
        closing = await (await b.discord.slash(b.moderator, "poll close", poll=poll_id)).ephemeral_text()
        assert refused(closing), closing
        for command in ("poll results", "poll export"):
            reply = await (await b.discord.slash(b.staff, command, poll=poll_id)).reply()
            assert "winter tin" not in message_text(reply) and not reply["attachments"], (command, reply)
        listed = message_text(await (await b.discord.slash(b.alice, "poll list")).reply())
        assert "winter tin" not in listed
        stored = await bot.services.polls.get(a.guild.id, poll_id)
        assert stored.closed_at is None and sum((await bot.services.polls.results(a.guild.id, poll_id)).counts) == 0


async def test_an_ama_cannot_be_asked_answered_upvoted_or_closed_from_another_server(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    a, b = configured, both_configured
    with time_machine.travel(AMA_START, tick=True):
        async with start_bot() as bot:
            await open_ama(a, moderated=False)
            assert "is in" in await ask(a, a.alice, "Is the tin recyclable?")
            assert await (await b.discord.slash(b.alice, "ama ask")).ephemeral_text() == "No AMA is open right now."
            post = question_post(a, 1)
            for custom_id in ("ama:upvote:1", "ama:answer:1"):
                click = await forged(b, b.staff, post, custom_id)
                assert refused(await click.ephemeral_text()), (custom_id, await click.ephemeral_text())
            for command, options in (
                ("ama answer", {"question": 1, "answer": "Yes"}),
                ("ama close", {"ama": 1}),
            ):
                reply = await (await b.discord.slash(b.staff, command, **options)).ephemeral_text()
                assert refused(reply), (command, reply)
            transcript = await (await b.discord.slash(b.alice, "ama transcript", ama=1)).reply()
            assert not transcript["attachments"] and "recyclable" not in message_text(transcript)
            question = await bot.services.amas.question(a.guild.id, 1)
            assert (question.answer, question.upvotes) == (None, 0)
            assert (await bot.services.amas.get(a.guild.id, 1)).status.value == "open"


async def test_a_challenge_cannot_be_entered_voted_on_or_deleted_from_another_server(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    a, b = configured, both_configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule_challenge(a)
            await move(bot, clock, FRIDAY_18_CEST)
            assert await enter(b, b.alice, text="Sneaking in") == "No challenge is taking entries right now."
            await enter(a, a.alice, text="The walrus")
            for command in ("challenge pause", "challenge delete", "challenge preview"):
                reply = await (await b.discord.slash(b.moderator, command, challenge=1)).ephemeral_text()
                assert refused(reply) and "Moustache" not in reply, (command, reply)
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            entry = next(m for m in a.discord.messages_in(a.announcements) if "walrus" in message_text(m))
            click = await forged(b, b.bob, entry, "challenge:vote:1")
            assert refused(await click.ephemeral_text()), await click.ephemeral_text()
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=2))
            assert "no votes" in a.discord.messages_in(a.announcements)[-1]["content"], "the forged vote did not count"
            assert (await bot.services.challenges.get(a.guild.id, 1)).paused is False


async def test_a_member_of_both_servers_exports_and_erases_each_separately(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    a, b = configured, both_configured
    alice_in_b = b.discord.join(b.guild, a.alice)
    async with start_bot() as bot:
        ours = await post(a, a.alice, "Mint moustache wax")
        await post(b, alice_in_b, "Rival beard oil")
        exported = await export(b, alice_in_b)
        assert [i["title"] for i in exported["ideas"]] == ["Rival beard oil"]
        asked = await (await b.discord.slash(alice_in_b, "privacy delete")).reply()
        await b.discord.click(alice_in_b, asked, asked["components"][0]["components"][0]["custom_id"])
        await bot.delivery.drain()
        assert field(a.discord.message(int(ours["id"])), "Author") == f"<@{a.alice.id}>"
        assert [i["title"] for i in (await export(a, a.alice))["ideas"]] == ["Mint moustache wax"]
        assert (await export(b, alice_in_b))["ideas"] == []


async def test_poll_ama_question_and_challenge_options_suggest_this_servers_own(
    configured: Community, both_configured: Community, start_bot: BotStarter
) -> None:
    c, neighbour = configured, both_configured
    async with start_bot():
        for side in (neighbour, c):  # the neighbour's come first, so they would be the lower numbers
            await (await create_poll(side, question=f"Which scent at {side.guild.name}?")).reply()
            await schedule_challenge(side, name=f"Parade at {side.guild.name}")
        await open_ama(c)
        await ask(c, c.alice, "When is the next   tin?\nSoon?")

        async def suggested(command: str, option: str, typed: str) -> list[str]:
            choices = await c.discord.autocomplete(c.staff, command, option, **{option: typed})
            return [choice["name"] for choice in choices]

        assert await suggested("poll close", "poll", "scent") == ["#2 Which scent at Moustache Co.?"]
        assert await suggested("challenge pause", "challenge", "parade") == ["#2 Parade at Moustache Co."]
        assert await suggested("ama open", "ama", "founders") == ["#1 Meet the founders"]
        assert await suggested("ama answer", "question", "tin") == ["#1 When is the next tin? Soon?"]
        assert await suggested("ama answer", "question", "neighbour") == []
