"""Hostile input through every free-text field: each gets a clear ephemeral refusal or is stored exactly as
given, never an error id; and no message the bot sends pings anyone it was not meant to."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import CoCreateBot
from emulator import InteractionRecord
from services.ideas import Page
from tests.conftest import BotStarter, Community

INJECTIONS = ["@everyone", "@here", "<@&{role}>", "<@{user}>", "**bold** __u__ `x`", "||spoiler||", "# heading"]
INVISIBLE = ["\u200b", "\u202e", "\u2066", "\x00", "\x1b[31m", "\ufeff"]


def hostile(max_size: int, invisible: bool = False) -> st.SearchStrategy[str]:
    """Strings a member could type: any visible unicode, mention and markdown injection, and (if asked)
    invisible or control characters, which the bot must refuse."""
    pieces = [
        st.text(st.characters(exclude_categories=["Cs", "Cc", "Cf", "Co"]), max_size=40),
        st.sampled_from(INJECTIONS),
        st.just(" "),
    ]
    strings = st.lists(st.one_of(pieces), min_size=1, max_size=12).map("".join)
    if invisible:
        strings = st.tuples(strings, st.sampled_from(INVISIBLE), strings).map("".join)
    return strings.filter(lambda s: 1 <= len(s) <= max_size)


EVERY_INJECTION = " ".join(INJECTIONS)


async def outcome(record: InteractionRecord) -> str:
    """The member's answer: it must be ephemeral, and never the 'something went wrong' of a bug."""
    text = await record.ephemeral_text()
    assert "give a moderator this id" not in text, text
    return text


@pytest.fixture
async def hostile_bot(configured: Community, start_bot: BotStarter) -> AsyncIterator[CoCreateBot]:
    """The bot with every free-text input reachable: no idea rate limit, an open AMA, a running challenge."""
    c = configured
    async with start_bot() as bot:
        setup = [
            (c.moderator, "idea settings", {"hourly_limit": 100}),
            (c.staff, "ama schedule", {"title": "Open mic", "host": c.staff, "starts": "1h", "ends": "2h"}),
            (c.staff, "ama open", {"ama": 1}),
            (c.moderator, "challenge schedule", {"name": "Parade", "themes": "Hats", "schedule": "weekly fri 18:00",
                                                 "entry_window": "1d", "voting_window": "1d"}),
        ]  # fmt: skip
        for member, command, options in setup:
            await (await c.discord.slash(member, command, **options)).reply()
        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        await bot.storage.db.execute("UPDATE challenges SET last_fire_at = ?", (week_ago,))  # a run is due now
        assert await bot.services.challenges.start_run(c.guild.id, 1) is not None
        yield bot


def fill(template: str, c: Community, limit: int) -> str:
    """Put real role and member ids into the mention templates, keeping within the field's limit."""
    return template.replace("{role}", str(c.staff_role.id)).replace("{user}", str(c.bob.id))[:limit]


def assert_pings_only(c: Community, *intended: int) -> None:
    """No message pings everyone, here or a role, and members only where the feature means to."""
    for message in c.discord.messages.values():
        assert message["mention_everyone"] is False, message["content"]
        assert message["mention_roles"] == [], message["content"]
        assert {int(u["id"]) for u in message["mentions"]} <= set(intended), message["content"]


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@example(title="@everyone <@&{role}>", description=EVERY_INJECTION, reason=EVERY_INJECTION)
@example(title="t" * 100, description="d" * 2000, reason="r" * 500)
@given(title=hostile(100), description=hostile(2000), reason=hostile(500))
async def test_idea_text(
    hostile_bot: CoCreateBot, configured: Community, title: str, description: str, reason: str
) -> None:
    c = configured
    title, description = fill(title, c, 100), fill(description, c, 2000)
    opened = await c.discord.slash(c.alice, "idea submit")
    answer = await outcome(await c.discord.submit_modal(c.alice, opened, {"title": title, "description": description}))
    if "is posted" in answer:
        idea_id = int(answer.split("#")[1].split()[0])
        idea = await hostile_bot.services.ideas.get(c.guild.id, idea_id)
        assert (idea.title, idea.description) == (title.strip(), description.strip()), "stored exactly, never cut"
        reason = fill(reason, c, 500)
        status = await c.discord.slash(c.staff, "idea status", idea=idea_id, status="planned", reason=reason)
        if "followers notified" in await outcome(status):
            assert (await hostile_bot.services.ideas.get(c.guild.id, idea_id)).status_reason == reason.strip()
    await hostile_bot.delivery.drain()
    assert_pings_only(c, c.alice.id)  # the author is notified of status changes, as intended


@SETTINGS
@example(question=EVERY_INJECTION, option="@here <@{user}>")
@example(question="q" * 300, option="o" * 80)
@given(question=hostile(300), option=hostile(80))
async def test_poll_text(hostile_bot: CoCreateBot, configured: Community, question: str, option: str) -> None:
    c = configured
    question, option = fill(question, c, 300), fill(option, c, 80).replace("|", "/")
    answer = await outcome(
        await c.discord.slash(c.staff, "poll create", question=question, options=f"{option} | Another option")
    )
    if answer.endswith("is live."):
        poll = await hostile_bot.services.polls.get(c.guild.id, int(answer.split("#")[1].split()[0]))
        assert poll.question == question.strip() and poll.options[0] == option.strip()
    assert_pings_only(c)


@SETTINGS
@example(question=EVERY_INJECTION, answer=EVERY_INJECTION)
@example(question="q" * 500, answer="a" * 1500)  # the longest a member may type must still render
@given(question=hostile(500), answer=hostile(1500))
async def test_ama_question_and_answer(
    hostile_bot: CoCreateBot, configured: Community, question: str, answer: str
) -> None:
    c = configured
    asker = c.discord.add_member(c.guild, f"asker{len(c.guild.members)}")  # each member may ask only a few
    opened = await c.discord.slash(asker, "ama ask")
    asked = await outcome(await c.discord.submit_modal(asker, opened, {"question": fill(question, c, 500)}))
    if "is in <#" in asked:
        question_id = int(asked.split("#")[1].split()[0])
        await outcome(await c.discord.slash(c.staff, "ama answer", question=question_id, answer=fill(answer, c, 1500)))
    askers = [m.id for m in c.guild.members.values() if m.user.username.startswith("asker")]
    assert_pings_only(c, *askers)  # each asker is notified of the answer, as intended


@SETTINGS
@given(value=hostile(64))
async def test_setup_timezone(hostile_bot: CoCreateBot, configured: Community, value: str) -> None:
    c = configured
    answer = await outcome(await c.discord.slash(c.owner, "setup set", timezone=fill(value, c, 64)))
    assert answer.startswith(("Settings saved.", "time zone: unknown time zone")), answer
    assert_pings_only(c)


@SETTINGS
@given(title=hostile(100, invisible=True))
async def test_invisible_characters_are_refused_and_nothing_stored(
    hostile_bot: CoCreateBot, configured: Community, title: str
) -> None:
    c = configured
    opened = await c.discord.slash(c.alice, "idea submit")
    answer = await outcome(await c.discord.submit_modal(c.alice, opened, {"title": title, "description": "fine"}))
    assert "contains an invisible or control character" in answer and "Your text is saved." in answer
    assert await hostile_bot.services.ideas.search(c.guild.id, "fine") == Page(ideas=(), has_next=False)


@SETTINGS
@example(text=EVERY_INJECTION, link="https://example.com/@everyone")
@example(text="t" * 1000, link="https://example.com/" + "x" * 280)
@given(text=hostile(1000), link=hostile(300))
async def test_challenge_entry(hostile_bot: CoCreateBot, configured: Community, text: str, link: str) -> None:
    c = configured
    answer = await outcome(await c.discord.slash(c.alice, "challenge enter", text=fill(text, c, 1000), link=link))
    assert answer.startswith("Your entry") or "link: use a whole link" in answer, answer
    assert_pings_only(c)


@SETTINGS
@example(words=EVERY_INJECTION, categories=EVERY_INJECTION, title=EVERY_INJECTION)
@given(words=hostile(100), categories=hostile(800), title=hostile(100))
async def test_search_settings_and_titles(
    hostile_bot: CoCreateBot, configured: Community, words: str, categories: str, title: str
) -> None:
    c = configured
    await outcome(await c.discord.slash(c.alice, "idea search", words=fill(words, c, 100)))
    await outcome(await c.discord.slash(c.moderator, "idea settings", categories=fill(categories, c, 800)))
    scheduled = c.discord.slash(
        c.staff, "ama schedule", title=fill(title, c, 100), host=c.staff, starts="1d", ends="1h"
    )
    await outcome(await scheduled)
    assert_pings_only(c)
