"""Reach the bot's services from inside a component or modal callback."""

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from services.container import Services


def services(interaction: discord.Interaction) -> "Services":
    return interaction.client.services  # type: ignore[attr-defined]
