"""Counts and durations in words, with the right plural: "1 ballot", "2 days and 6 hours"."""

from datetime import timedelta


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def in_words(delta: timedelta) -> str:
    """Exactly, to the minute: "1 day", "12 hours", "1 hour and 30 minutes", "2 days, 3 hours and 5 minutes"."""
    days, rest = divmod(int(delta.total_seconds() // 60), 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = ((days, "day", "days"), (hours, "hour", "hours"), (minutes, "minute", "minutes"))
    parts = [plural(value, one, many) for value, one, many in units if value]
    if not parts:
        return "less than a minute"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
