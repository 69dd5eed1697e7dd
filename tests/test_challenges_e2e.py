"""Challenges end to end: the real bot, the loopback emulator, a real SQLite file and the real APScheduler,
with time moved by time-machine (never slept)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.core import CoCreateBot
from emulator import Member
from emulator.interactions import Payload, message_text
from tests.conftest import BotStarter, Community

# Tuesday 20 October 2026; daylight saving time ends in Amsterdam on Sunday 25 October.
TUESDAY = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
FRIDAY_18_CEST = datetime(2026, 10, 23, 16, 0, tzinfo=UTC)
FRIDAY_18_CET = datetime(2026, 10, 30, 17, 0, tzinfo=UTC)


async def schedule(c: Community, **options: object) -> str:
    options = {
        "name": "Moustache parade",
        "themes": "Moustaches | Hats | Pets",
        "schedule": "weekly fri 18:00",
        "entry_window": "1d",
        "voting_window": "1d",
        "channel": c.announcements,
    } | options
    return await (await c.discord.slash(c.moderator, "challenge schedule", **options)).ephemeral_text()


async def enter(c: Community, member: Member, **options: object) -> str:
    return await (await c.discord.slash(member, "challenge enter", **options)).ephemeral_text()


def entry_posts(c: Community) -> list[Payload]:
    """The entries' posts in the channel, by entry number (they are posted in a random order)."""
    posts = [m for m in c.discord.messages_in(c.announcements) if m["embeds"] and "Entry #" in m["embeds"][0]["title"]]
    return sorted(posts, key=lambda m: int(m["embeds"][0]["title"].split("#")[1]))


def said(c: Community) -> list[str]:
    return [m["content"] for m in c.discord.messages_in(c.announcements)]


async def move(bot: CoCreateBot, clock: time_machine.Traveller, to: datetime) -> None:
    clock.move_to(to)
    await bot.catch_up()


async def test_weekly_run_fires_at_local_time_across_daylight_saving(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            text = await schedule(c)
            assert "Challenge #1 **Moustache parade** is scheduled. Next runs:" in text
            assert "Fri 23 Oct 2026 18:00 CEST: Moustaches" in text and "Fri 30 Oct 2026 18:00 CET: Hats" in text
            assert bot.scheduler.next_run("challenge:run:1") == FRIDAY_18_CEST
            await move(bot, clock, FRIDAY_18_CEST - timedelta(minutes=1))
            assert said(c) == []
            await move(bot, clock, FRIDAY_18_CEST)
            assert said(c)[-1].startswith("**Moustache parade** #1 is on! This time's theme: **Moustaches**.")
            assert bot.scheduler.next_run("challenge:run:1") == FRIDAY_18_CET
            await move(bot, clock, FRIDAY_18_CET)
            assert any(
                line.startswith("**Moustache parade** #2 is on! This time's theme: **Hats**.") for line in said(c)
            )


async def test_enter_vote_and_win(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    photo = c.discord.upload("tache.png", b"\x89PNG fake")
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c, prize="Your moustache on the next tin")
            await move(bot, clock, FRIDAY_18_CEST)
            assert "Your entry for **Moustaches** is in." in await enter(
                c, c.alice, text="The walrus", attachment=photo
            )
            assert "is updated" in await enter(c, c.alice, text="The walrus, waxed", attachment=photo)
            await enter(c, c.bob, link="https://example.com/handlebar")
            await enter(c, c.staff, text="Pencil thin")
            nothing = await enter(c, c.moderator)
            assert nothing == "An entry needs some text, an attachment or a link."
            notes = c.discord.upload("notes.txt", b"hello", content_type="text/plain")
            assert (
                await enter(c, c.moderator, attachment=notes) == "content type: only photos and videos can be entered"
            )
            bad_link = await enter(c, c.moderator, link="javascript:alert(1)")
            assert "link: use a whole link that starts with https://" in bad_link
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            assert "Voting is open for **Moustache parade** #1 (Moustaches)" in said(c)[-4]
            entries = entry_posts(c)
            alice_entry = entries[0]
            assert alice_entry["embeds"][0]["image"]["url"] == "attachment://tache.png"
            reuploaded = alice_entry["attachments"][0]
            assert c.discord.files[int(reuploaded["id"])] == b"\x89PNG fake", (
                "the photo was kept, not its expiring link"
            )
            assert "The walrus, waxed" in message_text(alice_entry)
            own = await c.discord.click(c.alice, alice_entry, "challenge:vote:1")
            assert await own.ephemeral_text() == "You cannot vote for your own entry."
            for voter in (c.bob, c.moderator, c.owner):
                await c.discord.click(voter, alice_entry, "challenge:vote:1")
            await c.discord.click(c.alice, entries[1], "challenge:vote:2")
            switched = await c.discord.click(c.owner, entries[2], "challenge:vote:3")
            assert await switched.ephemeral_text() == "You voted for entry #3. One vote per member per run."
            late = await enter(c, c.alice, text="Too late")
            assert late == "No challenge is taking entries right now."
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=2))
            winner = c.discord.messages_in(c.announcements)[-1]
            assert winner["content"].startswith(
                f"🏆 **Moustache parade** #1 (Moustaches): congratulations <@{c.alice.id}> with 2 votes! "
                "Prize: Your moustache on the next tin\n"
            )
            assert [int(u["id"]) for u in winner["mentions"]] == [c.alice.id], "the winner is pinged, nobody else"
            assert winner["content"].endswith(
                f"See the winning entry: https://discord.com/channels/{c.guild.id}/{c.announcements.id}/{alice_entry['id']}"
            ), "the winning entry's post, with its photo"
            closed = c.discord.message(int(alice_entry["id"]))
            assert closed["components"][0]["components"][0]["disabled"] is True
            assert closed["embeds"][0]["title"] == "🏆 Winner: Entry #1" and closed["attachments"], "its photo stays"
            fame_post = await (await c.discord.slash(c.bob, "challenge halloffame")).reply()
            fame = message_text(fame_post)
            assert f"Moustache parade #1 (Moustaches): <@{c.alice.id}> · 2 votes" in fame
            assert fame_post["embeds"][1]["image"]["url"] == "attachment://winner-1.png", (
                "with the latest winner's photo"
            )
            board = message_text(await (await c.discord.slash(c.bob, "challenge leaderboard")).reply()).splitlines()
            assert board[1] == f"1. <@{c.alice.id}> · 4 points · 1 entry · 1 win · streak 1"


async def test_entry_after_deadline_is_refused_even_before_voting_opens(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c)
            await move(bot, clock, FRIDAY_18_CEST)
            clock.move_to(FRIDAY_18_CEST + timedelta(days=1, seconds=5))  # the voting job has not run yet
            assert await enter(c, c.alice, text="Just in time?") == "Entries for this run have closed."


async def test_no_entries_and_ties(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c)
            await move(bot, clock, FRIDAY_18_CEST)
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            assert (
                said(c)[-1] == "**Moustache parade** #1 (Moustaches) had no entries this time. See you at the next one!"
            )
            await move(bot, clock, FRIDAY_18_CET)
            await enter(c, c.alice, text="Top hat")
            await enter(c, c.bob, text="Bowler")
            await move(bot, clock, FRIDAY_18_CET + timedelta(days=1))
            entries = entry_posts(c)
            await c.discord.click(c.bob, entries[0], "challenge:vote:1")
            await c.discord.click(c.alice, entries[1], "challenge:vote:2")
            await move(bot, clock, FRIDAY_18_CET + timedelta(days=2))
            assert said(c)[-1].startswith(
                f"🏆 **Moustache parade** #2 (Hats): congratulations <@{c.alice.id}> and <@{c.bob.id}> (a tie!) "
                "with 1 vote each!\nSee the winning entries: https://discord.com/channels/"
            )


async def test_pause_skip_resume_and_rotation(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c, entry_window="1h", voting_window="1h")
            await (await c.discord.slash(c.moderator, "challenge pause", challenge=1)).reply()
            await move(bot, clock, FRIDAY_18_CEST + timedelta(minutes=1))
            assert said(c) == [] and "paused" in message_text(
                await (await c.discord.slash(c.alice, "challenge list")).reply()
            )
            assert await (await c.discord.slash(c.moderator, "challenge resume", challenge=1)).ephemeral_text() == (
                "Challenge #1 is running again."
            )
            skipped = await (await c.discord.slash(c.moderator, "challenge skip", challenge=1)).ephemeral_text()
            assert skipped == f"The run of <t:{int(FRIDAY_18_CET.timestamp())}:f> is skipped."
            preview = message_text(await (await c.discord.slash(c.alice, "challenge preview", challenge=1)).reply())
            assert preview.splitlines()[1:4] == [
                "Fri 30 Oct 2026 18:00 CET: ~~skipped~~",
                "Fri 06 Nov 2026 18:00 CET: Moustaches",
                "Fri 13 Nov 2026 18:00 CET: Hats",
            ]
            await move(bot, clock, FRIDAY_18_CET)
            assert said(c) == []
            await move(bot, clock, FRIDAY_18_CET + timedelta(weeks=1))
            assert "theme: **Moustaches**" in said(c)[-1]
            refused = await c.discord.slash(c.alice, "challenge pause", challenge=1)
            assert await refused.ephemeral_text() == "Only moderators can do this."


async def test_restart_keeps_schedules_and_open_runs(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c)
            await move(bot, clock, FRIDAY_18_CEST)
            await enter(c, c.alice, text="Before the restart")
        async with start_bot() as bot:
            assert bot.scheduler.next_run("challenge:run:1") == FRIDAY_18_CET
            assert bot.scheduler.next_run("challenge:voting:1") == FRIDAY_18_CEST + timedelta(days=1)
            await enter(c, c.bob, text="After the restart")
            await move(bot, clock, FRIDAY_18_CEST + timedelta(days=1))
            assert "2 entries" in said(c)[-3]


@pytest.mark.parametrize(("late", "starts"), [(timedelta(minutes=30), True), (timedelta(hours=3), False)])
async def test_run_missed_while_offline_follows_the_misfire_policy(
    configured: Community, start_bot: BotStarter, late: timedelta, starts: bool
) -> None:
    c = configured
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot():
            await schedule(c, entry_window="2h", voting_window="1h")
        clock.move_to(FRIDAY_18_CEST + late)  # the bot was offline at 18:00
        async with start_bot() as bot:
            await bot.catch_up()
            assert bool(said(c)) is starts, "up to an hour late the run starts; later it is skipped"
            assert bot.scheduler.next_run("challenge:run:1") == FRIDAY_18_CET
            if starts:
                run = (await bot.services.challenges.unfinished_runs(c.guild.id))[0]
                assert run.starts_at == FRIDAY_18_CEST + late and run.theme == "Moustaches"


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"schedule": "every friday"}, "Schedule: use `daily 18:00`, `weekly fri 18:00`"),
        ({"schedule": "0 25 * * *"}, "That schedule is not valid"),
        (
            {"schedule": "daily 18:00", "entry_window": "1d"},
            "they start 1 day apart, but entries and voting take 2 days.",
        ),
        ({"schedule": "once 2020-01-01 10:00"}, "That schedule never comes round again"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"entry_window": "soon"}, "Entry window: use a duration like 45m, 2h or 3d."),
        ({"themes": " | "}, "themes: at least 1 item"),
    ],
)
async def test_bad_schedules_are_refused(
    configured: Community, start_bot: BotStarter, options: dict[str, object], refusal: str
) -> None:
    async with start_bot() as bot:
        assert refusal in await schedule(configured, **options)
        assert await bot.services.challenges.all(configured.guild.id) == []
        assert not [job for job in bot.scheduler.job_ids() if job.startswith("challenge:run")]


async def test_members_cannot_schedule(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        record = await c.discord.slash(
            c.alice, "challenge schedule", name="Mine", themes="A", schedule="daily 10:00", entry_window="1h",
            voting_window="1h",
        )  # fmt: skip
        assert await record.ephemeral_text() == "Only moderators can do this."


async def test_random_rotation_runs_the_themes_its_preview_promised(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    themes = "Moustaches | Hats | Pets | Beards | Sideburns"
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(
                c, themes=themes, rotation="random", schedule="daily 18:00", entry_window="2h", voting_window="1h"
            )
            preview = await bot.services.challenges.preview(c.guild.id, 1, 4)
            for day, planned in enumerate(preview):
                await move(bot, clock, planned.starts_at.astimezone(UTC))
                assert f"theme: **{planned.theme}**" in said(c)[-1], f"day {day}"
                await move(bot, clock, planned.starts_at.astimezone(UTC) + timedelta(hours=3))
            assert len({p.theme for p in preview}) > 1, "random rotation varies the theme"


async def test_edit_changes_only_what_is_passed_and_the_schedule_follows_across_a_restart(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    saturday_10_cest = datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    with time_machine.travel(TUESDAY, tick=False) as clock:
        async with start_bot() as bot:
            await schedule(c, prize="A tin")
            edit = {"challenge": 1, "name": "Beard parade", "themes": "Beards | Braids", "schedule": "weekly sat 10:00"}
            edit |= {"entry_window": "2h", "voting_window": "3h", "rotation": "random", "timezone": "Europe/London"}
            reply = await (await c.discord.slash(c.moderator, "challenge edit", **edit)).ephemeral_text()
            assert reply == f"Saved. **#1 Beard parade** · `weekly sat 10:00` Europe/London · <#{c.announcements.id}>"
            edited = await bot.services.challenges.get(c.guild.id, 1)
            assert (edited.themes, edited.entry_minutes, edited.voting_minutes) == (("Beards", "Braids"), 120, 180)
            assert (edited.rotation.value, edited.prize) == ("random", "A tin"), "what was not passed stays"
            assert bot.scheduler.next_run("challenge:run:1") == saturday_10_cest + timedelta(hours=1)  # 10:00 BST
            for options, refusal in (
                ({}, "Pass at least one thing to change."),
                ({"entry_window": "soon"}, "Entry window: use a duration like 45m, 2h or 3d."),
                ({"voting_window": "never"}, "Voting window: use a duration like 45m, 2h or 3d."),
            ):
                refused = await c.discord.slash(c.moderator, "challenge edit", challenge=1, **options)
                assert await refused.ephemeral_text() == refusal
            assert await bot.services.challenges.get(c.guild.id, 1) == edited, "a refused edit changes nothing"
        async with start_bot() as bot:
            assert bot.scheduler.next_run("challenge:run:1") == saturday_10_cest + timedelta(hours=1)
            await move(bot, clock, saturday_10_cest + timedelta(hours=1))
            assert said(c)[-1].startswith("**Beard parade** #1 is on!")
            [run] = await bot.services.challenges.unfinished_runs(c.guild.id)
            assert (run.entries_close_at - run.starts_at, run.voting_close_at - run.entries_close_at) == (
                timedelta(hours=2),
                timedelta(hours=3),
            )


async def test_without_a_channel_runs_are_announced_in_the_announcements_channel(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        options = {"name": "Parade", "themes": "Hats", "schedule": "weekly fri 18:00", "entry_window": "1d",
                   "voting_window": "1d"}  # fmt: skip
        await (await c.discord.slash(c.moderator, "challenge schedule", in_channel=c.general, **options)).reply()
        assert (await bot.services.challenges.get(c.guild.id, 1)).channel_id == c.announcements.id


async def test_deleting_a_challenge_asks_first_and_only_the_asker_confirms(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot() as bot:
        assert "scheduled" in await schedule(c)
        missing = await (await c.discord.slash(c.moderator, "challenge delete", challenge=9)).ephemeral_text()
        assert missing == "There is no challenge #9 in this server."
        asked = await (await c.discord.slash(c.moderator, "challenge delete", challenge=1)).reply()
        assert message_text(asked).startswith("Delete challenge #1 **Moustache parade** with all its runs")
        assert (await bot.services.challenges.get(c.guild.id, 1)).name == "Moustache parade", "nothing yet"
        button = asked["components"][0]["components"][0]["custom_id"]
    async with start_bot() as bot:  # the confirmation still works after a restart
        other = await c.discord.click(c.owner, asked, button)
        assert await other.ephemeral_text() == "This confirmation belongs to someone else."
        done = await c.discord.click(c.moderator, asked, button)
        assert done.response_type == 7  # the confirmation turns into the outcome
        assert c.discord.message(int(asked["id"]))["content"] == "Challenge #1 Moustache parade is deleted."
        assert await bot.services.challenges.all(c.guild.id) == []
        assert "challenge:run:1" not in bot.scheduler.job_ids()
