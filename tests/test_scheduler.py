"""The real APScheduler, driven by moving the clock (time-machine) instead of waiting."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import time_machine

from bot.scheduler import Scheduler

START = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


def recorder() -> tuple[list[str], Callable[[str], Awaitable[None]]]:
    """A job that appends its argument to the returned list when it runs."""
    fired: list[str] = []

    async def job(name: str) -> None:
        fired.append(name)

    return fired, job


async def test_job_fires_only_once_its_time_has_come() -> None:
    fired, job = recorder()
    with time_machine.travel(START, tick=False) as clock:
        scheduler = Scheduler()
        scheduler.start()
        scheduler.at("test:one", START + timedelta(hours=1), job, "one", grace=timedelta(minutes=5))
        await scheduler.run_due()
        assert fired == []
        clock.shift(timedelta(minutes=59))
        await scheduler.run_due()
        assert fired == []
        clock.shift(timedelta(minutes=1))
        await scheduler.run_due()
        assert fired == ["one"] and scheduler.job_ids() == []
        scheduler.shutdown()


async def test_misfire_policy_skips_late_runs_unless_graceless() -> None:
    fired, job = recorder()
    with time_machine.travel(START, tick=False) as clock:
        scheduler = Scheduler()
        scheduler.start()
        # Both were due an hour ago, while the bot was offline.
        scheduler.at("test:strict", START - timedelta(hours=1), job, "strict", grace=timedelta(minutes=5))
        scheduler.at("test:always", START - timedelta(hours=1), job, "always", grace=None)
        clock.shift(timedelta(seconds=1))
        await scheduler.run_due()
        assert fired == ["always"]
        scheduler.shutdown()


async def test_failing_job_is_logged_and_does_not_stop_others(caplog) -> None:
    fired: list[str] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        fired.append("fine")

    with time_machine.travel(START, tick=False):
        scheduler = Scheduler()
        scheduler.start()
        scheduler.at("test:broken", START, broken, grace=None)
        scheduler.at("test:fine", START, fine, grace=None)
        await scheduler.run_due()
        assert fired == ["fine"]
        assert any(r.msg == "scheduled job failed" and r.job_id == "test:broken" for r in caplog.records)
        scheduler.cancel_prefix("test:")
        assert scheduler.job_ids() == []
        scheduler.shutdown()
