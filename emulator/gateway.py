"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, dispatched events, and RESUME.

A session identified with `shard: [id, count]` gets only the events of its guilds (`shard_of`), as on Discord;
an invalid shard is closed with 4010.

A session outlives its connection: events dispatched while the bot is disconnected are kept, and a RESUME with
the last sequence the bot saw replays what it missed, then RESUMED, as Discord does.
"""

import json
import logging
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from emulator.state import Payload

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11
KEPT_EVENTS = 1000  # how many past events a session keeps for a RESUME
INVALID_SHARD = 4010  # close code: the shard in IDENTIFY is not below the shard count


# The gateway intent each event needs (Discord sends nothing else to a bot that did not ask for it).
GUILDS, GUILD_MEMBERS, GUILD_MESSAGES, GUILD_SCHEDULED_EVENTS = 1 << 0, 1 << 1, 1 << 9, 1 << 16
EVENT_INTENTS = {
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
}
ALWAYS = {"READY", "RESUMED", "INTERACTION_CREATE"}


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a guild's events, by Discord's formula."""
    return (guild_id >> 22) % shard_count


def guild_of(event: str, data: Payload) -> int | None:
    """The guild an event belongs to (None for events of the session itself, such as READY)."""
    if event.startswith("GUILD_") and "guild_id" not in data and "id" in data:  # GUILD_CREATE, _UPDATE, _DELETE
        return int(data["id"])
    return int(data["guild_id"]) if data.get("guild_id") else None


class Session:
    def __init__(self, session_id: str, intents: int, shard: tuple[int, int] = (0, 1)) -> None:
        self.session_id = session_id
        self.intents = intents
        self.shard = shard  # (shard id, shard count) from IDENTIFY
        self.sequence = 0
        self.frames: list[tuple[int, str]] = []
        self.connection: GatewayConnection | None = None

    def owns(self, guild_id: int) -> bool:
        shard_id, shard_count = self.shard
        return shard_of(guild_id, shard_count) == shard_id

    def wants(self, event: str, data: Payload) -> bool:
        guild_id = guild_of(event, data)
        if guild_id is not None and not self.owns(guild_id):
            return False
        return event in ALWAYS or bool(self.intents & EVENT_INTENTS.get(event, GUILDS))

    async def dispatch(self, event: str, data: Payload) -> None:
        if not self.wants(event, data):
            return
        self.sequence += 1
        frame = json.dumps({"op": DISPATCH, "d": data, "s": self.sequence, "t": event})
        self.frames = [*self.frames[-KEPT_EVENTS + 1 :], (self.sequence, frame)]
        if self.connection is not None:
            await self.connection.ws.send_str(frame)

    async def replay(self, after: int) -> None:
        assert self.connection is not None
        for sequence, frame in self.frames:
            if sequence > after:
                await self.connection.ws.send_str(frame)
        await self.dispatch("RESUMED", {})


class GatewayConnection:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.session: Session | None = None

    async def send(self, op: int, data: object) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def dispatch(self, event: str, data: Payload) -> None:
        assert self.session is not None
        await self.session.dispatch(event, data)


async def serve_gateway(emulator: "DiscordEmulator", request: web.Request) -> web.WebSocketResponse:
    await emulator.gateway_open.wait()  # while a test holds the gateway closed, a reconnecting bot waits here
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    connection = GatewayConnection(ws)
    await connection.send(HELLO, {"heartbeat_interval": 41_250})
    try:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            op = frame["op"]
            if op == HEARTBEAT:
                await connection.send(HEARTBEAT_ACK, None)
            elif op == IDENTIFY:
                await emulator.identify(connection, frame["d"])
            elif op == RESUME:
                await emulator.resume(connection, frame["d"])
            else:
                log.debug("gateway op %s ignored", op)
    finally:
        emulator.connections.discard(connection)
        if connection.session is not None and connection.session.connection is connection:
            connection.session.connection = None
            log.debug("gateway closed with %s", ws.close_code)
            if ws.close_code in (1000, 1001):  # the bot logged out: its session ends
                emulator.sessions.pop(connection.session.session_id, None)
    return ws
