"""The emulator itself: starts the aiohttp app on 127.0.0.1 and holds Discord's state for tests to drive."""

import asyncio
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from aiohttp import web

from emulator.gateway import INVALID_SESSION, INVALID_SHARD, RECONNECT, GatewayConnection, Session, serve_gateway
from emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    InteractionRecord,
    command_options,
    find_component,
    modal_answers,
    resolve,
)
from emulator.limits import message_problems
from emulator.rest import RestApi, error, invalid_form_body
from emulator.state import (
    EVERYONE_DEFAULT,
    Channel,
    ChannelType,
    Guild,
    Member,
    Payload,
    Permissions,
    Role,
    Snowflakes,
    User,
    iso_now,
    resolve_mentions,
)

GUILDS_PER_SHARD = 1000  # Discord requires a shard per 2,500 guilds and recommends one per 1,000


@dataclass
class Fault:
    """Answer the next `times` matching requests with `status` instead of serving them."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float
    after: bool = False  # Discord performs the request, then the answer is lost (a crash between send and record)

    async def answer(self, held: asyncio.Event) -> web.Response:
        """The refusal; a `HANG` fault first holds the request until the test releases it (the bot may be dead)."""
        if self.status == HANG:
            await held.wait()
            return web.json_response({"message": "Server error", "code": 0}, status=503)
        return self.response()

    def response(self) -> web.Response:
        if self.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": self.retry_after, "global": False}
            headers = {"Retry-After": str(self.retry_after), "Via": "1.1 google", "X-RateLimit-Scope": "user"}
            return web.json_response(body, status=429, headers=headers)
        if self.status in REFUSALS:
            code, message = REFUSALS[self.status]
            return web.json_response({"message": message, "code": code}, status=self.status)
        return web.json_response({"message": "Server error", "code": 0}, status=self.status)


STRING_SELECT = 3  # a message component type: a select of options the bot wrote
HANG = 0  # a fault status: hold the request without answering (e.g. to SIGKILL the bot mid-request)

# What Discord answers when the bot lacks a permission or the target is gone (Discord's JSON error codes).
REFUSALS = {403: (50013, "Missing Permissions"), 404: (10003, "Unknown Channel")}


def with_ids(components: list[Payload]) -> list[Payload]:
    """Discord numbers every component of a message (rows and what they hold) 1, 2, 3 … in order, and answers
    the snowflakes in a select's `default_values` as strings, whichever way they were sent."""
    counter = iter(range(1, 1000))

    def number(component: Payload) -> Payload:
        children = {"components": [number(c) for c in component["components"]]} if "components" in component else {}
        if "default_values" in component:
            children["default_values"] = [d | {"id": str(d["id"])} for d in component["default_values"]]
        return component | {"id": component.get("id") or next(counter)} | children

    return [number(c) for c in components]


class CommandUnavailable(AssertionError):
    """The member lacks the command's `default_member_permissions`: Discord would not even show it to them."""


class UnknownRoute(AssertionError):
    """The bot called a REST route the emulator does not implement."""


class DiscordEmulator:
    """Discord on loopback. Use `async with DiscordEmulator() as discord:`; point the bot at `api_base`."""

    def __init__(self, answer_timeout: float = 5.0) -> None:
        self.answer_timeout = answer_timeout  # how long a member waits for the bot before "interaction failed"
        self.snowflakes = Snowflakes()
        self.bot_user = User(self.snowflakes.next(), "CoCreate", bot=True)
        self.application_id = self.bot_user.id
        self.token: str | None = None
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Payload] = {}
        self.files: dict[int, bytes] = {}
        self.scheduled_events: dict[int, Payload] = {}
        self.interest: dict[int, list[User]] = {}  # a scheduled event's id -> who marked themselves interested
        self.commands: dict[int | None, list[Payload]] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.connections: set[GatewayConnection] = set()
        self.sessions: dict[str, Session] = {}
        self.identified = 0  # how many times a bot identified (a RESUME does not)
        self.gateway_open = asyncio.Event()
        self.gateway_open.set()
        self.rest_log: list[tuple[str, str]] = []
        self.unknown_routes: list[str] = []
        self.rejected: list[str] = []  # what Discord would have refused as an invalid form body
        self.spec_violations: list[str] = []  # requests that break Discord's official API spec (emulator/spec.py)
        self.response_violations: list[str] = []  # answers of the emulator that differ from the spec
        self.faults: list[Fault] = []
        self.dm_channels: dict[int, User] = {}  # a DM channel's id -> the member the bot talks to in it
        self.fault_log: list[tuple[str, str, int]] = []
        self.nonces: dict[tuple[int, str], tuple[float, int]] = {}  # (channel, nonce) -> (when, message id)
        self.departed: set[int] = set()  # guilds the bot was removed from
        self.held = asyncio.Event()  # set to answer the requests a HANG fault holds
        self._ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        rest = RestApi(self)
        app = web.Application(middlewares=[rest.middleware])
        app.router.add_get("/gateway", self._gateway)
        app.add_routes(rest.routes())
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for connection in list(self.connections):
            await connection.ws.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> "DiscordEmulator":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def recommended_shards(self) -> int:
        return max(1, math.ceil(len(self.guilds) / GUILDS_PER_SHARD))

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def inject_fault(
        self, method: str, path: str, status: int, *, times: int = 1, retry_after: float = 0.05, after: bool = False
    ) -> None:
        """Make Discord fail: the next `times` requests matching `method` and the regex `path` get `status`."""
        self.faults.append(Fault(method, re.compile(path), status, times, retry_after, after))

    def take_fault(self, method: str, path: str, *, after: bool = False) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.after == after and fault.method == method and fault.path.search(path):
                fault.times -= 1
                self.fault_log.append((method, path, fault.status))
                return fault
        return None

    def assert_no_unknown_routes(self) -> None:
        if self.unknown_routes:
            raise UnknownRoute(f"the bot called routes the emulator lacks: {self.unknown_routes}")

    def assert_nothing_rejected(self) -> None:
        if self.rejected:
            raise AssertionError(f"the bot sent what Discord refuses: {self.rejected}")
        if self.spec_violations:
            raise AssertionError(f"the bot sent requests that break Discord's API spec: {self.spec_violations}")
        if self.response_violations:
            raise AssertionError(f"the emulator answered unlike Discord's API spec: {self.response_violations}")

    # -- gateway ---------------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        return await serve_gateway(self, request)

    async def identify(self, connection: GatewayConnection, data: Payload) -> None:
        self.token = data["token"].removeprefix("Bot ")
        shard_id, shard_count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < shard_count:
            await connection.ws.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        self.identified += 1
        session = Session(f"session-{self.snowflakes.next()}", int(data.get("intents", 0)), (shard_id, shard_count))
        self.sessions[session.session_id] = session
        connection.session, session.connection = session, connection
        ready = {
            "v": 10,
            "user": self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            # the guilds the bot is in: not those that removed it
            "guilds": [
                {"id": str(g), "unavailable": True} for g in self.guilds if session.owns(g) and g not in self.departed
            ],
            "shard": [shard_id, shard_count],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }
        self.connections.add(connection)
        await connection.dispatch("READY", ready)
        for guild in self.guilds.values():
            if guild.id not in self.departed:
                await connection.dispatch("GUILD_CREATE", guild.payload())  # the session keeps its shard's own

    async def resume(self, connection: GatewayConnection, data: Payload) -> None:
        """RESUME: replay what the session missed since sequence `seq`, then RESUMED; unknown: INVALID_SESSION."""
        session = self.sessions.get(data.get("session_id", ""))
        if session is None:
            await connection.send(INVALID_SESSION, False)
            return
        connection.session, session.connection = session, connection
        self.connections.add(connection)
        await session.replay(int(data.get("seq") or 0))

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send an event to every bot session; one that is disconnected gets it when it resumes."""
        for session in list(self.sessions.values()):
            await session.dispatch(event, data)

    async def drop_gateway(self) -> None:
        """Ask every bot to reconnect (op 7) and hold the gateway closed until `reopen_gateway`: events
        dispatched meanwhile are replayed when the bot resumes."""
        self.gateway_open.clear()
        for connection in list(self.connections):
            await connection.send(RECONNECT, None)  # discord.py closes the socket and resumes

    def reopen_gateway(self) -> None:
        self.gateway_open.set()

    # -- building a community --------------------------------------------------------------------------

    async def create_guild(self, name: str = "Brand Community", owner: str = "owner") -> Guild:
        guild_id = self.snowflakes.next()
        owner_user = User(self.snowflakes.next(), owner)
        guild = Guild(guild_id, name, owner_id=owner_user.id)
        guild.roles[guild_id] = Role(guild_id, "@everyone", permissions=int(EVERYONE_DEFAULT), position=0)
        guild.members[owner_user.id] = Member(owner_user, guild_id)
        guild.members[self.bot_user.id] = Member(self.bot_user, guild_id)
        general = Channel(self.snowflakes.next(), guild_id, "general")
        guild.channels[general.id] = general
        self.guilds[guild_id] = guild
        await self.dispatch("GUILD_CREATE", guild.payload(joined=True))
        return guild

    async def remove_bot(self, guild: Guild) -> None:
        """A moderator kicks the bot: GUILD_DELETE, and Discord refuses its requests there (50001)."""
        self.departed.add(guild.id)
        await self.dispatch("GUILD_DELETE", {"id": str(guild.id)})

    async def readd_bot(self, guild: Guild) -> None:
        """The bot is invited back: GUILD_CREATE, and its requests there work again."""
        self.departed.discard(guild.id)
        await self.dispatch("GUILD_CREATE", guild.payload(joined=True))

    def permissions_in(self, channel: Channel, member: Member) -> int:
        """A member's permissions in `channel`: their roles', less what a moderator denied there to @everyone, one
        of their roles or them (in the parent, for a thread). The owner and administrators keep everything."""
        guild = self.guilds[channel.guild_id]
        base = guild.permissions_of(member)
        if base == int(Permissions.ALL):
            return base
        where = channel
        if channel.type == ChannelType.PUBLIC_THREAD:
            where = guild.channels.get(channel.parent_id or 0, channel)
        for target in (guild.id, *member.role_ids, member.id):
            base &= ~where.denied.get(target, 0)
        return base

    def bot_permissions_in(self, channel: Channel) -> int:
        return self.permissions_in(channel, self.guilds[channel.guild_id].members[self.bot_user.id])

    def refuse_bot(self, channel: Channel, needed: int) -> web.Response | None:
        """Discord's 403 when the bot lacks what a request needs in `channel`: 50001 without View Channel."""
        granted = self.bot_permissions_in(channel)
        if not granted & Permissions.VIEW_CHANNEL:
            return error(403, 50001, "Missing Access")
        if needed & ~granted:
            return error(403, 50013, "Missing Permissions")
        return None

    async def deny_role(self, channel: Channel, role: Role, permissions: int) -> None:
        """A moderator takes `permissions` away from a role in `channel` (CHANNEL_UPDATE follows)."""
        channel.denied[role.id] = int(permissions)
        channel.role_ids.add(role.id)
        await self.update_channel(channel)

    async def deny_bot(self, channel: Channel, permissions: int) -> None:
        """A moderator takes `permissions` away from the bot in `channel` (CHANNEL_UPDATE follows)."""
        channel.denied[self.bot_user.id] = int(permissions)
        await self.update_channel(channel)

    async def restore_bot(self, channel: Channel) -> None:
        channel.denied.pop(self.bot_user.id, None)
        await self.update_channel(channel)

    async def remove_member(self, guild: Guild, member: Member) -> None:
        """A member leaves the server (GUILD_MEMBER_REMOVE, for bots with the members intent)."""
        guild.members.pop(member.id, None)
        await self.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": str(guild.id), "user": member.user.payload()})

    async def delete_message_as_moderator(self, message_id: int) -> None:
        """A moderator deletes a message (MESSAGE_DELETE, for bots with the guild messages intent)."""
        message = self.messages.pop(message_id)
        event = {"id": str(message_id), "channel_id": message["channel_id"], "guild_id": message["guild_id"]}
        await self.dispatch("MESSAGE_DELETE", event)

    async def archive_thread(self, thread: Channel, *, locked: bool = False) -> None:
        """Discord archives an idle thread (or a moderator archives and locks it): THREAD_UPDATE."""
        thread.archived, thread.locked = True, locked
        await self.dispatch("THREAD_UPDATE", thread.payload())

    async def update_role(self, guild: Guild, role: Role, permissions: int) -> None:
        """A moderator changes a role's permissions (GUILD_ROLE_UPDATE follows)."""
        role.permissions = int(permissions)
        await self.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()})

    async def update_channel(self, channel: Channel) -> None:
        """A moderator changed the channel (e.g. its permission overwrites): CHANNEL_UPDATE."""
        await self.dispatch("CHANNEL_UPDATE", channel.payload())

    async def add_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        role = Role(self.snowflakes.next(), name, permissions=int(permissions), position=len(guild.roles))
        guild.roles[role.id] = role
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()})
        return role

    async def add_channel(self, guild: Guild, name: str, type: ChannelType = ChannelType.TEXT) -> Channel:
        channel = Channel(self.snowflakes.next(), guild.id, name, type=type, position=len(guild.channels))
        guild.channels[channel.id] = channel
        await self.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    async def open_thread(self, parent: Channel, name: str, thread_id: int | None) -> Channel:
        """A public thread under `parent` (a forum post, or a thread on message `thread_id`)."""
        if not 1 <= len(name) <= 100:
            raise web.HTTPBadRequest(
                text='{"code": 50035, "message": "Invalid Form Body", "errors": {"name": {"_errors": '
                '[{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}]}}}'
            )
        thread = Channel(
            thread_id or self.snowflakes.next(),
            parent.guild_id,
            name,
            type=ChannelType.PUBLIC_THREAD,
            parent_id=parent.id,
            owner_id=self.bot_user.id,
        )
        self.guilds[parent.guild_id].channels[thread.id] = thread
        await self.dispatch("THREAD_CREATE", thread.payload() | {"newly_created": True})
        return thread

    def add_member(
        self, guild: Guild, name: str, roles: list[Role] | None = None, since: datetime | None = None
    ) -> Member:
        """A new account joins `guild`; `since`: an account made, and a member who joined, at that moment."""
        user_id = self.snowflakes.made_at(since) if since else self.snowflakes.next()
        member = Member(User(user_id, name), guild.id, [r.id for r in roles or []])
        if since:
            member.joined_at = since.isoformat()
        guild.members[member.id] = member
        return member

    def join(self, guild: Guild, member: Member) -> Member:
        """The same Discord user as `member` joins `guild` too (one account, two servers)."""
        joined = Member(member.user, guild.id)
        guild.members[joined.id] = joined
        return joined

    def owner(self, guild: Guild) -> Member:
        return guild.members[guild.owner_id]

    def text_channel(self, guild: Guild, name: str = "general") -> Channel:
        return next(c for c in guild.channels.values() if c.name == name)

    # -- messages --------------------------------------------------------------------------------------

    def channel(self, channel_id: int) -> Channel:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                if guild.id in self.departed:
                    raise web.HTTPForbidden(text='{"code": 50001, "message": "Missing Access"}')
                return guild.channels[channel_id]
        raise web.HTTPNotFound(text='{"code": 10003, "message": "Unknown Channel"}', content_type="application/json")

    def message(self, message_id: int) -> Payload:
        if message_id not in self.messages:
            raise web.HTTPNotFound(
                text='{"code": 10008, "message": "Unknown Message"}', content_type="application/json"
            )
        return self.messages[message_id]

    def problems_with(self, body: Payload) -> web.Response | None:
        problems = message_problems(body)
        if not problems:
            return None
        self.rejected.extend(problems)
        return invalid_form_body(problems)

    def upload(self, filename: str, data: bytes, content_type: str = "image/png") -> Payload:
        """A file a member attaches to a slash command option, as Discord resolves it."""
        return self._attachments([(filename, data)])[0] | {"content_type": content_type, "ephemeral": True}

    def _attachments(self, files: list[tuple[str, bytes]]) -> list[Payload]:
        attachments = []
        for filename, data in files:
            attachment_id = self.snowflakes.next()
            self.files[attachment_id] = data
            url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"
            attachments.append(
                {"id": str(attachment_id), "filename": filename, "size": len(data), "url": url, "proxy_url": url}
            )
        return attachments

    def mark_interested(self, member: Member, event: Payload) -> None:
        """`member` clicks "Interested" on a scheduled event."""
        self.interest.setdefault(int(event["id"]), []).append(member.user)

    def interested(self, event: Payload) -> list[User]:
        return self.interest.get(int(event["id"]), [])

    def dm_channel(self, user: User) -> Payload:
        """The bot's DM channel with `user` (Discord keeps one per pair), as POST /users/@me/channels answers."""
        channel_id = next((c for c, u in self.dm_channels.items() if u.id == user.id), None)
        if channel_id is None:
            channel_id = self.snowflakes.next()
            self.dm_channels[channel_id] = user
        return {"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0, "recipients": [user.payload()]}

    def user(self, user_id: int) -> User | None:
        return next((g.members[user_id].user for g in self.guilds.values() if user_id in g.members), None)

    def dms_to(self, member: Member) -> list[Payload]:
        """What the bot sent `member` privately, oldest first."""
        ids = {c for c, u in self.dm_channels.items() if u.id == member.id}
        return [m for m in self.messages.values() if int(m["channel_id"]) in ids]

    def store_dm(self, channel_id: int, body: Payload) -> Payload:
        message: Payload = {
            "id": str(self.snowflakes.next()),
            "channel_id": str(channel_id),
            "author": self.bot_user.payload(),
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
            "embeds": body.get("embeds") or [],
            "components": with_ids(body.get("components") or []),
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
        }
        self.messages[int(message["id"])] = message
        return message

    def store_message(
        self,
        channel_id: int,
        body: Payload,
        files: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
        interaction: InteractionRecord | None = None,
        message_id: int | None = None,
    ) -> Payload:
        channel = self.channel(channel_id)
        guild = self.guilds[channel.guild_id]
        content = body.get("content") or ""
        message: Payload = {
            "id": str(message_id or self.snowflakes.next()),
            "channel_id": str(channel_id),
            "guild_id": str(guild.id),
            "author": self.bot_user.payload(),
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "pinned": False,
            "type": 0 if interaction is None else 20,
            "flags": body.get("flags", 0),
            "embeds": body.get("embeds") or [],
            "components": with_ids(body.get("components") or []),
            "attachments": self._attachments(files),
            "allowed_mentions": body.get("allowed_mentions"),
        } | resolve_mentions(content, body.get("allowed_mentions"), guild)
        if interaction is not None:
            message["webhook_id"] = str(self.application_id)
            message["interaction_metadata"] = interaction.metadata()
        self.messages[int(message["id"])] = message
        return message

    def edit_message(self, message_id: int, body: Payload, files: list[tuple[str, bytes]] = ()) -> Payload:  # type: ignore[assignment]
        message = self.message(message_id)
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        message["components"] = with_ids(message["components"])
        if "attachments" in body:
            kept = {str(a["id"]) for a in body["attachments"] or []}
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept]
        message["attachments"] += self._attachments(files)
        message["edited_timestamp"] = iso_now()
        return message

    def delete_message(self, message_id: int) -> None:
        self.messages.pop(message_id, None)

    def render(self, guild: Guild, text: str, zone: tzinfo = UTC) -> str:
        """Text as a member's client shows it: mentions by name, timestamps as dates in `zone`."""

        def name(match: re.Match[str]) -> str:
            kind, ident = match.group(1), int(match.group(2))
            if kind == "#":
                return f"#{guild.channels[ident].name}" if ident in guild.channels else "#unknown"
            if kind == "@&":
                return f"@{guild.roles[ident].name}" if ident in guild.roles else "@unknown-role"
            return f"@{guild.members[ident].user.username}" if ident in guild.members else "@unknown-user"

        def moment(match: re.Match[str]) -> str:
            return datetime.fromtimestamp(int(match.group(1)), zone).strftime("%a %d %b %Y %H:%M %Z")

        return re.sub(r"<t:(\d+)(?::\w)?>", moment, re.sub(r"<(#|@&|@!?)(\d+)>", name, text))

    def messages_in(self, channel: Channel, *, ephemeral: bool = False) -> list[Payload]:
        """Messages in a channel, oldest first; ephemeral ones only when asked for."""
        return [
            m
            for m in self.messages.values()
            if int(m["channel_id"]) == channel.id and (ephemeral or not m["flags"] & (1 << 6))
        ]

    # -- what members do -------------------------------------------------------------------------------

    def _command(self, guild: Guild, name: str) -> Payload:
        for definition in self.commands.get(guild.id, []) + self.commands.get(None, []):
            if definition["name"] == name:
                return definition
        known = [d["name"] for d in self.commands.get(guild.id, []) + self.commands.get(None, [])]
        raise AssertionError(f"no synced command /{name}; synced: {known}")

    async def _send(
        self,
        kind: int,
        member: Member,
        channel: Channel,
        data: Payload,
        message: Payload | None = None,
        trigger: InteractionRecord | None = None,
    ) -> InteractionRecord:
        guild = self.guilds[channel.guild_id]
        payload: Payload = {
            "id": str(self.snowflakes.next()),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "channel_id": str(channel.id),
            "channel": channel.payload() | {"permissions": str(guild.permissions_of(member))},
            "member": member.payload(permissions=guild.permissions_of(member)),
            "token": secrets.token_urlsafe(32),
            "version": 1,
            "app_permissions": str(guild.permissions_of(guild.members[self.bot_user.id])),
            "locale": member.locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 26_214_400,
        }
        if message is not None:
            payload["message"] = message
        record = InteractionRecord(payload, member, trigger)
        self.interactions_by_token[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        await record.wait_for(
            lambda: record.response_type is not None, "answer the interaction (it 'failed')", self.answer_timeout
        )
        return record

    def _command_data(self, guild: Guild, command: str, options: dict[str, Any], focused: str | None = None) -> Payload:
        names = command.split()
        definition = self._command(guild, names[0])
        data: Payload = {"id": definition["id"], "name": names[0], "type": 1}
        if "guild_id" in definition:
            data["guild_id"] = definition["guild_id"]
        container, level = data, definition
        for sub in names[1:]:
            level = next((o for o in level.get("options", []) if o["name"] == sub), None)  # type: ignore[assignment]
            if level is None or level["type"] not in (SUB_COMMAND, SUB_COMMAND_GROUP):
                raise AssertionError(f"/{command}: no subcommand {sub!r}")
            nested: Payload = {"name": sub, "type": level["type"]}
            container["options"] = [nested]
            container = nested
        built, resolved = command_options(level.get("options", []), options, guild, focused)
        container["options"] = built
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self, member: Member, command: str, /, *, in_channel: Channel | None = None, **options: Any
    ) -> InteractionRecord:
        """`member` runs `/command` (e.g. "setup set") with keyword options; waits for the bot's answer."""
        guild = self.guilds[member.guild_id]
        channel = in_channel or self.text_channel(guild)
        default = self._command(guild, command.split()[0]).get("default_member_permissions")
        required = Permissions.USE_APPLICATION_COMMANDS | int(default or 0)
        if self.permissions_in(channel, member) & required != required:
            raise CommandUnavailable(f"Discord does not offer /{command} to {member.user.username} in #{channel.name}")
        data = self._command_data(guild, command, options)
        return await self._send(APPLICATION_COMMAND, member, channel, data)

    async def autocomplete(self, member: Member, command: str, focused: str, /, **options: Any) -> list[Payload]:
        guild = self.guilds[member.guild_id]
        data = self._command_data(guild, command, options, focused)
        record = await self._send(AUTOCOMPLETE, member, self.text_channel(guild), data)
        return record.choices

    async def click(
        self,
        member: Member,
        message: Payload,
        custom_id: str,
        values: list[str | Member | Channel | Role] | None = None,
    ) -> InteractionRecord:
        """`member` clicks the button (or picks `values` in the select) `custom_id` on `message`; a member, channel
        or role picked in a user, channel or role select arrives with its `resolved` data, as Discord sends it."""
        component = find_component(message, custom_id)
        if component.get("disabled"):
            raise AssertionError(f"the component {custom_id!r} is disabled")
        data: Payload = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None and component["type"] == STRING_SELECT:  # Discord's client offers nothing else
            offered = {option["value"] for option in component["options"]}
            low, high = component.get("min_values", 1), component.get("max_values", 1)
            if not set(values) <= offered or not low <= len(values) <= high:  # type: ignore[operator]
                raise AssertionError(f"a member cannot pick {values} in {custom_id!r}: {low} to {high} of {offered}")
        if values is not None:
            guild, resolved = self.guilds[member.guild_id], {}
            data["values"] = [v if isinstance(v, str) else resolve(v, guild, resolved) for v in values]
            if resolved:
                data["resolved"] = resolved
        return await self._send(MESSAGE_COMPONENT, member, self.channel(int(message["channel_id"])), data, message)

    async def submit_modal(
        self, member: Member, opened: InteractionRecord, values: dict[str, str]
    ) -> InteractionRecord:
        """`member` fills in the modal the bot opened in answer to `opened` and submits it."""
        modal = opened.modal
        data = {"custom_id": modal["custom_id"], "components": modal_answers(modal, values)}
        channel = self.channel(opened.channel_id)
        return await self._send(MODAL_SUBMIT, member, channel, data, opened.source_message, trigger=opened)
