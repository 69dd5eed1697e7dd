"""The refresh coalescer: many changes, few edits, and the last edit shows the latest state."""

import asyncio

from bot.coalesce import Coalescer


async def test_a_burst_becomes_two_refreshes_showing_the_latest_state() -> None:
    coalescer = Coalescer(interval=60)  # long: only flush() may release the second refresh
    state = {"votes": 0}
    shown: list[int] = []

    async def refresh() -> None:
        shown.append(state["votes"])

    for _ in range(100):
        state["votes"] += 1
        coalescer.request("idea:1", refresh)
        await asyncio.sleep(0)
    assert shown == [1], "the first change is shown at once; the rest wait for the interval"
    await coalescer.flush()
    assert shown == [1, 100]


async def test_keys_are_independent_and_failures_are_contained(caplog) -> None:
    coalescer = Coalescer(interval=60)
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("edit failed")

    async def fine() -> None:
        ran.append("poll:1")

    coalescer.request("idea:1", broken)
    coalescer.request("poll:1", fine)
    await coalescer.flush()
    assert ran == ["poll:1"] and any(r.msg == "refresh failed" for r in caplog.records)


async def test_closed_coalescer_accepts_no_more_work() -> None:
    coalescer = Coalescer(interval=0)
    ran: list[int] = []

    async def refresh() -> None:
        ran.append(1)

    coalescer.request("k", refresh)
    await coalescer.close()
    coalescer.request("k", refresh)
    await coalescer.flush()
    assert ran == [1]
