from bot.text import fit_lines


def test_whole_lines_fit_and_the_rest_is_counted() -> None:
    lines = [f"line {i}" for i in range(100)]
    text = fit_lines(lines, 60)
    assert len(text) <= 60 and text.endswith("more") and "line 0\nline 1" in text
    kept = text.count("line ")
    assert text.endswith(f"…and {100 - kept} more")


def test_short_lists_are_untouched() -> None:
    assert fit_lines(["a", "b"], 100) == "a\nb"
    assert fit_lines([], 100) == ""
