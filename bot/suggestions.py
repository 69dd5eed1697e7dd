"""Autocomplete for options that name an idea, poll, AMA, question or challenge: members pick, not remember."""

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

from bot.permissions import ensure_allowed
from services.permissions import MEMBER

Finder = Callable[[int, str], Awaitable[list[tuple[int, str]]]]
Reason = app_commands.Range[str, 1, 500]  # why staff did something, as members are told it (services' `Reason`)
# How an option that names one of them is described: by its number, with suggestions as the member types.
NUMBER = {
    "idea": "The idea's number (type to search by title)",
    "poll": "The poll's number (type to search by question)",
    "ama": "The AMA's number (type to search by title)",
    "question": "The question's number (type to search by its text)",
    "challenge": "The challenge's number (type to search by name)",
}


async def suggestions(interaction: discord.Interaction, find: Finder, current: str) -> list[app_commands.Choice[int]]:
    """What `find` matches in the member's guild for what they are typing, as "#12 Title" choices."""
    await ensure_allowed(interaction, MEMBER)
    assert interaction.guild_id is not None
    found = await find(interaction.guild_id, str(current))
    return [
        app_commands.Choice(name=f"#{number} {' '.join(label.split())}"[:100], value=number) for number, label in found
    ]
