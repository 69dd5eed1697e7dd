"""Try the bot without a Discord token: the real bot against the loopback emulator, a scripted session, told in
the terminal and written as a page that looks like Discord (`sandbox.html` in the current folder)."""

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import CoCreateBot
from emulator.community import Community, build_community
from emulator.harness import running_bot
from emulator.interactions import EPHEMERAL, message_text
from emulator.page import SessionPage
from emulator.server import DiscordEmulator
from emulator.state import Member, Payload

PAGE = "sandbox.html"


class Session:
    """One scripted visit to the demo community: each step is printed and added to the page."""

    def __init__(self, c: Community) -> None:
        self.c = c
        self.zone = ZoneInfo(c.setup_options()["timezone"])
        self.page = SessionPage(c.discord, c.guild, self.zone)

    def narrate(self, text: str) -> None:
        print(f"\n-- {text} --")
        self.page.narrate(text)

    def show(self, message: Payload, where: str = "") -> None:
        audience = "only you see" if message["flags"] & EPHEMERAL else "everyone sees"
        if where:
            print(f"   {where}:")
        lines = self.c.discord.render(self.c.guild, message_text(message), self.zone).splitlines() or ["(no text)"]
        print(f"   <- bot ({audience}): {lines[0]}")
        for line in lines[1:]:
            print(f"      {line}")
        self.page.message(message)

    def did(self, member: Member, what: str, form: dict[str, str] | None = None) -> None:
        print(f"\n-> {member.user.username} {what}")
        self.page.action(member, what, form)

    async def command(self, member: Member, command: str, **options: Any) -> Payload:
        shown = " ".join(
            f"{k}:{v.user.username if isinstance(v, Member) else getattr(v, 'name', v)}" for k, v in options.items()
        )
        self.did(member, f"runs /{command} {shown}".rstrip())
        reply = await (await self.c.discord.slash(member, command, **options)).reply()
        self.show(reply)
        return reply

    async def form(self, member: Member, command: str, fields: dict[str, str]) -> Payload:
        self.did(member, f"runs /{command} and fills in the form", fields)
        opened = await self.c.discord.slash(member, command)
        reply = await (await self.c.discord.submit_modal(member, opened, fields)).reply()
        self.show(reply)
        return reply

    async def click(self, member: Member, message: Payload, custom_id: str, label: str) -> Payload:
        self.did(member, f"clicks {label}")
        reply = await (await self.c.discord.click(member, message, custom_id)).reply()
        self.show(reply)
        return reply


async def idea_loop(s: Session, bot: CoCreateBot) -> None:
    """A member proposes an idea, another votes, staff answer in the open."""
    c = s.c
    await s.form(c.alice, "idea submit", {"title": "Mint moustache wax", "description": "A fresh scent for summer."})
    thread = next(ch for ch in c.guild.channels.values() if ch.parent_id == c.ideas.id)
    s.show(c.discord.message(thread.id), "in #ideas, everyone sees a new forum post")
    await s.click(c.bob, c.discord.message(thread.id), "idea:vote:1:up", "▲ Upvote")
    await s.command(c.staff, "idea status", idea=1, status="planned", reason="Coming this spring!")
    await bot.delivery.drain()
    s.show(c.discord.message(thread.id), "the post in #ideas now reads")
    for posted in c.discord.messages_in(thread)[1:]:
        s.show(posted, "in the idea's thread")


async def poll_loop(s: Session, bot: CoCreateBot) -> None:
    """Staff ask, members pick, the poll closes with a result and a chart."""
    c = s.c
    options = {"question": "Which scent next? 🌿", "options": "Mint | Cedar 🪵 | Lavender", "closes": "2h"}
    await s.command(c.staff, "poll create", **options)
    poll = c.discord.messages_in(c.general)[-1]
    s.show(poll, "in #general, everyone sees")
    for member, option in ((c.alice, 1), (c.bob, 1), (c.moderator, 0)):
        label = poll["components"][0]["components"][option]["label"]
        await s.click(member, poll, f"poll:vote:1:{option}", label)
    await s.command(c.staff, "poll close", poll=1)
    await bot.delivery.drain()
    s.show(c.discord.message(int(poll["id"])), "in #general, the poll now reads")
    s.show(c.discord.messages_in(c.announcements)[-1], "in #announcements, everyone sees")


async def ama_loop(s: Session, bot: CoCreateBot) -> None:
    """Staff host an AMA: a member asks, the host answers in the open."""
    c = s.c
    options = {"title": "Meet the founders", "host": c.staff, "starts": "1d", "ends": "1h"}
    await s.command(c.staff, "ama schedule", **options)
    await bot.delivery.drain()
    s.show(c.discord.messages_in(c.announcements)[-1], "in #announcements, everyone sees")
    await s.command(c.staff, "ama open", ama=1)
    await s.form(c.alice, "ama ask", {"question": "Will there be a vegan wax?"})
    await s.command(c.staff, "ama answer", question=1, answer="Yes, next spring!")
    await bot.delivery.drain()
    thread = next(ch for ch in c.guild.channels.values() if ch.name.startswith("Questions:"))
    s.show(c.discord.messages_in(thread)[-1], "in the AMA's questions thread")


async def challenge_loop(s: Session) -> None:
    """Moderators schedule a weekly parade; members can see what is coming."""
    options = {
        "name": "Moustache parade",
        "themes": "Moustaches | Hats | Pets",
        "schedule": "weekly fri 18:00",
        "entry_window": "1d",
        "voting_window": "1d",
        "prize": "Your moustache on the next tin",
    }
    await s.command(s.c.moderator, "challenge schedule", **options)
    await s.command(s.c.bob, "challenge preview", challenge=1)


async def session(database: Path) -> Path:
    async with DiscordEmulator() as discord:
        c = await build_community(discord)
        s = Session(c)
        async with running_bot(discord, database) as bot:
            print(f"Loopback Discord on {discord.api_base} (no token, no internet).")
            print(f"Bot {bot.user} is in '{c.guild.name}' with #ideas (forum), #announcements and #general.")
            await s.command(c.owner, "setup set", **c.setup_options())
            await s.command(c.alice, "setup set", timezone="UTC")
            await s.command(c.owner, "setup set", timezone="Mars/Olympus_Mons")
            await idea_loop(s, bot)
            await poll_loop(s, bot)
            await ama_loop(s, bot)
            await challenge_loop(s)
        s.narrate("the bot restarts on the same database")
        async with running_bot(discord, database):
            await s.command(c.moderator, "setup show")
    return s.page.write(Path(PAGE), f"CoCreate sandbox: {c.guild.name}")


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # voice support warnings; the bot has no voice
    with tempfile.TemporaryDirectory() as folder:
        page = asyncio.run(session(Path(folder) / "sandbox.db"))
    print(f"\nSandbox session finished. See it as Discord shows it: {page}")
    return 0
