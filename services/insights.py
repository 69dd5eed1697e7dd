"""Insights for brand staff: participation week by week (ideas, votes, ballots, questions, entries, active
members, new contributors, and how fast staff answer ideas), as a report and as CSV."""

import statistics
from datetime import datetime, timedelta

from pydantic import Field

from services.clock import Clock
from services.spreadsheet import csv_text
from storage.base import InsightsRepository
from storage.models import Model

METRICS = ("ideas", "votes", "ballots", "questions", "entries", "active_members", "new_contributors")


class Week(Model):
    """One week of participation; it starts at `starts` and lasts seven days (the last one ends now)."""

    starts: datetime
    ideas: int
    votes: int  # on ideas and contest entries
    ballots: int  # in polls
    questions: int
    entries: int
    active_members: int  # who submitted, voted (polls excepted: ballots are anonymous) or asked
    new_contributors: int  # whose first idea, question or entry this was
    median_answer_hours: float | None  # from an idea's post to its first staff decision, for those answered then


class Insights(Model):
    weeks: tuple[Week, ...] = Field(min_length=1)

    def total(self, metric: str) -> int:
        return sum(getattr(week, metric) for week in self.weeks)


class InsightsService:
    def __init__(self, repository: InsightsRepository, clock: Clock) -> None:
        self._repo = repository
        self._clock = clock

    async def report(self, guild_id: int, weeks: int) -> Insights:
        """The last `weeks` weeks, oldest first, the last ending now."""
        end = self._clock.now()
        starts = [end - timedelta(weeks=weeks - n) for n in range(weeks)]
        counts = await self._repo.weekly_counts(guild_id, starts, end)
        newcomers = [0] * weeks
        for first in await self._repo.first_contributions(guild_id, starts[0], end):
            newcomers[week_index(starts, first)] += 1
        hours: list[list[float]] = [[] for _ in starts]
        for posted, answered in await self._repo.answers(guild_id, starts[0], end):
            hours[week_index(starts, answered)].append((answered - posted).total_seconds() / 3600)
        return Insights(
            weeks=tuple(
                Week(
                    starts=start,
                    **{name: values[n] for name, values in counts.items()},
                    new_contributors=newcomers[n],
                    median_answer_hours=round(statistics.median(hours[n]), 1) if hours[n] else None,
                )
                for n, start in enumerate(starts)
            )
        )

    @staticmethod
    def csv(insights: Insights) -> str:
        header = ["week_starting", *METRICS, "median_hours_to_staff_answer"]
        rows = (
            [week.starts.date().isoformat(), *(getattr(week, m) for m in METRICS), week.median_answer_hours or ""]
            for week in insights.weeks
        )
        return csv_text(header, rows)


def week_index(starts: list[datetime], moment: datetime) -> int:
    return max(n for n, start in enumerate(starts) if start <= moment)
