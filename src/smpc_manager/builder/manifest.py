"""``manifest.json``: what the last build wrote, what each output was made from, and the stamp
of every file it hashed.

The manifest is a cache of what was built, never an authority. It is checked before any of
it is used (:func:`Manifest.read`): an entry whose key is not the path of an output
(``<market>/<locale>/<id>.<ext>``, :mod:`~smpc_manager.builder.outputs`) is ignored with a
note, never read or removed by; a manifest that is not a regular file, cannot be parsed,
has a record of the wrong shape, one that disagrees with its key, or is of another version
means a full build, with a note. Outputs are hashed to be trusted (or trusted by a stamp the
file itself must still have), so a manifest that lists too little only costs work.

It is also true of the disk at every moment, so that a build killed at any point leaves
nothing it vouches for wrongly: before a build replaces or removes an output, the manifest
is rewritten with that output moved from ``outputs`` to ``pending`` (outputs a build may be
changing: not vouched for, but known as the build's own, so that a later build removes them
if they are no longer made). The ``pending`` table is written only when it has entries.

Per output (keyed by its path under the output folder, ``AT/de_AT/besponsa.txt``) it keeps
the sha256 of each input, by the input's stable name (see
:class:`smpc_manager.render.Input`), and of the bytes written. Per product it keeps what a
build learnt from its XML, so that an unchanged product is not parsed again. Per input file
it keeps the sha256 and, beside it, the file's *stamp* (size, modification and change time,
inode), the way SCons decides by MD5 and timestamp: the next build hashes again only the
files whose stamp changed. A stamp is recorded only for a file that had not changed for
:data:`RACY_SECONDS` when it was hashed: a change within the resolution of the file system's
clock could leave its stamp as it was ("racily clean", as git calls it). Each output keeps
the stamp of the file written too, trusted only while it is older than the manifest itself,
as git trusts its index: an output edited after the manifest was written has a newer time.

The file is JSON with sorted keys and no timestamps of its own, one record per line, so an
unchanged build rewrites the same bytes and a rebuild's diff shows one line per output
changed::

    {
      "files": {
        "locales/de/LC_MESSAGES/besponsa.po": {"ctime-ns": ..., "inode": ..., "mtime-ns": ...,
                                               "sha256": "...", "size": 8120},
        ...
      },
      "manifest-version": 2,
      "outputs": {
        "AT/de_AT/besponsa.txt": {"format": "text", "inputs": {"products/besponsa.xml": "...",
          ...}, "locale": "de_AT", "market": "AT", "product": "besponsa", "sha256": "...",
          "size": 2874, "stamp": {"ctime-ns": ..., "inode": ..., "mtime-ns": ...}},
        ...
      },
      "products": {
        "besponsa": {"config": "...", "lang": "en", "markets": ["AT", "DE", "IE"],
                     "sha256": "...", "source": "products/besponsa.xml",
                     "valid-from": "2022-02-01", "valid-until": "2027-12-31"}
      },
      "tool": "smpc-manager 0.1.0"
    }
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smpc_manager.builder.outputs import (
    KEY,
    LOCALE,
    MARKET,
    PRODUCT_ID,
    file_sha256,
    is_output_key,
)
from smpc_manager.errors import Problem, Severity, SourceLocation
from smpc_manager.render import EXTENSIONS
from smpc_manager.version import __version__

MANIFEST_FILE = "manifest.json"
#: Raised when the manifest's structure changes; another version means a full build.
MANIFEST_VERSION = 2
#: What the tool contributes to every product's plan: a new version builds everything anew.
TOOL = f"smpc-manager {__version__}"
#: A file modified this recently when it was hashed gets no stamp: a change in the same tick
#: of the file system's clock would leave its stamp as it was (two seconds: the coarsest
#: common time stamps, FAT's).
RACY_SECONDS = 2


@dataclass(frozen=True, slots=True)
class Stamp:
    """What identifies a version of a file without reading it."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, info: os.stat_result) -> Stamp:
        return cls(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)

    def as_dict(self) -> dict[str, int]:
        return {"mtime-ns": self.mtime_ns, "ctime-ns": self.ctime_ns, "inode": self.inode}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], size: int) -> Stamp:
        return cls(size, int(data["mtime-ns"]), int(data["ctime-ns"]), int(data["inode"]))

    def older_than(self, moment_ns: int) -> bool:
        """Whether the file was last changed, content or name, before ``moment_ns``."""
        return self.mtime_ns < moment_ns and self.ctime_ns < moment_ns


@dataclass(frozen=True, slots=True)
class FileRecord:
    """An input file as the last build hashed it."""

    sha256: str
    stamp: Stamp

    def as_dict(self) -> dict[str, object]:
        return {"sha256": self.sha256, "size": self.stamp.size, **self.stamp.as_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileRecord:
        return cls(str(data["sha256"]), Stamp.from_dict(data, int(data["size"])))


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One output file: what it was made from, and what was written."""

    product: str
    market: str
    locale: str
    fmt: str
    inputs: Mapping[str, str]
    sha256: str
    size: int
    #: The file's stamp when it was written (None: hash it to know it).
    stamp: Stamp | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "product": self.product,
            "market": self.market,
            "locale": self.locale,
            "format": self.fmt,
            "inputs": dict(self.inputs),
            "sha256": self.sha256,
            "size": self.size,
        }
        if self.stamp is not None:
            data["stamp"] = self.stamp.as_dict()
        return data

    def shared(self) -> OutputRecord:
        """The record with its names and hashes interned: thousands of outputs name the same
        few inputs, markets and hashes, and a build keeps every output's record."""
        intern = sys.intern
        return OutputRecord(intern(self.product), intern(self.market), intern(self.locale),
                            intern(self.fmt),
                            {intern(k): intern(v) for k, v in self.inputs.items()},
                            self.sha256, self.size, self.stamp)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutputRecord:
        inputs = data["inputs"]
        if not isinstance(inputs, dict):
            raise TypeError("inputs")
        intern = sys.intern  # as shared() does; it also refuses anything but text
        size = int(data["size"])
        return cls(
            product=intern(data["product"]),
            market=intern(data["market"]),
            locale=intern(data["locale"]),
            fmt=intern(data["format"]),
            inputs={intern(k): intern(v) for k, v in inputs.items()},
            sha256=str(data["sha256"]),
            size=size,
            stamp=Stamp.from_dict(data["stamp"], size) if "stamp" in data else None,
        )


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """What a build learnt from a product's XML, kept so an unchanged one is not parsed again.

    ``sha256`` is of the product file, ``config`` of the settings it was planned under;
    while both hold, ``markets`` are the markets it serves, ``lang`` its source language,
    the days from ``valid_from`` to ``valid_until`` (``None``: unbounded) those on which it
    passes the expiry check and its texts read the same, and ``smpc_sources`` the SmPC files
    it names by language (``smpc-source``; written only where it names some), so that the
    plan finds the SmPC an output is held to without parsing the product.
    """

    source: str
    sha256: str
    config: str
    lang: str
    markets: tuple[str, ...]
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    smpc_sources: tuple[tuple[str, str], ...] = ()

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "source": self.source,
            "sha256": self.sha256,
            "config": self.config,
            "lang": self.lang,
            "markets": list(self.markets),
            "valid-from": self.valid_from.isoformat() if self.valid_from else None,
            "valid-until": self.valid_until.isoformat() if self.valid_until else None,
        }
        if self.smpc_sources:
            data["smpc-sources"] = [list(s) for s in self.smpc_sources]
        return data

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
            smpc_sources=tuple((_text(lang), _text(path))
                               for lang, path in data.get("smpc-sources", ())),
        )


@dataclass(frozen=True, slots=True)
class PendingOutput:
    """An output a build may have been replacing or removing when it stopped: its file is
    the build's own, but nothing is known of what it holds."""

    product: str

    def as_dict(self) -> dict[str, object]:
        return {"product": self.product}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingOutput:
        return cls(_text(data["product"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


@dataclass(slots=True)
class Manifest:
    """Every output by its path under the output folder, each product, each input file."""

    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    products: dict[str, ProductRecord] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    #: Outputs not vouched for, by their path: see the module's documentation.
    pending: dict[str, PendingOutput] = field(default_factory=dict)
    #: When the manifest read was written (its modification time, ns); 0 for a new one.
    written_ns: int = field(default=0, compare=False)
    #: What was wrong with the manifest read, and what was done about it: warnings.
    notes: tuple[Problem, ...] = field(default=(), compare=False)

    def to_bytes(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self) -> Iterator[bytes]:
        """The manifest's bytes a table at a time: keys sorted, one record per line."""
        yield b"{\n"
        yield from _table("files", self.files)
        yield f'  "manifest-version": {MANIFEST_VERSION},\n'.encode()
        yield from _table("outputs", self.outputs)
        if self.pending:
            yield from _table("pending", self.pending)
        yield from _table("products", self.products)
        yield f'  "tool": {_dumps(TOOL)}\n}}\n'.encode()

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at ``path`` as far as it may be believed (:func:`checked`); empty,
        with a note in :attr:`notes` saying why, when it cannot be; empty and without a note
        when there is none.

        A manifest in the layout :meth:`chunks` writes is read a record at a time, so that
        the whole text and its tree are never in memory beside the records made of them (a
        portfolio of 10,000 products in 4 markets has a manifest of some 50 MB); one laid
        out otherwise (edited by hand, reformatted) is read whole. It is opened without
        following a link or waiting on a pipe, and read only if it is a regular file.
        """
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except FileNotFoundError:
            return cls()
        except OSError as err:
            why = ("is a symbolic link" if err.errno == errno.ELOOP
                   else f"cannot be read ({err.strerror or err})")
            return cls(notes=(_note(path, f"{why}; every output is built anew"),))
        try:
            with open(fd, "rb") as handle:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    return cls(notes=(_note(path, "is not a regular file; every output is"
                                                  " built anew"),))
                tables = _read_lines(handle)
                if tables is None:
                    handle.seek(0)
                    tables = _records(json.loads(handle.read()))
            version = tables.get("manifest-version")
            if version != MANIFEST_VERSION:
                return cls(notes=(_note(path, f"has another layout (manifest-version"
                                              f" {_shown(version)}); every output is built"
                                              " anew"),))
            manifest = cls(tables["outputs"], tables["products"], tables["files"],
                           tables.get("pending", {}), written_ns=info.st_mtime_ns)
        except OSError as err:
            return cls(notes=(_note(path, f"cannot be read ({err.strerror or err}); every"
                                          " output is built anew"),))
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError,
                RecursionError) as err:
            what = (f"not JSON at line {err.lineno}" if isinstance(err, json.JSONDecodeError)
                    else "a record of the wrong shape")
            return cls(notes=(_note(path, f"is damaged ({what}); every output is built"
                                          " anew"),))
        return checked(manifest, path)


#: A manifest is opened read-only, without following a link or waiting for a pipe's writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | (
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


def _note(path: Path, text: str) -> Problem:
    return Problem(SourceLocation(str(path)), text, severity=Severity.WARNING)


def _shown(value: object, width: int = 60) -> str:
    """A value from the manifest for a message: as JSON, ASCII only (a control character or
    a NUL is escaped), cut to ``width`` characters."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= width else text[:width - 1] + "…"


#: Entries ignored are named one by one up to this many; the rest are counted.
MAX_NOTES = 10


def checked(manifest: Manifest, path: Path) -> Manifest:
    """``manifest`` with what cannot be believed taken out, and a note for each.

    An entry whose key is not the path of an output (``../x``, an absolute path, a NUL, a
    backslash, any file the build does not write) is left out: nothing is trusted, read or
    removed by it. A record that disagrees with its key or with its product's record, or
    names a market, a locale or a product id that is none, means the manifest was damaged:
    an empty one, and a full build.
    """
    ignored: list[str] = []
    damaged: str | None = None
    #: By an output's market, locale and format, the start and end of its key ("" when
    #: they are not names): each combination is checked once.
    places: dict[tuple[str, str, str], tuple[str, str]] = {}
    products = manifest.products
    for key, record in manifest.outputs.items():
        where = (record.market, record.locale, record.fmt)
        place = places.get(where)
        if place is None:
            place = places[where] = _place(*where)
        # The usual case in a few dict operations: the key is the path the record's names
        # make (its product's id is checked below with the product's record).
        product = products.get(record.product)
        if place[0] and key == place[0] + record.product + place[1] and (
                product is not None or PRODUCT_ID.fullmatch(record.product)):
            if product is None or record.market in product.markets:
                continue
            damaged = f"output {_shown(key)} is of a market its product does not serve"
        elif not is_output_key(key):
            ignored.append(key)
            continue
        else:
            damaged = f"output {_shown(key)} has the record of another output"
        break
    for key, pending in manifest.pending.items():
        match = KEY.fullmatch(key)
        if match is None:
            ignored.append(key)
        elif match["product"] != pending.product:
            damaged = f"pending output {_shown(key)} names another product"
    for product_id, product in manifest.products.items():
        if not PRODUCT_ID.fullmatch(product_id) or not all(
                isinstance(m, str) and MARKET.fullmatch(m) for m in product.markets):
            damaged = f"product {_shown(product_id)} has a record of the wrong shape"
    if damaged is not None:
        return Manifest(notes=(_note(path, f"is damaged ({damaged}); every output is built"
                                           " anew"),))
    if not ignored:
        return manifest
    notes = [_note(path, f"entry {_shown(key)} is not the path of an output (outside the"
                         " output folder, or not <market>/<locale>/<id>.<ext>); ignored:"
                         " nothing is read or removed by it")
             for key in ignored[:MAX_NOTES]]
    if len(ignored) > MAX_NOTES:
        notes.append(_note(path, f"{len(ignored) - MAX_NOTES} more entries are not the path of"
                                 " an output; ignored"))
    leave = set(ignored)
    return Manifest({k: r for k, r in manifest.outputs.items() if k not in leave},
                    manifest.products, manifest.files,
                    {k: r for k, r in manifest.pending.items() if k not in leave},
                    written_ns=manifest.written_ns, notes=tuple(notes))


def _place(market: str, locale: str, fmt: str) -> tuple[str, str]:
    """The start and the end of the key of an output of ``market``, ``locale`` and ``fmt``
    (``AT/de_AT/``, ``.txt``), or empty strings when one of them is not a name of its kind."""
    if (fmt in EXTENSIONS and MARKET.fullmatch(market) is not None
            and LOCALE.fullmatch(locale) is not None):
        return f"{market}/{locale}/", f".{EXTENSIONS[fmt]}"
    return "", ""


#: How each table's records are made from their JSON.
_MAKERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "files": FileRecord.from_dict,
    "outputs": OutputRecord.from_dict,
    "pending": PendingOutput.from_dict,
    "products": ProductRecord.from_dict,
}


def _records(data: Any) -> dict[str, Any]:
    """A manifest's JSON, read whole, with each table's records made (``pending`` may be
    left out)."""
    return {**data, **{name: {_text(key): make(value) for key, value in data[name].items()}
                       for name, make in _MAKERS.items() if name != "pending" or name in data}}


#: A line of a manifest laid out as :meth:`Manifest.chunks` writes it: a table's start (the
#: end of an empty one too), a record, a table's end, or one of the top keys.
_LINE = re.compile(
    rb'  "(?P<table>files|outputs|pending|products)": \{(?P<empty>\},)?\n'
    rb'|    (?P<record>"(?:[^"\\]|\\.)*"): (?P<value>\{.*\}),?\n'
    rb"|  (?P<end>\}),?\n"
    rb'|  "(?P<key>manifest-version|tool)": (?P<scalar>.*?),?\n')


def _read_lines(lines: Iterable[bytes]) -> dict[str, Any] | None:
    """The tables of a manifest read a few hundred records at a time, each batch made into
    records as it comes, or None when a line is not in the layout :meth:`Manifest.chunks`
    writes."""
    found: dict[str, Any] = {}
    table: dict[str, Any] | None = None
    make: Callable[[Mapping[str, Any]], Any] = dict
    batch: list[bytes] = []

    def flush() -> None:
        if batch and table is not None:
            for key, value in json.loads(b"{" + b",".join(batch) + b"}").items():
                table[str(key)] = make(value)
        batch.clear()

    for number, line in enumerate(lines):
        if number == 0:
            if line != b"{\n":
                return None
            continue
        if line == b"}\n":
            return found
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        if match["record"] is not None and table is not None:
            batch.append(line[4:match.end("value")])
            if len(batch) >= _BATCH:
                flush()
            continue
        flush()
        if match["table"] is not None:
            name = match["table"].decode()
            found[name] = {}
            table = None if match["empty"] is not None else found[name]
            make = _MAKERS[name]
        elif match["end"] is not None:
            table = None
        elif match["key"] is not None:
            found[match["key"].decode()] = json.loads(match["scalar"])
        else:
            return None
    return None


#: Records parsed in one go: enough that parsing costs little more than for the whole
#: file, few enough that their tree is small beside the records.
_BATCH = 512


#: A record of one of the manifest's tables.
_Record = FileRecord | OutputRecord | PendingOutput | ProductRecord


def _table(name: str, records: Mapping[str, _Record]) -> Iterator[bytes]:
    """A table of the manifest, a line at a time (the text of a large one is never whole in
    memory)."""
    if not records:
        yield f'  "{name}": {{}},\n'.encode()
        return
    yield f'  "{name}": {{\n'.encode()
    keys = sorted(records)
    for number, key in enumerate(keys, 1):
        end = ",\n" if number < len(keys) else "\n"
        yield f"    {_dumps(key)}: {_dumps(records[key].as_dict())}{end}".encode()
    yield b"  },\n"


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


#: ``json.dumps(value, ensure_ascii=False, sort_keys=True)``, with its encoder made once.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def settled_stamp(path: str | os.PathLike[str], since_ns: int) -> Stamp | None:
    """The stamp of the file at ``path`` if it may be trusted by a later build: if neither
    its content nor its name changed from :data:`RACY_SECONDS` before ``since_ns`` (the
    time the build began) until now. A file changed while the build read it, or just
    before, within the resolution of the file system's clock, is hashed again next time."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    limit = since_ns - RACY_SECONDS * 10**9
    if info.st_mtime_ns >= limit or info.st_ctime_ns >= limit:
        return None
    return Stamp.of(info)


class FileHashes:
    """The sha256 of files, each read at most once per build, trusted by stamp where the last
    build recorded one (``known``) and ``rehash`` is off; a missing file hashes to ``None``.

    :attr:`files` holds what the next manifest records: each file hashed or trusted, with
    its stamp, when that may be trusted next time (:func:`settled_stamp`).
    """

    def __init__(self, known: Mapping[str, FileRecord] | None = None, *,
                 rehash: bool = False, since_ns: int | None = None) -> None:
        self._known = {} if rehash or known is None else known
        self._since = time.time_ns() if since_ns is None else since_ns
        self._by_path: dict[str, str | None] = {}
        self.files: dict[str, FileRecord] = {}

    def __call__(self, name: str, path: str | os.PathLike[str]) -> str | None:
        """The sha256 of the file at ``path``, known among the inputs as ``name``."""
        text = os.fspath(path)
        if text in self._by_path:
            return self._by_path[text]
        stamp = settled_stamp(text, self._since)
        known = self._known.get(name)
        if stamp is not None and known is not None and known.stamp == stamp:
            self.files[name] = known
            self._by_path[text] = known.sha256
            return known.sha256
        digest = self._by_path[text] = file_sha256(text)
        if digest is not None and stamp is not None:
            self.files[name] = FileRecord(digest, stamp)
        return digest

