"""The REST routes the bot calls, answering with Discord's payload shapes. Unknown routes fail loudly."""

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.interactions import (
    CHANNEL_MESSAGE,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    EPHEMERAL,
    LOADING,
    MODAL,
    UPDATE_MESSAGE,
    InteractionRecord,
)
from emulator.limits import command_problems
from emulator.spec import body_problems, operation_problems, response_problems
from emulator.state import ChannelType, Payload, Permissions, User

if TYPE_CHECKING:
    from emulator.server import DiscordEmulator

API = "/api/v10"
EVENT_STATUS_CHANGES = {(1, 2), (1, 4), (2, 3)}  # scheduled -> active or canceled; active -> completed
SESSION_STARTS = 1000  # IDENTIFYs a bot may send in 24 hours
NONCE_WINDOW = 300.0  # seconds: Discord drops a repeated nonce with enforce_nonce "in the past few minutes"


def error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    """Discord's error body; the middleware sends it as exactly `application/json`, which discord.py requires."""
    return web.json_response({"code": code, "message": message, **extra}, status=status)


def invalid_form_body(problems: list[str]) -> web.Response:
    """400 50035 with Discord's nested `errors` object: each "a.0.b: message" becomes
    `{"a": {"0": {"b": {"_errors": [{"code": ..., "message": ...}]}}}}`."""
    errors: dict[str, Any] = {}
    for problem in problems:
        path, _, message = problem.partition(": ")
        node = errors
        for part in path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "BASE_TYPE_BAD_LENGTH", "message": message})
    return error(400, 50035, "Invalid Form Body", errors=errors)


class RestApi:
    def __init__(self, emulator: "DiscordEmulator") -> None:
        self.emu = emulator

    async def body(self, request: web.Request) -> tuple[Payload, list[tuple[str, bytes]]]:
        """The JSON payload and any uploaded files (discord.py sends `payload_json` + `files[n]` as multipart),
        checked against Discord's API spec: what breaks it is recorded and fails the test."""
        payload: Payload = {}
        files = []
        if not request.can_read_body:
            pass
        elif not request.content_type.startswith("multipart/"):
            payload = await request.json()
        else:
            async for part in await request.multipart():
                if part.name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append((part.filename or "file", bytes(await part.read())))  # type: ignore[union-attr]
        self.emu.spec_violations.extend(body_problems(request.method, request.path.removeprefix(API), payload))
        return payload, files

    def routes(self) -> list[web.RouteDef]:
        app, webhook = API + "/applications/{app}", API + "/webhooks/{app}/{token}"
        message = API + "/channels/{channel}/messages/{message}"
        return [
            web.get(API + "/users/@me", self.get_me),
            web.get(API + "/gateway", self.get_gateway),
            web.get(API + "/gateway/bot", self.get_bot_gateway),
            web.get(API + "/oauth2/applications/@me", self.get_application),
            web.put(app + "/commands", self.put_commands),
            web.put(app + "/guilds/{guild}/commands", self.put_commands),
            web.post(API + "/interactions/{id}/{token}/callback", self.callback),
            web.post(webhook, self.create_followup),
            web.get(webhook + "/messages/{message}", self.get_webhook_message),
            web.patch(webhook + "/messages/{message}", self.edit_webhook_message),
            web.delete(webhook + "/messages/{message}", self.delete_webhook_message),
            web.post(API + "/guilds/{guild}/scheduled-events", self.create_scheduled_event),
            web.get(API + "/guilds/{guild}/scheduled-events", self.list_scheduled_events),
            web.patch(API + "/guilds/{guild}/scheduled-events/{event}", self.edit_scheduled_event),
            web.get(API + "/guilds/{guild}/scheduled-events/{event}", self.get_scheduled_event),
            web.get(API + "/guilds/{guild}/scheduled-events/{event}/users", self.scheduled_event_users),
            web.get(API + "/guilds/{guild}/threads/active", self.active_threads),
            web.get(API + "/channels/{channel}", self.get_channel),
            web.patch(API + "/channels/{channel}", self.edit_thread),
            web.post(API + "/channels/{channel}/messages", self.create_message),
            web.post(API + "/users/@me/channels", self.open_dm),
            web.post(API + "/channels/{channel}/threads", self.create_forum_post),
            web.post(message + "/threads", self.create_thread_from_message),
            web.get(message, self.get_message),
            web.patch(message, self.edit_message),
            web.delete(message, self.delete_message),
            web.get("/attachments/{id}/{filename}", self.download),
            web.route("*", "/{tail:.*}", self.unknown),
        ]

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.emu.rest_log.append((request.method, request.path))
        if request.path.startswith(API):
            path = request.path.removeprefix(API)
            self.emu.spec_violations.extend(operation_problems(request.method, path, dict(request.query)))
        authorized = request.headers.get("Authorization", "") == f"Bot {self.emu.token}" or self.emu.token is None
        by_path_token = request.path.startswith((API + "/interactions", API + "/webhooks"))
        faulted = False
        if request.path.startswith(API) and not by_path_token and not authorized:
            response: web.StreamResponse = error(401, 0, "401: Unauthorized")
        else:
            before = self.emu.take_fault(request.method, request.path)
            faulted = before is not None
            try:
                response = await before.answer(self.emu.held) if before else await handler(request)
            except web.HTTPException as refusal:  # raised with Discord's JSON error body
                response = web.Response(status=refusal.status, text=refusal.text, content_type="application/json")
            if after := self.emu.take_fault(request.method, request.path, after=True):
                response = await after.answer(self.emu.held)  # Discord did it, but the answer is lost
                faulted = True
        if response.content_type == "application/json":
            response.headers["Content-Type"] = "application/json"  # exactly as Discord sends it; discord.py checks
        checked = request.path.startswith(API) and not faulted  # an injected fault is Discord failing on purpose
        if checked and isinstance(response, web.Response) and response.body is not None:
            sent = json.loads(response.body) if response.content_type == "application/json" else None  # type: ignore[arg-type]
            self.emu.response_violations.extend(
                response_problems(request.method, request.path.removeprefix(API), response.status, sent)
            )
        return response

    async def download(self, request: web.Request) -> web.Response:
        """The CDN: the bytes of an uploaded attachment."""
        data = self.emu.files.get(int(request.match_info["id"]))
        return web.Response(body=data) if data is not None else error(404, 0, "404: Not Found")

    async def unknown(self, request: web.Request) -> web.Response:
        self.emu.unknown_routes.append(f"{request.method} {request.path}")
        return error(501, 0, f"the emulator does not implement {request.method} {request.path}")

    async def get_me(self, request: web.Request) -> web.Response:
        self.emu.token = request.headers.get("Authorization", "").removeprefix("Bot ")
        me = self.emu.bot_user.payload() | {"verified": True, "mfa_enabled": False, "locale": "en-US"}
        return web.json_response(me)

    async def get_gateway(self, request: web.Request) -> web.Response:
        return web.json_response({"url": self.emu.gateway_url})

    async def get_bot_gateway(self, request: web.Request) -> web.Response:
        """The recommended shard count (Discord's rule of thumb: one shard per 1,000 guilds) and the IDENTIFY
        budget left today."""
        return web.json_response(
            {
                "url": self.emu.gateway_url,
                "shards": self.emu.recommended_shards,
                "session_start_limit": {
                    "total": SESSION_STARTS,
                    "remaining": max(0, SESSION_STARTS - self.emu.identified),
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_application(self, request: web.Request) -> web.Response:
        owner = User(1, "owner").payload()
        return web.json_response(
            {
                "id": str(self.emu.application_id),
                "name": self.emu.bot_user.username,
                "description": "",
                "icon": None,
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": owner,
                "verify_key": "0" * 64,
                "flags": 0,
                "flags_new": "0",
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "approximate_guild_count": len(self.emu.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "team": None,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
            }
        )

    async def put_commands(self, request: web.Request) -> web.Response:
        definitions, _ = await self.body(request)
        if problems := command_problems(definitions):
            return invalid_form_body(problems)
        guild = request.match_info.get("guild")
        stored = [
            d
            | {
                "id": str(self.emu.snowflakes.next()),
                "application_id": str(self.emu.application_id),
                "version": str(self.emu.snowflakes.next()),
                "type": d.get("type") or 1,
                # Discord answers a permission set as a string, and the default install context when none is given
                "default_member_permissions": None
                if d.get("default_member_permissions") is None
                else str(d["default_member_permissions"]),
                "integration_types": d.get("integration_types") or [0],
                "contexts": d.get("contexts") if d.get("contexts") is not None else [0, 1, 2],
            }
            | ({"guild_id": guild} if guild else {})
            for d in definitions
        ]
        self.emu.commands[int(guild) if guild else None] = stored
        return web.json_response(stored)

    def _record(self, request: web.Request) -> InteractionRecord:
        record = self.emu.interactions_by_token.get(request.match_info["token"])
        if record is None:
            callback = request.path.endswith("/callback")
            code, message = (10062, "Unknown interaction") if callback else (10015, "Unknown Webhook")
            raise web.HTTPNotFound(text=json.dumps({"code": code, "message": message}))
        return record

    async def callback(self, request: web.Request) -> web.Response:
        record = self._record(request)
        if record.response_type is not None:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body, files = await self.body(request)
        kind, data = body["type"], body.get("data") or {}
        message = None
        if kind in (CHANNEL_MESSAGE, DEFERRED_MESSAGE):
            if problems := self.emu.problems_with(data):
                return problems
            flags = data.get("flags", 0) | (LOADING if kind == DEFERRED_MESSAGE else 0)
            message = self.emu.store_message(record.channel_id, data | {"flags": flags}, files, interaction=record)
            record.original = message
        elif kind == UPDATE_MESSAGE:
            assert record.source_message is not None, "UPDATE_MESSAGE answers a component interaction only"
            message = self.emu.edit_message(int(record.source_message["id"]), data, files)
        elif kind not in (DEFERRED_UPDATE, MODAL, 8):
            return error(400, 50035, f"unsupported callback type {kind}")
        record.response_type, record.response_data = kind, data
        record.answered_at = time.perf_counter()
        record.changed()
        answer: Payload = {
            "interaction": {
                "id": str(record.id),
                "type": record.payload["type"],
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            },
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
        if message is not None and kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):  # the spec's resources
            answer["resource"] = {"type": kind, "message": message}
        return web.json_response(answer)

    def _webhook_target(self, record: InteractionRecord, message_ref: str) -> Payload:
        if message_ref != "@original":
            return self.emu.message(int(message_ref))
        if record.original is not None:
            return record.original
        if record.source_message is not None:
            return self.emu.message(int(record.source_message["id"]))
        raise web.HTTPNotFound(text=json.dumps({"code": 10008, "message": "Unknown Message"}))

    async def create_followup(self, request: web.Request) -> web.Response:
        record = self._record(request)
        body, files = await self.body(request)
        if problems := self.emu.problems_with(body):
            return problems
        if record.original is not None and record.original["flags"] & LOADING:
            # The first followup after a deferred reply fills in the "thinking..." message.
            message = self.emu.edit_message(
                int(record.original["id"]), body | {"flags": record.original["flags"] & ~LOADING}, files
            )
        else:
            message = self.emu.store_message(record.channel_id, body, files, interaction=record)
        record.followups.append(message)
        record.changed()
        return web.json_response(message)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        return web.json_response(self._webhook_target(self._record(request), request.match_info["message"]))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        target = self._webhook_target(record, request.match_info["message"])
        body, files = await self.body(request)
        if problems := self.emu.problems_with(body):
            return problems
        message = self.emu.edit_message(int(target["id"]), body | {"flags": target["flags"] & ~LOADING}, files)
        record.changed()
        return web.json_response(message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        record = self._record(request)
        self.emu.delete_message(int(self._webhook_target(record, request.match_info["message"])["id"]))
        record.changed()
        return web.Response(status=204)

    async def create_scheduled_event(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild"])
        body, _ = await self.body(request)
        start = datetime.fromisoformat(body["scheduled_start_time"])
        end = body.get("scheduled_end_time")
        if body.get("entity_type") == 3 and (not end or not (body.get("entity_metadata") or {}).get("location")):
            return invalid_form_body(["entity_metadata.location: external events need an end time and a location"])
        if start < datetime.now(UTC):
            return invalid_form_body(["scheduled_start_time: Cannot schedule event in the past."])
        event = body | {
            "id": str(self.emu.snowflakes.next()),
            "guild_id": str(guild_id),
            "channel_id": body.get("channel_id"),
            "creator_id": str(self.emu.bot_user.id),
            "creator": self.emu.bot_user.payload(),
            "status": 1,
            "entity_id": None,
            "user_count": 0,
            "image": None,
            "description": body.get("description"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "recurrence_rule": None,
            "guild_scheduled_event_exceptions": [],
            "entity_metadata": body.get("entity_metadata"),
        }
        self.emu.scheduled_events[int(event["id"])] = event
        await self.emu.dispatch("GUILD_SCHEDULED_EVENT_CREATE", event)
        return web.json_response(event)

    async def edit_scheduled_event(self, request: web.Request) -> web.Response:
        """Discord allows scheduled -> active or canceled, and active -> completed; nothing else."""
        event = self.emu.scheduled_events.get(int(request.match_info["event"]))
        if event is None or event["guild_id"] != request.match_info["guild"]:
            return error(404, 10070, "Unknown Guild Scheduled Event")
        body, _ = await self.body(request)
        if "status" in body and (event["status"], body["status"]) not in EVENT_STATUS_CHANGES:
            return invalid_form_body([f"status: Cannot change the status from {event['status']} to {body['status']}."])
        event.update(body)
        await self.emu.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return web.json_response(event)

    async def list_scheduled_events(self, request: web.Request) -> web.Response:
        guild_id = request.match_info["guild"]
        return web.json_response([e for e in self.emu.scheduled_events.values() if e["guild_id"] == guild_id])

    def _event(self, request: web.Request) -> Payload:
        event = self.emu.scheduled_events.get(int(request.match_info["event"]))
        if event is None or event["guild_id"] != request.match_info["guild"]:
            raise web.HTTPNotFound(text=json.dumps({"code": 10070, "message": "Unknown Guild Scheduled Event"}))
        return event

    async def get_scheduled_event(self, request: web.Request) -> web.Response:
        return web.json_response(self._event(request) | {"user_count": len(self.emu.interested(self._event(request)))})

    async def scheduled_event_users(self, request: web.Request) -> web.Response:
        """The members who marked themselves interested, by id, `limit` (at most 100) after `after`."""
        event = self._event(request)
        after, limit = int(request.query.get("after", 0)), min(int(request.query.get("limit", 100)), 100)
        users = sorted((u for u in self.emu.interested(event) if u.id > after), key=lambda u: u.id)[:limit]
        return web.json_response(
            [
                {"guild_scheduled_event_id": event["id"], "user_id": str(u.id), "response": 1, "user": u.payload()}
                for u in users
            ]
        )

    async def active_threads(self, request: web.Request) -> web.Response:
        guild = self.emu.guilds[int(request.match_info["guild"])]
        threads = [c.payload() for c in guild.channels.values() if c.type == ChannelType.PUBLIC_THREAD]
        return web.json_response({"threads": threads, "members": [], "has_more": False})

    async def get_channel(self, request: web.Request) -> web.Response:
        return web.json_response(self.emu.channel(int(request.match_info["channel"])).payload())

    async def edit_thread(self, request: web.Request) -> web.Response:
        """Rename, archive or lock a thread: its creator may rename and archive it, locking needs Manage Threads
        (as Discord has it); THREAD_UPDATE follows."""
        channel = self.emu.channel(int(request.match_info["channel"]))
        body, _ = await self.body(request)
        if channel.type != ChannelType.PUBLIC_THREAD:
            return error(400, 50024, "Cannot execute action on this channel type")  # only threads are emulated
        needed = Permissions.VIEW_CHANNEL
        if channel.owner_id != self.emu.bot_user.id or body.get("locked"):
            needed |= Permissions.MANAGE_THREADS
        if refusal := self.emu.refuse_bot(channel, needed):
            return refusal
        if "name" in body and not 1 <= len(body["name"]) <= 100:
            return invalid_form_body(["name: Must be between 1 and 100 in length."])
        channel.name = body.get("name", channel.name)
        channel.archived = body.get("archived", channel.archived)
        channel.locked = body.get("locked", channel.locked)
        await self.emu.dispatch("THREAD_UPDATE", channel.payload())
        return web.json_response(channel.payload())

    async def open_dm(self, request: web.Request) -> web.Response:
        body, _ = await self.body(request)
        user = self.emu.user(int(body["recipient_id"]))
        if user is None:
            return error(400, 50033, "Invalid Recipient(s)")
        return web.json_response(self.emu.dm_channel(user))

    async def create_message(self, request: web.Request) -> web.Response:
        body, files = await self.body(request)
        if problems := self.emu.problems_with(body):
            return problems
        recipient = self.emu.dm_channels.get(int(request.match_info["channel"]))
        if recipient is not None:  # a DM: the member's own setting decides
            if not recipient.accepts_dms:
                return error(403, 50007, "Cannot send messages to this user")
            return web.json_response(self.emu.store_dm(int(request.match_info["channel"]), body))
        channel = self.emu.channel(int(request.match_info["channel"]))
        in_thread = channel.type == ChannelType.PUBLIC_THREAD
        needed = Permissions.SEND_MESSAGES_IN_THREADS if in_thread else Permissions.SEND_MESSAGES
        if body.get("embeds"):
            needed |= Permissions.EMBED_LINKS
        if files:
            needed |= Permissions.ATTACH_FILES
        if refusal := self.emu.refuse_bot(channel, needed):
            return refusal
        if channel.archived:  # Discord unarchives a thread the bot posts in, unless a moderator locked it
            if channel.locked:
                return error(400, 50083, "Thread is archived")
            channel.archived = False
            await self.emu.dispatch("THREAD_UPDATE", channel.payload())
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            seen = self.emu.nonces.get((channel.id, str(nonce)))
            if seen is not None and time.monotonic() - seen[0] < NONCE_WINDOW and seen[1] in self.emu.messages:
                return web.json_response(self.emu.messages[seen[1]])  # Discord answers with the message it made
        message = self.emu.store_message(channel.id, body, files)
        if nonce is not None:
            message["nonce"] = str(nonce)
            self.emu.nonces[(channel.id, str(nonce))] = (time.monotonic(), int(message["id"]))
        return web.json_response(message)

    async def create_forum_post(self, request: web.Request) -> web.Response:
        forum = self.emu.channel(int(request.match_info["channel"]))
        if forum.type != ChannelType.FORUM:
            return error(400, 50024, "Cannot execute action on this channel type")
        body, files = await self.body(request)
        if problems := self.emu.problems_with(body.get("message") or {}):
            return problems
        if refusal := self.emu.refuse_bot(forum, Permissions.SEND_MESSAGES | Permissions.EMBED_LINKS):
            return refusal
        thread = await self.emu.open_thread(forum, body["name"], thread_id=None)
        message = self.emu.store_message(thread.id, body.get("message") or {}, files, message_id=thread.id)
        return web.json_response(thread.payload() | {"message": message}, status=201)

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        channel = self.emu.channel(int(request.match_info["channel"]))
        message_id = int(self.emu.message(int(request.match_info["message"]))["id"])
        if refusal := self.emu.refuse_bot(channel, Permissions.CREATE_PUBLIC_THREADS):
            return refusal
        if message_id in self.emu.guilds[channel.guild_id].channels:
            return error(400, 160004, "A thread has already been created for this message")
        body, _ = await self.body(request)
        thread = await self.emu.open_thread(channel, body["name"], thread_id=message_id)
        return web.json_response(thread.payload(), status=201)

    async def get_message(self, request: web.Request) -> web.Response:
        return web.json_response(self.emu.message(int(request.match_info["message"])))

    async def edit_message(self, request: web.Request) -> web.Response:
        body, files = await self.body(request)
        if problems := self.emu.problems_with(body):
            return problems
        return web.json_response(self.emu.edit_message(int(request.match_info["message"]), body, files))

    async def delete_message(self, request: web.Request) -> web.Response:
        self.emu.delete_message(int(request.match_info["message"]))
        return web.Response(status=204)
