"""The results chart posted when a poll closes, drawn with matplotlib: made to be read on a phone.

The question is the title; each option's whole label (wrapped) stands above its bar, which spans the full width;
the count and share follow the bar; winners are green. Emoji are drawn by OpenMoji's line art (`emoji_font`)
through matplotlib's font fallback. Only matplotlib's object API is used (no pyplot), so a chart can be drawn in
a worker thread.
"""

import io
import textwrap

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cogs.polls.emoji_font import emoji_family
from services.i18n import _, n_
from storage.models import PollResults

WIDTH_PX, DPI = 1080, 100  # a phone screen's width: the chart is shown at its own size
TITLE_PX, LABEL_PX, SMALL_PX = 40, 32, 28  # at least 1/40 of the width, so text stays legible when it is
TITLE_CHARACTERS, LABEL_CHARACTERS = 38, 48  # per line, at those sizes
BACKGROUND, TEXT, MUTED, TRACK, BAR, WINNER = "#2b2d31", "#f2f3f5", "#b5bac1", "#3f4248", "#5865f2", "#23a55a"


def points(pixels: float) -> float:
    return pixels * 72 / DPI


def wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)) or " "


def results_figure(results: PollResults) -> Figure:
    """The chart as a figure: for the PNG, and for tests that read its text."""
    poll = results.poll
    total = sum(results.counts)
    title = wrapped(poll.question, TITLE_CHARACTERS)
    subtitle = _("Poll #{poll}", poll=poll.id) + " · " + n_("{count} ballot", "{count} ballots", results.ballots)
    labels = [wrapped(label, LABEL_CHARACTERS) for label in poll.options]
    # Heights in pixels: the title block, then per option its label lines, its bar and a gap.
    line, bar, gap, margin = LABEL_PX * 1.3, 44, 28, 48
    head = margin + TITLE_PX * 1.3 * (title.count("\n") + 1) + SMALL_PX * 1.3 + gap
    rows = [line * (label.count("\n") + 1) + bar + gap for label in labels]
    height = head + sum(rows) + margin
    with rc_context({"font.family": ["DejaVu Sans", emoji_family()]}):  # emoji where DejaVu has no glyph
        figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
        FigureCanvasAgg(figure)
        left, right = margin / WIDTH_PX, 1 - margin / WIDTH_PX

        def y(pixels_from_top: float) -> float:
            return 1 - pixels_from_top / height

        figure.text(left, y(margin), title, color=TEXT, fontsize=points(TITLE_PX), weight="bold", va="top")
        below_title = margin + TITLE_PX * 1.3 * (title.count("\n") + 1)
        figure.text(left, y(below_title), subtitle, color=MUTED, fontsize=points(SMALL_PX), va="top")
        top = head
        for index, (label, count, row) in enumerate(zip(labels, results.counts, rows, strict=True)):
            share = count / total if total else 0.0
            figure.text(left, y(top), label, color=TEXT, fontsize=points(LABEL_PX), va="top", linespacing=1.15)
            bar_top = top + line * (label.count("\n") + 1)
            axes = figure.add_axes((left, y(bar_top + bar), right - left, bar / height))
            axes.set_axis_off()
            axes.set_xlim(0, 1)
            axes.barh(0, 1, height=1, color=TRACK)
            axes.barh(0, max(share, 0.004), height=1, color=WINNER if index in results.winners else BAR)
            inside = share > 0.75  # a long bar holds its numbers; a short one has them after it
            axes.text(
                share - 0.015 if inside else max(share, 0.004) + 0.015,
                0,
                f"{count} · {share:.0%}",
                color=TEXT,
                fontsize=points(SMALL_PX),
                va="center",
                ha="right" if inside else "left",
                weight="bold",
            )
            top += row
    return figure


def results_chart(results: PollResults) -> bytes:
    """The chart as a PNG, `WIDTH_PX` wide."""
    figure = results_figure(results)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND)
    return out.getvalue()
