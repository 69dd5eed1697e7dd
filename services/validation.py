"""Turn pydantic validation failures into one readable refusal, in the member's language."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.errors import InvalidInput
from services.i18n import N_, _, n_
from storage.models import Model, text

M = TypeVar("M", bound=BaseModel)

# The fields members fill in, as they read them.
FIELD_NAMES = {
    "title": N_("title"),
    "description": N_("description"),
    "question": N_("question"),
    "options": N_("options"),
    "max_choices": N_("max choices"),
    "answer": N_("answer"),
    "name": N_("name"),
    "themes": N_("themes"),
    "schedule": N_("schedule"),
    "prize": N_("prize"),
    "timezone": N_("time zone"),
    "text": N_("text"),
    "link": N_("link"),
    "reason": N_("reason"),
    "category": N_("category"),
    "categories": N_("categories"),
    "hourly_limit": N_("hourly limit"),
    "hosts": N_("hosts"),
    "max_questions": N_("max questions"),
    "entry_minutes": N_("entry window"),
    "voting_minutes": N_("voting window"),
    "content_type": N_("content type"),
}

# The rules our models add to pydantic's, by error type (their context fills the placeholders).
RULES = {
    "invisible_character": N_("contains an invisible or control character (U+{code})"),
    "unknown_timezone": N_("unknown time zone '{value}'; use a name like Europe/Amsterdam"),
    "repeated_options": N_("options must differ; repeated: {repeated}"),
    "too_many_choices": N_("max choices ({max_choices}) cannot exceed the number of options"),
    "ends_before_start": N_("the AMA must end after it starts"),
    "not_media": N_("only photos and videos can be entered"),
}


class Reason(Model):
    """Why staff did something (a status, a merge, a removal): told to members, so it is checked like their text."""

    reason: text(500)  # type: ignore[valid-type]


def reason_for(item: Any) -> str:
    """Why one value was refused, without echoing the value back."""
    kind, context = item["type"], item.get("ctx", {})
    if kind in RULES:
        return _(RULES[kind], **context)
    match kind:
        case "string_too_short":
            return _("cannot be empty")
        case "string_too_long":
            return n_("at most {count} character", "at most {count} characters", context["max_length"])
        case "too_short":
            return n_("at least {count} item", "at least {count} items", context["min_length"])
        case "too_long":
            return n_("at most {count} item", "at most {count} items", context["max_length"])
        case "greater_than_equal":
            return _("at least {limit}", limit=context["ge"])
        case "less_than_equal":
            return _("at most {limit}", limit=context["le"])
        case "string_pattern_mismatch":  # our only pattern is a link's
            return _("use a whole link that starts with https://")
    return str(item["msg"])


def field_name(location: tuple[Any, ...]) -> str:
    return ".".join(_(FIELD_NAMES[p]) if p in FIELD_NAMES else str(p).replace("_", " ") for p in location)


def describe_validation_error(error: ValidationError) -> str:
    """`field: reason` for each problem, joined; no input values are echoed back."""
    parts = []
    for item in error.errors():
        field, reason = field_name(item["loc"]), reason_for(item)
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
