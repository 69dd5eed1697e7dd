"""The ideas service on a real SQLite file, with a clock the test moves."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from services.clock import ManualClock
from services.errors import InvalidInput, NotFound
from services.ideas import IdeaQuery, IdeaService, refresh
from storage import Storage
from storage.models import DraftText, IdeaStatus

GUILD, ALICE, STAFF = 1, 10, 20


def text(title: str, description: str = "d", category: str | None = None) -> DraftText:
    return DraftText(title=title, description=description, category=category)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def ideas(storage: Storage, clock: ManualClock) -> IdeaService:
    return IdeaService(storage.ideas, clock)


async def test_rate_limit_window_moves_with_the_clock(ideas: IdeaService, clock: ManualClock) -> None:
    await ideas.configure(GUILD, downvotes=None, categories=None, hourly_limit=2)
    await ideas.submit(GUILD, ALICE, text("Cedar scent", "d", None))
    clock.advance(timedelta(minutes=30))
    await ideas.submit(GUILD, ALICE, text("Lavender tin", "d", None))
    with pytest.raises(InvalidInput, match="Try again in 30 minutes"):
        await ideas.submit(GUILD, ALICE, text("Oak comb", "d", None))
    await ideas.submit(GUILD, ALICE + 1, text("Oak comb", "another member is not limited", None))
    clock.advance(timedelta(minutes=30))
    outcome = await ideas.submit(GUILD, ALICE, text("Rose gift box", "d", None))
    assert outcome.idea is not None and outcome.idea.id == 4


async def test_the_last_minute_of_the_limit_reads_as_one_minute(ideas: IdeaService, clock: ManualClock) -> None:
    await ideas.configure(GUILD, downvotes=None, categories=None, hourly_limit=1)
    await ideas.submit(GUILD, ALICE, text("Cedar scent"))
    clock.advance(timedelta(minutes=59, seconds=50))
    with pytest.raises(InvalidInput, match=r"^You can submit 1 idea an hour\. Try again in 1 minute\.$"):
        await ideas.submit(GUILD, ALICE, text("Oak comb"))


async def test_browse_filters_by_status_and_category_and_pages_by_five(ideas: IdeaService) -> None:
    await ideas.configure(GUILD, downvotes=None, categories="Scents, Tins", hourly_limit=20)
    for n in range(6):
        await ideas.submit(GUILD, ALICE, text(f"Scent {n}", category="Scents"))
    await ideas.submit(GUILD, ALICE, text("Round tin", category="Tins"))
    await ideas.set_status(GUILD, 1, IdeaStatus.PLANNED, "On the list for spring.")
    tins = await ideas.browse(GUILD, IdeaQuery(category="Tins"))
    assert [i.title for i in tins.ideas] == ["Round tin"]
    planned = await ideas.browse(GUILD, IdeaQuery(status=IdeaStatus.PLANNED))
    assert [i.title for i in planned.ideas] == ["Scent 0"]
    scents = await ideas.browse(GUILD, IdeaQuery(category="Scents"))
    assert len(scents.ideas) == 5 and scents.has_next
    last = await ideas.browse(GUILD, IdeaQuery(category="Scents", page=1))
    assert [i.title for i in last.ideas] == ["Scent 0"] and not last.has_next
    new = await ideas.browse(GUILD, IdeaQuery(status=IdeaStatus.NEW, category="Scents"))
    assert len(new.ideas) == 5 and not new.has_next, "exactly five: no next page"


async def test_period_filter_uses_the_clock(ideas: IdeaService, clock: ManualClock) -> None:
    await ideas.submit(GUILD, ALICE, text("Old idea", "d", None))
    clock.advance(timedelta(days=10))
    await ideas.submit(GUILD, ALICE, text("Fresh idea", "d", None))
    week = await ideas.browse(GUILD, IdeaQuery(period="week"))
    assert [i.title for i in week.ideas] == ["Fresh idea"]
    assert len((await ideas.browse(GUILD, IdeaQuery(period="month"))).ideas) == 2


async def test_categories_are_matched_case_insensitively_and_unknown_refused(ideas: IdeaService) -> None:
    await ideas.configure(GUILD, downvotes=None, categories="Flavours, Packaging, flavours", hourly_limit=None)
    assert (await ideas.settings(GUILD)).categories == ("Flavours", "Packaging", "flavours")
    outcome = await ideas.submit(GUILD, ALICE, text("Cedar", "d", "packaging"))
    assert outcome.idea is not None and outcome.idea.category == "Packaging"
    with pytest.raises(InvalidInput, match="Unknown category 'Hats'"):
        await ideas.submit(GUILD, ALICE, text("Hat wax", "d", "Hats"))


async def test_similar_titles_are_caught_but_different_ones_are_not(ideas: IdeaService) -> None:
    outcome = await ideas.submit(GUILD, ALICE, text("Blue moustache wax", "d", None))
    assert outcome.idea is not None
    assert await ideas.similar(GUILD, "Blue moustache wax") == [], "an idea not posted yet is not offered as similar"
    await ideas.attach_post(outcome.idea, channel_id=10, message_id=11, thread_id=11)
    assert [i.id for i in await ideas.similar(GUILD, "blue  Moustache-wax!")] == [1]
    assert await ideas.similar(GUILD, "Blue gift box") == []
    assert await ideas.similar(GUILD + 1, "Blue moustache wax") == [], "other guilds' ideas never match"


async def test_merge_refuses_merged_ideas_and_refreshes_both_posts(ideas: IdeaService, storage: Storage) -> None:
    for title in ("Cedar scent", "Cedar smell", "Oak comb"):
        await ideas.submit(GUILD, ALICE, text(title))
    await ideas.merge(GUILD, 2, 1, None, by=STAFF)
    renders = {row[0] for row in await storage.db.fetch_all("SELECT render_key FROM deliveries")}
    assert {f"{refresh(1).kind}:1", f"{refresh(2).kind}:2"} <= renders
    with pytest.raises(InvalidInput, match=r"^Idea #2 is already merged into #1\.$"):
        await ideas.merge(GUILD, 2, 3, None, by=STAFF)
    with pytest.raises(InvalidInput, match=r"^Idea #2 is itself merged into #1; merge into that\.$"):
        await ideas.merge(GUILD, 3, 2, None, by=STAFF)


async def test_export_leaves_empty_what_is_not_set(ideas: IdeaService) -> None:
    await ideas.configure(GUILD, downvotes=None, categories="Scents", hourly_limit=None)
    await ideas.submit(GUILD, ALICE, text("Cedar scent", category="Scents"))
    await ideas.submit(GUILD, ALICE, text("Cedar smell"))
    await ideas.merge(GUILD, 2, 1, None, by=STAFF)
    rows = list(csv.DictReader(io.StringIO(await ideas.export_csv(GUILD))))
    picked = [(r["category"], r["status"], r["reason"], r["duplicate_of"]) for r in rows]
    assert picked == [("Scents", "new", "", ""), ("", "duplicate", "", "1")]


async def test_notifications_can_be_turned_off_and_on_again(ideas: IdeaService, storage: Storage) -> None:
    await ideas.set_notifications(GUILD, ALICE, False)
    assert await storage.ideas.opted_out(GUILD) == {ALICE}
    await ideas.set_notifications(GUILD, ALICE, True)
    assert await storage.ideas.opted_out(GUILD) == set()


async def test_suggestions_stop_at_25_and_read_up_to_a_full_title(ideas: IdeaService) -> None:
    await ideas.configure(GUILD, downvotes=None, categories=None, hourly_limit=50)
    long_title = "Cedar " + "x" * 94
    await ideas.submit(GUILD, ALICE, text(long_title))
    for n in range(26):
        await ideas.submit(GUILD, ALICE, text(f"Oak comb {n}"))
    assert len(await ideas.suggest(GUILD, "Oak")) == 25
    assert [title for _, title in await ideas.suggest(GUILD, long_title + "y")] == [long_title]
    await ideas.submit(GUILD, ALICE, text("Wax\\Comb"))
    assert [title for _, title in await ideas.suggest(GUILD, "\\")] == ["Wax\\Comb"], "a backslash is literal"


async def test_the_leaderboard_shows_ten_by_default(ideas: IdeaService) -> None:
    for author in range(100, 111):
        outcome = await ideas.submit(GUILD, author, text(f"Idea of {author}"))
        assert outcome.idea is not None
        await ideas.vote(GUILD, outcome.idea.id, ALICE, 1)
    assert len(await ideas.leaderboard(GUILD)) == 10


async def test_an_edited_draft_replaces_the_old_one(ideas: IdeaService) -> None:
    first = await ideas.keep_draft(GUILD, ALICE, text("Cedar"))
    second = await ideas.keep_draft(GUILD, ALICE, text("Cedar scent"), replacing=first)
    assert (await ideas.draft(GUILD, ALICE, second)).title == "Cedar scent"
    with pytest.raises(NotFound):
        await ideas.draft(GUILD, ALICE, first)


async def test_status_refuses_duplicates_both_ways_and_names_who_changed_it(
    ideas: IdeaService, storage: Storage
) -> None:
    for title in ("Cedar scent", "Cedar smell"):
        await ideas.submit(GUILD, ALICE, text(title))
    with pytest.raises(InvalidInput, match=r"^Use /idea merge to mark an idea as a duplicate of another\.$"):
        await ideas.set_status(GUILD, 1, IdeaStatus.DUPLICATE, "Same idea.")
    await ideas.merge(GUILD, 2, 1, None, by=STAFF)
    with pytest.raises(InvalidInput, match=r"^Idea #2 was merged into #1; change that one instead\.$"):
        await ideas.set_status(GUILD, 2, IdeaStatus.PLANNED, "Spring.")
    await ideas.set_status(GUILD, 1, IdeaStatus.PLANNED, "Spring.", by=ALICE + 1)
    [payload] = [
        json.loads(row[0])
        for row in await storage.db.fetch_all("SELECT payload FROM deliveries WHERE kind = 'idea.status'")
    ]
    assert payload == {"status": "planned", "previous": "new", "reason": "Spring.", "by": ALICE + 1}
