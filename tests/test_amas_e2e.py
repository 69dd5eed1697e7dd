"""AMAs end to end: the real bot, the loopback emulator, a real SQLite file and the real APScheduler."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from emulator import InteractionRecord, Member
from emulator.interactions import message_text
from emulator.state import Payload
from tests.conftest import BotStarter, Community, posted_now, with_button

START = datetime(2026, 11, 5, 16, 0, tzinfo=UTC)


async def schedule(c: Community, **options: object) -> InteractionRecord:
    options = {"title": "Meet the founders", "host": c.staff, "starts": "2h", "ends": "1h"} | options
    return await c.discord.slash(c.staff, "ama schedule", in_channel=c.general, **options)


async def open_ama(c: Community, **options: object) -> None:
    assert "is scheduled" in await (await schedule(c, **options)).ephemeral_text()
    assert await (await c.discord.slash(c.staff, "ama open", ama=1)).ephemeral_text() == "AMA #1 is open."


async def ask(c: Community, member: Member, question: str, anonymous: bool = False) -> str:
    opened = await c.discord.slash(member, "ama ask", anonymous=anonymous)
    return await (await c.discord.submit_modal(member, opened, {"question": question})).ephemeral_text()


def question_post(c: Community, question_id: int) -> Payload:
    return next(
        m
        for m in c.discord.messages.values()
        if m["embeds"] and m["embeds"][0]["title"].removeprefix("⭐ ").split(" · ")[0] == f"Question #{question_id}"
    )


async def test_scheduled_ama_reminds_then_opens_on_time(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot() as bot:
            text = await (await schedule(c, description="Ask us about the new wax")).ephemeral_text()
            assert text.startswith("AMA #1 is scheduled for <t:")
            announcement = c.discord.messages_in(c.announcements)[0]
            assert announcement["embeds"][0]["title"] == "AMA #1: Meet the founders"
            event = next(iter(c.discord.scheduled_events.values()))
            assert event["name"] == "Meet the founders" and event["entity_metadata"] == {"location": "#announcements"}
            assert datetime.fromisoformat(event["scheduled_start_time"]) == START + timedelta(hours=2)
            early = await c.discord.slash(c.alice, "ama ask")
            assert await early.ephemeral_text() == "No AMA is open right now."
            for member in (c.alice, c.bob):
                c.discord.mark_interested(member, event)
            clock.shift(timedelta(hours=1, minutes=46))
            await bot.catch_up()
            reminder = c.discord.messages_in(c.announcements)[-1]
            assert reminder["content"].startswith("Reminder: AMA **Meet the founders**")
            assert reminder["content"].endswith(f"Interested: <@{c.alice.id}> <@{c.bob.id}>")
            assert {int(u["id"]) for u in reminder["mentions"]} == {c.alice.id, c.bob.id}, "those interested, only"
            await bot.services.amas.remind(c.guild.id, 1)  # fired again, as by a second process
            await bot.delivery.drain()
            reminders = [m for m in c.discord.messages_in(c.announcements) if m["content"].startswith("Reminder:")]
            assert len(reminders) == 1, "the reminder goes out once"
            clock.shift(timedelta(minutes=15))
            await bot.catch_up()
            assert "AMA #1 **Meet the founders** is open!" in c.discord.messages_in(c.announcements)[-1]["content"]
            assert "is in <#" in await ask(c, c.alice, "What inspired the brand?")


async def test_ask_upvote_answer_flow(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c)
        assert (
            await ask(c, c.alice, "Will there be a vegan wax?")
            == f"Your question #1 is in <#{c.discord.messages_in(c.announcements)[0]['id']}>."
        )
        post = question_post(c, 1)
        upvoted = await c.discord.click(c.bob, post, "ama:upvote:1")
        assert await upvoted.ephemeral_text() == "You upvoted question #1."
        shown = await posted_now(bot, c, post)
        assert shown["components"][0]["components"][0]["label"] == "▲ Upvote (1)", "the post shows the upvote"
        await ask(c, c.bob, "Where is it made?")
        listing = await (await c.discord.slash(c.staff, "ama next")).reply()
        assert message_text(listing).splitlines()[1] == "**#1** (1 ▲) Will there be a vegan wax?"
        opened = await c.discord.click(c.staff, listing, "ama:answer:1")
        answered = await c.discord.submit_modal(c.staff, opened, {"answer": "Yes, next spring!"})
        assert await answered.ephemeral_text() == "Question #1 is answered."
        thread = c.discord.channel(int(post["channel_id"]))
        reply = c.discord.messages_in(thread)[-1]
        assert reply["content"] == f"<@{c.alice.id}>, your question is answered:"
        assert "Will there be a vegan wax?\n\n**Answer from sam_staff:**\nYes, next spring!" in message_text(reply)
        assert [int(u["id"]) for u in reply["mentions"]] == [c.alice.id], "the asker is notified, nobody else"
        shown = await posted_now(bot, c, post)
        assert shown["embeds"][0]["description"].endswith("**Answer from sam_staff:**\nYes, next spring!")
        assert shown["components"][0]["components"][1]["disabled"] is True
        again = await c.discord.slash(c.staff, "ama answer", question=1, answer="Again")
        assert await again.ephemeral_text() == "Question #1 is answered; only open questions can be answered."


async def test_non_host_cannot_answer(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c, host=c.moderator)
        await ask(c, c.alice, "Who designs the tins?")
        refused = await c.discord.slash(c.staff, "ama answer", question=1, answer="Me!")
        assert await refused.ephemeral_text() == "Only the hosts of AMA #1 can answer its questions."
        by_button = await c.discord.click(c.bob, question_post(c, 1), "ama:answer:1")
        assert await by_button.ephemeral_text() == "Only the hosts of AMA #1 can answer its questions."
        assert (await bot.services.amas.question(c.guild.id, 1)).answer is None


async def test_asking_when_closed_is_refused(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        await open_ama(c)
        assert await (await c.discord.slash(c.staff, "ama close", ama=1)).ephemeral_text() == "AMA #1 is closed."
        refused = await c.discord.slash(c.alice, "ama ask", ama=1)
        assert await refused.ephemeral_text() == "AMA #1 has ended; questions are taken while it is open."
        assert await (await c.discord.slash(c.alice, "ama ask")).ephemeral_text() == "No AMA is open right now."


async def test_moderation_queue_holds_questions_until_approved(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c, moderated=True)
        assert "waits for a moderator" in await ask(c, c.alice, "Is the wax tested on animals?")
        assert "waits for a moderator" in await ask(c, c.bob, "Buy my crypto", anonymous=True)
        thread_id = (await bot.services.amas.get(c.guild.id, 1)).thread_id
        assert c.discord.messages_in(c.discord.channel(thread_id)) == []
        denied = await c.discord.slash(c.alice, "ama queue")
        assert await denied.ephemeral_text() == "Only moderators can do this."
        queue = await (await c.discord.slash(c.moderator, "ama queue")).reply()
        assert (
            "Questions waiting for AMA #1: 2" in queue["content"] and "(anonymous): Buy my crypto" in queue["content"]
        )
        stranger = await c.discord.click(c.alice, queue, "ama:moderate:approve:1")
        assert await stranger.ephemeral_text() == "Only moderators can do this."
        await c.discord.click(c.moderator, queue, "ama:moderate:approve:1")
        await c.discord.click(c.moderator, c.discord.message(int(queue["id"])), "ama:moderate:reject:2")
        assert c.discord.message(int(queue["id"]))["content"] == "Questions waiting for AMA #1: 0"
        await bot.delivery.drain()
        posted = c.discord.messages_in(c.discord.channel(thread_id))
        assert [m["embeds"][0]["description"] for m in posted] == ["Is the wax tested on animals?"]
        hidden = await c.discord.click(c.alice, with_button(posted[0], "ama:upvote:2"), "ama:upvote:2")
        assert await hidden.ephemeral_text() == "This question is not public."


async def test_restart_during_ama_keeps_questions_and_votes(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        await open_ama(c)
        await ask(c, c.alice, "Favourite moustache style?")
        await c.discord.click(c.bob, question_post(c, 1), "ama:upvote:1")
    async with start_bot() as bot:
        await c.discord.click(c.moderator, question_post(c, 1), "ama:upvote:1")
        taken_back = await c.discord.click(c.bob, question_post(c, 1), "ama:upvote:1")
        assert await taken_back.ephemeral_text() == "You took back your upvote on question #1."
        assert (await bot.services.amas.question(c.guild.id, 1)).upvotes == 1
        assert "is in <#" in await ask(c, c.bob, "Still open after a restart?")


async def test_transcript_is_complete_and_ordered(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot():
            await (await schedule(c, moderated=True)).reply()
            await (await c.discord.slash(c.staff, "ama open", ama=1)).reply()
            await ask(c, c.alice, "First question?")
            await ask(c, c.bob, "Second question?", anonymous=True)
            await ask(c, c.bob, "Spam")
            queue = await (await c.discord.slash(c.moderator, "ama queue")).reply()
            for decision, number in (("approve", 1), ("approve", 2), ("reject", 3)):
                await c.discord.click(
                    c.moderator, c.discord.message(int(queue["id"])), f"ama:moderate:{decision}:{number}"
                )
            await c.discord.click(c.moderator, question_post(c, 2), "ama:upvote:2")
            await c.discord.click(c.alice, question_post(c, 2), "ama:upvote:2")
            await (await c.discord.slash(c.staff, "ama answer", question=2, answer="Because we care.")).reply()
        clock.shift(timedelta(hours=4))  # the AMA ends while the bot is offline
        async with start_bot() as bot:
            await bot.catch_up()
            ended = c.discord.messages_in(c.announcements)[-1]
            assert "AMA #1 **Meet the founders** has ended" in ended["content"]
            posted = c.discord.files[int(ended["attachments"][0]["id"])].decode()
            fetched = await (await c.discord.slash(c.alice, "ama transcript", ama=1)).reply()
            assert c.discord.files[int(fetched["attachments"][0]["id"])].decode() == posted
    assert posted.splitlines()[:3] == ["# AMA #1: Meet the founders", "", "Hosts: sam_staff  "]
    body = posted.split("## ", 1)[1]
    assert body.index("1. First question?") < body.index("2. Second question?")
    assert "Asked by alice · 0 upvotes\n\n*Not answered.*" in body
    assert "Asked anonymously · 2 upvotes\n\n**sam_staff:** Because we care." in body
    assert "Spam" not in posted and "bob" not in posted


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"starts": "2020-01-01 10:00"}, "The start is in the past."),
        ({"ends": "2020-01-01 10:00"}, "The end is in the past."),
        ({"ends": "13h"}, "The end can be at most 12 hours away."),
        ({"starts": "soon"}, "The start: use a duration like 30m, 2h or 3d"),
        ({"title": "   "}, "title: cannot be empty"),
    ],
)
async def test_bad_schedules_are_refused(
    configured: Community, start_bot: BotStarter, options: dict[str, object], refusal: str
) -> None:
    async with start_bot() as bot:
        assert refusal in await (await schedule(configured, **options)).ephemeral_text()
        assert await bot.services.amas.unfinished(configured.guild.id) == []


async def test_members_cannot_schedule_and_bad_questions_are_refused(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        refused = await c.discord.slash(c.alice, "ama schedule", title="Mine", host=c.alice, starts="1h", ends="1h")
        assert await refused.ephemeral_text() == "Only brand staff can do this."
        await open_ama(c)
        assert "question: cannot be empty" in await ask(c, c.alice, "   ")
        with pytest.raises(AssertionError, match="Discord refuses input 'question'"):
            await ask(c, c.alice, "x" * 501)
        _, waiting = await bot.services.amas.next_questions(c.guild.id, 1)
        assert waiting == []


async def test_each_member_may_ask_a_limited_number_of_questions(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        await open_ama(c, max_questions=2)
        assert "is in <#" in await ask(c, c.alice, "One?")
        assert "is in <#" in await ask(c, c.alice, "Two?")
        refused = await c.discord.slash(c.alice, "ama ask")
        assert await refused.ephemeral_text() == "You can ask at most 2 questions in AMA #1."
        assert "is in <#" in await ask(c, c.bob, "Bob's first?")


async def test_the_discord_event_follows_the_ama(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c)
        await (await schedule(c, title="Never held")).reply()
        await bot.delivery.drain()
        first, second = (e for e in c.discord.scheduled_events.values())
        assert (first["status"], second["status"]) == (2, 1), "active once the AMA opens"
        for ama in (1, 2):
            await (await c.discord.slash(c.staff, "ama close", ama=ama)).reply()
        await bot.delivery.drain()
        assert (first["status"], second["status"]) == (3, 4), "completed when it ran, canceled when it never did"


async def test_ama_list_shows_open_and_upcoming_amas_with_hosts_and_where_to_ask(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        empty = message_text(await (await c.discord.slash(c.alice, "ama list")).reply())
        assert "No AMAs are planned." in empty
        await open_ama(c)
        await (await schedule(c, title="Packaging *deep* dive", starts="2d")).reply()
        listed = message_text(await (await c.discord.slash(c.alice, "ama list")).reply()).splitlines()
        assert listed[0] == "AMAs"
        assert listed[1].startswith("**#1 Meet the founders** · open now, until <t:")
        assert f"with <@{c.staff.id}> · <#" in listed[1], "where to ask"
        assert listed[2].startswith(r"**#2 Packaging \*deep\* dive** · <t:") and ":R>)" in listed[2]
        await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
        after = message_text(await (await c.discord.slash(c.alice, "ama list")).reply())
        assert "#1 Meet the founders" not in after, "a closed AMA is no longer listed"


async def test_hosts_answer_live_highlight_and_skip_from_their_panel(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        await open_ama(c)
        for member, text in ((c.alice, "Vegan wax?"), (c.bob, "Bigger tins?"), (c.moderator, "Off-topic rant")):
            assert "is in" in await ask(c, member, text)
        panel = await (await c.discord.slash(c.staff, "ama next")).reply()
        assert [row["components"][1]["custom_id"] for row in panel["components"]][:1] == ["ama:host:live:1"]
        refused = await c.discord.click(c.alice, panel, "ama:host:skip:3")
        assert await refused.ephemeral_text() == "Only the hosts of AMA #1 can answer its questions."
    async with start_bot() as bot:  # the panel's buttons work after a restart
        await c.discord.click(c.staff, panel, "ama:host:star:2")
        await bot.delivery.drain()
        assert question_post(c, 2)["embeds"][0]["title"] == "⭐ Question #2 · now answering"
        assert "⭐ **#2**" in message_text(c.discord.message(int(panel["id"]))), "the panel shows the star"
        await c.discord.click(c.staff, panel, "ama:host:star:1")
        await bot.delivery.drain()
        assert question_post(c, 2)["embeds"][0]["title"] == "Question #2", "one star at a time"
        await c.discord.click(c.staff, panel, "ama:host:live:1")
        await c.discord.click(c.staff, panel, "ama:host:skip:3")
        await bot.delivery.drain()
        assert "**Answered live by sam_staff.**" in question_post(c, 1)["embeds"][0]["description"]
        skipped = question_post(c, 3)
        assert "*The hosts skipped this question.*" in skipped["embeds"][0]["description"]
        assert skipped["components"][0]["components"][1]["disabled"], "nothing left to answer"
        left = message_text(c.discord.message(int(panel["id"])))
        assert "#2" in left and "#1" not in left.split("\n", 1)[1] and "#3" not in left.split("\n", 1)[1]
        await (await c.discord.slash(c.staff, "ama close", ama=1)).reply()
        transcript = await bot.services.amas.transcript(c.guild.id, 1)
        assert "*Answered live by sam_staff.*" in transcript and "Off-topic rant" not in transcript
