"""Try the bot without a Discord token: the real bot against the loopback emulator, a scripted session."""

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from bot.core import CoCreateBot
from emulator.community import Community, build_community
from emulator.harness import running_bot
from emulator.interactions import EPHEMERAL, message_text
from emulator.server import DiscordEmulator
from emulator.state import Member, Payload


def show(c: Community, message: Payload) -> None:
    audience = "only you see" if message["flags"] & EPHEMERAL else "everyone sees"
    lines = c.discord.render(c.guild, message_text(message)).splitlines() or ["(no text)"]
    print(f"   <- bot ({audience}): {lines[0]}")
    for line in lines[1:]:
        print(f"      {line}")


async def run_command(c: Community, member: Member, command: str, **options: Any) -> Payload:
    shown = " ".join(
        f"{k}:{v.user.username if isinstance(v, Member) else getattr(v, 'name', v)}" for k, v in options.items()
    )
    print(f"\n-> {member.user.username} runs /{command} {shown}".rstrip())
    reply = await (await c.discord.slash(member, command, **options)).reply()
    show(c, reply)
    return reply


async def idea_loop(c: Community, bot: CoCreateBot) -> None:
    """A member proposes an idea, another votes, staff answer in the open."""
    fields = {"title": "Mint moustache wax", "description": "A fresh scent for summer parades."}
    await submit_form(c, c.alice, "idea submit", fields)
    thread = next(ch for ch in c.guild.channels.values() if ch.parent_id == c.ideas.id)
    message = c.discord.message(thread.id)
    print("   in #ideas, everyone sees a new forum post:")
    show(c, message)
    print(f"\n-> {c.bob.user.username} clicks ▲ Upvote")
    voted = await c.discord.click(c.bob, message, "idea:vote:1:up")
    show(c, await voted.reply())
    await run_command(c, c.staff, "idea status", idea=1, status="planned", reason="Coming this spring!")
    await bot.delivery.drain()
    print("   the post in #ideas now reads:")
    show(c, c.discord.message(thread.id))
    print("   in the idea's thread:")
    for posted in c.discord.messages_in(thread)[1:]:
        show(c, posted)


async def poll_loop(c: Community, bot: CoCreateBot) -> None:
    """Staff ask, members pick, the poll closes with a result."""
    options = {"question": "Which scent next?", "options": "Mint | Cedar | Lavender", "closes": "2h"}
    await run_command(c, c.staff, "poll create", **options)
    poll = c.discord.messages_in(c.general)[-1]
    for member, option in ((c.alice, 1), (c.bob, 1), (c.moderator, 0)):
        print(f"\n-> {member.user.username} clicks {poll['components'][0]['components'][option]['label']}")
        show(c, await (await c.discord.click(member, poll, f"poll:vote:1:{option}")).reply())
    await run_command(c, c.staff, "poll close", poll=1)
    await bot.delivery.drain()
    print("   in #announcements, everyone sees:")
    show(c, c.discord.messages_in(c.announcements)[-1])


async def submit_form(c: Community, member: Member, command: str, fields: dict[str, str]) -> Payload:
    print(f"\n-> {member.user.username} runs /{command} and fills in the form")
    opened = await c.discord.slash(member, command)
    reply = await (await c.discord.submit_modal(member, opened, fields)).reply()
    show(c, reply)
    return reply


async def ama_loop(c: Community, bot: CoCreateBot) -> None:
    """Staff host an AMA: a member asks, the host answers in the open."""
    options = {"title": "Meet the founders", "host": c.staff, "starts": "1d", "ends": "1h"}
    await run_command(c, c.staff, "ama schedule", **options)
    await run_command(c, c.staff, "ama open", ama=1)
    await submit_form(c, c.alice, "ama ask", {"question": "Will there be a vegan wax?"})
    await run_command(c, c.staff, "ama answer", question=1, answer="Yes, next spring!")
    await bot.delivery.drain()
    thread = next(ch for ch in c.guild.channels.values() if ch.name.startswith("Questions:"))
    print("   in the AMA's questions thread:")
    show(c, c.discord.messages_in(thread)[-1])


async def challenge_loop(c: Community) -> None:
    """Moderators schedule a weekly parade; members can see what is coming."""
    options = {
        "name": "Moustache parade",
        "themes": "Moustaches | Hats | Pets",
        "schedule": "weekly fri 18:00",
        "entry_window": "1d",
        "voting_window": "1d",
        "prize": "Your moustache on the next tin",
    }
    await run_command(c, c.moderator, "challenge schedule", **options)
    await run_command(c, c.bob, "challenge preview", challenge=1)


async def session(database: Path) -> None:
    async with DiscordEmulator() as discord:
        c = await build_community(discord)
        async with running_bot(discord, database) as bot:
            print(f"Loopback Discord on {discord.api_base} (no token, no internet).")
            print(f"Bot {bot.user} is in '{c.guild.name}' with #ideas (forum), #announcements and #general.")
            await run_command(c, c.owner, "setup set", **c.setup_options())
            await run_command(c, c.alice, "setup set", timezone="UTC")
            await run_command(c, c.owner, "setup set", timezone="Mars/Olympus_Mons")
            await idea_loop(c, bot)
            await poll_loop(c, bot)
            await ama_loop(c, bot)
            await challenge_loop(c)
        print("\n-- the bot restarts on the same database --")
        async with running_bot(discord, database):
            await run_command(c, c.moderator, "setup show")
    print("\nSandbox session finished.")


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # voice support warnings; the bot has no voice
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(session(Path(folder) / "sandbox.db"))
    return 0
