"""The build's process pool: every result once, and a task that kills its worker costs only
itself."""

from __future__ import annotations

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
