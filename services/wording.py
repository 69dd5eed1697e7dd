"""Words shared by every feature, in the reader's language: durations, and the names of states."""

from datetime import datetime, timedelta
from enum import StrEnum

from babel.dates import format_datetime

from services.i18n import N_, _, current_language, n_

# Every state an idea, AMA, question or challenge run can be in, as members read it.
STATE_NAMES = {
    "awaiting review": N_("awaiting review"),
    "new": N_("new"),
    "under review": N_("under review"),
    "planned": N_("planned"),
    "in progress": N_("in progress"),
    "shipped": N_("shipped"),
    "declined": N_("declined"),
    "duplicate": N_("duplicate"),
    "removed": N_("removed"),
    "scheduled": N_("scheduled"),
    "open": N_("open"),
    "closed": N_("closed"),
    "pending": N_("waiting for approval"),
    "rejected": N_("rejected"),
    "answered": N_("answered"),
    "skipped": N_("skipped"),
    "entries": N_("taking entries"),
    "voting": N_("voting"),
    "finished": N_("finished"),
    "expired": N_("expired"),
}


def discord_time(moment: datetime, style: str = "f") -> str:
    """A moment as Discord shows it to each reader, in their own zone and language ("R": "in 3 days")."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def removed_by_moderators(reason: str | None) -> str:
    """What stands where removed content was: an idea, a question or an entry."""
    return _("Removed by the moderators: {reason}", reason=reason)


def state_name(state: StrEnum) -> str:
    """A state as members read it, in their language ("under review", "in behandeling")."""
    return _(STATE_NAMES[state.value])


def in_words(delta: timedelta) -> str:
    """Exactly, to the minute: "1 day", "12 hours", "1 hour and 30 minutes", "2 days, 3 hours and 5 minutes"."""
    days, rest = divmod(int(delta.total_seconds() // 60), 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(n_("{count} day", "{count} days", days))
    if hours:
        parts.append(n_("{count} hour", "{count} hours", hours))
    if minutes:
        parts.append(n_("{count} minute", "{count} minutes", minutes))
    if not parts:
        return _("less than a minute")
    if len(parts) == 1:
        return parts[0]
    return _("{first} and {last}", first=", ".join(parts[:-1]), last=parts[-1])


def local_time(moment: datetime) -> str:
    """A date and time in its own time zone, in the reader's language: "Fri 4 Dec 2026 18:00 CET"."""
    shown = format_datetime(moment, "EEE dd MMM y HH:mm", tzinfo=moment.tzinfo, locale=current_language())
    return f"{shown} {moment.tzname()}"
