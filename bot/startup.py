"""Start-up failures as one line each, saying what to do, with an exit code a service manager can act on."""

import sqlite3
from urllib.parse import urlsplit

import asyncpg

from storage.database import SchemaTooNew

# Exit codes (README, "Run the bot for real"): a restart does not fix 2 and 3; 4 may pass.
SETTINGS, DATABASE, DISCORD = 2, 3, 4
DISCORD_TIMEOUT = 15.0  # seconds to reach Discord and log in before giving up


class StartupFailure(Exception):
    """The bot cannot start; `str(self)` is the line for the operator."""

    def __init__(self, line: str, exit_code: int) -> None:
        super().__init__(line)
        self.exit_code = exit_code


def database_failure(error: BaseException, url: str) -> StartupFailure:
    """What went wrong opening the database at `url`, in words an operator can act on (no password shown)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        where = url.removeprefix("sqlite:///")
        if isinstance(error, SchemaTooNew):
            line = f"the database {where} {error}"
        elif isinstance(error, sqlite3.DatabaseError) and "not a database" in str(error):
            line = f"{where} is not a SQLite database: point DATABASE_URL at the bot's database or at a new file"
        else:
            line = f"cannot open or write the database {where} ({error}): give the bot's user write access to it"
        return StartupFailure(line, DATABASE)
    where = f"PostgreSQL at {parts.hostname or 'localhost'}:{parts.port or 5432}"
    if isinstance(error, SchemaTooNew):
        line = f"the database on {where} {error}"
    elif isinstance(error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        line = f"{where} refused the user or password in DATABASE_URL"
    elif isinstance(error, asyncpg.InvalidCatalogNameError):
        line = f"{where} has no database {parts.path.lstrip('/')!r}: create it (createdb) or fix DATABASE_URL"
    elif isinstance(error, OSError | TimeoutError):
        line = f"cannot reach {where} ({error}): is it running, and may this machine connect to it?"
    else:
        line = f"cannot use the database on {where}: {error}"
    return StartupFailure(line, DATABASE)


def discord_unreachable(error: BaseException) -> StartupFailure:
    reason = "no answer" if isinstance(error, TimeoutError) else str(error) or type(error).__name__
    return StartupFailure(
        f"cannot reach Discord within {DISCORD_TIMEOUT:g} s ({reason}): check this machine's network and "
        "https://discordstatus.com",
        DISCORD,
    )
