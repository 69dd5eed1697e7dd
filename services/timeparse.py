"""Times members type: a duration ("45m", "2h", "1d12h", "1w"), a local date and time ("2026-12-01 18:00"), or
words in Dutch or English ("morgen 18:00", "vrijdag 20:00", "over 2 uur", "tomorrow 6pm"), read by dateparser."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dateparser

from services.errors import InvalidInput
from services.i18n import _
from services.wording import in_words

DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(value: str) -> timedelta | None:
    match = DURATION.match(value.strip().lower().replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def in_words_or_digits(value: str, local_now: datetime) -> datetime | None:
    """A local date and time as typed: exactly `2026-12-01 18:00`, or in Dutch or English words, read relative to
    `local_now` and preferring the future ("vrijdag" is the coming Friday)."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        pass
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": local_now, "RETURN_AS_TIMEZONE_AWARE": False}
    return dateparser.parse(value.strip(), languages=["nl", "en"], settings=settings)  # type: ignore[arg-type]


def parse_when(value: str, timezone: str, base: datetime, *, what: str, at_most: timedelta) -> datetime:
    """A UTC instant after `base`: a duration counts from `base` (to the whole minute), a date and time is in
    `timezone`."""
    duration = parse_duration(value)
    if duration is not None:
        when = (base + duration).replace(second=0, microsecond=0)
    else:
        local = in_words_or_digits(value, base.astimezone(ZoneInfo(timezone)).replace(tzinfo=None))
        if local is None:
            raise InvalidInput(
                _(
                    "{what}: use a duration like 30m, 2h or 3d, a day and time like friday 20:00 or vrijdag 20:00, "
                    "or a date and time like 2026-12-01 18:00 (in this server's time zone, {timezone}).",
                    what=what,
                    timezone=timezone,
                )
            )
        when = local.replace(second=0, microsecond=0, tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    if when <= base:
        raise InvalidInput(
            _("{what} is in the past.", what=what) if duration is None else _("{what} must be after now.", what=what)
        )
    if when - base > at_most:
        raise InvalidInput(_("{what} can be at most {limit} away.", what=what, limit=in_words(at_most)))
    return when
