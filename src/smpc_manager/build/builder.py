"""Build a whole portfolio: every product for every market, in parallel, incrementally.

``build`` renders each product for each market it serves into
``OUT/<market>/<locale>/<id>.<ext>`` and records in ``OUT/manifest.json``, per output, the
hashes of everything it was made from and of what was written. The next build hashes those
inputs first (file bytes only: no XML parse, no render) and renders again only the outputs
whose inputs changed, or whose file is missing or was altered since.

Work goes to a pool of processes. Each worker builds one :class:`~smpc_manager.render.Renderer`
when it starts (schema, profiles, templates and the tool's catalogs are loaded once per
worker), then receives product *paths*, loads each product once, renders all of its outputs,
writes them atomically and sends back only hashes and problems. Nothing of a product is kept
once its outputs are written, so memory stays flat however large the portfolio.

Each output is renamed into place whole (never half-written); the build makes them durable
with one sync, then writes the manifest atomically, also when products failed or the build
was interrupted. The manifest lists only what is really on disk: an output that failed this
time is removed with its entry, so the folder never holds a text its current inputs would
refuse, and outputs of products gone from the portfolio go too.

``manifest.json`` (keys sorted, no timestamps: an unchanged build rewrites the same bytes)::

    {"manifest-version": 1, "tool": "smpc-manager 0.1.0",
     "outputs": {"AT/de_AT/besponsa.txt": {
         "product": "besponsa", "market": "AT", "locale": "de_AT", "format": "text",
         "inputs": {"products/besponsa.xml": "<sha256>", "locales/de/LC_MESSAGES/besponsa.po":
                    "<sha256>", "smpc_manager/profiles/at.toml": "<sha256>", ...},
         "sha256": "<sha256 of the file>", "size": 2874}},
     "products": {"besponsa": {
         "source": "products/besponsa.xml", "sha256": "<sha256>", "config": "<sha256>",
         "lang": "en", "markets": ["AT", "DE", "IE"],
         "valid-from": "2022-02-01", "valid-until": "2027-12-31"}}}

A product's ``valid-from``/``valid-until`` are the days on which it passes the expiry check
(:func:`valid_window`): a build on another day within them needs no parse to know that the
product is still good; outside them it is loaded and checked again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import operator
import os
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar

from smpc_manager import __version__
from smpc_manager.files import make_folder, write_bytes
from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.portfolio import CONFIG_FILE, Portfolio
from smpc_manager.resources import resource_dir
from smpc_manager.build.state import (
    MANIFEST_FILE,
    file_sha256,
    forget,
    input_roots,
    skipped,
    snapshot_encoded,
)

if TYPE_CHECKING:
    from smpc_manager.build.forkpool import ForkPool
    from smpc_manager.model import Product
    from smpc_manager.markets.profiles import MarketProfile
    from smpc_manager.render.renderer import Renderer

#: Bumped when the manifest's structure changes; an older manifest means a full build.
MANIFEST_VERSION = 1
#: What the tool version contributes to every output's inputs.
TOOL = f"smpc-manager {__version__}"

Progress = Callable[[int], None]


# ------------------------------------------------------------------------ hashing


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileHashes:
    """sha256 of files, each read at most once per build; a missing file hashes to ``None``."""

    def __init__(self) -> None:
        self._cache: dict[str, str | None] = {}

    def __call__(self, path: str | os.PathLike[str]) -> str | None:
        # Keyed by the path's text: a plan hashes thousands of files, and hashing a Path
        # object (for the dictionary) costs more than reading a small file.
        path = os.fspath(path)
        try:
            return self._cache[path]
        except KeyError:
            pass
        try:
            digest: str | None = file_sha256(path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            digest = None
        self._cache[path] = digest
        return digest


# ------------------------------------------------------------------------ the manifest


_Sent = TypeVar("_Sent")


def _sent_whole(cls: type[_Sent]) -> type[_Sent]:
    """Pickle a frozen, slotted dataclass as a call of the class with its fields.

    Such a class is otherwise pickled through dataclasses' ``__getstate__`` and
    ``__setstate__``, which look its fields up for every object: a worker's results, a few
    objects per product, took longer to unpickle than all else the parent does with them.
    """
    values = operator.attrgetter(*(f.name for f in fields(cls)))  # type: ignore[arg-type]

    def __reduce__(self: _Sent) -> tuple[type[_Sent], tuple[object, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One output file in the manifest: what it was made from, and what was written."""

    product: str
    market: str
    locale: str
    fmt: str
    inputs: Mapping[str, str]
    sha256: str
    size: int

    def encode(self) -> str:
        """The record's JSON as its manifest line holds it: ``_dumps(self.as_dict())``,
        written out (a worker encodes three per product, and the encoder's general walk took
        twice as long)."""
        quote = _quote
        inputs = ", ".join([f"{quote(k)}: {quote(v)}" for k, v in sorted(self.inputs.items())])
        return (f'{{"format": {quote(self.fmt)}, "inputs": {{{inputs}}}, "locale":'
                f' {quote(self.locale)}, "market": {quote(self.market)}, "product":'
                f' {quote(self.product)}, "sha256": {quote(self.sha256)}, "size":'
                f" {int(self.size)}}}")

    def as_dict(self) -> dict[str, object]:
        return {
            "product": self.product,
            "market": self.market,
            "locale": self.locale,
            "format": self.fmt,
            "inputs": dict(sorted(self.inputs.items())),
            "sha256": self.sha256,
            "size": self.size,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutputRecord:
        inputs = data["inputs"]
        if not isinstance(inputs, dict):
            raise TypeError("inputs")
        # Interned: thousands of outputs name the same inputs and hashes, and an incremental
        # build holds the whole manifest (sys.intern also refuses anything but text).
        intern = sys.intern
        return cls(
            product=intern(data["product"]),
            market=intern(data["market"]),
            locale=intern(data["locale"]),
            fmt=intern(data["format"]),
            inputs={intern(k): intern(v) for k, v in inputs.items()},
            sha256=str(data["sha256"]),
            size=int(data["size"]),
        )


@_sent_whole
@dataclass(frozen=True, slots=True)
class ProductRecord:
    """What a build learnt from a product's XML, kept so an unchanged one is not parsed again.

    ``sha256`` is of the product file, ``config`` of the settings it was planned under;
    while both hold, ``markets`` are the markets it serves, and the dates from ``valid_from``
    to ``valid_until`` (``None``: unbounded) are the days on which it passes the expiry check.
    """

    source: str
    sha256: str
    config: str
    #: The product's source language (``xml:lang``): which outputs need its catalog.
    lang: str
    markets: tuple[str, ...]
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def encode(self) -> str:
        """The record's manifest line: ``_dumps(self.as_dict())``, written out (the main
        process encodes one per product as the results come in)."""
        quote = _quote
        markets = ", ".join([quote(m) for m in self.markets])
        start = "null" if self.valid_from is None else f'"{self.valid_from.isoformat()}"'
        end = "null" if self.valid_until is None else f'"{self.valid_until.isoformat()}"'
        return (f'{{"config": {quote(self.config)}, "lang": {quote(self.lang)}, "markets":'
                f' [{markets}], "sha256": {quote(self.sha256)}, "source": {quote(self.source)},'
                f' "valid-from": {start}, "valid-until": {end}}}')

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "config": self.config,
            "lang": self.lang,
            "markets": list(self.markets),
            "valid-from": self.valid_from.isoformat() if self.valid_from else None,
            "valid-until": self.valid_until.isoformat() if self.valid_until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProductRecord:
        def day(value: object) -> dt.date | None:
            return None if value is None else dt.date.fromisoformat(str(value))

        return cls(
            source=str(data["source"]),
            sha256=str(data["sha256"]),
            config=str(data["config"]),
            lang=str(data["lang"]),
            markets=tuple(str(m) for m in data["markets"]),
            valid_from=day(data.get("valid-from")),
            valid_until=day(data.get("valid-until")),
        )


@dataclass(slots=True)
class Manifest:
    """``manifest.json``: every output by its path under the output folder, and each product."""

    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    products: dict[str, ProductRecord] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """Stable bytes: sorted keys, no timestamps, so an unchanged build rewrites the same."""
        return b"".join(self.chunks())

    def chunks(self) -> Iterator[bytes]:
        """:meth:`to_bytes` a line at a time, for writing without holding the whole text."""
        return manifest_chunks(self.outputs, self.products)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at ``path``; an absent, unreadable or older one is empty (full build).

        A manifest is a cache of what was built, never a source: when it cannot be trusted,
        building everything again is always right.
        """
        try:
            data = json.loads(path.read_bytes())
            if data.get("manifest-version") != MANIFEST_VERSION:
                return cls()
            outputs = {str(k): OutputRecord.from_dict(v) for k, v in data["outputs"].items()}
            products = {str(k): ProductRecord.from_dict(v) for k, v in data["products"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()
        return cls(outputs, products)


class _Line(Protocol):
    """What the manifest needs of an output: its line, and what narrows a build's scope."""

    @property
    def product(self) -> str: ...
    @property
    def market(self) -> str: ...
    @property
    def fmt(self) -> str: ...
    @property
    def sha256(self) -> str: ...

    def encode(self) -> str: ...


class _ProductLine(Protocol):
    """What the manifest and the state need of a product: its line and its valid days."""

    @property
    def valid_from(self) -> dt.date | None: ...
    @property
    def valid_until(self) -> dt.date | None: ...

    def encode(self) -> str: ...


def manifest_chunks(outputs: Mapping[str, _Line], products: Mapping[str, _ProductLine]
                    ) -> Iterator[bytes]:
    """The bytes of a manifest, a line at a time, for writing without holding the text.

    One output or product per line: a rebuild's diff shows one line per output changed,
    and each line is made by the C JSON encoder (an indented dump of thousands of outputs
    takes several times the memory of the file).
    """
    yield f'{{\n  "manifest-version": {MANIFEST_VERSION},\n'.encode()
    tables: tuple[tuple[str, Mapping[str, _Line | _ProductLine]], ...] = (
        ("outputs", outputs), ("products", products))
    for name, records in tables:
        if not records:
            yield f'  "{name}": {{}},\n'.encode()
            continue
        yield f'  "{name}": {{\n'.encode()
        keys = sorted(records)
        for number, key in enumerate(keys, 1):
            comma = "," if number < len(keys) else ""
            yield f"    {_dumps(key)}: {records[key].encode()}{comma}\n".encode()
        yield b"  },\n"
    yield f'  "tool": {_dumps(TOOL)}\n}}\n'.encode()


class _Spool:
    """The manifest lines of the outputs and products a build writes, kept in an anonymous
    temporary file until the manifest is written.

    The main process holds a small :class:`_Spooled` entry per output instead of its record
    (inputs, hashes and line, about 2 KB), and a :class:`_SpooledProduct` per product
    instead of its record, so that what it keeps per product is little more than a name.
    The file lies in ``folder`` (the output folder, which the build can write) and has no
    name: it goes with the process, however the build ends.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._file: BinaryIO | None = None
        self._end = 0
        self._reading = False

    def keep(self, record: _Line) -> _Spooled:
        """Spool an output's line; its entry keeps what narrows a later build's scope.
        (The market and format names are interned: one string each, not one per output.)"""
        data = record.encode().encode("utf-8")
        return _Spooled(record.product, sys.intern(record.market), sys.intern(record.fmt),
                        bytes.fromhex(record.sha256), self, self._append(data), len(data))

    def keep_product(self, record: ProductRecord) -> _SpooledProduct:
        """Spool a product's line; its entry keeps the days the state needs."""
        data = record.encode().encode("utf-8")
        return _SpooledProduct(record.valid_from, record.valid_until, self,
                               self._append(data), len(data))

    def _append(self, data: bytes) -> int:
        """Write ``data`` at the end of the spool; where it begins."""
        if self._file is None:
            import tempfile  # here: an unchanged rebuild spools nothing

            try:
                self._file = tempfile.TemporaryFile(dir=self._folder)  # noqa: SIM115
            except OSError as err:
                raise ProblemsError([Problem(SourceLocation(str(self._folder)),
                                             f"cannot write here: {err.strerror or err}")]
                                    ) from None
        if self._reading:  # back to the end after a read (never the case in a build)
            self._file.seek(self._end)
            self._reading = False
        self._file.write(data)
        offset = self._end
        self._end += len(data)
        return offset

    def read(self, offset: int, length: int) -> str:
        """The line kept at ``offset``: one ``pread`` where there is one (the manifest reads
        its lines back in the order of their keys, thousands of them, and a seek and a
        buffered read cost three system calls each)."""
        assert self._file is not None
        if _PREAD is not None:
            if not self._reading:
                # Once, not for every line: flushing a file open for reading and writing
                # seeks, even with nothing to write. ``_append`` clears the flag, so the
                # first read after more lines flushes them.
                self._file.flush()
                self._reading = True
            data: bytes = _PREAD(self._file.fileno(), length, offset)
            if len(data) == length:
                return data.decode("utf-8")
        self._file.seek(offset)
        self._reading = True
        return self._file.read(length).decode("utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


#: ``os.pread`` where the system has one (not on Windows).
_PREAD: Callable[[int, int, int], bytes] | None = getattr(os, "pread", None)


@dataclass(frozen=True, slots=True)
class _Spooled:
    """An output written in this build, its manifest line in the :class:`_Spool`."""

    product: str
    market: str
    fmt: str
    #: The file's sha256 as bytes: half the memory of its hex text, kept for every output.
    digest: bytes
    spool: _Spool = field(repr=False, compare=False)
    offset: int = 0
    length: int = 0

    @property
    def sha256(self) -> str:
        return self.digest.hex()

    def encode(self) -> str:
        return self.spool.read(self.offset, self.length)


@dataclass(frozen=True, slots=True)
class _SpooledProduct:
    """A product built in this build, its manifest line in the :class:`_Spool`."""

    valid_from: dt.date | None
    valid_until: dt.date | None
    spool: _Spool = field(repr=False, compare=False)
    offset: int = 0
    length: int = 0

    def encode(self) -> str:
        return self.spool.read(self.offset, self.length)


def _dumps(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False, sort_keys=True)``, with one encoder made
    once (``dumps`` with options makes a new one for every call)."""
    return _ENCODER.encode(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
#: A string as that encoder writes it, quotes included.
_quote: Callable[[str], str] = json.encoder.encode_basestring


# ------------------------------------------------------------------------ the plan


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
        return f"{self.market}/{self.locale}/{self.product}.{_extension(self.fmt)}"


@cache
def _extension(fmt: str) -> str:
    from smpc_manager.render.inputs import EXTENSIONS

    return EXTENSIONS[fmt]


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
    #: The settings' hash the plan was made under (:func:`config_hash`), so a worker need
    #: not read them for every product; empty: hash them. Not part of what the task is.
    config: str = field(default="", compare=False)


@_sent_whole
@dataclass(frozen=True, slots=True)
class Written:
    """An output a worker wrote: its key, what narrows a build's scope, and its manifest
    line (its :class:`OutputRecord`, encoded where it was made: the main process needs
    nothing else of it, and joins thousands of lines into the manifest at the end)."""

    key: str
    product: str
    market: str
    fmt: str
    line: str
    #: The sha256 of the file written (also in its line), for the build's state.
    sha256: str

    def encode(self) -> str:
        return self.line


@_sent_whole
@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a worker sends back for one product: hashes and problems, never the texts."""

    product: str
    written: tuple[Written, ...] = ()
    #: Outputs that were wanted and failed (their old files must go).
    failed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: The product's record when it loaded, else None.
    record: ProductRecord | None = None
    #: How many outputs this result accounts for, for the progress bar.
    count: int = 0


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What the command line chose: the output folder, the day, and any narrowing."""

    out_dir: Path
    as_of: dt.date
    formats: tuple[str, ...] = ("text",)
    #: Only these markets (upper case); empty: every market each product serves.
    markets: tuple[str, ...] = ()
    jobs: int = 1


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The outcome: counts of outputs, every problem, and the seconds it took."""

    built: int
    unchanged: int
    failed: int
    removed: int
    problems: tuple[Problem, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.problems

    def summary(self) -> str:
        from smpc_manager.build.state import summary

        return summary(self.built, self.unchanged, self.failed, self.removed, self.seconds)


@dataclass(slots=True)
class Plan:
    """What a build will do, known before any work: tasks, and what is already up to date."""

    portfolio: Portfolio
    options: BuildOptions
    manifest: Manifest
    config: str
    tasks: list[Task] = field(default_factory=list)
    #: Outputs whose inputs and file match the manifest: kept as they are.
    unchanged: dict[str, OutputRecord] = field(default_factory=dict)
    #: Product records carried over for products that need no parse.
    products: dict[str, ProductRecord] = field(default_factory=dict)
    #: When planning began (time.perf_counter): the build's seconds count from here.
    started: float = field(default_factory=time.perf_counter)
    #: Every file and folder the build may read, as they were before it read any
    #: (:func:`smpc_manager.state.snapshot_encoded`); None when one was too recent to be
    #: trusted.
    seen: bytes | None = None

    @property
    def total(self) -> int:
        """Outputs the progress bar counts: the unchanged ones, and those to render."""
        return len(self.unchanged) + sum(t.expected for t in self.tasks)


def config_hash(portfolio: Portfolio) -> str:
    """What every product's plan depends on besides its XML: the settings and the tool."""
    config = portfolio.root / CONFIG_FILE
    digest = hashlib.sha256(TOOL.encode())
    with contextlib.suppress(FileNotFoundError):
        digest.update(b"\0" + config.read_bytes())
    return digest.hexdigest()


def plan_build(portfolio: Portfolio, product_files: Sequence[Path], options: BuildOptions
               ) -> Plan:
    """Decide what to build: hash inputs, compare with the manifest, list the tasks.

    Reads files and hashes bytes only; no product is parsed here.
    """
    check_markets(portfolio, options)
    started = time.perf_counter()
    # A folder that cannot be made is said before any work, not after every output failed.
    make_folder(options.out_dir)
    # The state of the last build goes first (this build may change what it vouches for),
    # and what the build reads is looked at before any of it is read.
    forget(options.out_dir)
    seen = snapshot_encoded(input_roots(portfolio.root, portfolio.profiles),
                            skip=skipped(options.out_dir, portfolio.root))
    manifest = Manifest.read(options.out_dir / MANIFEST_FILE)
    plan = Plan(portfolio, options, manifest, config_hash(portfolio), started=started,
                seen=seen)
    hashes = FileHashes()
    inputs = InputHasher(portfolio, hashes)
    out_dir = os.fspath(options.out_dir)
    for source in product_files:
        product_id = source.stem
        record = manifest.products.get(product_id)
        if (
            record is None  # a new product: its file is hashed where it is built
            or record.sha256 != hashes(source)
            or record.config != plan.config
            or not record.valid_on(options.as_of)
        ):
            guess = len(_selected(options.markets, _markets_guess(portfolio)))
            plan.tasks.append(Task(str(source), product_id, None,
                                   max(1, guess * len(options.formats)), plan.config))
            continue
        plan.products[product_id] = record
        wanted: list[tuple[str, str]] = []
        for market in _selected(options.markets, record.markets):
            for fmt in options.formats:
                output = Output(product_id, market, inputs.locale(market), fmt)
                old = manifest.outputs.get(output.key)
                current = inputs.of(source, record.lang, output)
                if (
                    old is not None
                    and old.inputs == current
                    and hashes(os.path.join(out_dir, output.key)) == old.sha256
                ):
                    plan.unchanged[output.key] = old
                else:
                    wanted.append((market, fmt))
        if wanted:
            plan.tasks.append(Task(str(source), product_id, tuple(wanted), len(wanted),
                                   plan.config))
    return plan


def check_markets(portfolio: Portfolio, options: BuildOptions) -> None:
    """A usage error for a ``--market`` that no shipped or portfolio profile defines."""
    from smpc_manager.markets.profiles import shipped_markets

    known = set(shipped_markets()) | {m.upper() for m in portfolio.profiles}
    unknown = [m for m in options.markets if m not in known]
    if unknown:
        raise UsageError(f"--market {unknown[0]}: no profile for this market (known:"
                         f" {', '.join(sorted(known))})")


def _selected(chosen: Sequence[str], markets: Iterable[str]) -> list[str]:
    return [m for m in markets if not chosen or m in chosen]


def _markets_guess(portfolio: Portfolio) -> tuple[str, ...]:
    """The markets a product not yet loaded probably serves: for the progress bar only."""
    from smpc_manager.markets.profiles import shipped_markets

    return portfolio.markets or shipped_markets()


class InputHasher:
    """The hashes of an output's inputs, from file bytes alone, as the renderer reports them.

    :class:`~smpc_manager.render.Renderer` records in each rendering the sha256 of every
    input it used, keyed by path (relative to the portfolio, or ``smpc_manager/...`` for what
    ships with the tool). This computes the same dictionary by the same lookup rules without
    parsing or rendering anything, so an up-to-date output is recognised by hashing a few
    files. Should the two ever disagree, the output is merely rendered again (the manifest
    keeps what the renderer reported); tests hold them equal.
    """

    def __init__(self, portfolio: Portfolio, hashes: FileHashes) -> None:
        self.portfolio = portfolio
        self.hashes = hashes
        self._profiles: dict[str, MarketProfile] = {}
        self._locales: dict[str, str] = {}
        self._words: dict[str, dict[str, str | None]] = {}
        self._shared: dict[tuple[str, str, str], dict[str, str | None]] = {}
        self._last_product: tuple[Path | None, dict[str, str | None]] = (None, {})
        self._catalogs: dict[str, dict[str, str | None]] = {}
        self._listings: dict[str, _Listing] = {}
        self._folders: dict[Path, _Listing] = {}

    def profile(self, market: str) -> MarketProfile:
        if market not in self._profiles:
            from smpc_manager.markets.profiles import load_profile

            self._profiles[market] = load_profile(market, self.portfolio)
        return self._profiles[market]

    def locale(self, market: str) -> str:
        """The locale the market's block is printed in, as its folder is named (``de_AT``)."""
        if market not in self._locales:
            from smpc_manager.locales import normalize_locale

            self._locales[market] = normalize_locale(self.profile(market).locale)
        return self._locales[market]

    def of(self, source: Path, lang: str, output: Output) -> dict[str, str | None]:
        """The inputs of ``output`` of the product in ``source`` (written in ``lang``)."""
        from smpc_manager.locales import same_language

        inputs = dict(self._fixed(output.market, output.locale, output.fmt))
        inputs.update(self._product(source))
        if not same_language(output.locale, lang or self.portfolio.source_locale):
            inputs.update(self._catalog(output.product, output.locale))
        return inputs  # compared with a record's inputs: the order does not matter

    def _fixed(self, market: str, locale: str, fmt: str) -> dict[str, str | None]:
        """What every product's output for a market and format shares: profile, the tool's
        catalogs, template, tool version."""
        key = (market, locale, fmt)
        if key not in self._shared:
            from smpc_manager.render.inputs import (
                TEMPLATES,
                TOOL_HASH,
                TOOL_INPUT,
                profile_name,
                relative_name,
                template_hash,
                template_name,
            )
            from smpc_manager.portfolio import TEMPLATES_DIR

            profile = self.profile(market)
            fixed: dict[str, str | None] = {
                profile_name(profile, self.portfolio.root): profile.sha256,
                TOOL_INPUT: TOOL_HASH,
            }
            fixed.update(self._smpc_catalogs(locale))
            if fmt in TEMPLATES:
                # The portfolio's own template of the format where it has one, as the
                # renderer lays out with it.
                own = self.portfolio.root / TEMPLATES_DIR / TEMPLATES[fmt]
                if own.is_file():
                    fixed[relative_name(str(own), self.portfolio.root)] = self.hashes(own)
                else:
                    fixed[template_name(TEMPLATES[fmt])] = template_hash(TEMPLATES[fmt])
            self._shared[key] = fixed
        return self._shared[key]

    def _product(self, source: Path) -> dict[str, str | None]:
        """The product file's own entry; a plan asks for one product's outputs in a row."""
        if self._last_product[0] != source:
            from smpc_manager.render.inputs import relative_name

            key = self._listed_key(source)
            if key is None:
                key = relative_name(str(source), self.portfolio.root)
            entry = {key: self.hashes(source)}
            self._last_product = (source, entry)
            self._catalogs.clear()
        return self._last_product[1]

    def _listed_key(self, source: Path) -> str | None:
        """``inputs.relative_name`` of a product file, from one listing of its folder per plan
        (the products lie side by side); None when the listing cannot tell (a symlink, a
        name it lacks): ask ``relative_name``."""
        if source.name in ("", ".", ".."):
            return None
        folder = source.parent
        listing = self._folders.get(folder)
        if listing is None:
            listing = self._folders[folder] = _Listing.of(folder, self.portfolio.root)
        item = None if listing.entries is None else listing.entries.get(source.name)
        try:
            if item is None or item.is_symlink():
                return None
        except OSError:
            return None
        return listing.prefix + source.name

    def _catalog(self, product_id: str, locale: str) -> dict[str, str | None]:
        """The product's catalog for ``locale`` (``de_AT`` falls back to ``de``)."""
        if locale not in self._catalogs:
            from smpc_manager.locales import locale_chain

            # None: the renderer refuses; never equal to a recorded output
            entry: dict[str, str | None] = {"(no catalog)": None}
            for candidate in locale_chain(locale):
                found = self._catalog_file(candidate, product_id)
                if found is not None:
                    entry = {found[0]: self.hashes(found[1])}
                    break
            self._catalogs[locale] = entry
        return self._catalogs[locale]

    def _catalog_file(self, candidate: str, product_id: str) -> tuple[str, str] | None:
        """The manifest key and path of the product's catalog in the ``candidate`` locale's
        folder, if it is a file there: what ``catalogs.catalog_for`` and
        ``inputs.relative_name`` give for it, from one listing of each folder per plan.

        A plan asks for a thousand products' catalogs in the same one or two folders; asking
        the file system (and pathlib) for each one cost a third of an unchanged rebuild.
        Whatever the listing cannot answer for sure (a symlink, a name it lacks, a folder
        that cannot be listed) is asked the slow way, as before.
        """
        from smpc_manager.portfolio import catalog_name

        listing = self._listings.get(candidate)
        if listing is None:
            listing = self._listings[candidate] = _Listing.of(
                self.portfolio.catalog_path(candidate, product_id).parent, self.portfolio.root)
        name = catalog_name(product_id)
        path = os.path.join(listing.folder, name)
        if listing.entries is None:
            if listing.missing:
                return None
            return self._catalog_slowly(candidate, product_id)
        item = listing.entries.get(name)
        try:
            if item is None or item.is_symlink():
                return self._catalog_slowly(candidate, product_id)
            if not item.is_file():
                return None
        except OSError:
            return self._catalog_slowly(candidate, product_id)
        return listing.prefix + name, path

    def _catalog_slowly(self, candidate: str, product_id: str) -> tuple[str, str] | None:
        from smpc_manager.render.inputs import relative_name

        path = self.portfolio.catalog_path(candidate, product_id)
        if not path.is_file():
            return None
        return relative_name(str(path), self.portfolio.root), str(path)

    def _smpc_catalogs(self, locale: str) -> dict[str, str | None]:
        """The tool's own catalogs for ``locale``: the portfolio's first, then the shipped."""
        if locale not in self._words:
            from smpc_manager.render.inputs import DOMAIN, relative_name
            from smpc_manager.locales import locale_chain

            found: dict[str, str | None] = {}
            for folder, shown in ((self.portfolio.locales_dir, None),
                                  (resource_dir("locales"), "smpc_manager/locales")):
                for candidate in locale_chain(locale):
                    path = folder / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
                    if path.is_file():
                        key = f"{shown}/{candidate}/LC_MESSAGES/{DOMAIN}.po" if shown \
                            else relative_name(str(path), self.portfolio.root)
                        found[key] = self.hashes(path)
                        break
            self._words[locale] = found
        return self._words[locale]


@dataclass(frozen=True, slots=True)
class _Listing:
    """A folder's entries, read once per plan, and how paths in it are named in a manifest.

    ``entries`` is None when the folder could not be listed: ``missing`` says whether that
    was because it does not exist (so nothing is in it), or for another reason (so each file
    is asked about on its own). ``prefix`` is what ``inputs.relative_name`` puts before the name
    of a file in it that is not a symlink.
    """

    folder: str
    prefix: str
    entries: dict[str, os.DirEntry[str]] | None
    missing: bool = False

    @classmethod
    def of(cls, folder: Path, root: Path) -> _Listing:
        from smpc_manager.render.inputs import resolved

        try:
            with os.scandir(folder) as found:
                entries: dict[str, os.DirEntry[str]] | None = {e.name: e for e in found}
            missing = False
        except (FileNotFoundError, NotADirectoryError):
            entries, missing = None, True
        except OSError:
            entries, missing = None, False
        # As relative_name(folder / name) for a name that is not a symlink: its folder
        # resolved, relative to the resolved root, else the path as it is.
        try:
            relative = resolved(folder).relative_to(resolved(root)).as_posix()
            prefix = "" if relative == "." else relative + "/"
        except ValueError:
            prefix = folder.as_posix() + "/"
        return cls(str(folder), prefix, entries, missing)


# ------------------------------------------------------------------------ the workers

#: The worker's renderer, made once per process by :func:`_init_worker`.
_RENDERER: Renderer | None = None
_WORKER: tuple[Portfolio, BuildOptions] | None = None


def _init_worker(portfolio: Portfolio, options: BuildOptions) -> None:
    """Where workers cannot be forked, the initializer of each spawned one: it makes its
    own renderer (schema, profiles, templates and catalogs, once per worker). A forked
    worker inherits the parent's ready-made."""
    global _RENDERER, _WORKER  # noqa: PLW0603 - one renderer per worker process, by design
    _WORKER = (portfolio, options)
    if _RENDERER is None:
        from smpc_manager.render.renderer import Renderer

        _RENDERER = Renderer(portfolio)


def _run_task(task: Task) -> TaskResult:
    """Build one product in a worker (or in the parent with ``--jobs 1``)."""
    assert _RENDERER is not None
    assert _WORKER is not None
    portfolio, options = _WORKER
    return build_product(_RENDERER, portfolio, options, task)


def build_product(renderer: Renderer, portfolio: Portfolio, options: BuildOptions, task: Task
                  ) -> TaskResult:
    """Load one product, check it as of the day, render and write the wanted outputs."""
    from smpc_manager.rules.dates import expiry_errors
    from smpc_manager.products.loader import load_product
    from smpc_manager.markets.profiles import markets_for

    source = Path(task.source)
    try:
        product = load_product(source)  # a file that cannot be read is a problem too
    except ProblemsError as err:
        return TaskResult(task.product, problems=err.problems, count=task.expected)

    served = tuple(markets_for(product, portfolio))
    if task.wanted is None:
        wanted = [(m, f) for m in _selected(options.markets, served) for f in options.formats]
    else:
        wanted = [(m, f) for m, f in task.wanted if m in served]
    written: list[Written] = []
    failed: list[str] = []
    problems: list[Problem] = []
    refused: dict[str, list[Problem]] = {}
    # Markets covered by the same authorisations get the same verdict (valid_window relies
    # on it too): each cover is checked once, and only a refusal is worded per market.
    covers: dict[tuple[int, ...], list[str]] = {}
    for market in served:
        covers.setdefault(product.cover(market), []).append(market)
    for markets in covers.values():
        if not expiry_errors(product, portfolio, options.as_of, markets[0]):
            continue
        for market in markets:
            refused[market] = expiry_errors(product, portfolio, options.as_of, market)
    # Every market the product serves, not only those wanted now: the window recorded must
    # hold for the outputs kept from earlier builds too.
    window = valid_window(product, options.as_of, [m for m in served if m not in refused])
    for market in dict.fromkeys(m for m, _ in wanted):
        problems.extend(p for p in refused.get(market, ()) if p not in problems)
    tmp_dir = _temporary_folder(options.out_dir)
    out_dir = os.fspath(options.out_dir)  # the outputs' paths are joined as text
    for market, fmt in wanted:
        if market in refused:
            failed.append(Output(task.product, market, market_locale(market, portfolio), fmt)
                          .key)
            continue
        try:
            rendering = renderer.render(product, market, fmt=fmt, as_of=options.as_of)
        except ProblemsError as err:
            failed.append(Output(task.product, market, market_locale(market, portfolio), fmt)
                          .key)
            problems.extend(p for p in err.problems if p not in problems)
            continue
        output = Output(task.product, rendering.market, rendering.locale, fmt)
        content = rendering.content.encode("utf-8")
        try:
            # Made durable all at once before the manifest is written (see run_plan).
            write_bytes(os.path.join(out_dir, output.key), content, fsync=False,
                        tmp_dir=tmp_dir)
        except ProblemsError as err:  # a full disk, a folder we may not write
            failed.append(output.key)
            problems.extend(err.problems)
            continue
        digest = sha256_bytes(content)
        line = OutputRecord(task.product, market, rendering.locale, fmt, rendering.inputs,
                            digest, len(content)).encode()
        written.append(Written(output.key, task.product, market, fmt, line, digest))
    record = ProductRecord(
        source=_portable(source, portfolio),
        sha256=product.sha256,
        config=task.config or config_hash(portfolio),
        lang=product.lang,
        markets=served,
        valid_from=window[0],
        valid_until=window[1],
    )
    return TaskResult(task.product, tuple(written), tuple(failed), tuple(problems), record,
                      count=task.expected)


#: Under the output folder, the folders in which each process makes its temporary files
#: (``.smpc-tmp/<pid>``): worker processes creating files side by side in the same market
#: folders wait for each other in the file system, and renaming into place from a folder
#: of one's own does not. Removed at the end of every build; one a killed build left is
#: removed by the next.
TMP_DIR = ".smpc-tmp"


def _temporary_folder(out_dir: Path) -> str | None:
    """This process's folder for temporary files; None (write beside each target, as any
    other file is written) when something that is not a plain folder has the name.

    Looked at once per process and output folder (the build removes it only at its end)."""
    key = (os.getpid(), str(out_dir))
    if key not in _TEMPORARY:
        base = os.path.join(out_dir, TMP_DIR)
        own = os.path.join(base, str(os.getpid()))
        try:
            info = os.lstat(base)
        except FileNotFoundError:
            _TEMPORARY[key] = own
        except OSError:
            _TEMPORARY[key] = None
        else:
            _TEMPORARY[key] = own if stat.S_ISDIR(info.st_mode) else None
    return _TEMPORARY[key]


_TEMPORARY: dict[tuple[int, str], str | None] = {}


def market_locale(market: str, portfolio: Portfolio) -> str:
    """The locale a market's block is printed in (its profile's), which names its folder."""
    from smpc_manager.locales import normalize_locale
    from smpc_manager.markets.profiles import load_profile

    return normalize_locale(load_profile(market, portfolio).locale)


def _portable(source: Path, portfolio: Portfolio) -> str:
    """The product file relative to the portfolio, with forward slashes: as the renderer
    names it among an output's inputs (``inputs.relative_name``, which resolves the folder
    once per process, and a symlinked file whole)."""
    from smpc_manager.render.inputs import relative_name

    return relative_name(str(source), portfolio.root)


def valid_window(product: Product, as_of: dt.date, markets: Sequence[str]
                 ) -> tuple[dt.date | None, dt.date | None]:
    """The days around ``as_of`` on which ``product`` passes the expiry check in all ``markets``
    and its texts there read as on ``as_of``.

    ``None`` is an open end. In this stretch a later build knows the verdict without
    loading the product: the days each market passes (:func:`checks.passing_days`, the
    same for markets covered by the same authorisations), narrowed to those on which the
    text reads the same: it changes where the ▼ statement comes or goes
    (:func:`_text_changes`), so a build on such a day renders again.
    """
    from smpc_manager.rules.dates import passing_days

    one = dt.timedelta(days=1)
    by_cover = {product.cover(m): m for m in reversed(markets)}
    window: tuple[dt.date | None, dt.date | None] = (None, None)
    for market in by_cover.values():
        days = passing_days(product, market)
        # Never None here (the markets pass as of the day); if it were, only the day.
        window = _narrow(window, days if days is not None else (as_of, as_of))
    changes = sorted(_text_changes(product, markets))
    since = max((d for d in changes if d <= as_of), default=None)
    later = min((d for d in changes if d > as_of), default=None)
    return _narrow(window, (since, None if later is None else later - one))


def _text_changes(product: Product, markets: Sequence[str]) -> Iterator[dt.date]:
    """The days on which a text of ``product`` in one of ``markets`` changes: the first day
    of an additional-monitoring entry (the ▼ statement appears) and the day after its last
    (it goes)."""
    for entry in product.additional_monitoring:
        if not any(entry.covers(m) for m in markets):
            continue
        if entry.start is not None:
            yield entry.start.value
        if entry.until is not None:
            yield entry.until.value + dt.timedelta(days=1)


def _narrow(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]
            ) -> tuple[dt.date | None, dt.date | None]:
    lows = [d for d in (a[0], b[0]) if d is not None]
    highs = [d for d in (a[1], b[1]) if d is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)


# ------------------------------------------------------------------------ running a plan


def run_plan(plan: Plan, progress: Progress | None = None,
             workers: ForkPool[Task, TaskResult] | None = None) -> BuildResult:
    """Carry out a plan; write the manifest at the end whatever happened.

    Every product's problems are collected, the others are still built; the manifest written
    afterwards lists exactly the outputs on disk, also after an interruption. ``workers``
    are those :func:`start_workers` forked for the plan's portfolio and options; without
    them, workers are forked now.
    """
    options = plan.options
    tick = progress or (lambda _n: None)
    outputs: dict[str, OutputRecord | _Spooled] = dict(plan.manifest.outputs)
    spool = _Spool(options.out_dir)
    products: dict[str, ProductRecord | _SpooledProduct] = {}
    built = failed = 0
    problems: list[Problem] = []
    planned_ids = {t.product for t in plan.tasks} | set(plan.products)
    done: set[str] = set()
    # The outputs of earlier builds by product, so that a result looks at its own product's
    # and not at all of them. Those written now are not indexed: a result's own outputs are
    # of markets it serves, and the main process keeps nothing more per output than it must.
    of_product = _by_product(plan.manifest.outputs)

    def drop(key: str) -> None:
        _remove(options.out_dir, key)
        outputs.pop(key, None)

    _remove_temporary(options.out_dir, again=True)  # left by a build that was killed
    try:
        tick(len(plan.unchanged))
        products.update(plan.products)
        for result in _results(plan, workers):
            done.add(result.product)
            written_now: set[str] = set()
            for written in result.written:
                key = sys.intern(written.key)
                outputs[key] = spool.keep(written)
                written_now.add(key)
            for key in result.failed:
                drop(key)
            # A product that failed to load keeps nothing in scope; one that loaded keeps
            # the markets and formats it still serves.
            served = set() if result.record is None else {
                (m, f) for m in result.record.markets for f in options.formats}
            if result.record is not None:
                products[result.product] = spool.keep_product(result.record)
            for key in sorted(of_product.pop(result.product, set()) - written_now):
                old = outputs.get(key)
                if old is not None and _in_scope(old, options) and \
                        (old.market, old.fmt) not in served:
                    drop(key)
            built += len(result.written)
            failed += len(result.failed) + (1 if result.record is None else 0)
            problems.extend(result.problems)
            tick(result.count)
    finally:
        _remove_temporary(options.out_dir)  # the workers are done (or were stopped)
        removed = 0
        for product_id in set(of_product) - planned_ids:
            for key in sorted(of_product[product_id]):
                drop(key)
                removed += 1
        for product_id, record in plan.manifest.products.items():
            if product_id in planned_ids and product_id not in done:
                products.setdefault(product_id, record)  # interrupted before its result
        try:
            _write_manifest(plan, outputs, products)
        finally:
            spool.close()
    _write_state(plan, outputs, products, clean=not failed and not problems)
    return BuildResult(
        built=built,
        unchanged=len(plan.unchanged),
        failed=failed,
        removed=removed,
        problems=tuple(problems),
        seconds=time.perf_counter() - plan.started,
    )


def _by_product(outputs: Mapping[str, _Line]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for key, record in outputs.items():
        found.setdefault(record.product, set()).add(key)
    return found


def _write_state(plan: Plan, outputs: Mapping[str, _Line],
                 products: Mapping[str, _ProductLine], *, clean: bool) -> None:
    """Leave the state of a clean build for the next one (:mod:`smpc_manager.build.state`): not
    after a failure (those outputs are to be built again), nor when a file read was too
    recent to be trusted."""
    from smpc_manager.build.state import identity, settings_key, write_state

    options = plan.options
    manifest = identity(str(options.out_dir / MANIFEST_FILE))
    if not clean or manifest is None or plan.seen is None:
        return
    starts = [r.valid_from for r in products.values() if r.valid_from is not None]
    ends = [r.valid_until for r in products.values() if r.valid_until is not None]
    write_state(options.out_dir,
                key=settings_key(plan.portfolio.root, options.formats, options.markets),
                files=plan.seen, outputs=((k, outputs[k].sha256) for k in sorted(outputs)),
                valid=(max(starts, default=None), min(ends, default=None)),
                manifest=manifest)


def _write_manifest(plan: Plan, outputs: Mapping[str, _Line],
                    products: Mapping[str, _ProductLine]) -> None:
    """Make the outputs written durable and write the manifest that vouches for them, put
    in place only once they are (see :func:`_after_sync`)."""
    path = plan.options.out_dir / MANIFEST_FILE
    if plan.tasks:
        write_bytes(path, _after_sync(manifest_chunks(outputs, products)))
    # Nothing done, nothing removed: the manifest on disk says it all already.
    elif outputs != plan.manifest.outputs or products != plan.manifest.products or \
            not path.is_file():
        write_bytes(path, manifest_chunks(outputs, products))


def _after_sync(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, made while the outputs are flushed to disk (:func:`_sync`, in a thread:
    the processor would otherwise wait for the disk), ending only once they are durable.

    :func:`~smpc_manager.atomic.write_bytes` writes the manifest to a temporary file and
    renames it into place after its last piece, so the manifest vouches for no output
    before the outputs are on disk.
    """
    import threading

    flushing = threading.Thread(target=_sync, name="smpc-sync")
    flushing.start()
    try:
        yield from chunks
    finally:
        flushing.join()


def _remove_temporary(out_dir: Path, *, again: bool = False) -> None:
    """Remove the temporary folders; ``again``: each process looks at its own anew."""
    if again:
        _TEMPORARY.clear()
    folder = out_dir / TMP_DIR
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)


def _sync() -> None:
    """Make every output written so far durable, before the manifest vouches for them.

    One flush for the whole build instead of one fsync per file (3,000 of those cost more
    than all the rendering). A crash before it loses no consistency either: each output was
    renamed into place whole, and the next build compares every file with its hash.
    """
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def _in_scope(record: _Line, options: BuildOptions) -> bool:
    return (not options.markets or record.market in options.markets) and (
        record.fmt in options.formats
    )


def _remove(out_dir: Path, key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (out_dir / key).unlink()


def start_workers(portfolio: Portfolio, options: BuildOptions
                  ) -> ForkPool[Task, TaskResult] | None:
    """Fork the workers of a build now, before the products are listed and planned.

    They inherit the renderer and nothing of the plan: each starts from the same memory
    whatever the number of products, and is sent its tasks as it needs them. ``None`` where
    the build runs in this process (``--jobs 1``) or workers cannot be forked here. Close
    the pool (``with``) if the plan is not run.
    """
    from smpc_manager.build import forkpool

    if options.jobs <= 1 or not forkpool.available():
        return None
    _prepare(portfolio, options)
    pool = forkpool.ForkPool(_run_task, jobs=options.jobs, lost=_lost)
    pool.start()
    return pool


def _prepare(portfolio: Portfolio, options: BuildOptions) -> None:
    """A new renderer for this build (what it caches may have changed since the last)."""
    global _RENDERER, _WORKER  # noqa: PLW0603 - the parent acts as a worker too
    from smpc_manager.render.renderer import Renderer

    _RENDERER = Renderer(portfolio)
    _WORKER = (portfolio, options)


def _results(plan: Plan, workers: ForkPool[Task, TaskResult] | None = None
             ) -> Iterator[TaskResult]:
    """Each task's result as it completes: in this process, or from workers forked from it
    (:mod:`smpc_manager.build.forkpool`; spawned by ``multiprocessing`` where there is no fork)."""
    if workers is not None and (_WORKER is None or _WORKER[0] is not plan.portfolio
                                or _WORKER[1] != plan.options):
        raise ValueError("these workers were started for another portfolio or options")
    if not plan.tasks:
        return
    jobs = max(1, min(plan.options.jobs, len(plan.tasks)))
    chunksize = max(1, min(16, len(plan.tasks) // (jobs * 8)))
    if workers is not None:
        yield from workers.map(plan.tasks, chunksize=chunksize)
        return
    # Made here, before any worker is forked: forked workers inherit it.
    _prepare(plan.portfolio, plan.options)
    if jobs == 1:
        for task in plan.tasks:
            yield _run_task(task)
        return
    from smpc_manager.build import forkpool

    if forkpool.available():
        with forkpool.ForkPool(_run_task, jobs=jobs, lost=_lost) as pool:
            yield from pool.map(plan.tasks, chunksize=chunksize)
        return
    import multiprocessing  # pragma: no cover - where processes cannot be forked

    with multiprocessing.get_context("spawn").Pool(  # pragma: no cover
            jobs, initializer=_init_worker, initargs=(plan.portfolio, plan.options)) as pool:
        yield from pool.imap_unordered(_run_task, plan.tasks, chunksize=chunksize)


def _lost(task: Task, why: str) -> TaskResult:
    """The result of a product whose worker died while building it, twice."""
    return TaskResult(task.product, problems=(Problem(
        SourceLocation(task.source),
        f"the process building {task.product} ended unexpectedly ({why}); its outputs were"
        " not written",
        field=task.product),), count=task.expected)


def build(portfolio: Portfolio, product_files: Sequence[Path], options: BuildOptions,
          progress: Progress | None = None) -> BuildResult:
    """Plan and run a build in one call (see :func:`plan_build` and :func:`run_plan`)."""
    return run_plan(plan_build(portfolio, product_files, options), progress)


def default_jobs() -> int:
    return os.cpu_count() or 1


__all__ = [
    "MANIFEST_FILE",
    "BuildOptions",
    "BuildResult",
    "Manifest",
    "Plan",
    "build",
    "plan_build",
    "run_plan",
    "start_workers",
]
