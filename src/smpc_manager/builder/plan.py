"""Deciding what a build must do, before any product is parsed.

Each output's inputs are listed by the one resolver the renderer also uses
(:class:`smpc_manager.render.InputResolver`) and hashed (trusted by stamp where the manifest
recorded one); an output whose inputs and file still match the manifest is kept as it is.
A product whose XML, settings or day of validity changed is handed to a worker whole: which
markets it serves can only be learnt by loading it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smpc_manager.builder.lock import FolderLock
from smpc_manager.builder.manifest import (
    TOOL,
    FileHashes,
    Manifest,
    OutputRecord,
    ProductRecord,
    Stamp,
)
from smpc_manager.builder.outputs import OutputFolder, output_key
from smpc_manager.builder.pool import Pool
from smpc_manager.errors import Problem, UsageError
from smpc_manager.locales import normalize_locale
from smpc_manager.markets import MarketProfile, known_markets, load_profile
from smpc_manager.portfolio import CONFIG_FILE, Portfolio
from smpc_manager.render import TOOL_HASH, Input, InputResolver


def default_jobs() -> int:
    """Worker processes when none is asked for: one per CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def max_jobs() -> int:
    """The most worker processes a build starts: four per CPU, and at least 64. More only
    contend for the same CPUs, and a mistyped ``--jobs 100000`` would fork until the
    system's limit of processes."""
    return max(64, 4 * default_jobs())


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the caller chose: the output folder, the day, and any narrowing.

    ``jobs`` outside 1 to :func:`max_jobs` is a :class:`UsageError`.
    """

    out_dir: Path
    as_of: dt.date
    formats: tuple[str, ...] = ("text",)
    #: Only these markets (upper case); empty: every market each product serves.
    markets: tuple[str, ...] = ()
    jobs: int = 1
    #: Hash every input anew instead of trusting the stamps the manifest recorded.
    rehash: bool = False
    #: When another build holds the output folder: wait for it (True) or fail at once.
    wait: bool = True

    def __post_init__(self) -> None:
        most = max_jobs()
        if not 1 <= self.jobs <= most:
            raise UsageError(f"--jobs {self.jobs}: a build runs from 1 to {most} worker"
                             f" processes here (4 per CPU, at least 64)")


@dataclass(frozen=True, slots=True)
class Task:
    """A product for a worker to build: a path and names, nothing large.

    ``wanted`` lists the (market, format) pairs to render; ``None`` means every market the
    product serves (its XML changed, so which markets those are must be found by loading it).
    """

    source: str
    product: str
    wanted: tuple[tuple[str, str], ...] | None
    #: The outputs this task stands for on the progress bar, as planned (a guess where
    #: ``wanted`` is None; the worker's result says how many it made).
    expected: int = 1


@dataclass(slots=True)
class Plan:
    """What a build will do, known before any work: tasks, and what is already up to date."""

    portfolio: Portfolio
    options: BuildOptions
    manifest: Manifest
    #: The hash of the settings and the tool every product is planned under.
    config: str
    hashes: FileHashes
    #: The product files planned, in order.
    sources: Sequence[Path] = ()
    #: The output folder, as a build may use it.
    folder: OutputFolder = field(init=False)
    tasks: list[Task] = field(default_factory=list)
    #: Outputs whose inputs and file match the manifest: kept as they are.
    unchanged: dict[str, OutputRecord] = field(default_factory=dict)
    #: Product records carried over for products that need no parse.
    products: dict[str, ProductRecord] = field(default_factory=dict)
    #: When the build began (``time.time_ns()``): files changed since are not stamped.
    started_ns: int = field(default_factory=time.time_ns)
    #: The outputs of earlier builds (recorded or pending) by product.
    earlier: dict[str, set[str]] = field(default_factory=dict)
    #: The outputs of earlier builds that this one may replace or remove: the manifest
    #: stops vouching for them before it begins (see :mod:`~smpc_manager.builder.manifest`).
    touched: set[str] = field(default_factory=set)
    #: The output folder's lock, held from planning until the plan is run.
    lock: FolderLock | None = None
    #: The worker processes started for the build before it was planned, if any.
    workers: Pool[Task, Any] | None = None
    #: A problem for each entry of ``products/`` that cannot be read as a product file (a
    #: link to an unmounted share, a pipe): an error, and what it made before is kept.
    refused: Sequence[Problem] = ()

    def __post_init__(self) -> None:
        self.folder = OutputFolder(self.options.out_dir)

    def release(self) -> None:
        """Stop the workers and let the next build into the output folder
        (:func:`run_plan` does, at its end)."""
        if self.workers is not None:
            self.workers.close()
        if self.lock is not None:
            self.lock.release()

    def planned(self) -> set[str]:
        """The products of the portfolio: those to build, those up to date, and those
        whose file cannot be read now (whose outputs are kept)."""
        return {t.product for t in self.tasks} | set(self.products) | {
            Path(p.location.path).stem for p in self.refused}

    @property
    def total(self) -> int:
        """Outputs the progress bar counts: the unchanged ones, and those to render."""
        return len(self.unchanged) + sum(t.expected for t in self.tasks)


def config_hash(portfolio: Portfolio) -> str:
    """What every product's plan depends on besides its XML: the settings and the tool."""
    digest = hashlib.sha256(TOOL.encode())
    with contextlib.suppress(FileNotFoundError):
        digest.update(b"\0" + (portfolio.root / CONFIG_FILE).read_bytes())
    return digest.hexdigest()


def check_markets(portfolio: Portfolio, markets: Iterable[str]) -> None:
    """A usage error for a market that no shipped or portfolio profile defines, in the
    words of :func:`~smpc_manager.markets.load_profile` that every command gives."""
    for market in markets:
        load_profile(market, portfolio)


def selected(chosen: Sequence[str], markets: Iterable[str]) -> list[str]:
    """``markets`` narrowed to those ``chosen`` (all when none is)."""
    return [m for m in markets if not chosen or m in chosen]


class _Profiles:
    """Each market's profile and locale, loaded once per plan."""

    def __init__(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        self._loaded: dict[str, tuple[MarketProfile, str]] = {}

    def __call__(self, market: str) -> tuple[MarketProfile, str]:
        if market not in self._loaded:
            profile = load_profile(market, self.portfolio)
            self._loaded[market] = (profile, normalize_locale(profile.locale))
        return self._loaded[market]


def plan_build(portfolio: Portfolio, product_files: Sequence[Path], options: BuildOptions,
               manifest: Manifest, refused: Sequence[Problem] = (), *,
               started_ns: int | None = None) -> Plan:
    """Decide what to build: hash inputs, compare with ``manifest``, list the tasks.

    ``refused`` are the problems of the product files that cannot be read (see
    :attr:`Plan.refused`); ``started_ns``, when the build began (by default now)."""
    check_markets(portfolio, options.markets)
    started = time.time_ns() if started_ns is None else started_ns
    hashes = FileHashes(manifest.files, rehash=options.rehash, since_ns=started)
    plan = Plan(portfolio, options, manifest, config_hash(portfolio), hashes,
                tuple(product_files), started_ns=started, refused=tuple(refused))
    resolver = InputResolver(portfolio)
    profiles = _Profiles(portfolio)
    known = set(known_markets(portfolio))
    configured = portfolio.markets or known_markets(portfolio)
    for key, made in manifest.outputs.items():
        plan.earlier.setdefault(made.product, set()).add(key)
    for key, pending in manifest.pending.items():
        plan.earlier.setdefault(pending.product, set()).add(key)
    for source in product_files:
        product_id = source.stem
        record = manifest.products.get(product_id)
        if (
            record is None
            or record.sha256 != hashes(record.source, source)
            or record.config != plan.config
            or not record.valid_on(options.as_of)
            or not known.issuperset(record.markets)
        ):
            # Which markets it serves is learnt by loading it: those it served last time
            # are the likely ones, else every market the portfolio builds. The worker's
            # result corrects the guess.
            likely = configured if record is None else record.markets
            plan.tasks.append(Task(str(source), product_id, None, max(
                1, len(selected(options.markets, likely)) * len(options.formats))))
            plan.touched.update(plan.earlier.get(product_id, ()))
            continue
        plan.products[product_id] = record
        wanted: list[tuple[str, str]] = []
        for market in selected(options.markets, record.markets):
            profile, locale = profiles(market)
            for fmt in options.formats:
                key = output_key(product_id, market, locale, fmt)
                old = manifest.outputs.get(key)
                if old is not None and _up_to_date(plan, old, key, resolver.inputs(
                        product_id=product_id, product_path=str(source),
                        product_lang=record.lang, profile=profile, locale=locale, fmt=fmt,
                        smpc_sources=record.smpc_sources)):
                    plan.unchanged[key] = old
                else:
                    wanted.append((market, fmt))
                    if old is not None or key in manifest.pending:
                        plan.touched.add(key)
        if wanted:
            plan.tasks.append(Task(str(source), product_id, tuple(wanted), len(wanted)))
    for product_id in set(plan.earlier) - plan.planned():  # gone from the portfolio
        plan.touched.update(plan.earlier[product_id])
    return plan


def _up_to_date(plan: Plan, old: OutputRecord, key: str, inputs: Iterable[Input]) -> bool:
    """Whether the output on disk is what its inputs, as they are now, would make.

    The output's bytes are hashed unless its stamp is the one recorded and older than the
    manifest (:mod:`~smpc_manager.builder.manifest`), or when ``rehash`` is asked for. An
    output that is not a regular file reached without a link is never up to date."""
    current = {item.name: TOOL_HASH if item.path is None else plan.hashes(item.name, item.path)
               for item in inputs}
    if current != old.inputs or plan.folder.refusal(key) is not None:
        return False
    if old.stamp is not None and not plan.options.rehash:
        try:
            stamp = Stamp.of(os.lstat(plan.folder.path(key)))
        except OSError:
            return False
        if stamp == old.stamp and stamp.older_than(plan.manifest.written_ns):
            return True
    return plan.folder.sha256(key) == old.sha256
