"""Compare ``smpc`` of an older commit with this working tree's, side by side, in one run.

Run by hand, on a quiet machine, not in CI (benchmarks/README.md says how, and what each
target means)::

    python benchmarks/bench_build.py                   # every target, a few minutes
    python benchmarks/bench_build.py --large-memory    # the main process at 10,000 x 4 markets

Each side is installed as a user installs it (``pip install``: a wheel, its bytecode
compiled, no editable hooks) into a virtual environment of its own: the old commit from
``git archive``, the new code from the working tree. Every measurement is a whole ``smpc``
process, started as a user starts it. Old and new take turns within each round, so that
the machine's drift in speed falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from portfolios import ALL_MARKETS, REPO, four_market_example, generate
from processes import Run, measure

#: The code before the restructure into packages.
OLD = "e143f72"
#: The day every build judges dates by (``--as-of``), so that outputs and refusals do not
#: depend on the day the benchmark runs; the example's summary is valid then.
AS_OF = "2026-12-06"
#: The formats old and new must write byte for byte alike, in every market.
CHECK_FORMATS = ("text", "html", "json")
#: The markets of the example portfolio, which the timed builds build.
EXAMPLE_MARKETS = ("AT", "DE", "IE")

# The targets: issue 21's "No slowdown", and its item 5 for the main process.
COLD_RATIO = 1.15  # new cold build / old cold build
UNCHANGED_RATIO = 0.2  # new unchanged rebuild / new cold build
HELP_SECONDS = 0.15  # `smpc --help` of the new code
#: "Flat" peak memory read as a number: the largest worker process of the build may grow by
#: at most this much per product from the small N to the large one. At 1 KB, 1,800 more
#: products may add 1.8 MB: the allocator's arenas settling, not a product kept. The main
#: process keeps every output's record (issue 21, item 5): it is held to MAIN_PEAK_MB.
FLAT_KB_PER_PRODUCT = 1.0
MAIN_PEAK_MB = 150  # the main process of a build of 10,000 products x 4 markets

SIDES = ("old", "new")


# ------------------------------------------------------------------------ installing


@dataclass(frozen=True)
class Smpc:
    """One side of the comparison: ``smpc`` installed in a virtual environment."""

    side: str  # "old" or "new"
    source: str  # what was installed: a commit, or the working tree
    venv: Path
    #: The source tree installed: its example portfolio is the one this side builds.
    tree: Path = REPO

    @property
    def command(self) -> list[str]:
        return [str(self.venv / "bin" / "smpc")]

    def dependencies(self) -> str:
        """The versions of the packages installed beside smpc (``babel==2.19.0 ...``)."""
        listing = subprocess.run(
            [str(self.venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze",
             "--exclude", "smpc-manager", "--exclude", "pip", "--exclude", "setuptools"],
            capture_output=True, text=True, check=True)
        return " ".join(sorted(listing.stdout.split(), key=str.lower))


#: A portfolio as each side builds it, by side.
Portfolios = dict[str, Path]


def install(work: Path, side: str, ref: str | None) -> Smpc:
    """Install ``ref`` (a commit; ``None``: the working tree) in a venv of its own.

    A commit's environment is made once and kept in ``work``; the working tree is
    installed afresh each run, since it changes.
    """
    if ref is None:
        venv = work / f"venv-{side}-worktree"
        _install(venv, REPO, again=True)
        return Smpc(side, "working tree", venv)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify",
                             f"{ref}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()[:12]
    source = work / f"src-{commit}"
    if not source.exists():
        partial = work / f"src-{commit}.partial"
        if partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(source)
    venv = work / f"venv-{commit}"
    _install(venv, source, again=False)
    return Smpc(side, commit, venv, source)


def _install(venv: Path, source: Path, *, again: bool) -> None:
    """Install ``source`` in ``venv``, its modules compiled as pip compiles them for a user:
    with ``PYTHONDONTWRITEBYTECODE`` set (some shells set it), pip writes no ``.pyc`` and
    every run would compile the package anew, whichever side had been installed without."""
    python = venv / "bin" / "python"
    done = venv / ".installed"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    if not done.exists():
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)], check=True,
                       env=env)
    elif again:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                        "--force-reinstall", str(source)], check=True, env=env)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True, env=env)
    subprocess.run([str(python), "-m", "compileall", "-q", site.stdout.strip()], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    done.touch()


class Folders:
    """The folders of one benchmark run under ``work``.

    Nothing is removed while the benchmark measures: every build writes into a folder of
    its own, and a folder no longer wanted is moved aside; :meth:`clean` removes them all
    at the end. On ext4 without a journal (this kind of machine's disk), making files just
    after thousands were removed is slow for minutes (the allocator passes over every
    recently freed inode for each new one), so a removal between two builds would slow the
    second.
    """

    def __init__(self, work: Path) -> None:
        self.runs = work / "runs"
        self.trash = work / "trash"
        self._count = 0

    def fresh(self, label: str) -> Path:
        """A path no build of this run has used (not made: the build makes it)."""
        self._count += 1
        return self.runs / f"{self._count:03d}-{label}"

    def discard(self, path: Path) -> None:
        """Move ``path`` aside, to be removed by :meth:`clean`."""
        self.trash.mkdir(parents=True, exist_ok=True)
        path.rename(self.trash / f"{time.time_ns()}-{path.name}")

    def clean(self) -> None:
        for path in (self.runs, self.trash):
            if path.exists():
                shutil.rmtree(path)


# ------------------------------------------------------------------------ outputs


def outputs(out: Path) -> dict[str, Path]:
    """The outputs of a build under ``out`` by relative path: its manifest and any
    ``.smpc*`` bookkeeping left out."""
    found: dict[str, Path] = {}
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        if path.is_file() and relative != "manifest.json" and not path.name.startswith(".smpc"):
            found[relative] = path
    return found


@dataclass
class Comparison:
    """Old and new outputs of the same build, compared byte for byte."""

    compared: int  # files both wrote
    expected: int  # files each should have written
    differing: list[str] = field(default_factory=list)  # written by both, not alike
    missing: list[str] = field(default_factory=list)  # written by one side only

    @property
    def differences(self) -> int:
        return len(self.differing) + len(self.missing)

    @property
    def met(self) -> bool:
        return self.differences == 0 and self.compared == self.expected


#: The input a JSON output names the tool's version by, with its hash: the one line issue
#: 21 lets differ ("apart from the tool-version string where it appears").
_TOOL_LINE = re.compile(rb'\n *"smpc-manager": "[0-9a-f]{64}",?\n')
#: A product catalog among a JSON output's inputs, with its hash: each side reads the
#: catalog in its own version's form (:func:`generated`), so the bytes hashed differ.
_CATALOG_HASH = re.compile(rb'(\n *"locales/[^"]+\.po": ")[0-9a-f]{64}(",?\n)')


def _without_tool_version(data: bytes) -> bytes:
    return _CATALOG_HASH.sub(rb"\1\2", _TOOL_LINE.sub(b"\n", data))


def compare(old: Path, new: Path, expected: int) -> Comparison:
    """The outputs of both sides compared byte for byte, the tool's version and the hashes of
    the product catalogs aside."""
    old_files, new_files = outputs(old), outputs(new)
    common = sorted(old_files.keys() & new_files.keys())
    return Comparison(
        compared=len(common), expected=expected,
        differing=[name for name in common
                   if _without_tool_version(old_files[name].read_bytes())
                   != _without_tool_version(new_files[name].read_bytes())],
        missing=sorted(old_files.keys() ^ new_files.keys()))


# ------------------------------------------------------------------------ the report


@dataclass
class Row:
    """One line of the table: a measurement, its target, and whether it is met."""

    measurement: str
    old: str
    new: str
    figure: str
    target: str
    met: bool | None  # None: for information, no target

    def cells(self) -> list[str]:
        verdict = "" if self.met is None else ("met" if self.met else "**missed**")
        return [self.measurement, self.old, self.new, self.figure, self.target, verdict]


def table(rows: list[Row], old_label: str) -> str:
    """The rows as a markdown table; without the old code's column when it has no figure."""
    header = ["measurement", f"old ({old_label})", "new", "figure", "target", "result"]
    lines = [header, *(row.cells() for row in rows)]
    if not any(row.old for row in rows):
        lines = [cells[:1] + cells[2:] for cells in lines]
    lines.insert(1, ["---"] * len(lines[0]))
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def machine() -> str:
    model = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()},"
            f" {platform.system()} {platform.release()}")


def _mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds:.3f} s"


def _median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


# ------------------------------------------------------------------------ the comparison


class Bench:
    """What the measurements of one benchmark run share: the installed sides, the folders,
    the options of the timed builds, and every run made (to report any that failed)."""

    def __init__(self, sides: dict[str, Smpc], folders: Folders, formats: list[str],
                 jobs: int | None) -> None:
        self.sides = sides
        self.folders = folders
        self.formats = formats
        self.jobs = jobs
        self.runs: list[Run] = []

    def build(self, side: str, portfolios: Portfolios, out: Path, name: str,
              formats: tuple[str, ...] | list[str] | None = None) -> Run:
        """``smpc build PORTFOLIO -o OUT`` of one side with its own copy of the portfolio,
        measured; into an ``out`` a build has written before, it is a rebuild."""
        command = [*self.sides[side].command, "build", str(portfolios[side]), "-o", str(out),
                   "--as-of", AS_OF]
        for fmt in self.formats if formats is None else formats:
            command += ["--format", fmt]
        if self.jobs:
            command += ["--jobs", str(self.jobs)]
        os.sync()  # what ran before is on disk: its writes are not charged to this build
        return self.measure(f"{side}: {name}", command)

    def measure(self, name: str, command: list[str]) -> Run:
        run = measure(name, command)
        self.runs.append(run)
        return run

    def failed(self) -> list[str]:
        return sorted({run.name for run in self.runs if run.returncode != 0})


def taking_turns(turn: int) -> tuple[str, str]:
    """The order of the two sides at the ``turn``-th time both run: old first, then new
    first, and so on."""
    return SIDES if turn % 2 == 0 else SIDES[::-1]


def check_outputs(bench: Bench, portfolio: Portfolios, count: int) -> Comparison:
    """Old and new build the same four-market portfolio in every format; compare."""
    print(f"outputs: N = {count} x {' '.join(ALL_MARKETS)} x {' '.join(CHECK_FORMATS)}")
    out = {side: bench.folders.fresh(f"check-{side}") for side in SIDES}
    for side in SIDES:
        print("  " + bench.build(side, portfolio, out[side], "outputs", CHECK_FORMATS).line())
    check = compare(out["old"], out["new"], count * len(ALL_MARKETS) * len(CHECK_FORMATS))
    for name in [*check.differing, *check.missing][:10]:
        print(f"  differs: {name}")
    return check


@dataclass
class Round:
    """One round's runs of each side: cold builds taking turns, then one rebuild each."""

    cold: dict[str, list[Run]] = field(default_factory=lambda: {side: [] for side in SIDES})
    unchanged: dict[str, Run] = field(default_factory=dict)

    def median(self, side: str) -> float:
        return _median(self.cold[side])


def time_builds(bench: Bench, portfolio: Portfolios, n: int, rounds: int, samples: int
                ) -> tuple[
        list[Round], Row]:
    """Cold builds of each side taking turns, ``samples`` each a round, then the unchanged
    rebuild of each; and a row saying whether both sides' builds wrote the same files."""
    # An unmeasured build of each side first: both then find the portfolio in the page
    # cache alike.
    warm = {side: bench.folders.fresh(f"warm-up-{side}") for side in SIDES}
    for side in SIDES:
        bench.build(side, portfolio, warm[side], "warm-up")
    written = {side: len(outputs(warm[side])) for side in SIDES}
    alike = Row("the timed builds' outputs", f"{written['old']:,} files",
                f"{written['new']:,} files", "", "the same files",
                set(outputs(warm["old"])) == set(outputs(warm["new"])))
    done: list[Round] = []
    turn = 0
    for number in range(1, rounds + 1):
        print(f"round {number}:")
        current = Round()
        last: dict[str, Path] = {}
        for _ in range(samples):
            order = taking_turns(turn)
            turn += 1
            for side in order:
                last[side] = bench.folders.fresh(f"cold-{side}")
                current.cold[side].append(bench.build(side, portfolio, last[side],
                                                      f"cold (N={n})"))
                print("  " + current.cold[side][-1].line())
        for side in order:
            current.unchanged[side] = bench.build(side, portfolio, last[side],
                                                  f"unchanged (N={n})")
            print("  " + current.unchanged[side].line())
        done.append(current)
    return done, alike


def time_help(bench: Bench, times: int) -> dict[str, list[Run]]:
    """``smpc --help`` of each side, ``times`` each, taking turns."""
    runs: dict[str, list[Run]] = {side: [] for side in SIDES}
    for turn in range(times):
        for side in taking_turns(turn):
            runs[side].append(bench.measure(f"{side}: smpc --help",
                                            [*bench.sides[side].command, "--help"]))
    return runs


def peak_memory(bench: Bench, portfolios: dict[int, Portfolios]) -> dict[str, dict[int, Run]]:
    """A cold build of each side for each N in ``portfolios``."""
    runs: dict[str, dict[int, Run]] = {side: {} for side in SIDES}
    if portfolios:
        print("peak memory:")
    for size, portfolio in sorted(portfolios.items()):
        for side in SIDES:
            out = bench.folders.fresh(f"memory-{side}-{size}")
            runs[side][size] = bench.build(side, portfolio, out, f"cold (N={size})")
            print("  " + runs[side][size].line())
    return runs


def timing_rows(rounds: list[Round], helps: dict[str, list[Run]], n: int,
                formats: list[str]) -> list[Row]:
    """The rows of the cold build, the unchanged rebuild and ``smpc --help``."""
    cold_ratios = [r.median("new") / r.median("old") for r in rounds]
    unchanged_ratios = [r.unchanged["new"].seconds / r.median("new") for r in rounds]
    cold = {side: statistics.median(r.median(side) for r in rounds) for side in SIDES}
    unchanged = {side: statistics.median(r.unchanged[side].seconds for r in rounds)
                 for side in SIDES}
    help_seconds = {side: _median(helps[side]) for side in SIDES}
    print()
    print(f"cold new/old of each round: {' '.join(f'{v:.3f}' for v in cold_ratios)};"
          f" at most {COLD_RATIO} in {sum(v <= COLD_RATIO for v in cold_ratios)}"
          f" of {len(cold_ratios)}")
    print(f"unchanged/cold of each round: {' '.join(f'{v:.3f}' for v in unchanged_ratios)}")
    print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    samples = len(rounds[0].cold["new"])
    cold_ratio = statistics.median(cold_ratios)
    unchanged_ratio = statistics.median(unchanged_ratios)
    return [
        Row(f"cold build, N = {n:,} x {' '.join(EXAMPLE_MARKETS)}, {' '.join(formats)}"
            f" ({len(rounds)} x {samples} each, median)", _s(cold["old"]), _s(cold["new"]),
            f"new/old {cold_ratio:.3f}", f"<= {COLD_RATIO}", cold_ratio <= COLD_RATIO),
        Row(f"unchanged rebuild ({len(rounds)} each, median)", _s(unchanged["old"]),
            _s(unchanged["new"]), f"new/cold {unchanged_ratio:.3f}", f"<= {UNCHANGED_RATIO}",
            unchanged_ratio <= UNCHANGED_RATIO),
        Row(f"`smpc --help` ({len(helps['new'])} each, median)", _s(help_seconds["old"]),
            _s(help_seconds["new"]), "", f"<= {HELP_SECONDS} s",
            help_seconds["new"] <= HELP_SECONDS),
    ]


def memory_rows(memory: dict[str, dict[int, Run]]) -> list[Row]:
    """The rows of the largest worker's and the main process's peak memory, from the
    smallest N to the largest (the old code's largest process was a worker)."""
    if len(memory["new"]) < 2:
        return []
    small, large = min(memory["new"]), max(memory["new"])
    rows = []
    for label, attribute, flat in (("largest worker", "worker_kb", True),
                                   ("main process", "main_kb", False)):
        def span(side: str, attribute: str = attribute) -> str:
            low, high = (getattr(memory[side][size], attribute) for size in (small, large))
            return f"{_mb(low)} -> {_mb(high)}"

        growth = (getattr(memory["new"][large], attribute)
                  - getattr(memory["new"][small], attribute)) / (large - small)
        rows.append(Row(f"peak memory, {label}, N = {small:,} -> {large:,}", span("old"),
                        span("new"), f"{growth:+.2f} KB per product",
                        f"<= {FLAT_KB_PER_PRODUCT} KB per product" if flat else "",
                        growth <= FLAT_KB_PER_PRODUCT if flat else None))
    return rows


def generated(sides: dict[str, Smpc], work: Path, name: str, size: int, folders: Folders, *,
              four_markets: bool = False) -> Portfolios:
    """An N-product portfolio for each side, each made from that side's own example.

    Each side reads the example as its own source tree has it: the products and catalogs
    in the form that version of smpc reads (the catalogs' message contexts changed after
    e143f72, and the product became schema 2: a user upgrading runs ``smpc update`` and
    ``smpc migrate`` once). Both are made of the products the first side's example has,
    with its settings (the markets built), so that the sides do the same work.
    """
    first = next(iter(sides.values())).tree / "examples" / "portfolio"
    ids = {p.stem for p in (first / "products").glob("*.xml")}
    made: Portfolios = {}
    for side, smpc in sides.items():
        example = smpc.tree / "examples" / "portfolio"
        settings: Path | None = first / "smpc.toml"
        if four_markets:
            example = four_market_example(work / f"example-4-markets-{side}", smpc.tree)
            settings = None
        made[side] = work / f"{name}-{side}"
        generate(made[side], size, example, folders.discard, ids=ids, settings=settings)
    return made


def compare_sides(args: argparse.Namespace, work: Path, folders: Folders) -> tuple[
        list[Row], dict[str, object]]:
    """Every target of the default mode: the table's rows, and the figures for ``--json``."""
    sides = {"old": install(work, "old", args.old), "new": install(work, "new", args.new)}
    dependencies = {side: smpc.dependencies() for side, smpc in sides.items()}
    for side, smpc in sides.items():
        print(f"{side}: {smpc.source}, in {smpc.venv} ({dependencies[side]})")
    if dependencies["old"] != dependencies["new"]:
        print("warning: the two environments have different dependencies", file=sys.stderr)
    bench = Bench(sides, folders, args.formats or ["text"], args.jobs)
    portfolios = {size: generated(sides, work, f"portfolio-{size}", size, folders)
                  for size in {args.n, *args.memory_sizes}}
    check_portfolio = generated(sides, work, f"portfolio-4-markets-{args.check_size}",
                                args.check_size, folders, four_markets=True)

    check = check_outputs(bench, check_portfolio, args.check_size)
    rounds, alike = time_builds(bench, portfolios[args.n], args.n, args.rounds, args.samples)
    helps = time_help(bench, args.help_runs)
    memory = peak_memory(bench, {size: portfolios[size] for size in args.memory_sizes})

    rows = [*timing_rows(rounds, helps, args.n, bench.formats), *memory_rows(memory),
            Row(f"outputs, N = {args.check_size:,} x {' '.join(ALL_MARKETS)} x"
                f" {' '.join(CHECK_FORMATS)}", "", "",
                f"{check.compared:,} files compared, {check.differences} differences",
                f"{check.expected:,} files, identical", check.met),
            alike]
    if bench.failed():
        rows.append(Row(f"failed runs: {', '.join(bench.failed())}", "", "", "", "none", False))
    figures: dict[str, object] = {
        "old": sides["old"].source, "new": sides["new"].source, "n": args.n,
        "formats": bench.formats, "dependencies": dependencies,
        "rounds": [asdict(r) for r in rounds],
        "help": {side: [asdict(run) for run in runs] for side, runs in helps.items()},
        "memory": {side: {str(size): asdict(run) for size, run in runs.items()}
                   for side, runs in memory.items()},
        "check": asdict(check),
    }
    return rows, figures


def large_memory(args: argparse.Namespace, work: Path, folders: Folders) -> tuple[
        list[Row], dict[str, object]]:
    """The new code's main-process peak in a cold build and a rebuild of N products x 4
    markets."""
    new = install(work, "new", args.new)
    print(f"new: {new.source}, in {new.venv} ({new.dependencies()})")
    n = args.large_memory
    portfolio = work / f"portfolio-4-markets-{n}"
    print(f"generating {n:,} products in {portfolio}", flush=True)
    generate(portfolio, n, four_market_example(work / "example-4-markets", new.tree),
             folders.discard)
    bench = Bench({"new": new}, folders, args.formats or ["text"], args.jobs)
    out = folders.fresh("large")
    runs = [bench.build("new", {"new": portfolio}, out, f"cold (N={n})"),
            bench.build("new", {"new": portfolio}, out, f"unchanged (N={n})")]
    for run in runs:
        print(run.line())
    built, expected = len(outputs(out)), n * len(ALL_MARKETS) * len(bench.formats)
    rows = [Row(f"peak memory, main process, {label}, N = {n:,} x {' '.join(ALL_MARKETS)}",
                "", _mb(run.main_kb), f"largest process {_mb(run.peak_kb)}",
                f"< {MAIN_PEAK_MB} MB", run.main_kb < MAIN_PEAK_MB * 1024)
            for label, run in zip(("cold build", "unchanged rebuild"), runs, strict=True)]
    rows.append(Row("outputs written", "", f"{built:,}", "", f"{expected:,}",
                    built == expected))
    if bench.failed():
        rows.append(Row(f"failed runs: {', '.join(bench.failed())}", "", "", "", "none", False))
    return rows, {"new": new.source, "n": n, "runs": [asdict(run) for run in runs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Exit status 0 when every target is met, 1 otherwise. See benchmarks/README.md.")
    parser.add_argument("--old", default=OLD, metavar="REF",
                        help=f"the commit to compare with (default {OLD})")
    parser.add_argument("--new", default=None, metavar="REF",
                        help="a commit to take as the new code (default: the working tree)")
    parser.add_argument("-n", type=int, default=1000,
                        help="products in the timed builds (default 1000; markets AT DE IE)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of timed builds (default 5); each ratio is taken within a"
                             " round, and the table gives the median over the rounds")
    parser.add_argument("--samples", type=int, default=3,
                        help="cold builds of each side a round, taking turns; a round's ratio"
                             " is between the medians of its samples (default 3)")
    parser.add_argument("--memory-sizes", default="200,2000", metavar="N,N",
                        type=lambda text: [int(s) for s in text.split(",") if s.strip()],
                        help="N of the cold builds whose peak memory must stay flat"
                             " (default 200,2000; '' skips them)")
    parser.add_argument("--check-size", type=int, default=200, metavar="N",
                        help="products in the portfolio whose outputs old and new must write"
                             " alike, every market and format (default 200)")
    parser.add_argument("--help-runs", type=int, default=7, metavar="K",
                        help="`smpc --help` runs of each side (default 7)")
    parser.add_argument("--large-memory", type=int, nargs="?", const=10_000, default=None,
                        metavar="N",
                        help="instead of the comparison: the new code's main-process peak"
                             " memory building N products x AT DE IE GB (N default 10000)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="passed to smpc build (default: its own, the number of CPUs)")
    parser.add_argument("--format", dest="formats", action="append", default=None,
                        help="the format of the timed and memory builds (repeatable;"
                             " default text)")
    parser.add_argument("--work", type=Path, default=None,
                        help="keep the virtual environments and portfolios here for the next"
                             " run (default: a temporary folder, removed at the end)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    counts = [args.n, args.rounds, args.samples, args.help_runs, args.check_size]
    if min(counts) < 1 or (args.large_memory is not None and args.large_memory < 1):
        parser.error("-n, --rounds, --samples, --help-runs, --check-size and --large-memory"
                     " must be at least 1")
    work = args.work or Path(tempfile.mkdtemp(prefix="smpc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    folders = Folders(work)
    print(f"machine: {machine()}; smpc build --jobs {args.jobs or 'default'}; work in {work}")
    started = time.perf_counter()
    try:
        if args.large_memory is not None:
            rows, figures = large_memory(args, work, folders)
        else:
            rows, figures = compare_sides(args, work, folders)
    finally:
        folders.clean()
        if args.work is None:
            shutil.rmtree(work)
    print()
    print(table(rows, args.old))
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": [asdict(r) for r in rows],
                                         **figures}, indent=2) + "\n")
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
