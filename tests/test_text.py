from datetime import timedelta

import pytest

from bot.text import fit_lines
from services.i18n import n_, speaking
from services.wording import in_words


def test_whole_lines_fit_and_the_rest_is_counted() -> None:
    lines = [f"line {i}" for i in range(100)]
    text = fit_lines(lines, 60)
    assert len(text) <= 60 and text.endswith("more") and "line 0\nline 1" in text
    kept = text.count("line ")
    assert text.endswith(f"…and {100 - kept} more")


def test_short_lists_are_untouched() -> None:
    assert fit_lines(["a", "b"], 100) == "a\nb"
    assert fit_lines([], 100) == ""


@pytest.mark.parametrize(
    ("delta", "english", "dutch"),
    [
        (timedelta(days=1), "1 day", "1 dag"),
        (timedelta(hours=12), "12 hours", "12 uur"),
        (timedelta(minutes=90), "1 hour and 30 minutes", "1 uur en 30 minuten"),
        (timedelta(days=2, hours=3, minutes=1), "2 days, 3 hours and 1 minute", "2 dagen, 3 uur en 1 minuut"),
        (timedelta(seconds=30), "less than a minute", "minder dan een minuut"),
    ],
)
def test_durations_are_written_in_words_with_plurals(delta: timedelta, english: str, dutch: str) -> None:
    assert in_words(delta) == english
    with speaking("nl"):
        assert in_words(delta) == dutch


def test_counts_take_the_singular_for_one_only_in_both_languages() -> None:
    def ballots() -> list[str]:
        return [n_("{count} ballot", "{count} ballots", n) for n in (0, 1, 2)]

    assert ballots() == ["0 ballots", "1 ballot", "2 ballots"]
    with speaking("nl"):
        assert ballots() == ["0 stembiljetten", "1 stembiljet", "2 stembiljetten"]
