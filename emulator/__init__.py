"""A loopback Discord: REST and gateway on 127.0.0.1 for the unmodified discord.py client.

Tests and the sandbox create guilds, members and channels, act as members (slash commands, button clicks,
modal submits) and read back what the bot produced, in Discord's own payload shapes.
"""

from emulator.interactions import InteractionRecord
from emulator.server import DiscordEmulator, UnknownRoute
from emulator.state import Channel, ChannelType, Guild, Member, Permissions, Role

__all__ = [
    "Channel",
    "ChannelType",
    "DiscordEmulator",
    "Guild",
    "InteractionRecord",
    "Member",
    "Permissions",
    "Role",
    "UnknownRoute",
]
