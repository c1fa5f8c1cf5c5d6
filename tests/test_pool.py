"""The build's process pool: every result once, and a task that kills its worker costs only
itself."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from smpc_manager.builder.pool import Pool

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked workers")


def square(n: int) -> int:
    return n * n


def lost(n: int, why: str) -> int:
    return -n


def square_or_die(n: int) -> int:
    if n % 7 == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n * n


def fail_on_five(n: int) -> int:
    if n == 5:
        raise ValueError("five")
    return n


@pytest.mark.parametrize(("jobs", "count"), [(1, 0), (1, 5), (2, 1), (2, 40), (3, 100)])
def test_every_result_once(jobs: int, count: int) -> None:
    results = list(Pool(square, lost, jobs).map(list(range(count))))
    assert sorted(results) == [n * n for n in range(count)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_tasks_that_kill_their_worker_fail_alone(jobs: int) -> None:
    tasks = list(range(30))
    results = sorted(Pool(square_or_die, lost, jobs).map(tasks))
    dead = [n for n in tasks if n % 7 == 3]
    assert results == sorted([-n for n in dead] + [n * n for n in tasks if n not in dead])


def test_an_exception_in_a_task_is_raised_in_the_caller() -> None:
    with pytest.raises(ValueError, match="five"):
        list(Pool(fail_on_five, lost, 2).map(list(range(10))))


def test_a_worker_started_with_an_initializer_uses_it() -> None:
    results = list(Pool(read_seen, lost, 2, remember, ("ready",)).map([1, 2, 3]))
    assert results == ["ready"] * 3


_SEEN: list[str] = []


def remember(value: str) -> None:
    _SEEN.append(value)


def read_seen(_n: int) -> str:
    return _SEEN[-1]


#: What the main process holds; a started worker sees it as it was when it was forked.
_HELD: list[str] = []


def read_held(_n: int) -> list[str]:
    return list(_HELD)


def test_started_workers_hold_what_the_main_process_held_when_they_started() -> None:
    """A build starts its workers before it lists the products: what the main process makes
    after (the plan) is not in them."""
    _HELD[:] = ["before"]
    pool = Pool(read_held, lost, 2)
    pool.start()
    _HELD.append("after")
    try:
        assert list(pool.map([1, 2, 3])) == [["before"]] * 3
        # map used the started workers and stopped them; a second map starts new ones
        assert list(pool.map([1])) == [["before", "after"]]
    finally:
        _HELD.clear()


def test_started_workers_given_no_task_are_stopped() -> None:
    before = set(multiprocessing.active_children())
    pool = Pool(square, lost, 2)
    pool.start()
    started = set(multiprocessing.active_children()) - before
    pool.close()
    assert len(started) == 2
    assert not started & set(multiprocessing.active_children())
    assert list(pool.map([3])) == [9]  # and it still works, with new workers
