"""Running a build's tasks in worker processes: a standard process pool that survives a
worker's death.

:class:`concurrent.futures.ProcessPoolExecutor`, forked where the platform can fork (the
workers then inherit what the parent holds when they start) and spawned elsewhere. When a worker
dies (a crash, the kernel out of memory), the pool is broken and every task not yet done
fails with it. The tasks not done are then run again in a pool of one worker, one task at
a time: the task it is running when it breaks again is the one that kills its worker, and
only that task is reported lost. The rest go back to a full pool. A worker whose main
process was killed outright (which could not stop it) ends by itself.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: How often a worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5
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
        #: The workers :meth:`start` started, and what shuts them down.
        self._started: tuple[contextlib.ExitStack,
                             concurrent.futures.ProcessPoolExecutor] | None = None

    def start(self) -> None:
        """Start the workers now rather than with the first tasks. Forked, they inherit
        what this process holds now and nothing it makes after (a build starts them before
        it lists and plans the products, so that each worker begins from the same memory
        however many products follow). :meth:`map` gives them its first tasks; call
        :meth:`close` if it is never called."""
        if self._started is None:
            stack = contextlib.ExitStack()
            executor = stack.enter_context(self._executor(self.jobs))
            executor.submit(_ready)  # where processes are forked, the first task forks them
            self._started = (stack, executor)

    def close(self) -> None:
        """Stop the workers :meth:`start` started and :meth:`map` has not used."""
        if self._started is not None:
            stack, _ = self._started
            self._started = None
            stack.close()

    def map(self, tasks: Sequence[T]) -> Iterator[R]:
        """Each task's result, in the order they complete."""
        with contextlib.closing(self):  # workers started and given no task are stopped
            yield from self._map(tasks)

    def _map(self, tasks: Sequence[T]) -> Iterator[R]:
        remaining = list(tasks)
        serial = False
        while remaining:
            done: set[int] = set()
            try:
                for index, result in (self._one_by_one(remaining) if serial
                                      else self._run(remaining)):
                    done.add(index)
                    yield result
                remaining = []
            except BrokenExecutor:  # a worker died: the pool is broken
                left = [i for i in range(len(remaining)) if i not in done]
                if serial:  # one task at a time: the one running killed its worker
                    yield self.lost(remaining[left[0]], "its process was killed or crashed")
                    left = left[1:]
                serial = not serial
                remaining = [remaining[i] for i in left]

    def _run(self, tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
        """The tasks in chunks, in ``jobs`` processes; a broken pool raises once every
        result that came before the break is given."""
        size = max(1, min(MAX_CHUNK, len(tasks) // (self.jobs * 4)))
        chunks = [range(start, min(start + size, len(tasks)))
                  for start in range(0, len(tasks), size)]
        with self._workers(min(self.jobs, len(chunks))) as executor:
            pending: dict[Future[list[R]], range] = {
                executor.submit(_call_each, self.work, [tasks[i] for i in chunk]): chunk
                for chunk in chunks}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                # The chunks that succeeded first: those that failed with them may be
                # the pool breaking, which ends this round.
                for future in sorted(finished, key=lambda f: f.exception() is not None):
                    chunk = pending.pop(future)
                    yield from zip(chunk, future.result(), strict=True)

    def _one_by_one(self, tasks: Sequence[T]) -> Iterator[tuple[int, R]]:
        """The tasks one at a time in one process, each sent when the last is done."""
        with self._executor(1) as executor:
            for index, task in enumerate(tasks):
                [result] = executor.submit(_call_each, self.work, [task]).result()
                yield index, result

    @contextlib.contextmanager
    def _workers(self, jobs: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
        """The workers :meth:`start` started (shut down when done with), else a new pool of
        ``jobs``."""
        if self._started is None:
            with self._executor(jobs) as executor:
                yield executor
            return
        stack, executor = self._started
        self._started = None
        with stack:
            yield executor

    @contextlib.contextmanager
    def _executor(self, jobs: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
        """A pool of ``jobs`` processes; left early (an interruption), the tasks not started
        are cancelled, and those running finish.

        While it runs, the objects this process holds are frozen out of the garbage
        collector (:func:`gc.freeze`, as its documentation advises before a fork): a forked
        worker's collections then never walk them, so the memory it shares with this
        process stays shared rather than being copied page by page as the collector writes
        to each object it visits."""
        forked = forks()
        if forked:
            gc.freeze()
        executor = concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=_context(), initializer=_start_worker,
            initargs=(self.initializer, self.initargs))
        try:
            yield executor
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
            if forked:
                gc.unfreeze()


def _ready() -> None:
    """The task that starts a pool's workers (:meth:`Pool.start`)."""


def forks() -> bool:
    """Whether workers are forked here (and so inherit what the main process holds)."""
    return _context().get_start_method() == "fork"


def _call_each(work: Callable[[T], R], tasks: list[T]) -> list[R]:
    return [work(task) for task in tasks]


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[object, ...]
                  ) -> None:
    """A worker leaves Ctrl-C to the main process, which stops the pool and writes the
    manifest of what was done; ``SIGTERM`` ends it as usual (a forked worker would
    otherwise inherit the main process's handler, which takes it as Ctrl-C)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _end_with(parent: int) -> None:
    """End this worker once the process that started it is gone: killed outright, it could
    not stop its workers, which would otherwise wait for tasks forever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform can, so the workers inherit what the parent loaded."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
