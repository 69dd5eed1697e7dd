"""Insights for brand staff: `/insights` counts participation week by week from what members really did through
the bot (across a restart), with a chart for a phone and a CSV; only staff may see it."""

import csv
import io
from datetime import UTC, datetime, timedelta

import time_machine
from PIL import Image

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community
from tests.test_amas_e2e import ask, open_ama
from tests.test_ideas_e2e import post, vote
from tests.test_polls_e2e import live_poll, pick

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


async def test_insights_count_each_week_and_come_with_a_chart_and_a_csv(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    with time_machine.travel(START, tick=True) as clock:
        async with start_bot():
            mint = await post(c, c.alice, "Mint wax")  # four weeks ago: alice's first contribution
            await vote(c, c.bob, mint, "up")
            clock.shift(timedelta(hours=30))
            await (await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Yes")).reply()
            clock.shift(timedelta(days=7))
            await post(c, c.bob, "Cedar comb")  # two weeks ago: bob's first
        clock.shift(timedelta(days=13))
        async with start_bot():  # what was counted survives a restart
            poll = await live_poll(c)
            await pick(c, c.alice, poll, 0)
            await pick(c, c.bob, poll, 1)
            await open_ama(c)
            await ask(c, c.alice, "When does the cedar comb ship?")
            refused = await c.discord.slash(c.bob, "insights")
            assert await refused.ephemeral_text() == "Only brand staff can do this."
            asked = await c.discord.slash(c.staff, "insights", weeks=4)
            report = await asked.followup()
    assert report["flags"] & 64, "only the staff member who asked sees it"
    shown = message_text(report)
    assert "Ideas\n0 · 1 · 2" in shown and "Poll ballots\n2 · 0 · 2" in shown, shown
    assert "Hours to a staff answer\n- · -" in shown and "AMA questions\n1 · 0 · 1" in shown
    files = {a["filename"]: c.discord.files[int(a["id"])] for a in report["attachments"]}
    rows = list(csv.DictReader(io.StringIO(files["insights.csv"].decode())))
    assert [row["week_starting"] for row in rows] == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]
    column = {name: [row[name] for row in rows] for name in rows[0]}
    assert column["ideas"] == ["1", "0", "1", "0"] and column["votes"] == ["1", "0", "0", "0"]
    assert column["ballots"] == ["0", "0", "0", "2"] and column["questions"] == ["0", "0", "0", "1"]
    assert column["active_members"] == ["2", "0", "1", "1"], "poll ballots are anonymous: not counted as active"
    assert column["new_contributors"] == ["1", "0", "1", "0"]
    assert column["median_hours_to_staff_answer"] == ["", "30.0", "", ""]
    chart = Image.open(io.BytesIO(files["insights.png"]))
    assert chart.width == 1080 and report["embeds"][0]["image"]["url"] == "attachment://insights.png"
