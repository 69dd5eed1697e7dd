"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, and dispatched events."""

import json
import logging
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from emulator.state import Payload

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, HELLO, HEARTBEAT_ACK, INVALID_SESSION = 0, 1, 2, 6, 10, 11, 9


class GatewayConnection:
    def __init__(self, ws: web.WebSocketResponse, session_id: str) -> None:
        self.ws = ws
        self.session_id = session_id
        self.sequence = 0

    async def send(self, op: int, data: object) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def dispatch(self, event: str, data: Payload) -> None:
        self.sequence += 1
        await self.ws.send_str(json.dumps({"op": DISPATCH, "d": data, "s": self.sequence, "t": event}))


async def serve_gateway(emulator: "DiscordEmulator", request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    connection = GatewayConnection(ws, session_id=f"session-{emulator.snowflakes.next()}")
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
                await connection.send(INVALID_SESSION, False)
            else:
                log.debug("gateway op %s ignored", op)
    finally:
        emulator.connections.discard(connection)
    return ws
