"""Fitting text into Discord's limits without cutting a line in half."""


def fit_lines(lines: list[str], limit: int, separator: str = "\n") -> str:
    """As many whole lines as fit in `limit` characters, then how many were left out."""
    shown: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        more = f"…and {len(lines) - index} more"
        if used + len(line) + len(separator) + len(more) > limit:
            return separator.join([*shown, more])
        shown.append(line)
        used += len(line) + len(separator)
    return separator.join(shown)
