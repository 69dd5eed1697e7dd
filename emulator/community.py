"""A small demo community: used by the tests, the sandbox and the benchmarks."""

from dataclasses import dataclass
from typing import Any

from emulator.server import DiscordEmulator
from emulator.state import Channel, ChannelType, Guild, Member, Permissions, Role


@dataclass
class Community:
    """A guild with an owner, a moderator, a staff member and ordinary members."""

    discord: DiscordEmulator
    guild: Guild
    owner: Member
    moderator: Member
    staff: Member
    alice: Member
    bob: Member
    moderator_role: Role
    staff_role: Role
    ideas: Channel
    announcements: Channel
    general: Channel

    def setup_options(self) -> dict[str, Any]:
        """The `/setup set` options that configure every feature of this community."""
        return {
            "ideas_channel": self.ideas,
            "announcements_channel": self.announcements,
            "staff_role": self.staff_role,
            "moderator_role": self.moderator_role,
            "timezone": "Europe/Amsterdam",
        }


async def build_community(discord: DiscordEmulator, name: str = "Moustache Co.") -> Community:
    guild = await discord.create_guild(name)
    moderator_role = await discord.add_role(guild, "Moderators", permissions=Permissions.MANAGE_MESSAGES)
    staff_role = await discord.add_role(guild, "Brand staff")
    return Community(
        discord=discord,
        guild=guild,
        owner=discord.owner(guild),
        moderator=discord.add_member(guild, "mia_mod", roles=[moderator_role]),
        staff=discord.add_member(guild, "sam_staff", roles=[staff_role]),
        alice=discord.add_member(guild, "alice"),
        bob=discord.add_member(guild, "bob"),
        moderator_role=moderator_role,
        staff_role=staff_role,
        ideas=await discord.add_channel(guild, "ideas", ChannelType.FORUM),
        announcements=await discord.add_channel(guild, "announcements"),
        general=discord.text_channel(guild),
    )
