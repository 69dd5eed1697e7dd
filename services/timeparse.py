"""Times members type: a duration ("45m", "2h", "1d12h", "1w") or a local date and time ("2026-12-01 18:00")."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.errors import InvalidInput
from services.wording import in_words

DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(value: str) -> timedelta | None:
    match = DURATION.match(value.strip().lower().replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def parse_when(value: str, timezone: str, base: datetime, *, what: str, at_most: timedelta) -> datetime:
    """A UTC instant after `base`: a duration counts from `base` (to the whole minute), a date and time is in
    `timezone`."""
    duration = parse_duration(value)
    if duration is not None:
        when = (base + duration).replace(second=0, microsecond=0)
    else:
        try:
            local = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
        except ValueError:
            raise InvalidInput(
                f"{what}: use a duration like 30m, 2h or 3d, or a date and time like "
                f"2026-12-01 18:00 (in this server's time zone, {timezone})."
            ) from None
        when = local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    if when <= base:
        raise InvalidInput(f"{what} is in the past." if duration is None else f"{what} must be after now.")
    if when - base > at_most:
        raise InvalidInput(f"{what} can be at most {in_words(at_most)} away.")
    return when
