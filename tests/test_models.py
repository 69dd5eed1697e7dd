"""Every member-supplied string has its limit: trimmed, never blank, at most N characters, nothing invisible."""

from typing import Annotated

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.amas import AnswerText, QuestionText
from services.validation import Reason
from storage.models import AmaDraft, ChallengeDraft, IdeaDraft, PollDraft

LIMITS = [
    (IdeaDraft, "title", 100),
    (IdeaDraft, "description", 2000),
    (IdeaDraft, "category", 30),
    (PollDraft, "question", 300),
    (AmaDraft, "title", 100),
    (AmaDraft, "description", 1000),
    (ChallengeDraft, "name", 100),
    (ChallengeDraft, "schedule", 100),
    (ChallengeDraft, "prize", 200),
    (QuestionText, "question", 500),
    (AnswerText, "answer", 1500),
    (Reason, "reason", 500),
]


def field(model: type[BaseModel], name: str) -> TypeAdapter[str]:
    info = model.model_fields[name]
    if not info.metadata:  # an optional field: the constraints are inside `text(n) | None`
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)])  # type: ignore[valid-type]


@pytest.mark.parametrize(("model", "name", "limit"), LIMITS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_member_text_is_trimmed_and_limited(model: type[BaseModel], name: str, limit: int) -> None:
    adapter = field(model, name)
    assert adapter.validate_python("  Cedar wax\n") == "Cedar wax"
    assert adapter.validate_python("é" * limit) == "é" * limit, "the limit counts characters"
    for refused in ("é" * (limit + 1), "   ", "", "Cedar\u200bwax", "Cedar\x07"):
        with pytest.raises(ValidationError):
            adapter.validate_python(refused)
    assert adapter.validate_python("👨\u200d👩\u200d👧 family\ttin") == "👨\u200d👩\u200d👧 family\ttin"
