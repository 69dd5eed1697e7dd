"""Shared fixtures: a loopback Discord with a small community, and the real bot running against it."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core import CoCreateBot
from emulator import Channel, ChannelType, DiscordEmulator, Guild, Member, Permissions, Role
from emulator.harness import running_bot


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


@pytest.fixture
async def discord_emulator() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        yield emulator


@pytest.fixture
async def community(discord_emulator: DiscordEmulator) -> Community:
    d = discord_emulator
    guild = await d.create_guild("Moustache Co.")
    moderator_role = await d.add_role(guild, "Moderators", permissions=Permissions.MANAGE_MESSAGES)
    staff_role = await d.add_role(guild, "Brand staff")
    return Community(
        discord=d,
        guild=guild,
        owner=d.owner(guild),
        moderator=d.add_member(guild, "mia_mod", roles=[moderator_role]),
        staff=d.add_member(guild, "sam_staff", roles=[staff_role]),
        alice=d.add_member(guild, "alice"),
        bob=d.add_member(guild, "bob"),
        moderator_role=moderator_role,
        staff_role=staff_role,
        ideas=await d.add_channel(guild, "ideas", ChannelType.FORUM),
        announcements=await d.add_channel(guild, "announcements"),
        general=d.text_channel(guild),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


BotStarter = Callable[[], AbstractAsyncContextManager[CoCreateBot]]


@pytest.fixture
def start_bot(discord_emulator: DiscordEmulator, db_path: Path) -> BotStarter:
    """Start (or, called again, restart) the real bot against the emulator on the same database."""
    return lambda: running_bot(discord_emulator, db_path)


@pytest.fixture
async def bot(start_bot: BotStarter, community: Community) -> AsyncIterator[CoCreateBot]:
    async with start_bot() as running:
        yield running
