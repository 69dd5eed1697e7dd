"""Times and schedules as members type them, in Dutch or English."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.challenges import make_trigger
from services.errors import InvalidInput
from services.timeparse import parse_when

MONDAY_14_AMSTERDAM = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("morgen 18:00", "2026-11-24 18:00"),
        ("vrijdag 20:00", "2026-11-27 20:00"),
        ("over 2 uur", "2026-11-23 16:00"),
        ("tomorrow 18:00", "2026-11-24 18:00"),
        ("friday 8pm", "2026-11-27 20:00"),
        ("in 2 hours", "2026-11-23 16:00"),
        ("2h", "2026-11-23 16:00"),
        ("2026-12-01 18:00", "2026-12-01 18:00"),
    ],
)
def test_times_typed_in_dutch_or_english(typed: str, local: str) -> None:
    when = parse_when(typed, "Europe/Amsterdam", MONDAY_14_AMSTERDAM, what="The start", at_most=timedelta(days=90))
    expected = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert when == expected


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("whenever", "The start: use a duration like 30m, 2h or 3d, a day and time like friday 20:00 or vrijdag"),
        ("gisteren 10:00", "The start is in the past."),
    ],
)
def test_times_that_are_not_times_or_passed_are_refused(typed: str, refusal: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_when(typed, "Europe/Amsterdam", MONDAY_14_AMSTERDAM, what="The start", at_most=timedelta(days=90))
    assert str(refused.value).startswith(refusal)


@pytest.mark.parametrize(
    ("dutch", "english"),
    [
        ("wekelijks vr 18:00", "weekly fri 18:00"),
        ("Wekelijks ma,do 9:30", "weekly mon,thu 9:30"),
        ("dagelijks 18:00", "daily 18:00"),
        ("eenmalig 2026-12-01 18:00", "once 2026-12-01 18:00"),
        ("weekly friday 18:00", "weekly fri 18:00"),
    ],
)
def test_schedules_typed_in_dutch_fire_as_in_english(dutch: str, english: str) -> None:
    start = MONDAY_14_AMSTERDAM
    fired = make_trigger(dutch, "Europe/Amsterdam").get_next_fire_time(None, start)
    assert fired == make_trigger(english, "Europe/Amsterdam").get_next_fire_time(None, start) and fired is not None
