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

from smpc_manager.builder.manifest import (
    TOOL,
    FileHashes,
    Manifest,
    OutputRecord,
    ProductRecord,
    Stamp,
    file_sha256,
)
from smpc_manager.errors import UsageError
from smpc_manager.locales import normalize_locale
from smpc_manager.markets import MarketProfile, load_profile, shipped_markets
from smpc_manager.portfolio import CONFIG_FILE, Portfolio
from smpc_manager.render import EXTENSIONS, TOOL_HASH, Input, InputResolver


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the caller chose: the output folder, the day, and any narrowing."""

    out_dir: Path
    as_of: dt.date
    formats: tuple[str, ...] = ("text",)
    #: Only these markets (upper case); empty: every market each product serves.
    markets: tuple[str, ...] = ()
    jobs: int = 1
    #: Hash every input anew instead of trusting the stamps the manifest recorded.
    rehash: bool = False


@dataclass(frozen=True, slots=True)
class Output:
    """One file a build makes: a product rendered for a market, in a format."""

    product: str
    market: str
    locale: str
    fmt: str

    @property
    def key(self) -> str:
        """Its path under the output folder, ``AT/de_AT/besponsa.txt``: the manifest key."""
        return f"{self.market}/{self.locale}/{self.product}.{EXTENSIONS[self.fmt]}"


@dataclass(frozen=True, slots=True)
class Task:
    """A product for a worker to build: a path and names, nothing large.

    ``wanted`` lists the (market, format) pairs to render; ``None`` means every market the
    product serves (its XML changed, so which markets those are must be found by loading it).
    """

    source: str
    product: str
    wanted: tuple[tuple[str, str], ...] | None
    #: The outputs this task stands for on the progress bar.
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
    tasks: list[Task] = field(default_factory=list)
    #: Outputs whose inputs and file match the manifest: kept as they are.
    unchanged: dict[str, OutputRecord] = field(default_factory=dict)
    #: Product records carried over for products that need no parse.
    products: dict[str, ProductRecord] = field(default_factory=dict)
    #: When the build began (``time.time_ns()``): files changed since are not stamped.
    started_ns: int = field(default_factory=time.time_ns)

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
    """A usage error for a market that no shipped or portfolio profile defines."""
    known = set(shipped_markets()) | {m.upper() for m in portfolio.profiles}
    unknown = [m for m in markets if m not in known]
    if unknown:
        raise UsageError(f"--market {unknown[0]}: no profile for this market (known:"
                         f" {', '.join(sorted(known))})")


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
               manifest: Manifest) -> Plan:
    """Decide what to build: hash inputs, compare with ``manifest``, list the tasks."""
    check_markets(portfolio, options.markets)
    started = time.time_ns()
    hashes = FileHashes(manifest.files, rehash=options.rehash, since_ns=started)
    plan = Plan(portfolio, options, manifest, config_hash(portfolio), hashes,
                started_ns=started)
    resolver = InputResolver(portfolio)
    profiles = _Profiles(portfolio)
    guess = len(selected(options.markets, portfolio.markets or shipped_markets()))
    for source in product_files:
        product_id = source.stem
        record = manifest.products.get(product_id)
        if (
            record is None
            or record.sha256 != hashes(record.source, source)
            or record.config != plan.config
            or not record.valid_on(options.as_of)
        ):
            plan.tasks.append(Task(str(source), product_id, None,
                                   max(1, guess * len(options.formats))))
            continue
        plan.products[product_id] = record
        wanted: list[tuple[str, str]] = []
        for market in selected(options.markets, record.markets):
            profile, locale = profiles(market)
            for fmt in options.formats:
                key = Output(product_id, market, locale, fmt).key
                old = manifest.outputs.get(key)
                if old is not None and _up_to_date(plan, old, key, resolver.inputs(
                        product_id=product_id, product_path=str(source),
                        product_lang=record.lang, profile=profile, locale=locale, fmt=fmt)):
                    plan.unchanged[key] = old
                else:
                    wanted.append((market, fmt))
        if wanted:
            plan.tasks.append(Task(str(source), product_id, tuple(wanted), len(wanted)))
    return plan


def _up_to_date(plan: Plan, old: OutputRecord, key: str, inputs: Iterable[Input]) -> bool:
    """Whether the output on disk is what its inputs, as they are now, would make.

    The output's bytes are hashed unless its stamp is the one recorded and older than the
    manifest (:mod:`~smpc_manager.builder.manifest`), or when ``rehash`` is asked for."""
    current = {item.name: TOOL_HASH if item.path is None else plan.hashes(item.name, item.path)
               for item in inputs}
    if current != old.inputs:
        return False
    path = os.path.join(plan.options.out_dir, key)
    if old.stamp is not None and not plan.options.rehash:
        try:
            stamp = Stamp.of(os.stat(path))
        except OSError:
            return False
        if stamp == old.stamp and stamp.older_than(plan.manifest.written_ns):
            return True
    return file_sha256(path) == old.sha256
