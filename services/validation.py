"""Turn pydantic validation failures into one readable refusal."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def describe_validation_error(error: ValidationError) -> str:
    """`field: reason` for each problem, joined; no input values are echoed back."""
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]).replace("_", " ")
        reason = item["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {reason}" if field else reason)
    return "; ".join(parts)


def build(model: type[M], **data: Any) -> M:
    """Construct `model`, raising `InvalidInput` with a clear message instead of a ValidationError."""
    try:
        return model(**data)
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


SUGGESTIONS = 25  # Discord shows at most 25 choices


def typed_so_far(current: str) -> str:
    """What a member is typing into an option, as a search: trimmed, at most 100 characters (Discord's limit)."""
    return current.strip()[:100]
