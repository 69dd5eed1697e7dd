"""Who may do what: pure decisions over a member's roles and the guild's configured roles."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.i18n import N_
from storage.models import GuildSettings, Model


class Actor(Model):
    """The member acting, as far as permission decisions need to know."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manages_guild: bool = False
    account_created: datetime | None = None
    joined_at: datetime | None = None  # when they joined the server


def may_vote_from(actor: Actor, settings: GuildSettings) -> datetime | None:
    """When the member may vote under the server's minimum account age and time in the server (fair voting
    against alt accounts and canvassed newcomers); None when the server sets no minimum."""
    moments = [
        start + timedelta(days=days)
        for start, days in (
            (actor.account_created, settings.min_account_days),
            (actor.joined_at, settings.min_member_days),
        )
        if start is not None and days
    ]
    return max(moments, default=None)


class Decision(Protocol):
    def __call__(self, actor: Actor, settings: GuildSettings) -> bool: ...


def is_admin(actor: Actor, settings: GuildSettings) -> bool:
    """Members with Manage Server run the bot's configuration."""
    return actor.manages_guild


def is_moderator(actor: Actor, settings: GuildSettings) -> bool:
    return actor.manages_guild or (settings.moderator_role_id in actor.role_ids)


def is_staff(actor: Actor, settings: GuildSettings) -> bool:
    return actor.manages_guild or (settings.staff_role_id in actor.role_ids)


def is_organiser(actor: Actor, settings: GuildSettings) -> bool:
    """Staff and moderators organise community moments (polls, AMAs, challenges)."""
    return is_staff(actor, settings) or is_moderator(actor, settings)


def is_member(actor: Actor, settings: GuildSettings) -> bool:
    """Any member of the guild."""
    return True


@dataclass(frozen=True)
class Rule:
    """A permission decision with the sentence shown to a member it refuses."""

    name: str
    decide: Decision
    refusal: str  # marked for the catalog; translated where it is shown


ADMIN = Rule("admin", is_admin, N_("Only members with the Manage Server permission can do this."))
MODERATOR = Rule("moderator", is_moderator, N_("Only moderators can do this."))
STAFF = Rule("staff", is_staff, N_("Only brand staff can do this."))
ORGANISER = Rule("organiser", is_organiser, N_("Only brand staff or moderators can do this."))
MEMBER = Rule("member", is_member, "")
