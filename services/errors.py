"""Errors a service raises for the member to read; the bot shows them as ephemeral messages."""


class ServiceError(Exception):
    """A refusal with a message meant for the member who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ServiceError):
    """The input breaks a rule (too long, wrong format, out of range)."""


class NotFound(ServiceError):
    """The thing asked for does not exist in this guild."""


class NotAllowed(ServiceError):
    """The member may not do this."""
