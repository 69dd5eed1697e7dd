"""Discord's side of the translations: command names and descriptions per locale, and the language of each piece of
work (an interaction speaks its member's language; a public post, its server's)."""

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from services.i18n import DEFAULT, LANGUAGES, command_text, current_language, language_of

if TYPE_CHECKING:
    from bot.core import CoCreateBot

# The Discord locales each language is offered in (Discord has one Dutch locale).
LOCALES = {"nl": (discord.Locale.dutch,)}


class CommandTranslator(app_commands.Translator):
    """Names, descriptions and choices of the slash commands, from the catalogs' `command` context."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = next((lang for lang, locales in LOCALES.items() if locale in locales), None)
        return command_text(string.message, language, context.location.name) if language else None


class CommandStrings(app_commands.Translator):
    """Collects every string of the command tree that Discord shows (for the catalog and its completeness test)."""

    def __init__(self) -> None:
        self.found: set[tuple[str, str]] = set()

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> None:
        self.found.add((context.location.name, string.message))


async def command_strings(tree: app_commands.CommandTree) -> set[tuple[str, str]]:
    """Every name, description and choice in `tree`, as (kind, text): the kind is its gettext context."""
    collector = CommandStrings()
    for command in tree.get_commands():
        await command.get_translated_payload(tree, collector)
    return collector.found


async def server_language(bot: "CoCreateBot", guild_id: int) -> str:
    """The language of a server's public posts: its setting, or else the server's own locale on Discord."""
    chosen = (await bot.services.setup.get(guild_id)).language
    if chosen in LANGUAGES:
        return chosen
    guild = bot.get_guild(guild_id)
    return language_of(guild.preferred_locale) if guild else DEFAULT


def shown(text: str, where: str) -> str:
    """A command's name or description (`where` says which) as the member's Discord shows it."""
    return command_text(text, current_language(), where) or text


def shown_name(command: app_commands.Command | app_commands.Group) -> str:
    """A command's full name as the member types it ("idee indienen" in Dutch)."""
    names = [shown(command.name, "command_name")]
    while command.parent is not None:
        command = command.parent
        names.append(shown(command.name, "group_name"))
    return " ".join(reversed(names))
