"""Server-side permission checks shared by every command, button and modal."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import Refused
from services.i18n import _
from services.permissions import MEMBER, Actor, Rule, may_vote_from
from services.wording import discord_time

if TYPE_CHECKING:
    from bot.core import CoCreateBot

T = TypeVar("T")


def actor_from(interaction: discord.Interaction) -> Actor:
    user = interaction.user
    if not isinstance(user, discord.Member):
        raise Refused(_("This only works in a server."))
    return Actor(
        user_id=user.id,
        role_ids=frozenset(role.id for role in user.roles),
        manages_guild=user.guild_permissions.manage_guild,
        account_created=user.created_at,
        joined_at=user.joined_at,
    )


async def ensure_allowed(interaction: discord.Interaction, rule: Rule) -> Actor:
    """Return the acting member if `rule` allows them, otherwise raise `Refused` with the rule's sentence."""
    if interaction.guild_id is None:
        raise Refused(_("This only works in a server."))
    actor = actor_from(interaction)
    bot: CoCreateBot = interaction.client  # type: ignore[assignment]
    settings = await bot.services.setup.get(interaction.guild_id)
    if not rule.decide(actor, settings):
        raise Refused(_(rule.refusal))
    return actor


async def ensure_may_vote(interaction: discord.Interaction) -> Actor:
    """The member voting on an idea, a poll or a contest, if the server's fair-voting minimums allow it yet;
    otherwise `Refused`, saying from when they may."""
    actor = await ensure_allowed(interaction, MEMBER)
    bot: CoCreateBot = interaction.client  # type: ignore[assignment]
    opens = may_vote_from(actor, await bot.services.setup.get(interaction.guild_id))  # type: ignore[arg-type]
    if opens is not None and opens > bot.services.clock.now():
        when = f"{discord_time(opens, 'f')} ({discord_time(opens, 'R')})"
        raise Refused(
            _("To keep votes fair, new accounts and newcomers wait a little here. You can vote from {when}.", when=when)
        )
    return actor


async def ensure_confirmer(interaction: discord.Interaction, rule: Rule, member_id: int) -> Actor:
    """The member clicking a confirmation: allowed by `rule`, and the one the confirmation was shown to."""
    actor = await ensure_allowed(interaction, rule)
    if actor.user_id != member_id:
        raise Refused(_("This confirmation belongs to someone else."))
    return actor


def only(rule: Rule) -> Callable[[T], T]:
    """Decorate a command so that `rule` is checked on the server before it runs."""

    async def predicate(interaction: discord.Interaction) -> bool:
        await ensure_allowed(interaction, rule)
        return True

    predicate.rule = rule  # type: ignore[attr-defined]  # read by the meta-test over all commands
    return app_commands.check(predicate)


def rules_of(command: app_commands.Command[Any, ..., Any]) -> list[Rule]:
    """The permission rules attached to a command (for tests and audits)."""
    return [check.rule for check in command.checks if hasattr(check, "rule")]  # type: ignore[attr-defined]
