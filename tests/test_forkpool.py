"""The forked worker pool: every item's result once, a dead worker costs only its item,
an exception comes back as itself, an early end leaves no process behind."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smpc_manager.build import forkpool
from smpc_manager.build.forkpool import ForkPool

pytestmark = pytest.mark.skipif(not forkpool.available(), reason="needs os.fork")


def square(n: int) -> int:
    return n * n


def lost(n: int, why: str) -> str:
    return f"lost {n}: {why}"


def run(function: Callable[[int], object], items: list[int], *, jobs: int, chunksize: int,
        early: bool = False) -> list[Any]:
    """Every result of ``function`` over ``items``: the workers forked as the items are
    given to them, or ``early``, before, and then sent them."""
    with ForkPool(function, jobs=jobs, lost=lost) as pool:
        if early:
            pool.start()
        return list(pool.map(items, chunksize=chunksize))


def children() -> set[int]:
    """This process's child processes, zombies included (from /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.mark.parametrize("early", [False, True])
@pytest.mark.parametrize(("jobs", "chunksize", "count"),
                         [(2, 1, 1), (2, 3, 50), (3, 16, 101), (4, 5, 2), (2, 7, 0)])
def test_every_result_once(jobs: int, chunksize: int, count: int, early: bool) -> None:
    before = children()
    items = list(range(count))
    results = run(square, items, jobs=jobs, chunksize=chunksize, early=early)
    assert sorted(results) == [n * n for n in items]
    assert children() == before  # every worker waited for


def test_workers_started_early_have_only_what_was_made_before() -> None:
    made_later: list[int] = []

    def seen(n: int) -> int:
        return len(made_later)  # the parent's list as the worker inherited it

    with ForkPool(seen, jobs=2, lost=lost) as pool:
        pool.start()
        made_later.extend(range(1000))
        results = list(pool.map(list(range(20)), chunksize=3))
    assert results == [0] * 20


def test_a_pool_maps_once() -> None:
    with ForkPool(square, jobs=2, lost=lost) as pool:
        assert list(pool.map([1, 2], chunksize=1)) in ([1, 4], [4, 1])
        with pytest.raises(RuntimeError, match="once"):
            list(pool.map([3], chunksize=1))


def test_closing_a_started_pool_unused_leaves_no_process() -> None:
    before = children()
    with ForkPool(square, jobs=3, lost=lost) as pool:
        pool.start()
        assert len(children() - before) == 3
    assert children() == before


def test_a_worker_that_dies_costs_only_its_item(tmp_path: Path) -> None:
    marker = tmp_path / "deaths"

    def deadly(n: int) -> int:
        if n in (7, 30):
            with marker.open("a") as handle:
                handle.write(f"{n}\n")
            os.kill(os.getpid(), signal.SIGKILL)
        return n * n

    results = run(deadly, list(range(40)), jobs=2, chunksize=8, early=True)
    assert sorted(r for r in results if isinstance(r, int)) == \
        [n * n for n in range(40) if n not in (7, 30)]
    # Each deadly item was tried in its chunk, then alone; the rest of its chunk was built.
    assert sorted(r for r in results if isinstance(r, str)) == \
        ["lost 30: killed by SIGKILL", "lost 7: killed by SIGKILL"]
    assert sorted(marker.read_text().split()) == ["30", "30", "7", "7"]


def test_a_worker_killed_from_outside_is_replaced() -> None:
    pool = ForkPool(square, jobs=2, lost=lost)
    results: list[Any] = []
    for result in pool.map(list(range(200)), chunksize=4):
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
        run(failing, list(range(20)), jobs=2, chunksize=2)
    assert "failing" in str(raised.value.__cause__)  # the worker's traceback
    assert children() == before


class Unpicklable(Exception):
    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("not today")


def test_an_exception_that_cannot_be_pickled_is_described() -> None:
    def raising(n: int) -> int:
        raise Unpicklable("strange")

    with pytest.raises(RuntimeError, match="Unpicklable: strange"):
        run(raising, [1, 2], jobs=2, chunksize=1)


def test_an_early_end_stops_the_workers() -> None:
    before = children()

    def slow(n: int) -> int:
        if n > 3:
            signal.pause()  # until the parent stops it
        return n

    pool = ForkPool(slow, jobs=2, lost=lost).map(list(range(100)), chunksize=1)
    assert next(pool) in range(4)
    pool.close()  # what an interruption or an error in the loop does
    assert children() == before


@pytest.mark.parametrize(("count", "size", "jobs"),
                         [(0, 4, 2), (1, 16, 2), (5, 3, 2), (1000, 16, 2), (999, 7, 3),
                          (64, 16, 4)])
def test_the_chunks_cover_the_items_once_and_shrink_at_the_end(count: int, size: int,
                                                               jobs: int) -> None:
    from smpc_manager.build.forkpool import _chunks

    chunks = _chunks(count, size, jobs)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    lengths = [len(chunk) for chunk in chunks]
    assert all(1 <= n <= size for n in lengths)
    assert lengths == sorted(lengths, reverse=True)  # never larger than the one before
    # No chunk is more than a 2 * jobs-th of what was left when it was cut, bar single items.
    left = count
    for n in lengths:
        assert n == 1 or n <= left // (2 * jobs)
        left -= n
    # The shrinking adds few chunks: about 2 * jobs times the log of the size, at most.
    assert len(chunks) <= -(-count // size) + 2 * jobs * size.bit_length() + 2 * jobs
