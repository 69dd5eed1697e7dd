"""Rules every command must follow, checked over the whole tree so that a new cog cannot forget them."""

from discord import app_commands

from bot.core import CoCreateBot, cog_extensions
from bot.permissions import rules_of


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


async def test_top_level_names_are_unique(bot: CoCreateBot) -> None:
    names = [c.name for c in bot.tree.get_commands()]
    assert len(names) == len(set(names))
