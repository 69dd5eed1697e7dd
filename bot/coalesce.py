"""Coalesce message refreshes: many changes to one entity become at most one Discord edit per interval.

A refresh renders the *latest* state when it runs, so the last edit always shows the final counts, and a vote
storm costs one edit per interval instead of one per vote (Discord allows about 5 message edits per 5 s).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Refresh = Callable[[], Awaitable[None]]


class Coalescer:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._pending: dict[Hashable, asyncio.Event] = {}  # key -> wakes its waiting refresh early
        self._tasks: set[asyncio.Task[None]] = set()  # waiting or running
        self._last_run: dict[Hashable, float] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._closed = False

    def request(self, key: Hashable, refresh: Refresh) -> None:
        """Run `refresh` soon: now if `key` was not refreshed within the interval, otherwise once it has been."""
        if key in self._pending or self._closed:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._last_run.get(key, float("-inf")) + self.interval - loop.time())
        wake = self._pending[key] = asyncio.Event()
        task = asyncio.create_task(self._run(key, refresh, delay, wake))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, key: Hashable, refresh: Refresh, delay: float, wake: asyncio.Event) -> None:
        if delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), delay)
        # Unregister before rendering, so a change arriving during the edit schedules one more refresh.
        del self._pending[key]
        async with self._locks.setdefault(key, asyncio.Lock()):  # one refresh of an entity at a time, in order
            self._last_run[key] = asyncio.get_running_loop().time()
            try:
                await refresh()
            except Exception:
                log.exception("refresh failed", extra={"key": str(key)})

    async def flush(self) -> None:
        """Run every pending refresh now and wait until none is waiting or running (tests; shutdown)."""
        while self._tasks:
            for wake in self._pending.values():
                wake.set()
            await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        """Run what is pending, then accept no more (the database is about to close)."""
        await self.flush()
        self._closed = True
