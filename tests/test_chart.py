"""The results chart: phone-sized, with the question, every whole label, counts and shares, and drawn emoji."""

import io
import re
import warnings
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from matplotlib import rc_context
from matplotlib.text import Text
from PIL import Image

from cogs.insights.chart import insights_chart, insights_figure
from cogs.polls.chart import WIDTH_PX, results_chart, results_figure
from services.i18n import speaking
from services.insights import Insights, Week
from storage.models import Poll, PollResults

QUESTION = "Which moustache wax scent should be next on our shelves this winter? 🥸"
LONG = "Cedar wood with a hint of smoke, aged in oak barrels, for the most distinguished moustaches 🪵"


def results(options: tuple[str, ...], counts: tuple[int, ...]) -> PollResults:
    poll = Poll(
        id=7,
        guild_id=1,
        channel_id=2,
        message_id=None,
        creator_id=3,
        question=QUESTION,
        options=options,
        max_choices=1,
        anonymous=False,
        voter_role_id=None,
        closes_at=None,
        closed_at=None,
        created_at=datetime(2026, 11, 24, tzinfo=UTC),
    )
    return PollResults(poll=poll, counts=counts, ballots=sum(counts), voters=tuple(() for _ in options))


def svg_text(result: PollResults) -> str:
    """Every piece of text in the chart, as the figure holds it (SVG with text kept as text)."""
    out = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):
        results_figure(result).savefig(out, format="svg")
    return " ".join(unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", out.getvalue(), re.S))


def test_the_chart_is_as_wide_as_a_phone_and_grows_with_its_options() -> None:
    two = Image.open(io.BytesIO(results_chart(results(("Mint", "Cedar"), (3, 1)))))
    ten = Image.open(io.BytesIO(results_chart(results(tuple(f"Scent {i}" for i in range(10)), (1,) * 10))))
    assert two.format == "PNG" and two.width == ten.width == WIDTH_PX
    assert 300 < two.height < ten.height < 2400


def test_the_question_whole_labels_counts_and_shares_are_drawn() -> None:
    text = " ".join(svg_text(results(("Mint 🌿", LONG, "Lavender"), (120, 45, 35))).split())
    assert " ".join(QUESTION.split()[:5]) in text and "🥸" in text
    assert LONG.replace(" aged", "") not in text, "a long label is wrapped over lines"
    for word in LONG.split():
        assert word in text, f"{word!r} of the long label is missing: labels are drawn whole"
    assert "…" not in text
    for shown in ("Poll #7 · 200 ballots", "120 · 60%", "45 · 22%", "35 · 18%", "Mint 🌿"):
        assert shown in text


def test_the_chart_speaks_the_server_language() -> None:
    with speaking("nl"):
        text = svg_text(results(("Munt", "Ceder"), (1, 0)))
    assert "Peiling #7 · 1 stembiljet" in text


def test_emoji_have_glyphs_and_all_text_is_legible_on_a_phone() -> None:
    figure = results_figure(results(("Mint 🌿", "Wood 🪵", "Love 💜", "Party 🎉"), (1, 2, 3, 4)))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        figure.savefig(io.BytesIO(), format="png")
    sizes = [t.get_fontsize() * figure.dpi / 72 for t in figure.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= WIDTH_PX / 40, "text smaller than 1/40 of the width is unreadable on a phone"


@pytest.mark.parametrize("counts", [(0, 0), (1, 0), (5, 5)])
def test_no_votes_a_sweep_and_a_tie_draw(counts: tuple[int, int]) -> None:
    assert results_chart(results(("Yes", "No"), counts)).startswith(b"\x89PNG")


def insights(weeks: int) -> Insights:
    start = datetime(2026, 11, 2, tzinfo=UTC)
    counts = dict.fromkeys(("ideas", "votes", "ballots", "questions", "entries", "active_members"), 0)
    return Insights(
        weeks=tuple(
            Week(starts=start + timedelta(weeks=n), **counts | {"votes": 1000 * n}, new_contributors=n,
                 median_answer_hours=None if n == 0 else 2.5)
            for n in range(weeks)
        )
    )  # fmt: skip


def test_the_insights_chart_names_every_measure_legibly_on_a_phone() -> None:
    with speaking("nl"):
        figure = insights_figure(insights(4))
    out = io.StringIO()
    with rc_context({"svg.fonttype": "none"}):
        figure.savefig(out, format="svg")
    text = " ".join(unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", out.getvalue(), re.S))
    assert "Deelname, laatste 4 weken" in text and "Weken vanaf 2 nov tot 23 nov 2026" in text
    for shown in ("Stemmen: 3000", "Nieuwe bijdragers: 3", "Uren tot een antwoord van het team: 2.5"):
        assert shown in text
    sizes = [t.get_fontsize() * figure.dpi / 72 for t in figure.findobj(Text) if t.get_text().strip()]
    assert min(sizes) >= WIDTH_PX / 40
    assert Image.open(io.BytesIO(insights_chart(insights(26)))).width == WIDTH_PX
