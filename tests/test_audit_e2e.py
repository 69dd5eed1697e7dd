"""The audit log: every staff and moderator action is kept with the change itself, shown by `/setup audit` and
exported as a safe CSV, in the reader's language, across a restart; members cannot read it."""

import csv
import io

import pytest

from emulator.interactions import message_text
from tests.conftest import BotStarter, Community, fail_next_commit
from tests.test_challenges_e2e import schedule
from tests.test_ideas_e2e import post
from tests.test_privacy_promises_e2e import attachment_text

FORMULA = '=HYPERLINK("https://evil.example")'


async def test_staff_and_moderator_actions_are_logged_shown_and_exported(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        await post(c, c.alice, "Mint wax")
        await post(c, c.bob, "Cedar smoke")
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="shipped", reason=FORMULA)).reply()
        await (await c.discord.slash(c.staff, "idea merge", duplicate=2, into=1)).reply()
        await (await c.discord.slash(c.staff, "idea credit", idea=1, member=c.bob)).reply()
        await (await c.discord.slash(c.staff, "poll create", question="Scent?", options="Mint | Cedar")).reply()
        await (await c.discord.slash(c.moderator, "poll close", poll=1)).reply()
        await schedule(c, name=FORMULA)
        asked = await (await c.discord.slash(c.moderator, "challenge delete", challenge=1)).reply()
        await c.discord.click(c.moderator, asked, asked["components"][0]["components"][0]["custom_id"])
    async with start_bot():  # the log is in the database, not in memory
        shown = message_text(await (await c.discord.slash(c.moderator, "setup audit")).reply()).splitlines()
        assert shown[0] == "Audit log"
        assert f"<@{c.moderator.id}> deleted **challenge #1**: " in shown[1], "newest first"
        assert f"<@{c.moderator.id}> closed early **poll #1**" in shown[2]
        assert f"<@{c.staff.id}> credited a co-author on **idea #1**: <@{c.bob.id}>" in shown[3]
        assert f"<@{c.staff.id}> merged **idea #2**: into #1" in shown[4]
        assert f"<@{c.staff.id}> changed the status of **idea #1**: new → shipped: " in shown[5]
        assert f"<@{c.owner.id}> changed the **settings**: ideas channel: <#{c.ideas.id}>" in shown[6]

        exported = await (await c.discord.slash(c.moderator, "setup audit", export=True)).reply()
        rows = list(csv.DictReader(io.StringIO(attachment_text(c, exported))))
        actions = [r["action"] for r in rows]
        assert actions == ["settings", "idea.status", "idea.merge", "idea.credit", "poll.close", "challenge.delete"]
        assert rows[5]["detail"] == "'" + FORMULA, "a formula that staff typed is neutralised"
        assert rows[4]["actor_id"] == str(c.moderator.id)

        c.moderator.locale = "nl"
        dutch = message_text(await (await c.discord.slash(c.moderator, "setup audit")).reply()).splitlines()
        assert dutch[0] == "Auditlog" and "sloot vroegtijdig **poll #1**" in dutch[2]

        refused = await (await c.discord.slash(c.alice, "setup audit")).ephemeral_text()
        assert refused == "Only moderators can do this."


async def test_an_action_and_its_audit_line_are_kept_or_lost_together(
    configured: Community, start_bot: BotStarter, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = configured
    async with start_bot() as bot:
        await post(c, c.alice, "Mint wax")
        before = len(await bot.storage.audit.all(c.guild.id))
        await bot.delivery.close()  # so that the failing COMMIT is the status change's, not the worker's
        fail_next_commit(monkeypatch, bot.storage.db)
        failed = await (await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Soon")).reply()
        assert "could not be saved" in message_text(failed)
        assert (await bot.services.ideas.get(c.guild.id, 1)).status == "new"
        assert len(await bot.storage.audit.all(c.guild.id)) == before, "no line for what did not happen"
        await (await c.discord.slash(c.staff, "idea status", idea=1, status="planned", reason="Soon")).reply()
        assert len(await bot.storage.audit.all(c.guild.id)) == before + 1
