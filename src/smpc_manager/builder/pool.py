"""Running a build's tasks in worker processes: a standard process pool that survives a
worker's death.

:class:`concurrent.futures.ProcessPoolExecutor`, forked where the platform can fork (the
workers then inherit the renderer the parent made) and spawned elsewhere. When a worker
dies (a crash, the kernel out of memory), the pool is broken and every task not yet done
fails with it. The tasks not done are then run again in a pool of one worker, which runs
them one after the other in order: the first task it does not finish when it breaks again
is the one that kills its worker, and only that task is reported lost. The rest go back to
a full pool.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Tasks sent to a worker at a time: enough to keep it busy, few enough that the last
#: chunks do not leave one worker idle while the other works.
MAX_CHUNK = 8


class Pool(Generic[T, R]):
    """Runs ``work`` on each task in ``jobs`` processes; ``lost(task, why)`` stands for the
    result of a task whose process died."""

    def __init__(self, work: Callable[[T], R], lost: Callable[[T, str], R], jobs: int,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[object, ...] = ()) -> None:
        self.work = work
        self.lost = lost
        self.jobs = max(1, jobs)
        self.initializer = initializer
        self.initargs = initargs

    def map(self, tasks: Sequence[T]) -> Iterator[R]:
        """Each task's result, in the order they complete."""
        remaining = list(tasks)
        serial = False
        while remaining:
            done: set[int] = set()
            try:
                for index, result in self._run(remaining, 1 if serial else self.jobs, done):
                    done.add(index)
                    yield result
                remaining = []
            except BrokenProcessPool:
                left = [i for i in range(len(remaining)) if i not in done]
                if serial:  # one worker runs its tasks in order: the first not done killed it
                    yield self.lost(remaining[left[0]], "its process was killed or crashed")
                    left = left[1:]
                serial = not serial
                remaining = [remaining[i] for i in left]

    def _run(self, tasks: Sequence[T], jobs: int, done: set[int]
             ) -> Iterator[tuple[int, R]]:
        size = 1 if jobs == 1 else max(1, min(MAX_CHUNK, len(tasks) // (jobs * 4)))
        chunks = [range(start, min(start + size, len(tasks)))
                  for start in range(0, len(tasks), size)]
        executor = ProcessPoolExecutor(max_workers=min(jobs, len(chunks)),
                                       mp_context=_context(), initializer=_start_worker,
                                       initargs=(self.initializer, self.initargs))
        try:
            pending: dict[Future[list[R]], range] = {
                executor.submit(_call_each, self.work, [tasks[i] for i in chunk]): chunk
                for chunk in chunks}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = pending.pop(future)
                    results = future.result()
                    for index, result in zip(chunk, results, strict=True):
                        if index not in done:
                            yield index, result
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _call_each(work: Callable[[T], R], tasks: list[T]) -> list[R]:
    return [work(task) for task in tasks]


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[object, ...]
                  ) -> None:
    """A worker leaves Ctrl-C to the main process, which stops the pool and writes the
    manifest of what was done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform can, so the workers inherit what the parent loaded."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
