"""One error handler for the whole bot: expected refusals become an ephemeral message, the rest an error id."""

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from pydantic import ValidationError

from services.errors import ServiceError
from services.i18n import N_, _, language_of, n_, use_language
from services.validation import describe_validation_error
from storage.database import StorageFailure

log = logging.getLogger(__name__)

COULD_NOT_SAVE = N_("That could not be saved, so nothing changed. Please try again in a moment.")

S = TypeVar("S")


class Refused(app_commands.CheckFailure):
    """A permission check said no; `message` tells the member why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def message_for(error: Exception) -> str | None:
    """The sentence to show the member for an expected error, or None for a bug."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__  # type: ignore[assignment]
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original  # type: ignore[assignment]
    match error:
        case ServiceError() | Refused():
            return error.message
        case StorageFailure():
            return _(COULD_NOT_SAVE)
        case ValidationError():
            return describe_validation_error(error)
        case app_commands.TransformerError():
            return _("{value} is not a valid value for this option.", value=f"`{error.value}`")
        case app_commands.NoPrivateMessage():
            return _("This command only works in a server.")
        case app_commands.CommandOnCooldown():
            return n_(
                "Slow down: try again in {count} second.",
                "Slow down: try again in {count} seconds.",
                round(error.retry_after),
            )
        case app_commands.CheckFailure():
            return str(error) or _("You cannot use this here.")
    return None


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer only the member, whether or not the interaction was already answered."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


async def report_error(interaction: discord.Interaction, error: Exception) -> None:
    """Tell the member what went wrong; log unexpected errors with an id they can quote."""
    text = message_for(error)
    if text is None:
        error_id = secrets.token_hex(4)
        original = getattr(error, "original", error)
        log.error(
            "unexpected error %s", error_id, exc_info=original, extra={"error_id": error_id, **_context(interaction)}
        )
        text = _(
            "Something went wrong on our side. If it keeps happening, give a moderator this id: {id}.",
            id=f"`{error_id}`",
        )
    try:
        await send_ephemeral(interaction, text)
    except discord.HTTPException:
        log.warning("could not deliver an error message", extra=_context(interaction))


def _context(interaction: discord.Interaction) -> dict[str, object]:
    command = interaction.command.qualified_name if interaction.command else None
    data = interaction.data or {}
    return {
        "guild_id": interaction.guild_id,
        "user_id": interaction.user.id,
        "command": command,
        "custom_id": data.get("custom_id"),
    }


class CoCreateTree(app_commands.CommandTree):
    """The command tree: every command and autocomplete speaks the member's language, and every command error
    goes to `report_error`."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        use_language(language_of(interaction.locale))
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


def reports_errors(
    callback: Callable[[S, discord.Interaction], Awaitable[Any]],
) -> Callable[[S, discord.Interaction], Awaitable[None]]:
    """Wrap a component callback (e.g. a DynamicItem's) so its errors reach the member, not just the log."""

    @functools.wraps(callback)
    async def wrapper(self: S, interaction: discord.Interaction) -> None:
        use_language(language_of(interaction.locale))
        try:
            await callback(self, interaction)
        except Exception as error:
            await report_error(interaction, error)

    return wrapper
