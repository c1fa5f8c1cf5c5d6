"""Carrying out a build's plan: the workers, the outputs' records, the manifest.

Every product's problems are collected and the others still built. The manifest is written
at the end whatever happened, also after an interruption, and lists exactly the outputs on
disk: an output that failed this time is removed with its entry, so the folder never holds a
text its current inputs would refuse, and the outputs of products gone from the portfolio go
too. Outputs are renamed into place whole; one flush makes them durable before the manifest
that vouches for them is put in place.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from smpc_manager import products, render
from smpc_manager.builder.manifest import (
    MANIFEST_FILE,
    FileRecord,
    Manifest,
    OutputRecord,
    ProductRecord,
)
from smpc_manager.builder.plan import BuildOptions, Plan, Task, plan_build
from smpc_manager.builder.pool import Pool
from smpc_manager.builder.worker import (
    Stamps,
    TaskResult,
    build_product,
    lost,
    remove_temporary,
)
from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import make_folder, write_bytes
from smpc_manager.portfolio import CONFIG_FILE, Portfolio
from smpc_manager.reports import report

#: Called with the number of outputs done since the last call.
Progress = Callable[[int], None]


class Outcome(NamedTuple):
    """What became of one output: ``built``, ``unchanged``, ``failed`` or ``removed``."""

    status: str
    product: str
    #: The output's path under the output folder (``AT/de_AT/besponsa.txt``); None for a
    #: product that could not be loaded, whose outputs are not known.
    key: str | None


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The outcome: counts of outputs, every problem, and the seconds it took."""

    built: int
    unchanged: int
    failed: int
    removed: int
    problems: tuple[Problem, ...]
    seconds: float
    #: Each output counted above, with what became of it.
    outcomes: tuple[Outcome, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.problems

    def summary(self) -> str:
        """The line a build ends with: ``3000 built, 0 unchanged, 0 failed in 2.1 s``."""
        gone = f", {self.removed} removed" if self.removed else ""
        return (f"{self.built} built, {self.unchanged} unchanged, {self.failed} failed{gone}"
                f" in {self.seconds:.1f} s")

    def as_dict(self) -> dict[str, object]:
        """The report of ``smpc build --report`` (:mod:`smpc_manager.reports`; its schema is
        ``schemas/json/build.schema.json``): the counts, an item per output, every problem."""
        return report(
            "build",
            {"built": self.built, "unchanged": self.unchanged, "failed": self.failed,
             "removed": self.removed, "ok": self.ok, "seconds": round(self.seconds, 3)},
            ({"key": o.key, "product": o.product, "status": o.status}
             for o in sorted(self.outcomes, key=lambda o: (o.key or "", o.product))),
            problems=[p.as_dict() for p in self.problems],
        )


def build(portfolio: Portfolio, options: BuildOptions, progress: Progress | None = None,
          product_files: list[Path] | None = None) -> BuildResult:
    """Build every product of ``portfolio`` (or ``product_files``) for every market it
    serves: plan (:func:`prepare`) and run (:func:`run_plan`) in one call."""
    plan = prepare(portfolio, options, product_files)
    return run_plan(plan, progress)


def prepare(portfolio: Portfolio, options: BuildOptions,
            product_files: list[Path] | None = None) -> Plan:
    """The plan of a build into ``options.out_dir``, made after the manifest there."""
    # A folder that cannot be made is said before any work, not after every output failed.
    make_folder(options.out_dir)
    files = portfolio.product_files() if product_files is None else product_files
    return plan_build(portfolio, files, options, Manifest.read(options.out_dir / MANIFEST_FILE))


@dataclass(slots=True)
class _Tally:
    """What the results of a run add up to."""

    outputs: dict[str, OutputRecord]
    products: dict[str, ProductRecord] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    built: int = 0
    failed: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def run_plan(plan: Plan, progress: Progress | None = None) -> BuildResult:
    """Carry out a plan and write the manifest, whatever happened."""
    options = plan.options
    tick = progress or (lambda _n: None)
    tally = _Tally(dict(plan.manifest.outputs), dict(plan.products), dict(plan.hashes.files))
    planned = {t.product for t in plan.tasks} | set(plan.products)
    # The outputs of earlier builds by product, so that a result looks at its own product's.
    earlier: dict[str, set[str]] = {}
    for key, record in plan.manifest.outputs.items():
        earlier.setdefault(record.product, set()).add(key)
    remove_temporary(options.out_dir)  # left by a build that was killed
    done: set[str] = set()
    try:
        tick(len(plan.unchanged))
        for result in _results(plan):
            done.add(result.product)
            _take(tally, result, earlier.pop(result.product, set()), options)
            tick(result.count)
    finally:
        remove_temporary(options.out_dir)
        for product_id in set(earlier) - planned:  # products gone from the portfolio
            for key in sorted(earlier[product_id]):
                _drop(tally, options.out_dir, key)
                tally.removed += 1
                tally.outcomes.append(Outcome("removed", product_id, key))
        for product_id, product in plan.manifest.products.items():
            if product_id in planned and product_id not in done:
                tally.products.setdefault(product_id, product)  # interrupted before its result
        _write_manifest(plan, tally)
    for market in _unserved(plan, tally):
        tally.problems.extend(_lacking(plan, market))
    return BuildResult(
        built=tally.built,
        unchanged=len(plan.unchanged),
        failed=tally.failed,
        removed=tally.removed,
        problems=tuple(tally.problems),
        seconds=(time.time_ns() - plan.started_ns) / 1e9,
        outcomes=(*(Outcome("unchanged", r.product, k) for k, r in plan.unchanged.items()),
                  *tally.outcomes),
    )


def _take(tally: _Tally, result: TaskResult, earlier: set[str], options: BuildOptions) -> None:
    """Record one product's result: its outputs written and failed, and the outputs of
    earlier builds it no longer makes."""
    written = {key for key, _ in result.written}
    for key, record in result.written:
        tally.outputs[sys.intern(key)] = record.shared()
    tally.files.update(result.files)
    for key in result.failed:
        _drop(tally, options.out_dir, key)
    tally.outcomes.extend(Outcome("built", result.product, key) for key in written)
    tally.outcomes.extend(Outcome("failed", result.product, key) for key in result.failed)
    if result.record is None:
        tally.outcomes.append(Outcome("failed", result.product, None))
    # A product that failed to load keeps nothing in scope; one that loaded keeps the
    # markets and formats it still serves.
    served = set() if result.record is None else {
        (m, f) for m in result.record.markets for f in options.formats}
    if result.record is not None:
        tally.products[result.product] = result.record
    for key in sorted(earlier - written):
        old = tally.outputs.get(key)
        if old is not None and _in_scope(old, options) and (old.market, old.fmt) not in served:
            _drop(tally, options.out_dir, key)
    tally.built += len(result.written)
    tally.failed += len(result.failed) + (1 if result.record is None else 0)
    tally.problems.extend(result.problems)


def _unserved(plan: Plan, tally: _Tally) -> list[str]:
    """The markets asked for by name that no product of the portfolio serves (none when a
    product could not be loaded: which markets it serves is not known)."""
    planned = {t.product for t in plan.tasks} | set(plan.products)
    if not plan.options.markets or not planned <= set(tally.products):
        return []
    served = {m for product_id in planned for m in tally.products[product_id].markets}
    return [m for m in plan.options.markets if m not in served]


def _lacking(plan: Plan, market: str) -> list[Problem]:
    """Why no product is built for ``market``: a line saying so, then what each product
    lacks for it, as ``smpc render`` says."""
    files = sorted({t.source for t in plan.tasks} | {
        os.path.join(plan.portfolio.root, r.source) for r in plan.products.values()})
    config = plan.portfolio.root / CONFIG_FILE
    found = [Problem(SourceLocation(str(config if config.is_file() else plan.portfolio.root)),
                     f"--market {market}: no product is built for this market; what each"
                     " product lacks for it follows")]
    renderer = render.Renderer(plan.portfolio)
    for path in files:
        try:
            product = products.load_product(path)
        except ProblemsError as err:  # changed since it was planned
            found.extend(err.problems)
            continue
        found.extend(renderer.problems(product, market, as_of=plan.options.as_of))
    return found


def _in_scope(record: OutputRecord, options: BuildOptions) -> bool:
    return (not options.markets or record.market in options.markets) and (
        record.fmt in options.formats)


def _drop(tally: _Tally, out_dir: Path, key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (out_dir / key).unlink()
    tally.outputs.pop(key, None)


def _write_manifest(plan: Plan, tally: _Tally) -> None:
    """Make the outputs durable, then write the manifest that vouches for them; an
    unchanged build with nothing to record leaves the manifest on disk as it is."""
    path = plan.options.out_dir / MANIFEST_FILE
    manifest = Manifest(tally.outputs, tally.products, tally.files)
    if not plan.tasks and manifest == plan.manifest and path.is_file():
        return
    if plan.tasks and hasattr(os, "sync"):
        os.sync()  # one flush for every output written, instead of one fsync per file
    write_bytes(path, manifest.chunks())


# ------------------------------------------------------------------------ the workers


@dataclass(slots=True)
class _Worker:
    """What a worker process keeps for the whole build."""

    portfolio: Portfolio
    options: BuildOptions
    config: str
    renderer: render.Renderer
    stamps: Stamps


_WORKER: _Worker | None = None


def _start(portfolio: Portfolio, options: BuildOptions, config: str, since_ns: int) -> None:
    """Make this process's renderer for the build (a forked worker inherits the one the
    main process made, a spawned one makes its own).

    The product schema is parsed here too: made in the main process before the workers
    are forked, it is made once for all of them, with the modules rendering needs."""
    global _WORKER  # noqa: PLW0603 - one renderer per worker process, by design
    if _WORKER is None or _WORKER.portfolio is not portfolio or _WORKER.options != options:
        _WORKER = _Worker(portfolio, options, config, render.Renderer(portfolio),
                          Stamps(since_ns))
        products.product_schema()


def _work(task: Task) -> TaskResult:
    """Build one product in a worker (or in the main process with ``--jobs 1``)."""
    assert _WORKER is not None
    worker = _WORKER
    return build_product(worker.renderer, worker.portfolio, worker.options, task,
                         worker.config, stamps=worker.stamps)


def _results(plan: Plan) -> Iterator[TaskResult]:
    """Each task's result as it completes: in this process, or from worker processes."""
    if not plan.tasks:
        return
    args = (plan.portfolio, plan.options, plan.config, plan.started_ns)
    _start(*args)
    jobs = max(1, min(plan.options.jobs, len(plan.tasks)))
    if jobs == 1:
        for task in plan.tasks:
            yield _work(task)
        return
    yield from Pool(_work, lost, jobs, _start, args).map(plan.tasks)

