"""The delivery worker: the one path by which the bot changes anything on Discord that must not be lost.

Services write a state change and its intents in one transaction (`storage/deliveries.py`); this worker claims
due intents, calls the handler each feature registered for its kind, and records the outcome:
- done: the handler recorded what Discord made (message and thread ids); a render rests 2 s before the next;
- transient (429, 5xx, network, timeout): tried again with backoff and jitter, for as long as it takes;
- permanent (403, 404, 400, or `Undeliverable`): kept, staff are told once what is wrong, and it is tried again
  when the cause may be fixed (`/setup`, a channel or role change, the bot re-added).
Creates carry a nonce with `enforce_nonce`, so a retry after a crash between sending and recording does not
post twice; handlers check what is already recorded before creating anything.
"""

import asyncio
import contextlib
import io
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.i18n import server_language
from bot.needs import POSTING, missing
from services.clock import Clock
from services.errors import NotFound
from services.i18n import N_, _, speaking
from storage.base import DeliveryRepository, Shards
from storage.models import Delivery, staff_notice

if TYPE_CHECKING:
    from bot.core import CoCreateBot

log = logging.getLogger(__name__)

Handler = Callable[[Delivery], Awaitable[None]]
TRANSIENT = (discord.DiscordServerError, discord.RateLimited, aiohttp.ClientError, OSError, TimeoutError)
BATCH = 20
SETTLE_SECONDS = 4.0  # how long a deferred reply waits to say "posted" rather than "saved, it will follow"
SETTLE_BEFORE_ANSWER = 1.5  # the same, for a click answered directly (Discord wants the answer within 3 s)
IDLE_WAKE = 5.0  # seconds: look for due retries at least this often
MIN_WAIT = 0.05  # never spin: what is due but cannot be claimed yet waits for the delivery ahead of it


class Undeliverable(Exception):
    """A handler cannot deliver until someone fixes something (e.g. no ideas channel is set up)."""


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, at most 10 minutes, with up to 25% jitter so that retries do not move in step."""
    base = min(600.0, 2.0 ** (attempts + 1))
    return timedelta(seconds=base * (1 + random.random() / 4))


class Settled:
    """What became of an entity's pending posts shortly after the change: for the member who acted."""

    def __init__(self, rows: list[tuple[str, int, str | None]]) -> None:
        self.delivered = not rows
        self.blocked = next((error for state, _, error in rows if state == "blocked"), None)

    def note(self) -> str:
        """ "" when everything is posted; otherwise one sentence saying that it is kept and will follow."""
        if self.delivered:
            return ""
        if self.blocked:
            return " " + _("Its post waits: {reason} It goes out once that is fixed.", reason=self.blocked)
        return " " + _(
            "Its post will follow: Discord is not accepting posts right now; it goes out as soon as it does."
        )

    def say(self, posted: str, saved: str) -> str:
        """`posted` when everything is on Discord; otherwise `saved` with the reason it is not there yet."""
        return posted if self.delivered else saved + self.note()


class DeliveryWorker:
    def __init__(self, bot: "CoCreateBot", repository: DeliveryRepository, clock: Clock) -> None:
        self._bot = bot
        self._repo = repository
        self._clock = clock
        self._handlers: dict[str, Handler] = {}
        self._wake = asyncio.Event()
        self._progress = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one claim-and-perform round at a time (the loop, drain)

    # -- wiring ----------------------------------------------------------------------------------------

    def register(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def unregister(self, kind: str) -> None:
        self._handlers.pop(kind, None)

    @property
    def shards(self) -> Shards | None:
        """This process's shards when it runs some of them: it performs the deliveries of their guilds only."""
        bot = self._bot
        return None if bot.shard_ids is None else (bot.shard_count or 1, tuple(bot.shard_ids))

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        await self._repo.release_claims(self.shards)
        self._task = asyncio.create_task(self._loop(), name="delivery-worker")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- the loop ----------------------------------------------------------------------------------------

    async def _loop(self) -> None:
        """Never ends on its own: every failure is recorded on its delivery, and the loop goes on."""
        while True:
            try:
                worked = await self.run_once()
            except Exception:
                log.exception("delivery round failed; trying again shortly")
                worked = False
                await asyncio.sleep(1)
            if worked:
                continue
            self._wake.clear()
            due = await self._repo.next_due(self.shards)
            delay = IDLE_WAKE if due is None else (due - self._clock.now()).total_seconds()
            woken = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({woken}, timeout=max(MIN_WAIT, min(IDLE_WAKE, delay)))
            finally:
                woken.cancel()

    async def run_once(self, *, rested: bool = False) -> bool:
        """Claim what is due and perform it (lanes side by side); True if anything was claimed."""
        async with self._lock:
            batch = await self._repo.claim(self._clock.now(), BATCH, rested=rested, shards=self.shards)
            await asyncio.gather(*(self._perform(delivery) for delivery in batch))
        if batch:
            async with self._progress:
                self._progress.notify_all()
        return bool(batch)

    async def drain(self) -> None:
        """Perform everything that can go now, renders still resting included (tests, the sandbox, shutdown)."""
        while await self.run_once(rested=True):
            pass

    async def _perform(self, delivery: Delivery) -> None:
        handler = self._handlers.get(delivery.kind)
        now = self._clock.now()
        if handler is None:  # its feature is not loaded (yet): leave it for later
            await self._repo.retry_later(delivery, f"no handler for {delivery.kind}", now + backoff(0))
            return
        language = await server_language(self._bot, delivery.guild_id)
        try:
            with speaking(language):  # a public post, and what staff are told about it, speak the server's language
                await handler(delivery)
        except TRANSIENT as error:
            await self._repo.retry_later(delivery, repr(error), now + backoff(delivery.attempts))
            log.warning("delivery postponed", extra=self._context(delivery, error))
        except (discord.HTTPException, Undeliverable) as error:
            with speaking(language):
                await self._blocked(delivery, error)
        except NotFound:  # what it was about was deleted meanwhile: nothing is owed any more
            await self._repo.delivered(delivery, now)
        except Exception as error:  # a bug: keep the intent, do not hammer
            await self._repo.retry_later(delivery, repr(error), now + backoff(delivery.attempts + 4))
            log.exception("delivery failed unexpectedly", extra=self._context(delivery, error))
        else:
            await self._repo.delivered(delivery, self._clock.now())

    async def _blocked(self, delivery: Delivery, error: Exception) -> None:
        reason = self.explain(delivery, error)
        if not await self._repo.block(delivery, reason):
            return
        log.warning("delivery blocked until fixed", extra=self._context(delivery, error))
        await self._tell_staff(delivery, reason)

    # -- staff notices -------------------------------------------------------------------------------------

    def explain(self, delivery: Delivery, error: Exception) -> str:
        """One sentence for staff: where the bot could not post and, if it can tell, which permissions it lacks."""
        if isinstance(error, Undeliverable):
            return str(error)
        channel_id = delivery.payload.get("channel_id")
        guild = self._bot.get_guild(delivery.guild_id)
        channel = guild.get_channel_or_thread(int(channel_id)) if guild and channel_id else None
        where = f"<#{channel_id}>" if channel_id else _("its channel")
        if isinstance(error, discord.Forbidden):
            absent = self.missing_permissions(channel)
            lacking = (
                _("missing {permissions}", permissions=", ".join(absent))
                if absent
                else _("Discord said: {text}", text=error.text or "Forbidden")
            )
            return _("I can't post in {where}: {lacking}.", where=where, lacking=lacking)
        if isinstance(error, discord.NotFound):
            return _(
                "I can't post in {where}: the channel or message no longer exists. Check `/setup show`.", where=where
            )
        text = error.text if isinstance(error, discord.HTTPException) else str(error)
        return _("Discord refused a post in {where}: {text}", where=where, text=text)

    def missing_permissions(self, channel: object) -> list[str]:
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread) or channel.guild.me is None:
            return []
        return missing(channel.permissions_for(channel.guild.me), POSTING)

    async def _tell_staff(self, delivery: Delivery, reason: str) -> None:
        """Once per blocked delivery, in the announcements channel (unless that is where it is blocked)."""
        if delivery.kind == "message" and delivery.lane.startswith("notice:"):
            return  # the notice itself is blocked: nothing more to say
        settings = await self._bot.services.setup.get(delivery.guild_id)
        target = settings.announcements_channel_id
        if target is None or str(target) == str(delivery.payload.get("channel_id")):
            return
        note = "⚠️ " + _("{reason} What I could not post is kept and goes out as soon as this is fixed.", reason=reason)
        await self._repo.add(delivery.guild_id, [staff_notice(target, note[:2000])], self._clock.now())

    async def resume(self, guild_id: int) -> None:
        """Something that blocked deliveries may be fixed: try them again."""
        if await self._repo.unblock(guild_id, self._clock.now()):
            self.wake()

    # -- for the member who acted ------------------------------------------------------------------------------

    async def settle(self, guild_id: int, lane: str, within: float = SETTLE_SECONDS) -> Settled:
        """Wait (at most `within` seconds) until the lane's posts went out, failed once, or are blocked."""
        self.wake()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within), self._progress:
                while True:
                    rows = await self._repo.unfinished(guild_id, lane)
                    if not rows or any(state == "blocked" or attempts > 0 for state, attempts, _ in rows):
                        return Settled(rows)
                    await self._progress.wait()
        return Settled(await self._repo.unfinished(guild_id, lane))

    @staticmethod
    def _context(delivery: Delivery, error: Exception) -> dict[str, object]:
        return {"delivery_id": delivery.id, "kind": delivery.kind, "guild_id": delivery.guild_id, "error": repr(error)}


async def reply_when_settled(interaction: discord.Interaction, lane: str, text: str) -> None:
    """Answer a deferred command with `text`, once the lane's posts went out (or saying why they have not yet)."""
    assert interaction.guild_id is not None
    settled = await interaction.client.delivery.settle(interaction.guild_id, lane)  # type: ignore[attr-defined]
    await interaction.followup.send(text + settled.note(), ephemeral=True)


THREAD_ALREADY_CREATED = 160004  # Discord's code: "A thread has already been created for this message"


async def thread_from(message: discord.PartialMessage, name: str) -> int:
    """Start a thread on `message` and return its id; if an attempt whose answer was lost already made it, that
    thread (a thread started from a message has the message's id)."""
    try:
        return (await message.create_thread(name=name[:100])).id
    except discord.HTTPException as error:
        if error.code != THREAD_ALREADY_CREATED:
            raise
        return message.id


REMOVAL_NOTICES = {
    "idea": N_("{member}, your idea was removed by the moderators: {reason}"),
    "question": N_("{member}, your question was removed by the moderators: {reason}"),
    "entry": N_("{member}, your entry was removed by the moderators: {reason}"),
}


DIRECT_MESSAGES = {
    "idea.rejected": N_("Your idea “{title}” was not accepted by the staff: {reason}"),
    "idea.removed": N_("Your idea “{title}” was removed by the moderators: {reason}"),
    "question.removed": N_("Your question in the AMA “{title}” was removed by the moderators: {reason}"),
}
DMS_CLOSED = 50007  # Discord's code: the member does not accept direct messages from this server


def direct_message_handler(bot: "CoCreateBot") -> Handler:
    """Sends a member a private message; one who does not accept them is not told, and that is logged."""

    async def send(delivery: Delivery) -> None:
        payload = dict(delivery.payload)
        member, message = int(payload.pop("member_id")), payload.pop("message")
        channel = await bot.create_dm(discord.Object(member))
        try:
            await channel.send(_(DIRECT_MESSAGES[message], **payload), nonce=delivery.nonce())
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
            log.info("a member does not accept direct messages", extra={"delivery_id": delivery.id})

    return send


def removal_notice_handler(bot: "CoCreateBot") -> Handler:
    """Tells a member, pinging only them, that staff or moderators removed what they wrote, and why."""

    async def send(delivery: Delivery) -> None:
        payload = delivery.payload
        member = int(payload["member_id"])
        text = _(REMOVAL_NOTICES[payload["removed"]], member=f"<@{member}>", reason=payload["reason"])
        channel = bot.get_partial_messageable(int(payload["channel_id"]), guild_id=delivery.guild_id)
        await channel.send(
            text, allowed_mentions=discord.AllowedMentions(users=[discord.Object(member)]), nonce=delivery.nonce()
        )

    return send


def message_handler(bot: "CoCreateBot") -> Handler:
    """Performs the generic `message` intent: a plain post pinging exactly its `ping_users` (staff notices, and
    the embeds and files of announcements that the old outbox held when it was migrated)."""

    async def send(delivery: Delivery) -> None:
        payload = delivery.payload
        channel = bot.get_partial_messageable(int(payload["channel_id"]), guild_id=delivery.guild_id)
        file_name = payload.get("file_name")
        await channel.send(
            payload.get("content") or None,
            embed=discord.Embed.from_dict(payload["embed"]) if payload.get("embed") else discord.utils.MISSING,
            file=discord.File(io.BytesIO(delivery.file_data), filename=file_name)
            if delivery.file_data is not None and file_name
            else discord.utils.MISSING,
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(m) for m in payload.get("ping_users", [])]),
            nonce=delivery.nonce(),
        )

    return send
