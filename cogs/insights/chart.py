"""The insights chart, drawn with matplotlib for a phone: one small panel per measure, a bar per week, so that
counts of very different sizes (votes and questions) each keep their own scale. Object API only (no pyplot),
so it can be drawn in a worker thread."""

import io

from babel.dates import format_date
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cogs.polls.chart import BACKGROUND, BAR, DPI, MUTED, TEXT, TRACK, WIDTH_PX, WINNER, points
from services.i18n import N_, _, current_language, n_
from services.insights import Insights

TITLE_PX, LABEL_PX, SMALL_PX = 40, 30, 27  # at least 1/40 of the width, as in the poll chart
PANELS = {
    "ideas": N_("Ideas"),
    "votes": N_("Votes"),
    "ballots": N_("Poll ballots"),
    "questions": N_("AMA questions"),
    "entries": N_("Challenge entries"),
    "active_members": N_("Active members"),
    "new_contributors": N_("New contributors"),
    "median_answer_hours": N_("Hours to a staff answer"),
}
MARGIN, GAP, HEAD, PANEL_TITLE, PLOT, TICKS = 48, 48, 150, 44, 170, 44


def week_label(insights: Insights, index: int, pattern: str = "d MMM") -> str:
    return format_date(insights.weeks[index].starts.date(), pattern, locale=current_language())


def insights_figure(insights: Insights) -> Figure:
    """The chart as a figure: for the PNG, and for tests that read its text."""
    weeks = len(insights.weeks)
    panel_height = PANEL_TITLE + PLOT + TICKS + GAP
    height = HEAD + (len(PANELS) + 1) // 2 * panel_height + MARGIN
    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)

    def write(left: float, top: float, text: str, pixels: float, colour: str = TEXT, bold: bool = False) -> None:
        weight = "bold" if bold else "normal"
        figure.text(
            left / WIDTH_PX, 1 - top / height, text, color=colour, fontsize=points(pixels), weight=weight, va="top"
        )

    title = n_("Participation, last {count} week", "Participation, last {count} weeks", weeks)
    write(MARGIN, MARGIN, title, TITLE_PX, bold=True)
    period = _(
        "Weeks starting {first} to {last}", first=week_label(insights, 0), last=week_label(insights, -1, "d MMM y")
    )
    write(MARGIN, MARGIN + TITLE_PX * 1.4, period, SMALL_PX, MUTED)
    width = (WIDTH_PX - 2 * MARGIN - GAP) / 2
    for index, (metric, name) in enumerate(PANELS.items()):
        values = [getattr(week, metric) or 0 for week in insights.weeks]
        latest = getattr(insights.weeks[-1], metric)
        left, top = MARGIN + (index % 2) * (width + GAP), HEAD + (index // 2) * panel_height
        write(left, top, f"{_(name)}: {'-' if latest is None else f'{latest:g}'}", LABEL_PX, bold=True)
        box = (left / WIDTH_PX, 1 - (top + PANEL_TITLE + PLOT) / height, width / WIDTH_PX, PLOT / height)
        axes = figure.add_axes(box, facecolor=BACKGROUND)
        axes.bar(range(weeks), [max(values) or 1] * weeks, color=TRACK, width=0.8)
        axes.bar(range(weeks), values, color=[BAR] * (weeks - 1) + [WINNER], width=0.8)
        ends = sorted({0, weeks - 1})
        axes.set_yticks([])
        axes.set_xticks(ends, [week_label(insights, n) for n in ends], color=MUTED, fontsize=points(SMALL_PX))
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
    return figure


def insights_chart(insights: Insights) -> bytes:
    """The chart as a PNG, `WIDTH_PX` wide; this week's bars are green."""
    out = io.BytesIO()
    insights_figure(insights).savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND)
    return out.getvalue()
