"""The emulator refuses like Discord, so discord.py takes the paths it takes against Discord: the same exception
types, JSON error codes and nested `errors` of an Invalid Form Body, sent as exactly `application/json`."""

import asyncio

import aiohttp
import discord
import pytest
from discord import app_commands

from bot.core import CoCreateBot
from emulator.interactions import message_text
from emulator.limits import message_problems
from emulator.server import CommandUnavailable
from emulator.spec import operation_problems, response_problems
from emulator.state import Permissions
from tests.conftest import BotStarter, Community


async def test_bad_requests_raise_what_discord_raises(bot: CoCreateBot, community: Community) -> None:
    c = community
    general = bot.get_partial_messageable(c.general.id)
    with pytest.raises(discord.HTTPException) as too_long:
        await general.send("x" * 2001)
    assert type(too_long.value) is discord.HTTPException and too_long.value.code == 50035
    assert "content" in too_long.value.text
    c.discord.rejected.clear()  # the harness would fail the test for what Discord refuses: here it was on purpose
    with pytest.raises(discord.NotFound) as no_channel:
        await bot.get_partial_messageable(123).send("hello")
    assert no_channel.value.code == 10003
    with pytest.raises(discord.NotFound) as no_message:
        await general.get_partial_message(456).edit(content="hello")
    assert no_message.value.code == 10008
    await c.discord.remove_bot(c.guild)
    with pytest.raises(discord.Forbidden) as gone:
        await general.send("hello")
    assert gone.value.code == 50001
    await c.discord.readd_bot(c.guild)
    c.discord.inject_fault("POST", rf"/channels/{c.general.id}/messages$", 403)
    with pytest.raises(discord.Forbidden) as refused:
        await general.send("hello")
    assert refused.value.code == 50013


async def test_invalid_form_body_is_nested_and_unknown_interactions_are_10062(community: Community) -> None:
    c = community
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{c.discord.api_base}/channels/{c.general.id}/messages", json={"content": "x" * 2001}
        ) as response:
            assert response.status == 400 and response.headers["Content-Type"] == "application/json"
            body = await response.json()
        assert body["code"] == 50035 and body["message"] == "Invalid Form Body"
        assert body["errors"]["content"]["_errors"][0]["message"] == "must be 2000 or fewer in length"
        async with http.post(f"{c.discord.api_base}/interactions/1/nope/callback", json={"type": 4}) as response:
            assert response.status == 404 and response.headers["Content-Type"] == "application/json"
            assert (await response.json())["code"] == 10062
    c.discord.rejected.clear()


async def test_default_member_permissions_hide_a_command_as_discord_does(
    bot: CoCreateBot, community: Community
) -> None:
    @app_commands.command(name="danger", description="Only for Manage Server")
    @app_commands.default_permissions(manage_guild=True)
    async def danger(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("done", ephemeral=True)

    bot.tree.add_command(danger)
    await bot.tree.sync()
    with pytest.raises(CommandUnavailable):
        await community.discord.slash(community.moderator, "danger")
    assert await (await community.discord.slash(community.owner, "danger")).ephemeral_text() == "done"


async def test_moderators_reach_setup_show(configured: Community, start_bot: BotStarter) -> None:
    """`/setup show` is for moderators; a Manage Server default on the `/setup` group would hide it from them."""
    async with start_bot():
        shown = await (await configured.discord.slash(configured.moderator, "setup show")).reply()
        assert shown["embeds"][0]["title"] == "Co-creation settings"


async def test_a_dropped_gateway_resumes_and_replays_what_the_bot_missed(
    bot: CoCreateBot, community: Community
) -> None:
    c = community
    assert c.discord.identified == 1
    await c.discord.drop_gateway()
    for _ in range(100):
        if not c.discord.connections:
            break
        await asyncio.sleep(0.02)
    assert c.discord.connections == set()
    await c.discord.remove_bot(c.guild)  # happens while the bot is disconnected
    c.discord.reopen_gateway()
    for _ in range(100):
        if await bot.storage.guilds.departed():
            break
        await asyncio.sleep(0.05)
    assert (await bot.storage.guilds.departed()).keys() == {c.guild.id}, "the missed GUILD_DELETE was replayed"
    assert c.discord.identified == 1, "the bot resumed its session instead of identifying again"


async def test_a_request_that_breaks_the_official_spec_fails_with_its_field_and_rule(
    bot: CoCreateBot, community: Community
) -> None:
    c = community
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=c.general.id)
    await bot.http.request(route, json={"content": "hi", "tts": "yes please"})
    assert c.discord.spec_violations == [
        f"POST /channels/{c.general.id}/messages: tts: 'yes please' is not of type 'boolean', 'null'"
    ]
    with pytest.raises(AssertionError, match="break Discord's API spec"):
        c.discord.assert_nothing_rejected()  # what fails the test that sent it
    c.discord.spec_violations.clear()
    await bot.http.request(route, json={"content": "hi", "allowed_mentions": {"users": [c.alice.id]}})
    assert c.discord.spec_violations == [], "snowflakes as integers: a listed erratum, accepted by Discord"


def test_an_answer_unlike_discords_is_caught() -> None:
    """Every answer of the emulator is checked against the spec; these are the mistakes it used to make."""
    thread = {"id": "1", "type": 11, "name": "t"}
    assert response_problems("POST", "/channels/1/messages/2/threads", 200, thread) == [
        "POST /channels/1/messages/2/threads: status 200 is not one Discord answers"
    ]
    user = {"id": "1", "username": "u", "avatar": None, "discriminator": "0", "public_flags": 0, "global_name": None}
    problems = response_problems("GET", "/users/1", 200, user)
    assert any("'flags' is a required property" in p for p in problems), problems


async def test_interactions_carry_the_members_and_the_servers_locale(bot: CoCreateBot, community: Community) -> None:
    @app_commands.command(name="lang", description="Which language?")
    async def lang(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"{interaction.locale}/{interaction.guild_locale}", ephemeral=True)

    bot.tree.add_command(lang)
    await bot.tree.sync()
    community.alice.locale = "nl"
    community.guild.locale = "en-GB"
    assert await (await community.discord.slash(community.alice, "lang")).ephemeral_text() == "nl/en-GB"


def test_limits_the_spec_cannot_express_are_enforced() -> None:
    button = {"type": 2, "style": 1, "label": "Vote", "custom_id": "poll:vote:1:0"}
    assert message_problems({"components": [{"type": 1, "components": [button, button]}]}) == [
        "components: custom_id must be unique within a message"
    ]
    assert message_problems({"content": "x" * 2001}) == ["content: must be 2000 or fewer in length"]
    six_rows = [{"type": 1, "components": [button | {"custom_id": f"b{i}"}]} for i in range(6)]
    assert message_problems({"components": six_rows}) == ["components: must be 5 or fewer in length"]


async def test_events_follow_the_intents_the_bot_asked_for(bot: CoCreateBot, community: Community) -> None:
    """The bot asks only for the `guilds` intent, so Discord sends it no member or message events."""
    c = community
    (session,) = c.discord.sessions.values()
    assert session.intents == discord.Intents(guilds=True).value
    sent_before = session.sequence
    await c.discord.remove_member(c.guild, c.bob)
    await c.discord.update_channel(c.general)
    assert session.sequence == sent_before + 1, "CHANNEL_UPDATE only; GUILD_MEMBER_REMOVE needs the members intent"


def test_paths_and_query_strings_are_checked_too() -> None:
    assert operation_problems("GET", "/channels/abc/messages/1", {}) == [
        "GET /channels/abc/messages/1: path parameter 'channel_id': 'abc' is not valid under any of the given schemas"
    ]
    assert operation_problems("GET", "/guilds/1/scheduled-events", {"with_user_count": "maybe", "page": "2"}) == [
        "GET /guilds/1/scheduled-events: unknown query parameter 'page'",
        "GET /guilds/1/scheduled-events: query parameter 'with_user_count': 'maybe' is not of type 'boolean'",
    ]
    assert operation_problems("POST", "/channels/1/threads", {"use_nested_fields": "true"}) == [], "a listed erratum"
    assert operation_problems("GET", "/nowhere", {}) == ["GET /nowhere: no such operation in Discord's API"]


async def test_channel_overwrites_decide_where_a_member_may_use_commands(
    configured: Community, start_bot: BotStarter
) -> None:
    c = configured
    async with start_bot():
        await c.discord.deny_role(c.general, c.guild.everyone, Permissions.USE_APPLICATION_COMMANDS)
        with pytest.raises(CommandUnavailable):
            await c.discord.slash(c.alice, "poll list", in_channel=c.general)
        assert "Open polls" in message_text(
            await (await c.discord.slash(c.alice, "poll list", in_channel=c.announcements)).reply()
        )
        assert "Open polls" in message_text(
            await (await c.discord.slash(c.owner, "poll list", in_channel=c.general)).reply()
        )
