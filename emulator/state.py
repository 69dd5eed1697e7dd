"""What the emulated Discord knows: users, guilds, roles, channels, members and messages."""

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, IntFlag
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
Payload = dict[str, Any]


class Permissions(IntFlag):
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 50) - 1


EVERYONE_DEFAULT = (
    Permissions.VIEW_CHANNEL
    | Permissions.SEND_MESSAGES
    | Permissions.EMBED_LINKS
    | Permissions.ATTACH_FILES
    | Permissions.READ_MESSAGE_HISTORY
    | Permissions.USE_APPLICATION_COMMANDS
    | Permissions.CREATE_PUBLIC_THREADS
    | Permissions.SEND_MESSAGES_IN_THREADS
)


class ChannelType(IntEnum):
    TEXT = 0
    PUBLIC_THREAD = 11
    FORUM = 15


class Snowflakes:
    """Increasing Discord ids whose timestamp part is the (possibly travelled) wall clock."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = max((ms << 22) | (next(self._counter) & 0xFFF), self._last + 1)
        self._last = value
        return value

    def made_at(self, moment: datetime) -> int:
        """The id of something made at `moment`, such as an account made long ago (not after the ids so far)."""
        ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0xFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    accepts_dms: bool = True  # "Allow direct messages from server members", as the member set it

    def payload(self) -> Payload:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }


@dataclass
class Role:
    id: int
    name: str
    permissions: int = 0
    position: int = 1

    def payload(self) -> Payload:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    type: ChannelType = ChannelType.TEXT
    parent_id: int | None = None
    owner_id: int | None = None
    position: int = 0
    denied: dict[int, int] = field(default_factory=dict)  # member or role id -> permissions taken away here
    role_ids: set[int] = field(default_factory=set)  # which ids in `denied` are roles (the rest are members)
    archived: bool = False  # threads only
    locked: bool = False

    def payload(self) -> Payload:
        overwrites = [
            {"id": str(target), "type": 0 if target in self.role_ids else 1, "allow": "0", "deny": str(bits)}
            for target, bits in self.denied.items()
        ]
        data: Payload = {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "type": int(self.type),
            "position": self.position,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.type == ChannelType.FORUM:
            data |= {"available_tags": [], "default_reaction_emoji": None, "default_sort_order": None}
        if self.type == ChannelType.PUBLIC_THREAD:
            data |= {
                "owner_id": str(self.owner_id),
                "message_count": 0,
                "member_count": 1,
                "total_message_sent": 0,
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": 10080,
                    "archive_timestamp": iso_now(),
                    "locked": self.locked,
                    "create_timestamp": iso_now(),
                },
            }
        return data


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    locale: str = "en-US"  # the language of the member's Discord client (e.g. "nl"), sent with each interaction
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self, permissions: int | None = None) -> Payload:
        data: Payload = {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    locale: str = "en-US"  # the server's preferred locale

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def permissions_of(self, member: Member) -> int:
        if member.id == self.owner_id:
            return int(Permissions.ALL)
        value = self.everyone.permissions
        for role_id in member.role_ids:
            value |= self.roles[role_id].permissions
        return int(Permissions.ALL) if value & Permissions.ADMINISTRATOR else value

    def payload(self, *, joined: bool = False) -> Payload:
        """The GUILD_CREATE shape. Discord marks a guild of the session's start `unavailable: false` and leaves the
        field out when the bot has just joined the guild (discord.py tells `on_guild_join` apart by that)."""
        payload = {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": self.locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": iso_now(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload() for c in self.channels.values() if c.type != ChannelType.PUBLIC_THREAD],
            "threads": [c.payload() for c in self.channels.values() if c.type == ChannelType.PUBLIC_THREAD],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
        if joined:
            del payload["unavailable"]
        return payload


MENTION = re.compile(r"<@!?(\d+)>|<@&(\d+)>|@(everyone|here)")


def resolve_mentions(content: str, allowed: Payload | None, guild: Guild | None) -> Payload:
    """Who a message really pings, following Discord's `allowed_mentions` rules."""
    users, roles, everyone = [], [], False
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
    allowed_users = {str(u) for u in (allowed or {}).get("users", [])}
    allowed_roles = {str(r) for r in (allowed or {}).get("roles", [])}
    for user_id, role_id, word in MENTION.findall(content):
        if user_id and ("users" in parse or user_id in allowed_users):
            member = guild.members.get(int(user_id)) if guild else None
            if member:
                users.append(member.user.payload())
        elif role_id and ("roles" in parse or role_id in allowed_roles):
            roles.append(role_id)
        elif word and "everyone" in parse:
            everyone = True
    return {"mentions": users, "mention_roles": roles, "mention_everyone": everyone}
