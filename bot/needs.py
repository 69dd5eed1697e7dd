"""What the bot itself needs from Discord and where: the invite link, `/setup check` and the README agree on it."""

import discord

from services.i18n import N_, _

# Where the bot posts (ideas, announcements, polls, challenges): read, write, embeds, the results chart and photos.
POSTING = ("view_channel", "send_messages", "embed_links", "attach_files", "read_message_history")
THREADS = ("create_public_threads", "send_messages_in_threads")  # idea threads and forum posts, AMA questions
IN_SERVER = ("manage_events",)  # an AMA is also a Discord scheduled event
LABELS = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
    "read_message_history": N_("Read Message History"),
    "create_public_threads": N_("Create Public Threads"),
    "send_messages_in_threads": N_("Send Messages in Threads"),
    "manage_events": N_("Manage Events"),
}
INVITE_PERMISSIONS = discord.Permissions(**dict.fromkeys(POSTING + THREADS + IN_SERVER, True))


def invite_url(application_id: int) -> str:
    """The link that adds the bot with its slash commands and exactly the permissions it needs."""
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={INVITE_PERMISSIONS.value}"
    )


def missing(granted: discord.Permissions, needed: tuple[str, ...]) -> list[str]:
    """The names, as Discord's settings show them in the reader's language, of the `needed` permissions not
    `granted`."""
    return [_(LABELS[name]) for name in needed if not getattr(granted, name)]
