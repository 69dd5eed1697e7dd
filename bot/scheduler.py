"""The bot's APScheduler, with tracking so that tests (and shutdown) can wait for running jobs.

The database is the source of truth for schedules: features rebuild their jobs from it at start-up.
Misfire policy: every job says how late it may still run (`grace`); a run later than that is skipped and
logged by APScheduler. `grace=None` means "always run, however late" (e.g. closing a poll).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

JobFunc = Callable[..., Awaitable[None]]


class Scheduler:
    """Owns an `AsyncIOScheduler`; jobs are async functions identified by a namespaced id."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
        self._running: set[asyncio.Task[Any]] = set()
        # Whether this process fires the jobs of a guild (the first argument of a guild's jobs): in a sharded
        # bot, only the process that runs the guild's shard does, so every job fires once in the cluster.
        self.owns: Callable[[int], bool] = lambda guild_id: True
        # Guilds that removed the bot: their jobs (whose first argument is the guild id) do not run meanwhile.
        self.paused_guilds: set[int] = set()

    def start(self) -> None:
        self._scheduler.start()

    @property
    def running(self) -> bool:
        return self._scheduler.running

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, func: JobFunc, *args: Any, grace: timedelta | None) -> None:
        """Run `func(*args)` once at `when` (replacing a job with the same id)."""
        self.add(job_id, DateTrigger(run_date=when, timezone=UTC), func, *args, grace=grace)

    def add(
        self,
        job_id: str,
        trigger: BaseTrigger,
        func: JobFunc,
        *args: Any,
        grace: timedelta | None,
        first: datetime | None = None,
    ) -> None:
        """Run `func(*args)` whenever `trigger` fires (replacing a job with the same id); not the jobs of a guild
        (`args[0]`) that another process owns.

        `first` overrides the first run time: a past one makes a run missed while offline go through the misfire
        policy (run late within `grace`, else skipped and logged) before the trigger takes over.
        """
        if args and not self.owns(args[0]):
            return
        when = {"next_run_time": first} if first is not None else {}
        self._scheduler.add_job(
            self._tracked,
            trigger,
            args=(job_id, func, *args),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None if grace is None else max(1, int(grace.total_seconds())),
            **when,
        )  # a running scheduler wakes up by itself to take the new job into account

    def cancel(self, job_id: str) -> None:
        if self._scheduler.get_job(job_id):
            self._scheduler.remove_job(job_id)

    def cancel_prefix(self, prefix: str) -> None:
        """Remove every job whose id starts with `prefix` (a cog's namespace, on unload)."""
        for job in self._scheduler.get_jobs():
            if job.id.startswith(prefix):
                job.remove()

    def job_ids(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job else None

    async def run_due(self, rounds: int = 50) -> None:
        """Run every job that is due now, and those they make due, until none is left (tests, after moving time)."""
        for _ in range(rounds):
            self._scheduler.wakeup()
            for _ in range(5):  # let the wakeup and the executor's task creation go round the loop
                await asyncio.sleep(0)
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
                continue
            now = datetime.now(UTC)
            if not any(job.next_run_time and job.next_run_time <= now for job in self._scheduler.get_jobs()):
                return
        raise RuntimeError(f"jobs were still due after {rounds} rounds")

    async def _tracked(self, job_id: str, func: JobFunc, *args: Any) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            if args and args[0] in self.paused_guilds:
                log.info("job skipped: the bot is not in that guild", extra={"job_id": job_id})
                return
            await func(*args)
        except Exception:
            log.exception("scheduled job failed", extra={"job_id": job_id})
        finally:
            self._running.discard(task)
