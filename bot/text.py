"""Fitting text into Discord's limits without cutting a line in half, and naming members in public text."""

from services.i18n import _
from storage.models import FORMER_MEMBER


def fit_lines(lines: list[str], limit: int, separator: str = "\n") -> str:
    """As many whole lines as fit in `limit` characters, then how many were left out."""
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        more = _("…and {count} more", count=len(lines) - index)
        if used + len(line) + len(separator) + len(more) > limit:
            return separator.join([*shown, more])
        shown.append(line)
        used += len(line) + len(separator)
    return separator.join(shown)


def bar(fraction: float) -> str:
    """A share from 0 to 1 as ten blocks, for a poll's results or an idea's progress."""
    filled = round(fraction * 10)
    return "█" * filled + "░" * (10 - filled)


def member_name(member_id: int) -> str:
    """How a member is named in a public post or list: a mention, or, once they erased their data (their id was
    replaced by 0 or a negative pseudonym), the same words everywhere."""
    return f"<@{member_id}>" if member_id > 0 else _(FORMER_MEMBER)
