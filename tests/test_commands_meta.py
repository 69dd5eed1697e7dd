"""Rules every command must follow, checked over the whole tree so that a new cog cannot forget them."""

import sys

import discord
from discord import AppCommandOptionType, app_commands

from bot.core import CoCreateBot, cog_extensions
from bot.permissions import rules_of
from emulator.community import Community
from storage.models import Host, Rotation


def leaf_commands(bot: CoCreateBot) -> list[app_commands.Command]:
    return [c for c in bot.tree.walk_commands() if isinstance(c, app_commands.Command)]


async def test_every_cog_is_loaded(bot: CoCreateBot) -> None:
    assert set(cog_extensions()) <= set(bot.extensions)
    assert "cogs.setup" in bot.extensions


async def test_every_command_has_a_permission_decision(bot: CoCreateBot) -> None:
    missing = [c.qualified_name for c in leaf_commands(bot) if not rules_of(c)]
    assert not missing, f"commands without a permission rule: {missing}"


async def test_every_command_is_guild_only_and_described(bot: CoCreateBot) -> None:
    for command in bot.tree.get_commands():
        assert command.guild_only, f"/{command.name} must be guild-only"
    for command in leaf_commands(bot):
        assert 1 <= len(command.description) <= 100, command.qualified_name
        for option in command.parameters:  # discord.py's "…" stands for a missing description
            assert option.description != "…" and len(option.description) <= 100, (command.qualified_name, option.name)


ID_OPTIONS = {"idea", "duplicate", "into", "poll", "ama", "question", "challenge"}


async def test_every_option_naming_an_idea_poll_ama_question_or_challenge_suggests_them(bot: CoCreateBot) -> None:
    lacking = [
        f"/{command.qualified_name} {option.name}"
        for command in leaf_commands(bot)
        for option in command.parameters
        if option.name in ID_OPTIONS and option.type is AppCommandOptionType.integer and not option.autocomplete
    ]
    assert not lacking, f"id options without suggestions: {lacking}"


async def test_top_level_names_are_unique(bot: CoCreateBot) -> None:
    names = [c.name for c in bot.tree.get_commands()]
    assert len(names) == len(set(names))


def all_dynamic_items() -> list[type[discord.ui.DynamicItem]]:
    """DynamicItem classes defined in the currently loaded cog modules."""
    found = {
        obj
        for name, module in list(sys.modules.items())
        if name.startswith("cogs.")
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, discord.ui.DynamicItem) and obj.__module__ == name
    }
    return sorted(found, key=lambda cls: cls.__qualname__)


async def test_dynamic_items_are_namespaced_by_feature_and_registered(bot: CoCreateBot) -> None:
    items = all_dynamic_items()
    assert items, "the cogs define restart-proof components"
    namespaces: dict[str, set[str]] = {}
    prefixes: set[str] = set()
    for cls in items:
        prefix = cls.__discord_ui_compiled_template__.pattern.split("(")[0]
        assert prefix not in prefixes, f"two items share the custom_id prefix {prefix!r}"
        prefixes.add(prefix)
        namespaces.setdefault(cls.__module__.split(".")[1], set()).add(prefix.split(":")[0])
        assert cls in bot._connection._view_store._dynamic_items.values(), f"{cls.__name__} is not registered"
    for feature, names in namespaces.items():
        assert len(names) == 1, f"{feature}'s custom_ids use several namespaces: {names}"
    owners = [name for names in namespaces.values() for name in names]
    assert len(owners) == len(set(owners)), "two features share a custom_id namespace"


async def test_unloading_a_cog_leaves_nothing_behind_and_reloading_restores_it(
    bot: CoCreateBot, community: Community
) -> None:
    guild, channel = community.guild.id, community.general.id
    await bot.services.polls.create(guild, channel, 1, "Which?", "A | B", closes="1d")
    await bot.services.challenges.schedule(
        guild, 1, name="Parade", themes="Hats", rotation=Rotation.ORDER, schedule="daily 18:00", timezone="UTC",
        channel_id=channel, entry_window="1h", voting_window="1h", prize=None,
    )  # fmt: skip
    hosts = [Host(id=community.staff.id, name="sam")]
    await bot.services.amas.schedule(
        guild, 1, title="AMA", hosts=hosts, channel_id=channel, starts="1d", ends="1h", description=None,
        moderated=False, timezone="UTC",
    )  # fmt: skip
    for extension in cog_extensions():  # rebuild every feature's jobs from the database
        await bot.reload_extension(extension)
    features = {"poll", "challenge", "ama", "idea"}  # the idea job decides the ideas whose support deadline passed
    assert {job.split(":")[0] for job in bot.scheduler.job_ids()} == features | {"guild", "bot"}
    store = bot._connection._view_store
    for extension in cog_extensions():
        jobs_before = sorted(bot.scheduler.job_ids())
        await bot.unload_extension(extension)
        module_items = [cls for cls in store._dynamic_items.values() if cls.__module__.startswith(extension)]
        assert module_items == [], f"{extension} left its components registered"
        namespace = extension.split(".")[1].rstrip("s") + ":"
        assert not [job for job in bot.scheduler.job_ids() if job.startswith(namespace)], f"{extension} left jobs"
        await bot.load_extension(extension)
        assert sorted(bot.scheduler.job_ids()) == jobs_before, f"{extension} did not rebuild its jobs"
