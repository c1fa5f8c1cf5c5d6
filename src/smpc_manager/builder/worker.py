"""Building one product: load it, check it as of the day, render and write its outputs.

A worker process keeps one :class:`~smpc_manager.render.Renderer` for the whole build
(schema, profiles, templates and the tool's catalogs are loaded once), receives product
*paths*, and sends back hashes and problems, never the texts: nothing of a product is kept
once its outputs are written, so memory stays flat however large the portfolio.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager import products, render, rules
from smpc_manager.builder.manifest import (
    FileRecord,
    OutputRecord,
    ProductRecord,
    Stamp,
    settled_stamp,
)
from smpc_manager.builder.outputs import OutputFolder, is_output_key, output_key
from smpc_manager.builder.plan import BuildOptions, Task, selected
from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import write_bytes
from smpc_manager.locales import normalize_locale
from smpc_manager.markets import markets_for
from smpc_manager.portfolio import Portfolio

if TYPE_CHECKING:
    from smpc_manager.model import Product

#: Under the output folder, the folder in which each process makes its temporary files
#: (``.smpc-tmp/<pid>``), so that processes writing side by side in the same market folders
#: do not contend for them. A build removes its own at its end, and those of processes that
#: no longer run (a killed build's) at its start and end (:func:`remove_temporary`).
TMP_DIR = ".smpc-tmp"


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a worker sends back for one product: hashes and problems, never the texts."""

    product: str
    written: tuple[tuple[str, OutputRecord], ...] = ()
    #: Outputs that were wanted and failed (their old files must go).
    failed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: The product's record when it loaded, else None.
    record: ProductRecord | None = None
    #: How many outputs this result accounts for, for the progress bar: those the product
    #: was rendered for (written or failed), or, where it could not be loaded, as many as
    #: its task stood for.
    count: int = 0
    #: The inputs read, with the stamps a later build may trust them by.
    files: Mapping[str, FileRecord] = field(default_factory=dict)


def build_product(renderer: render.Renderer, portfolio: Portfolio, options: BuildOptions,
                  task: Task, config: str, *, stamps: Stamps,
                  folder: OutputFolder | None = None) -> TaskResult:
    """Load one product, check it as of the day, render and write the wanted outputs
    (into ``folder``, the output folder as this process has looked at it)."""
    source = Path(task.source)
    folder = folder or OutputFolder(options.out_dir)
    try:
        product = products.load_product(source)
    except ProblemsError as err:
        return TaskResult(task.product, problems=err.problems, count=task.expected)

    served = tuple(markets_for(product, portfolio))
    if task.wanted is None:
        wanted = [(m, f) for m in selected(options.markets, served) for f in options.formats]
    else:
        wanted = [(m, f) for m, f in task.wanted if m in served]
    refused = {market: found for market in served
               if (found := renderer.expiry_problems(product, market, options.as_of))}
    problems: list[Problem] = []
    for market in dict.fromkeys(m for m, _ in wanted):
        problems.extend(p for p in refused.get(market, ()) if p not in problems)
    written: list[tuple[str, OutputRecord]] = []
    failed: list[str] = []
    tmp_dir = temporary_folder(options.out_dir)
    for market, fmt in wanted:
        key = output_key(task.product, market,
                         normalize_locale(renderer.profile(market).locale), fmt)
        if market in refused:
            failed.append(key)
            continue
        path = folder.path(key)
        try:
            _check_place(folder, key)
            rendering = renderer.render(product, market, fmt=fmt, as_of=options.as_of)
            content = rendering.content.encode("utf-8")
            # Made durable all at once before the manifest is written (see runner).
            write_bytes(path, content, fsync=False, tmp_dir=tmp_dir, replace_link=False)
        except ProblemsError as err:  # refused, or a full disk, a folder we may not write
            failed.append(key)
            problems.extend(p for p in err.problems if p not in problems)
            continue
        written.append((key, OutputRecord(task.product, market, rendering.locale, fmt,
                                          rendering.inputs, hashlib.sha256(content).hexdigest(),
                                          len(content), _stamp(path))))
        stamps.add(rendering)
    # Every market the product serves, not only those wanted now: the window recorded must
    # hold for the outputs kept from earlier builds too.
    window = valid_window(product, options.as_of, [m for m in served if m not in refused])
    record = ProductRecord(
        source=renderer.resolver.product(str(source)).name,
        sha256=product.sha256,
        config=config,
        lang=product.lang,
        markets=served,
        valid_from=window[0],
        valid_until=window[1],
        smpc_sources=tuple((s.lang, s.path) for s in product.smpc_sources),
    )
    return TaskResult(task.product, tuple(written), tuple(failed), tuple(problems), record,
                      count=len(wanted), files=stamps.take())


class Stamps:
    """The stamps of the inputs a worker's renderings were made from, for a later build to
    trust them by (:func:`~smpc_manager.builder.manifest.settled_stamp`), with the hash the
    renderer recorded of the bytes it read: a file is stamped once while it is among the
    last :data:`REMEMBERED` looked at (those every product shares stay among them, a
    product's own files are asked for once per market), so memory stays flat."""

    #: How many names of files stamped a worker remembers.
    REMEMBERED = 256

    def __init__(self, since_ns: int) -> None:
        self.since_ns = since_ns
        self._seen: dict[str, None] = {}
        self._new: dict[str, FileRecord] = {}

    def add(self, rendering: render.Rendering) -> None:
        for name, path in rendering.paths.items():
            if name in self._seen:
                self._seen[name] = self._seen.pop(name)  # the most recent again
                continue
            self._seen[name] = None
            if len(self._seen) > self.REMEMBERED:
                del self._seen[next(iter(self._seen))]
            stamp = settled_stamp(path, self.since_ns)
            if stamp is not None:
                self._new[name] = FileRecord(rendering.inputs[name], stamp)

    def take(self) -> dict[str, FileRecord]:
        """The stamps found since the last call."""
        new, self._new = self._new, {}
        return new


def _check_place(folder: OutputFolder, key: str) -> None:
    """Refuse to write an output whose path is not one a build writes, or that would be
    written through a linked folder."""
    if not is_output_key(key):
        why: str | None = (f"{key!r} is not the path of an output"
                           " (<market>/<locale>/<id>.<ext>); check the locale of the market's"
                           " profile")
    else:
        why = folder.refusal(key)
    if why is not None:
        raise ProblemsError([Problem(SourceLocation(folder.path(key)), f"cannot write: {why}")])


def _stamp(path: str) -> Stamp | None:
    try:
        return Stamp.of(os.stat(path))
    except OSError:
        return None


def lost(task: Task, why: str) -> TaskResult:
    """The result of a product whose worker died while building it."""
    return TaskResult(task.product, problems=(Problem(
        SourceLocation(task.source),
        f"the process building {task.product} ended unexpectedly ({why}); its outputs were"
        " not written",
        field=task.product),), count=task.expected)


def temporary_folder(out_dir: Path) -> str | None:
    """This process's folder for temporary files, ``.smpc-tmp/<pid>``; None (write beside
    each target) when something that is not a plain folder has either name."""
    base = os.path.join(out_dir, TMP_DIR)
    own = os.path.join(base, str(os.getpid()))
    for path in (base, own):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return own
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode):
            return None
    return own


def remove_temporary(out_dir: Path) -> None:
    """Remove this process's temporary folder and those of processes that no longer run
    (a build killed midway, the workers of one that ended), then ``.smpc-tmp`` itself when
    it is left empty. A folder of a process that still runs is kept: another build may be
    writing there (one of a version that takes no lock)."""
    base = os.path.join(out_dir, TMP_DIR)
    try:
        if not stat.S_ISDIR(os.lstat(base).st_mode):
            return
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        if name.isdigit() and (int(name) == os.getpid() or not _running(int(name))):
            path = os.path.join(base, name)
            if os.path.islink(path):
                with contextlib.suppress(OSError):
                    os.unlink(path)
            else:
                shutil.rmtree(path, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.rmdir(base)


def _running(pid: int) -> bool:
    """Whether a process of that id runs (one of another user's counts too)."""
    if os.name == "nt":  # os.kill there ends the process: keep every other's folder
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


# ------------------------------------------------------------------------ the valid window


def valid_window(product: Product, as_of: dt.date, markets: Sequence[str]
                 ) -> tuple[dt.date | None, dt.date | None]:
    """The days around ``as_of`` on which ``product`` passes the expiry check in all
    ``markets`` and its texts there read as on ``as_of``.

    ``None`` is an open end. In this stretch a later build knows the verdict without
    loading the product: the days each market passes (:func:`smpc_manager.rules.passing_days`,
    the same for markets covered by the same authorisations), narrowed to those on which
    the text reads the same: it changes where the ▼ statement comes or goes and where a
    price begins (:func:`_text_changes`), so a build on such a day renders again.
    """
    one = dt.timedelta(days=1)
    by_cover = {product.cover(m): m for m in reversed(markets)}
    window: tuple[dt.date | None, dt.date | None] = (None, None)
    for market in by_cover.values():
        days = rules.passing_days(product, market)
        # Never None here (the markets pass as of the day); if it were, only the day.
        window = _narrow(window, days if days is not None else (as_of, as_of))
    changes = sorted(_text_changes(product, markets))
    since = max((d for d in changes if d <= as_of), default=None)
    later = min((d for d in changes if d > as_of), default=None)
    return _narrow(window, (since, None if later is None else _day_before(later, one)))


def _day_before(day: dt.date, one: dt.timedelta) -> dt.date:
    return day - one if day > dt.date.min else day


def _text_changes(product: Product, markets: Sequence[str]) -> Iterator[dt.date]:
    """The days on which a text of ``product`` in one of ``markets`` changes: the first day
    of an additional-monitoring entry (the ▼ statement appears) and the day after its last
    (it goes; nothing changes after the last day of the calendar), and the first day of a
    price (the block prints it from then on)."""
    yield from render.price_changes(product, markets)
    for entry in product.additional_monitoring:
        if not any(entry.covers(m) for m in markets):
            continue
        if entry.start is not None:
            yield entry.start.value
        if entry.until is not None and entry.until.value < dt.date.max:
            yield entry.until.value + dt.timedelta(days=1)


def _narrow(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]
            ) -> tuple[dt.date | None, dt.date | None]:
    lows = [d for d in (a[0], b[0]) if d is not None]
    highs = [d for d in (a[1], b[1]) if d is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)
