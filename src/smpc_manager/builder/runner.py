"""Carrying out a build's plan: the workers, the outputs' records, the manifest.

Every product's problems are collected and the others still built. The manifest on disk is
true of the folder at every moment. Before any output is replaced or removed, it is
rewritten without the outputs this build may change (they move to its ``pending`` table:
:mod:`~smpc_manager.builder.manifest`), so a build killed outright leaves a manifest that
vouches only for outputs nobody touched. At the end, also after Ctrl-C or ``SIGTERM``, it
is written again and lists exactly the outputs on disk: an output that failed this time is
removed with its entry, so the folder never holds a text its current inputs would refuse,
and the outputs of products gone from the portfolio go too. A product whose file cannot be
read at all (a link to an unmounted share) is an error, and its outputs are kept. Outputs
are renamed into place whole; one flush makes them durable before the manifest that vouches
for them is put in place.

The output folder is locked (:mod:`~smpc_manager.builder.lock`) from before the manifest is
read until after it is written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NamedTuple

from smpc_manager import products, render
from smpc_manager.builder.lock import lock_folder
from smpc_manager.builder.manifest import (
    MANIFEST_FILE,
    FileRecord,
    Manifest,
    OutputRecord,
    PendingOutput,
    ProductRecord,
)
from smpc_manager.builder.outputs import KEY, OutputFolder, output_product
from smpc_manager.builder.plan import BuildOptions, Plan, Task, config_hash, plan_build
from smpc_manager.builder.pool import Pool, forks
from smpc_manager.builder.worker import (
    Stamps,
    TaskResult,
    build_product,
    lost,
    remove_temporary,
    temporary_folder,
)
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.files import make_folder, write_bytes
from smpc_manager.portfolio import CONFIG_FILE, Portfolio
from smpc_manager.render import EXTENSIONS
from smpc_manager.reports import report

#: Called with the number of outputs done since the last call.
Progress = Callable[[int], None]
#: Called with the number of outputs the build accounts for, where a product's result
#: corrects the plan's count (:attr:`Plan.total`): a changed product serves the markets it
#: has data for, which only loading it tells.
Resize = Callable[[int], None]


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
        """Nothing failed and no error was found (warnings, such as notes on a damaged
        manifest, leave a build ok)."""
        return self.failed == 0 and not any(
            p.severity is Severity.ERROR for p in self.problems)

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
          product_files: list[Path] | None = None, *,
          waiting: Callable[[str], None] | None = None,
          resize: Resize | None = None) -> BuildResult:
    """Build every product of ``portfolio`` (or ``product_files``) for every market it
    serves: plan (:func:`prepare`) and run (:func:`run_plan`) in one call."""
    plan = prepare(portfolio, options, product_files, waiting=waiting)
    return run_plan(plan, progress, resize)


def prepare(portfolio: Portfolio, options: BuildOptions,
            product_files: list[Path] | None = None, *,
            waiting: Callable[[str], None] | None = None) -> Plan:
    """The plan of a build into ``options.out_dir``, made after the manifest there.

    The output folder is locked first, until :func:`run_plan` has run the plan (or
    :meth:`Plan.release` is called): while another build holds it, this one waits, having
    called ``waiting`` once with a line saying so, or with ``options.wait`` off fails at
    once (:mod:`~smpc_manager.builder.lock`).
    """
    # A folder that cannot be made is said before any work, not after every output failed.
    make_folder(options.out_dir)
    lock = lock_folder(options.out_dir, wait=options.wait, waiting=waiting)
    workers = None
    try:
        started = time.time_ns()
        workers = _start_workers(portfolio, options, started)
        files, refused = (_product_files(portfolio) if product_files is None
                          else (product_files, []))
        plan = plan_build(portfolio, files, options,
                          Manifest.read(options.out_dir / MANIFEST_FILE), refused,
                          started_ns=started)
    except BaseException:
        if workers is not None:
            workers.close()
        lock.release()
        raise
    plan.lock = lock
    plan.workers = workers
    return plan


def _start_workers(portfolio: Portfolio, options: BuildOptions, started_ns: int
                   ) -> Pool[Task, TaskResult] | None:
    """The build's worker processes, forked before the products are listed and planned:
    each inherits nothing of the plan, so that it begins from the same memory however many
    products follow, and makes its own renderer with its first task. None with
    ``--jobs 1``, and where processes are spawned rather than forked (their pool is started
    with the first tasks)."""
    if options.jobs < 2 or not forks():
        return None
    args = (portfolio, options, config_hash(portfolio), started_ns)
    workers = Pool(_work, lost, options.jobs, _join, args)
    workers.start()
    return workers


def _product_files(portfolio: Portfolio) -> tuple[list[Path], list[Problem]]:
    """The portfolio's product files, and a problem for each entry of ``products/`` that
    cannot be read as one (:meth:`Portfolio.product_listing`, as ``validate`` lists them).

    A ``products`` folder that cannot be listed (a link to an unmounted share, a file) is
    an error before anything is built: read as a portfolio without products, it would have
    every output removed.
    """
    folder = os.fspath(portfolio.products_dir)
    try:
        listing = portfolio.product_listing()
    except OSError as err:
        raise ProblemsError([Problem(SourceLocation(folder), f"cannot be read"
                                     f" ({err.strerror or err}); nothing was built or"
                                     " removed")]) from None
    whole = [p for p in listing.problems if p.location.path == folder]
    if whole:
        raise ProblemsError([Problem(p.location, f"{p.message}; nothing was built or removed")
                             for p in whole])
    return listing.files, listing.problems


@dataclass(slots=True)
class _Tally:
    """What the results of a run add up to: the next manifest's tables, and the counts."""

    outputs: dict[str, OutputRecord]
    pending: dict[str, PendingOutput]
    products: dict[str, ProductRecord] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    built: int = 0
    failed: int = 0
    removed: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def run_plan(plan: Plan, progress: Progress | None = None,
             resize: Resize | None = None) -> BuildResult:
    """Carry out a plan and write the manifest, whatever happened; then unlock the folder.

    ``progress`` is told the outputs done as each product's result comes in, starting from
    the plan's count (:attr:`Plan.total`); ``resize``, the corrected count where a result
    accounts for other outputs than planned, before ``progress`` counts them.

    ``SIGTERM`` is taken as Ctrl-C while it runs: the workers stop, and the manifest of what
    was done is written before :class:`KeyboardInterrupt` is raised."""
    try:
        with _terminate_as_interrupt():
            return _run(plan, progress or (lambda _n: None), resize or (lambda _n: None))
    finally:
        plan.release()


def _run(plan: Plan, tick: Progress, resize: Resize) -> BuildResult:
    manifest = plan.manifest
    tally = _Tally(
        {k: r for k, r in manifest.outputs.items() if k not in plan.touched},
        {**manifest.pending, **{k: _pending(plan, k) for k in plan.touched}},
        dict(plan.products), dict(plan.hashes.files), problems=list(manifest.notes))
    planned = plan.planned()
    for problem in plan.refused:  # cannot be read: what it made before is kept as it is
        tally.problems.append(problem)
        tally.failed += 1
        tally.outcomes.append(Outcome("failed", Path(problem.location.path).stem, None))
    remove_temporary(plan.options.out_dir)  # left by a build that was killed
    if plan.touched:
        _write_ahead(plan, tally)
    done: set[str] = set()
    total = plan.total
    planned_counts = {task.product: task.expected for task in plan.tasks}
    try:
        tick(len(plan.unchanged))
        with contextlib.closing(_results(plan)) as results:
            for result in results:
                done.add(result.product)
                _take(tally, plan, result)
                if result.count != planned_counts[result.product]:
                    total += result.count - planned_counts[result.product]
                    resize(total)
                tick(result.count)
    finally:
        for product_id in sorted(set(plan.earlier) - planned):  # gone from the portfolio
            for key in sorted(plan.earlier[product_id]):
                _remove(tally, plan, key, product_id, counted=True)
        for product_id, product in manifest.products.items():
            if product_id in planned and product_id not in done:
                tally.products.setdefault(product_id, product)  # interrupted before its result
        _write_manifest(plan, tally)
        remove_temporary(plan.options.out_dir)
    tally.problems.extend(_strays(plan, tally))
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


def _pending(plan: Plan, key: str) -> PendingOutput:
    old = plan.manifest.outputs.get(key)
    return PendingOutput(old.product) if old is not None else plan.manifest.pending[key]


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """``SIGTERM`` (a service stopping, ``kill``) raises :class:`KeyboardInterrupt` in the
    main thread, as Ctrl-C does, so that a build stopped either way ends alike. A handler
    can be set only in the main thread; elsewhere the signal keeps its own."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _take(tally: _Tally, plan: Plan, result: TaskResult) -> None:
    """Record one product's result: its outputs written and failed, and the outputs of
    earlier builds it no longer makes."""
    product_id = result.product
    # What this build may change of the product's earlier outputs (see the plan).
    own = plan.earlier.get(product_id, set()) & plan.touched
    tally.files.update(result.files)
    tally.problems.extend(result.problems)
    if result.record is None:
        tally.failed += 1
        tally.outcomes.append(Outcome("failed", product_id, None))
    written = {key for key, _ in result.written}
    for key, record in result.written:
        tally.outputs[sys.intern(key)] = record.shared()
        tally.pending.pop(key, None)
    for key in result.failed:
        _remove(tally, plan, key, product_id)
    tally.outcomes.extend(Outcome("built", product_id, key) for key in written)
    tally.outcomes.extend(Outcome("failed", product_id, key) for key in result.failed)
    tally.built += len(written)
    tally.failed += len(result.failed)
    if result.record is not None:
        tally.products[product_id] = result.record
    for key in sorted(own - written - set(result.failed)):
        market = key.partition("/")[0]
        # A market the product no longer serves: its outputs go, in any format. A product
        # that failed to load keeps nothing in the markets and formats built now. Either
        # way they go uncounted: the product's failure, or its new markets, say why.
        if (market not in result.record.markets if result.record is not None
                else _in_scope(key, plan.options)):
            _remove(tally, plan, key, product_id)
        else:
            _restore(tally, plan, key)


#: Files a build did not make are named one by one up to this many; the rest are counted.
MAX_STRAYS = 10


def _strays(plan: Plan, tally: _Tally) -> list[Problem]:
    """Files at the path of an output that this build neither made nor kept, and that no
    manifest records: of the products built whole (whose every output was looked at), or,
    when no manifest was believed, of any product. Such a file may be an output of a
    product that no longer serves a market, left by a build whose record was lost, or
    a file someone else put there: it is reported, never removed."""
    believed = plan.manifest.written_ns != 0
    whole = {t.product for t in plan.tasks if t.wanted is None}
    if believed and not whole:
        return []
    known = tally.outputs.keys() | tally.pending.keys()
    found = sorted(key for key in plan.folder.listing() if key not in known and (
        product := output_product(key)) is not None and (not believed or product in whole))
    lines = [Problem(SourceLocation(plan.folder.path(key)), "not made by this build, nor in"
                     " its manifest; left as it is (remove it if it is no longer wanted)",
                     severity=Severity.WARNING) for key in found[:MAX_STRAYS]]
    if len(found) > MAX_STRAYS:
        lines.append(Problem(SourceLocation(plan.folder.root), f"{len(found) - MAX_STRAYS}"
                             " more files not made by this build, nor in its manifest; left"
                             " as they are", severity=Severity.WARNING))
    return lines


def _restore(tally: _Tally, plan: Plan, key: str) -> None:
    """An output of an earlier build this one left as it was: vouched for again."""
    old = plan.manifest.outputs.get(key)
    if old is not None:
        tally.outputs[key] = old
        tally.pending.pop(key, None)


def _remove(tally: _Tally, plan: Plan, key: str, product_id: str, *,
            counted: bool = False) -> None:
    """Remove an output and its entry; one that cannot be removed (a link or a folder
    stands there, or its folder is a link) stays pending, with a warning."""
    if plan.folder.remove(key):
        tally.outputs.pop(key, None)
        tally.pending.pop(key, None)
        if counted:
            tally.removed += 1
            tally.outcomes.append(Outcome("removed", product_id, key))
        return
    tally.outputs.pop(key, None)
    tally.pending.setdefault(key, PendingOutput(product_id))
    why = plan.folder.refusal(key) or "it is not a regular file the build wrote"
    tally.problems.append(Problem(SourceLocation(plan.folder.path(key)),
                                  f"not removed: {why}", severity=Severity.WARNING))


def _unserved(plan: Plan, tally: _Tally) -> list[str]:
    """The markets asked for by name that no product of the portfolio serves (none when a
    product could not be loaded: which markets it serves is not known)."""
    planned = plan.planned()
    if not plan.options.markets or not planned <= set(tally.products):
        return []
    served = {m for product_id in planned for m in tally.products[product_id].markets}
    return [m for m in plan.options.markets if m not in served]


def _lacking(plan: Plan, market: str) -> list[Problem]:
    """Why no product is built for ``market``: a line saying so, then what each product
    lacks for it, as ``smpc render`` says."""
    files = sorted(os.fspath(source) for source in plan.sources)
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


def _in_scope(key: str, options: BuildOptions) -> bool:
    """Whether the output ``key`` is of the markets and formats this build makes."""
    match = KEY.fullmatch(key)
    return match is not None and (
        not options.markets or match["market"] in options.markets) and (
        match["ext"] in {EXTENSIONS[f] for f in options.formats})


def _write_ahead(plan: Plan, tally: _Tally) -> None:
    """Before any output is replaced or removed: the manifest on disk stops vouching for
    those this build may change. Where it cannot be rewritten (a full disk) it is removed,
    which vouches for nothing; where not even that can be done, nothing is built."""
    path = plan.options.out_dir / MANIFEST_FILE
    try:
        write_bytes(path, Manifest(tally.outputs, plan.manifest.products, plan.manifest.files,
                                   tally.pending).chunks(),
                    tmp_dir=temporary_folder(plan.options.out_dir))
    except ProblemsError as err:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError:
            raise ProblemsError([Problem(p.location, f"{p.message}; nothing was built")
                                 for p in err.problems]) from None


def _write_manifest(plan: Plan, tally: _Tally) -> None:
    """Make the outputs durable, then write the manifest that vouches for them; an
    unchanged build with nothing to record leaves the manifest on disk as it is. One that
    cannot be written is a problem of the build: the manifest on disk is still true."""
    path = plan.options.out_dir / MANIFEST_FILE
    manifest = Manifest(tally.outputs, tally.products, tally.files, tally.pending)
    if (not plan.tasks and not plan.touched and manifest == plan.manifest
            and not plan.manifest.notes and path.is_file()):
        return
    chunks = manifest.chunks()
    if plan.tasks and hasattr(os, "sync"):
        # One flush for every output written, instead of one fsync per file, made while the
        # manifest's lines are: they end, and the manifest is put in place, only after it.
        chunks = _after(chunks, threading.Thread(target=os.sync, name="smpc-sync"))
    try:
        # Made in this process's temporary folder: one a killed build leaves is removed
        # with it by the next build.
        write_bytes(path, chunks, tmp_dir=temporary_folder(plan.options.out_dir))
    except ProblemsError as err:
        tally.problems.extend(err.problems)


def _after(chunks: Iterator[bytes], work: threading.Thread) -> Iterator[bytes]:
    """``chunks``, made while ``work`` runs, ending only once it is done."""
    work.start()
    try:
        yield from chunks
    finally:
        work.join()


# ------------------------------------------------------------------------ the workers


@dataclass(slots=True)
class _Worker:
    """What a worker process keeps for the whole build."""

    portfolio: Portfolio
    options: BuildOptions
    config: str
    renderer: render.Renderer
    stamps: Stamps
    #: The output folder as this process has looked at it, for this build only.
    folder: OutputFolder


_WORKER: _Worker | None = None
#: The build this process works for (its :func:`_start` arguments), set by :func:`_join`.
_BUILD: tuple[Portfolio, BuildOptions, str, int] | None = None


def _join(portfolio: Portfolio, options: BuildOptions, config: str, since_ns: int) -> None:
    """Take part in a build (the initializer of its workers): its renderer is made with the
    first task, so that workers started before the plan and given no task end at once."""
    global _BUILD  # noqa: PLW0603 - one build at a time per process, by design
    _BUILD = (portfolio, options, config, since_ns)


def _start(portfolio: Portfolio, options: BuildOptions, config: str, since_ns: int) -> None:
    """Make this process's renderer for the build, and parse the product schema (a worker
    forked from a main process that made them for this build inherits them)."""
    global _WORKER  # noqa: PLW0603 - one renderer per worker process, by design
    if (_WORKER is None or _WORKER.portfolio is not portfolio or _WORKER.options != options
            or _WORKER.stamps.since_ns != since_ns):  # another build
        _WORKER = _Worker(portfolio, options, config, render.Renderer(portfolio),
                          Stamps(since_ns), OutputFolder(options.out_dir))
        products.product_schema()


def _work(task: Task) -> TaskResult:
    """Build one product in a worker (or in the main process with ``--jobs 1``)."""
    assert _BUILD is not None
    _start(*_BUILD)
    assert _WORKER is not None
    worker = _WORKER
    return build_product(worker.renderer, worker.portfolio, worker.options, task,
                         worker.config, stamps=worker.stamps, folder=worker.folder)


def _results(plan: Plan) -> Generator[TaskResult, None, None]:
    """Each task's result as it completes: in this process, or from worker processes."""
    if not plan.tasks:
        return
    args = (plan.portfolio, plan.options, plan.config, plan.started_ns)
    jobs = max(1, min(plan.options.jobs, len(plan.tasks)))
    if jobs == 1:
        _join(*args)
        for task in plan.tasks:
            yield _work(task)
        return
    if plan.workers is not None:  # started before the plan
        yield from plan.workers.map(plan.tasks)
        return
    # Workers forked from here inherit the renderer and the parsed schema; spawned ones
    # make their own.
    _start(*args)
    yield from Pool(_work, lost, jobs, _join, args).map(plan.tasks)
