"""Run a function over many items in forked worker processes, results streamed back.

What ``multiprocessing.Pool.imap_unordered`` does for a build, with less in the way: the
workers are forked from this process when :meth:`ForkPool.start` is called, so they inherit
everything made before (a renderer with its profiles, templates and catalogs) and nothing
made after. Started before the items are listed, every worker begins from the same memory
however many items follow: the items reach it a chunk at a time, pickled, over a pipe, and
it sends back each chunk's results the same way. The parent runs no threads (a Pool runs
three, which on a two-core machine take turns with the workers) and imports no
``multiprocessing``.

A worker that dies (killed, out of memory, a crash in a C library) does not hang the
build: a new one takes its place, the chunk it died on is tried again one item at a time
(the chunks it had not begun go back as they are), and an item whose worker dies again is
reported through ``lost``. An exception raised by the function is
raised again here, as the Pool would. Closing the iterator early (an interruption, an
error) stops the workers and waits for them.

POSIX only (``os.fork``); :func:`available` says whether it can run here.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import struct
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from smpc_manager.files import write_all

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

#: A result frame's header: the length of the pickle that follows.
_HEADER = struct.Struct("<Q")
#: Chunks a worker holds at once: the next is there when it finishes one. The pipe holds
#: them whole (64 KB on Linux) as long as a chunk's pickle is under 32 KB; a larger one is
#: still sent, the parent waiting until the worker has read its start.
_AHEAD = 2


def available() -> bool:
    """Whether workers can be forked here (not on Windows)."""
    return hasattr(os, "fork") and hasattr(select, "poll")


@dataclass
class _Worker:
    pid: int
    tasks: int  # the parent writes chunks here
    results: int  # and reads result frames here
    held: deque[int] = field(default_factory=deque)
    received: bytearray = field(default_factory=bytearray)


class _Raised:
    """An exception the function raised in a worker, carried back to be raised here."""

    def __init__(self, error: BaseException, where: str) -> None:
        self.error = error
        self.where = where


class ForkPool(Generic[_Item, _Result]):
    """``function`` over items in ``jobs`` forked processes (see the module).

    ``start()`` forks the workers; ``map(items)`` hands them the items, once per pool;
    ``close()`` (or the end of a ``with`` block) stops any still running and waits for all.
    """

    def __init__(self, function: Callable[[_Item], _Result], *, jobs: int,
                 lost: Callable[[_Item, str], _Result]) -> None:
        self._function = function
        self._jobs = max(1, jobs)
        self._lost = lost
        self._items: Sequence[_Item] = ()
        #: Each chunk's items (indexes into ``items``); an item tried again alone is the
        #: chunk ``-1 - i``.
        self._chunks: tuple[range, ...] = ()
        self._waiting: deque[int] = deque()
        self._workers: dict[int, _Worker] = {}  # by the descriptor results arrive on
        self._poller = select.poll()
        self._parent = os.getpid()
        self._mapped = False

    def __enter__(self) -> ForkPool[_Item, _Result]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Fork the workers now: they wait for the items :meth:`map` sends them."""
        while len(self._workers) < self._jobs:
            self._start()

    def map(self, items: Sequence[_Item], *, chunksize: int
            ) -> Generator[_Result, None, None]:
        """Each item's result, in the order they complete (workers are started if not yet)."""
        if self._mapped:
            raise RuntimeError("a ForkPool maps its items once")
        self._mapped = True
        self._items = items
        self._chunks = _chunks(len(items), max(1, chunksize), self._jobs)
        self._waiting.extend(range(len(self._chunks)))
        try:
            # Workers started early get their chunks (those with none are told to finish);
            # without them, as many are started as there are chunks for, and get theirs.
            for started in list(self._workers.values()):
                for _ in range(_AHEAD):
                    self._hand_out(started)
            while len(self._workers) < min(self._jobs, len(self._chunks)):
                self._start()
            while self._workers:
                for fd, _event in self._poller.poll():
                    worker = self._workers.get(fd)
                    if worker is not None:
                        yield from self._receive(worker)
        finally:
            self.close()

    def close(self) -> None:
        """Stop every worker still running (an early end) and wait for all of them."""
        for worker in self._workers.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
        for worker in list(self._workers.values()):
            for fd in (worker.tasks, worker.results):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            _reap(worker.pid)
        self._workers.clear()

    # -------------------------------------------------------------------- the parent

    def _start(self) -> None:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        # What the parent made so far stays as it is in the children: the collector would
        # otherwise touch (and so copy) every inherited object the first time it runs.
        gc.freeze()
        try:
            pid = os.fork()
        finally:
            if os.getpid() == self._parent:
                gc.unfreeze()
        if pid == 0:  # pragma: no cover - the child, measured by what it sends back
            code = 1
            try:
                os.close(task_write)
                os.close(result_read)
                for other in self._workers.values():  # the others' ends of their pipes
                    for fd in (other.tasks, other.results):
                        if fd >= 0:
                            os.close(fd)
                code = self._serve(task_read, result_write)
            finally:
                os._exit(code)
        os.close(task_read)
        os.close(result_write)
        worker = _Worker(pid, task_write, result_read)
        self._workers[result_read] = worker
        self._poller.register(result_read, select.POLLIN)
        if self._mapped:
            for _ in range(_AHEAD):
                self._hand_out(worker)

    def _hand_out(self, worker: _Worker) -> None:
        """Give ``worker`` the next chunk; with none left, tell it to finish (end of input)."""
        if worker.tasks < 0:
            return
        if not self._waiting:
            os.close(worker.tasks)
            worker.tasks = -1
            return
        chunk = self._waiting.popleft()
        worker.held.append(chunk)
        items = [self._items[i] for i in self._members(chunk)]
        payload = pickle.dumps((chunk, items), pickle.HIGHEST_PROTOCOL)
        # A worker that is gone is found by its results' end, and what it held is tried
        # again then.
        with contextlib.suppress(BrokenPipeError):
            write_all(worker.tasks, _HEADER.pack(len(payload)) + payload)

    def _receive(self, worker: _Worker) -> Iterator[_Result]:
        data = os.read(worker.results, 1 << 16)
        if not data:  # the worker is gone
            yield from self._ended(worker)
            return
        worker.received += data
        while len(worker.received) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(worker.received)
            end = _HEADER.size + length
            if len(worker.received) < end:
                break
            # From a child of this process, over a pipe only the two of them hold.
            chunk, results = pickle.loads(worker.received[_HEADER.size:end])  # noqa: S301
            del worker.received[:end]
            if isinstance(results, _Raised):
                raise results.error from _RemoteTraceback(results.where)
            worker.held.remove(chunk)
            self._hand_out(worker)
            yield from results

    def _ended(self, worker: _Worker) -> Iterator[_Result]:
        self._poller.unregister(worker.results)
        del self._workers[worker.results]
        os.close(worker.results)
        if worker.tasks >= 0:
            os.close(worker.tasks)
        why = _status(_reap(worker.pid))
        if not worker.held:
            return  # it finished its work and left
        # A worker takes its chunks in order: the first it held is the one it died on; the
        # others it had not begun, and go back as they are.
        started, *waiting = worker.held
        self._waiting.extendleft(reversed(waiting))
        if started < 0:  # an item tried alone, and its worker died again
            yield self._lost(self._items[-1 - started], why)
        else:  # tried again alone: one item that kills its worker takes no other with it
            self._waiting.extend(-1 - index for index in self._members(started))
        if self._waiting:
            self._start()

    def _members(self, chunk: int) -> range:
        return self._chunks[chunk] if chunk >= 0 else range(-1 - chunk, -chunk)

    # -------------------------------------------------------------------- the worker

    def _serve(self, tasks: int, results: int) -> int:  # pragma: no cover - in the child
        # An interruption at the terminal reaches the whole process group: the parent
        # decides what happens and stops its workers, which must not print tracebacks.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        while True:
            header = _read_exactly(tasks, _HEADER.size)
            if not header:
                return 0  # no more work
            (length,) = _HEADER.unpack(header)
            # From the parent, over a pipe only the two of them hold.
            chunk, items = pickle.loads(_read_exactly(tasks, length))  # noqa: S301
            try:
                done: object = [self._function(item) for item in items]
                payload = pickle.dumps((chunk, done), pickle.HIGHEST_PROTOCOL)
            except BaseException as error:  # carried to the parent
                payload = _raised(chunk, error)
            write_all(results, _HEADER.pack(len(payload)) + payload)


class _RemoteTraceback(Exception):
    """Where in the worker an exception raised again here was raised (its traceback)."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where

    def __str__(self) -> str:
        return self.where


def _raised(chunk: int, error: BaseException) -> bytes:  # pragma: no cover - in the child
    import traceback

    where = "".join(traceback.format_exception(error))
    try:
        return pickle.dumps((chunk, _Raised(error, where)), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that cannot be pickled
        plain = RuntimeError(f"{type(error).__name__}: {error}")
        return pickle.dumps((chunk, _Raised(plain, where)), pickle.HIGHEST_PROTOCOL)


def _read_exactly(fd: int, size: int) -> bytes:  # pragma: no cover - in the child
    data = b""
    while len(data) < size:
        piece = os.read(fd, size - len(data))
        if not piece:
            return b""
        data += piece
    return data


def _reap(pid: int) -> int:
    """Wait for ``pid`` to end; its wait status (0 if it was already waited for)."""
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0
        except InterruptedError:  # pragma: no cover - retried by Python since 3.5
            continue


def _status(status: int) -> str:
    """A worker's end in words: ``killed by SIGKILL``, ``exit status 1``."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"killed by {name}"
    if os.WIFEXITED(status):
        return f"exit status {os.WEXITSTATUS(status)}"
    return f"wait status {status}"


def _chunks(count: int, size: int, jobs: int) -> tuple[range, ...]:
    """``count`` items in chunks of ``size``, but for the last ones: each chunk is at most
    a ``2 * jobs``-th of what is left, down to one item, so that the workers run out of
    work together rather than one finishing a whole chunk while the others wait."""
    chunks: list[range] = []
    start = 0
    while start < count:
        end = start + max(1, min(size, (count - start) // (2 * jobs)))
        chunks.append(range(start, end))
        start = end
    return tuple(chunks)
