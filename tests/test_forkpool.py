"""The forked worker pool: every item's result once, a dead worker costs only its item,
an exception comes back as itself, an early end leaves no process behind."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from smpc_manager import forkpool
from smpc_manager.forkpool import ForkPool

pytestmark = pytest.mark.skipif(not forkpool.available(), reason="needs os.fork")


def square(n: int) -> int:
    return n * n


def lost(n: int, why: str) -> str:
    return f"lost {n}: {why}"


def children() -> set[int]:
    """This process's child processes, zombies included (from /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.mark.parametrize(("jobs", "chunksize", "count"),
                         [(2, 1, 1), (2, 3, 50), (3, 16, 101), (4, 5, 2), (2, 7, 0)])
def test_every_result_once(jobs: int, chunksize: int, count: int) -> None:
    before = children()
    items = list(range(count))
    results = list(ForkPool(square, items, jobs=jobs, chunksize=chunksize, lost=lost))
    assert sorted(results) == [n * n for n in items]
    assert children() == before  # every worker waited for


def test_a_worker_that_dies_costs_only_its_item(tmp_path: Path) -> None:
    marker = tmp_path / "deaths"

    def deadly(n: int) -> int:
        if n in (7, 30):
            with marker.open("a") as handle:
                handle.write(f"{n}\n")
            os.kill(os.getpid(), signal.SIGKILL)
        return n * n

    results = list(ForkPool(deadly, list(range(40)), jobs=2, chunksize=8, lost=lost))
    assert sorted(r for r in results if isinstance(r, int)) == \
        [n * n for n in range(40) if n not in (7, 30)]
    # Each deadly item was tried in its chunk, then alone; the rest of its chunk was built.
    assert sorted(r for r in results if isinstance(r, str)) == \
        ["lost 30: killed by SIGKILL", "lost 7: killed by SIGKILL"]
    assert sorted(marker.read_text().split()) == ["30", "30", "7", "7"]


def test_a_worker_killed_from_outside_is_replaced() -> None:
    pool = ForkPool(square, list(range(200)), jobs=2, chunksize=4, lost=lost)
    results = []
    for result in pool:
        if len(results) == 10:
            victim = next(iter(pool._workers.values())).pid
            os.kill(victim, signal.SIGKILL)
        results.append(result)
    # What the killed worker held was built again elsewhere: nothing lost, nothing twice.
    assert sorted(results) == [n * n for n in range(200)]


def failing(n: int) -> int:
    if n == 5:
        raise ValueError("five is not allowed")
    return n


def test_an_exception_is_raised_in_the_parent_as_itself() -> None:
    before = children()
    with pytest.raises(ValueError, match="five is not allowed") as raised:
        list(ForkPool(failing, list(range(20)), jobs=2, chunksize=2, lost=lost))
    assert "failing" in str(raised.value.__cause__)  # the worker's traceback
    assert children() == before


class Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("not today")


def test_an_exception_that_cannot_be_pickled_is_described() -> None:
    def raising(n: int) -> int:
        raise Unpicklable("strange")

    with pytest.raises(RuntimeError, match="Unpicklable: strange"):
        list(ForkPool(raising, [1, 2], jobs=2, chunksize=1, lost=lost))


def test_an_early_end_stops_the_workers() -> None:
    before = children()

    def slow(n: int) -> int:
        if n > 3:
            signal.pause()  # until the parent stops it
        return n

    pool = iter(ForkPool(slow, list(range(100)), jobs=2, chunksize=1, lost=lost))
    assert next(pool) in range(4)
    pool.close()  # what an interruption or an error in the loop does
    assert children() == before
