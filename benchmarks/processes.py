"""Measure one process as a user starts it: wall and processor time, and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

#: How often the command's own process's resident high-water mark is read.
SAMPLE_SECONDS = 0.005


@dataclass
class Run:
    """One process, measured."""

    name: str
    seconds: float  # wall clock
    cpu_seconds: float  # user + system, the process and the children it waited for
    peak_kb: int  # resident peak of the largest single process: the command or a worker
    main_kb: int  # resident peak of the command's own process
    returncode: int
    worker_kb: int = 0  # resident peak of the largest of its worker processes (0: none)

    def line(self) -> str:
        return (f"{self.name:<44} {self.seconds:7.2f} s  cpu {self.cpu_seconds:7.2f} s"
                f"  peak {self.peak_kb / 1024:6.1f} MB  main {self.main_kb / 1024:6.1f} MB"
                f"  worker {self.worker_kb / 1024:6.1f} MB"
                + ("" if self.returncode == 0 else f"  FAILED (exit {self.returncode})"))


def _high_water_kb(pid: int) -> int:
    """The resident high-water mark of process ``pid`` (0 once it has exited)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still running (its build's workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def measure(name: str, command: list[str]) -> Run:
    """Run ``command`` once: its wall and processor time, and two peaks of memory.

    The largest process's peak is the kernel's own account (``wait4``: the most any one
    process of the tree held, as GNU ``time`` reports it). The command's own process's is its
    high-water mark, read from ``/proc`` every :data:`SAMPLE_SECONDS` while it runs: exact
    unless the peak falls in its last few milliseconds; its workers' likewise.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        main_kb = worker_kb = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal main_kb, worker_kb
            while not done.is_set():
                main_kb = max(main_kb, _high_water_kb(process.pid))
                for child in _children(process.pid):
                    worker_kb = max(worker_kb, _high_water_kb(child))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        print(f"  {name}: exit {process.returncode}\n{tail}", file=sys.stderr)
    return Run(name, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, main_kb,
               process.returncode, worker_kb)
