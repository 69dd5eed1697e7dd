"""An HTML page of a sandbox session that looks like Discord: who did what, and every message the bot sent, with
its embeds (colour, fields, images), buttons, attachments and "only you can see this" replies, times in the
server's time zone. Member text goes through markdown-it with raw HTML off, so nothing a member typed runs."""

import base64
import html
import mimetypes
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from emulator.interactions import EPHEMERAL
from emulator.server import DiscordEmulator
from emulator.state import Guild, Member, Payload

MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).enable("strikethrough")
BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}
STYLE = Path(__file__).with_name("sandbox.css")


class SessionPage:
    """What happened in one guild, to write as a page once the session is over."""

    def __init__(self, discord: DiscordEmulator, guild: Guild, zone: ZoneInfo) -> None:
        self.discord, self.guild, self.zone = discord, guild, zone
        self.parts: list[str] = []

    def text(self, markdown: str) -> str:
        """Discord's Markdown as HTML: mentions by name, timestamps in the server's time zone, no raw HTML."""
        return MARKDOWN.render(self.discord.render(self.guild, markdown, self.zone))

    def narrate(self, text: str) -> None:
        self.parts.append(f'<p class="narration">{html.escape(text)}</p>')

    def action(self, member: Member, did: str, form: dict[str, str] | None = None) -> None:
        """A member's command, click or form, as Discord shows "alice used /idea submit"."""
        answers = "".join(
            f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in (form or {}).items()
        )
        filled = f'<dl class="form">{answers}</dl>' if answers else ""
        self.parts.append(
            f'<div class="action"><b>{html.escape(member.user.username)}</b> {html.escape(did)}{filled}</div>'
        )

    def message(self, message: Payload) -> None:
        channel = self.discord.channel(int(message["channel_id"]))
        author = message["author"]
        is_bot = bool(author.get("bot"))
        name = author.get("global_name") or author["username"]
        sent = datetime.fromisoformat(message["timestamp"]).astimezone(self.zone)
        ephemeral = bool(message["flags"] & EPHEMERAL)
        body = [f'<div class="content">{self.text(message["content"])}</div>' if message.get("content") else ""]
        body += [self.embed(embed, message) for embed in message.get("embeds", [])]
        body += [self.attachment(a) for a in message.get("attachments", []) if not self.shown_in_embed(a, message)]
        body.append(self.components(message.get("components", [])))
        if ephemeral:
            body.append('<div class="ephemeral-note">👁 Only you can see this</div>')
        self.parts.append(
            f'<div class="channel">#{html.escape(channel.name)}</div>'
            f'<article class="message{" ephemeral" if ephemeral else ""}">'
            f'<div class="avatar{"" if is_bot else " member"}">{html.escape(name[:1].upper())}</div><div>'
            f'<span class="author">{html.escape(name)}</span>{"<span class=bot-tag>BOT</span>" if is_bot else ""}'
            f'<time datetime="{sent.isoformat()}">{sent:%d-%m-%Y %H:%M %Z}</time>{"".join(body)}</div></article>'
        )

    def embed(self, embed: Payload, message: Payload) -> str:
        colour = f"#{embed['color']:06x}" if embed.get("color") is not None else "#1e1f22"
        title = html.escape(embed.get("title", ""))
        if title and embed.get("url"):
            title = f'<a href="{html.escape(embed["url"])}">{title}</a>'
        parts = [f'<div class="embed-title">{title}</div>' if title else ""]
        if embed.get("description"):
            parts.append(f'<div class="embed-description">{self.text(embed["description"])}</div>')
        fields = "".join(
            f'<div class="field{" inline" if field.get("inline") else ""}"><div class="field-name">'
            f'{self.text(field["name"])}</div><div class="field-value">{self.text(field["value"])}</div></div>'
            for field in embed.get("fields", [])
        )
        parts.append(f'<div class="fields">{fields}</div>' if fields else "")
        if image := (embed.get("image") or {}).get("url"):
            parts.append(f'<img alt="" src="{self.source(image, message)}">')
        if footer := (embed.get("footer") or {}).get("text"):
            parts.append(f'<div class="footer">{html.escape(footer)}</div>')
        return f'<div class="embed" style="border-left-color: {colour}">{"".join(parts)}</div>'

    def source(self, url: str, message: Payload) -> str:
        """An image's address: an `attachment://` one becomes the attached file itself (a data URI)."""
        name = url.removeprefix("attachment://")
        found = next((a for a in message.get("attachments", []) if a["filename"] == name), None)
        return self.data_uri(found) if url.startswith("attachment://") and found else html.escape(url)

    def data_uri(self, attachment: Payload) -> str:
        kind = attachment.get("content_type") or mimetypes.guess_type(attachment["filename"])[0] or "image/png"
        data = base64.b64encode(self.discord.files.get(int(attachment["id"]), b"")).decode()
        return f"data:{kind};base64,{data}"

    @staticmethod
    def shown_in_embed(attachment: Payload, message: Payload) -> bool:
        images = [(e.get("image") or {}).get("url") for e in message.get("embeds", [])]
        return f"attachment://{attachment['filename']}" in images

    def attachment(self, attachment: Payload) -> str:
        name = html.escape(attachment["filename"])
        if (attachment.get("content_type") or "").startswith("image/"):
            return f'<img class="attachment" alt="{name}" src="{self.data_uri(attachment)}">'
        return f'<div class="file">📄 {name}</div>'

    @staticmethod
    def components(rows: list[Payload]) -> str:
        buttons = [
            f'<button class="{BUTTON_STYLES.get(c.get("style", 2), "secondary")}"'
            f"{' disabled' if c.get('disabled') else ''}>{html.escape(c.get('label') or '')}</button>"
            for row in rows
            for c in row.get("components", [])
            if c.get("type") == 2
        ]
        return f'<div class="components">{"".join(buttons)}</div>' if buttons else ""

    def write(self, path: Path, title: str) -> Path:
        page = (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE.read_text(encoding='utf-8')}</style></head><body><main><h1>{html.escape(title)}</h1>{''.join(self.parts)}"
            "</main></body></html>"
        )
        path.write_text(page, encoding="utf-8")
        return path.resolve()
