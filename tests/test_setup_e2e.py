"""`/setup` end to end: the real discord.py client against the loopback emulator and a real database."""

from pathlib import Path

import pytest

from bot.core import CoCreateBot
from bot.needs import invite_url
from emulator.community import build_community
from emulator.interactions import message_text
from emulator.state import Payload, Permissions
from tests.conftest import BotStarter, Community
from tests.test_delivery_e2e import catch_up_until


async def configure(c: Community) -> str:
    record = await c.discord.slash(c.owner, "setup set", **c.setup_options())
    return await record.ephemeral_text()


async def test_owner_configures_and_sees_settings(bot, community: Community) -> None:
    c = community
    text = await configure(c)
    assert "Settings saved." in text
    shown = await (await c.discord.slash(c.owner, "setup show")).ephemeral_text()
    for expected in (f"<#{c.ideas.id}>", f"<#{c.announcements.id}>", f"<@&{c.staff_role.id}>", "Europe/Amsterdam"):
        assert expected in shown
    stored = await bot.services.setup.get(c.guild.id)
    assert (stored.ideas_channel_id, stored.staff_role_id) == (c.ideas.id, c.staff_role.id)


async def test_setup_messages_ping_nobody(bot, community: Community) -> None:
    c = community
    await configure(c)
    reply = await (await c.discord.slash(c.owner, "setup show")).reply()
    assert reply["mention_roles"] == [] and reply["mention_everyone"] is False
    assert reply["allowed_mentions"]["parse"] == []


async def test_partial_update_keeps_other_settings(bot, community: Community) -> None:
    c = community
    await configure(c)
    await (await c.discord.slash(c.owner, "setup set", timezone="America/New_York")).reply()
    stored = await bot.services.setup.get(c.guild.id)
    assert stored.timezone == "America/New_York" and stored.ideas_channel_id == c.ideas.id


async def test_member_without_manage_server_is_refused(bot, community: Community) -> None:
    c = community
    for member in (c.alice, c.staff):
        record = await c.discord.slash(member, "setup set", announcements_channel=c.general)
        assert await record.ephemeral_text() == "Only members with the Manage Server permission can do this."
    assert (await bot.services.setup.get(c.guild.id)).announcements_channel_id is None


async def test_moderator_may_show_but_not_change(bot, community: Community) -> None:
    c = community
    await configure(c)
    shown = await (await c.discord.slash(c.moderator, "setup show")).ephemeral_text()
    assert "Europe/Amsterdam" in shown
    refused = await (await c.discord.slash(c.moderator, "setup set", timezone="UTC")).ephemeral_text()
    assert "Manage Server" in refused
    denied = await (await c.discord.slash(c.alice, "setup show")).ephemeral_text()
    assert denied == "Only moderators can do this."


async def test_unknown_timezone_is_refused_and_nothing_stored(bot, community: Community) -> None:
    c = community
    record = await c.discord.slash(c.owner, "setup set", timezone="Mars/Olympus_Mons", ideas_channel=c.ideas)
    text = await record.ephemeral_text()
    assert "unknown time zone 'Mars/Olympus_Mons'" in text
    assert (await bot.services.setup.get(c.guild.id)).ideas_channel_id is None


async def test_no_options_is_refused(bot, community: Community) -> None:
    text = await (await community.discord.slash(community.owner, "setup set")).ephemeral_text()
    assert text == "Pass at least one setting to change."


async def test_overlong_timezone_is_bounded_by_the_command_definition(bot, community: Community) -> None:
    c = community
    with pytest.raises(AssertionError, match="Discord refuses option 'timezone'"):
        await c.discord.slash(c.owner, "setup set", timezone="x" * 65)


async def test_timezone_autocomplete(bot, community: Community) -> None:
    choices = await community.discord.autocomplete(community.owner, "setup set", "timezone", timezone="amsterd")
    assert [c["value"] for c in choices] == ["Europe/Amsterdam"]


async def test_settings_survive_restart_without_resync(start_bot: BotStarter, community: Community) -> None:
    c = community
    async with start_bot():
        await configure(c)
    async with start_bot():
        shown = message_text(await (await c.discord.slash(c.owner, "setup show")).reply())
    assert f"<#{c.ideas.id}>" in shown and "Europe/Amsterdam" in shown
    syncs = [call for call in c.discord.rest_log if call[0] == "PUT" and call[1].endswith("/commands")]
    assert len(syncs) == 1, "an unchanged command tree must not be synced again on restart"


async def test_setup_check_names_each_missing_permission_and_where(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        await c.discord.deny_bot(c.announcements, Permissions.EMBED_LINKS | Permissions.ATTACH_FILES)
        report = await (await c.discord.slash(c.moderator, "setup check")).ephemeral_text()
        lines = report.splitlines()
        assert lines[0] == f"**Ideas channel** <#{c.ideas.id}>: ✅"
        assert lines[1] == f"**Announcements channel** <#{c.announcements.id}>: ❌ missing Embed Links, Attach Files"
        assert lines[2] == "**Server**: ❌ missing Manage Events (for AMAs as Discord events)"
        assert "then run `/setup check` again" in report
        await c.discord.deny_bot(c.announcements, 0)
        report = await (await c.discord.slash(c.moderator, "setup check")).ephemeral_text()
        assert f"**Announcements channel** <#{c.announcements.id}>: ✅" in report.splitlines()
        refused = await (await c.discord.slash(c.alice, "setup check")).ephemeral_text()
        assert refused == "Only moderators can do this."


async def test_help_shows_each_member_the_commands_they_may_use(configured: Community, start_bot: BotStarter) -> None:
    c = configured
    async with start_bot():
        shown = {}
        for who in (c.alice, c.staff, c.owner):
            shown[who.user.username] = message_text(await (await c.discord.slash(who, "help")).reply())
        assert "`/idea submit`" in shown["alice"] and "`/privacy export`" in shown["alice"]
        assert "`/poll create`" not in shown["alice"] and "`/setup set`" not in shown["alice"]
        assert "`/poll create`" in shown["sam_staff"] and "`/setup set`" not in shown["sam_staff"]
        assert "`/setup set`" in shown["owner"] and "`/help`" in shown["owner"]


async def test_a_new_server_is_welcomed_once_with_the_first_steps(bot: CoCreateBot, community: Community) -> None:
    discord = community.discord
    joined = await build_community(discord, "Fresh Soap Co.")  # the bot is added to a server it never knew

    def welcomes() -> list[Payload]:
        return [m for m in discord.messages_in(joined.general) if "Thanks for adding **CoCreate**" in m["content"]]

    await catch_up_until(bot, welcomes)  # the gateway event arrives in its own time
    assert len(welcomes()) == 1
    assert "`/setup start`" in welcomes()[0]["content"] and "`/setup check`" in welcomes()[0]["content"]
    await (await discord.slash(joined.owner, "setup set", **joined.setup_options())).reply()
    await discord.remove_bot(joined.guild)
    await discord.readd_bot(joined.guild)  # invited back: it knows this server, and says nothing
    await catch_up_until(bot, lambda: bot.get_guild(joined.guild.id) and len(welcomes()) > 1)
    assert len(welcomes()) == 1


def test_the_readme_invite_link_grants_what_the_bot_needs() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert invite_url(0).replace("client_id=0", "client_id=APPLICATION_ID") in readme


async def test_setup_start_walks_through_menus_and_each_pick_is_saved_across_a_restart(
    community: Community, start_bot: BotStarter
) -> None:
    c = community
    async with start_bot() as bot:
        menus = await (await c.discord.slash(c.owner, "setup start")).reply()
        kinds = [row["components"][0]["type"] for row in menus["components"]]
        assert kinds == [8, 8, 6, 6, 3], "two channel menus, two role menus and the language"
        picked = await c.discord.click(c.owner, menus, "setup:pick:ideas", values=[c.ideas])
        shown = message_text(c.discord.message(int(menus["id"])))
        assert picked.response_type == 7 and f"<#{c.ideas.id}>" in shown, "the settings shown are updated at once"
        assert (await bot.services.setup.get(c.guild.id)).ideas_channel_id == c.ideas.id
    async with start_bot() as bot:  # the menus still work after a restart
        menus = c.discord.message(int(menus["id"]))
        ideas_menu = menus["components"][0]["components"][0]
        assert ideas_menu["default_values"] == [{"id": str(c.ideas.id), "type": "channel"}], "shows what is set"
        await c.discord.click(c.owner, menus, "setup:pick:staff", values=[c.staff_role])
        await c.discord.click(c.owner, menus, "setup:pick:language", values=["nl"])
        stored = await bot.services.setup.get(c.guild.id)
        assert (stored.ideas_channel_id, stored.staff_role_id, stored.language) == (c.ideas.id, c.staff_role.id, "nl")


async def test_setup_menus_refuse_members_without_manage_server(bot: CoCreateBot, community: Community) -> None:
    c = community
    refused = await (await c.discord.slash(c.moderator, "setup start")).ephemeral_text()
    assert refused == "Only members with the Manage Server permission can do this."
    menus = await (await c.discord.slash(c.owner, "setup start")).reply()
    forged = await c.discord.click(c.alice, menus, "setup:pick:announcements", values=[c.general])
    assert await forged.ephemeral_text() == "Only members with the Manage Server permission can do this."
    assert (await bot.services.setup.get(c.guild.id)).announcements_channel_id is None
