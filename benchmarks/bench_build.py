"""Measure ``smpc build`` against itstool and against a floor, on a generated portfolio.

Run by hand, not in CI (see benchmarks/README.md)::

    python benchmarks/bench_build.py                 # N = 1,000, memory at 200 and 2,000
    python benchmarks/bench_build.py -n 200 --memory-sizes ""   # a quick look

Every measurement is a whole process, started the way a user starts it, timed by wall clock
with its peak memory: ``/usr/bin/time -v`` where installed (the largest single process of
the tree, workers included), and a sampler that adds up the resident memory of the process
and all its children every few milliseconds (the whole tree at its fullest).

(a) ``smpc build`` cold, into an empty folder; (b) the same build again, nothing changed;
(c) itstool merging a compiled German catalog into the same N XML files in one batch, a
peer that does less than a build (no validation, no per-market layout); (d) a floor: one
Python process that parses and XSD-validates the N files with lxml and writes atomically
as many files of the same sizes as the build wrote, the work no build can avoid.
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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "portfolio"
FLOOR = Path(__file__).resolve().parent / "floor.py"
GNU_TIME = Path("/usr/bin/time")

#: How long ext4 without a journal (this kind of machine's disk) takes a removed file's inode
#: for recently deleted: 5 s, or 305 s while the block of the inode table that holds it has
#: unwritten changes (``RECENTCY_MIN + RECENTCY_DIRTY`` in the kernel's fs/ext4/ialloc.c).
#: Making a file, it skips such inodes, looking each one up again from the start of its
#: block group for every new file: a process that makes thousands of files just after
#: thousands were removed pays for the removal, more the more were removed, and by chance
#: (whether those blocks are written yet). Profiled, that took 22 % of a cold build's
#: samples in a run that removed its output folder first. So no measured run follows a
#: removal by less than this: the measured runs write into new folders, removed together at
#: the end, and the next run waits out what is left of this after that removal.
SETTLE_SECONDS = 305
#: "Flat" peak memory, as the issue asks it, read as a number: the largest process of the
#: build may grow by at most this much per product from the small N to the large one. At
#: 1 KB, 1,800 more products may add 1.8 MB (noise of the allocator's arenas settling, not a
#: product kept); itstool grows about 270 KB per document.
FLAT_KB_PER_PRODUCT = 1.0
#: When files were last removed in the work folder (seconds since the epoch).
REMOVED_STAMP = ".removed"


def remove(work: Path, *paths: Path) -> None:
    """Remove ``paths`` (folders) and note when in ``work`` (see :data:`SETTLE_SECONDS`)."""
    existing = [path for path in paths if path.exists()]
    for path in existing:
        shutil.rmtree(path)
    if existing:
        os.sync()  # the removal's writes are charged to no run
        (work / REMOVED_STAMP).write_text(f"{time.time()}\n")


def settle(work: Path) -> None:
    """Wait until :data:`SETTLE_SECONDS` have passed since files were removed in ``work``."""
    try:
        removed = float((work / REMOVED_STAMP).read_text())
    except (OSError, ValueError):
        return
    left = removed + SETTLE_SECONDS - time.time()
    if left > 0:
        print(f"waiting {left:.0f} s: files were removed in {work} {SETTLE_SECONDS - left:.0f} s"
              f" ago, and the file system makes new files slowly for {SETTLE_SECONDS} s after"
              " (--no-wait skips this)", flush=True)
        time.sleep(left)


class Scratch:
    """New folders for the measured runs' outputs, none removed while the benchmark
    measures (see :data:`SETTLE_SECONDS`); :meth:`remove` removes them all at the end."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.root = work / "runs"
        self._made = 0

    def fresh(self, label: str) -> Path:
        """A folder path never used in this run (not made: the measured command makes it)."""
        self._made += 1
        return self.root / f"{self._made:03d}-{label}"

    def remove(self) -> None:
        remove(self.work, self.root)


# ------------------------------------------------------------------------ the portfolio


def generate(target: Path, count: int, example: Path = EXAMPLE) -> list[Path]:
    """An N-product portfolio: the example's product and catalogs, copied under new ids.

    Each copy has its own id (``besponsa-0001``), its own file and its own catalogs (which
    name their product file), so that no two products are byte-identical. Their texts are
    the same: a build's per-message caches hit across copies (``docs/performance.md`` says
    what that means for a portfolio of products sharing no text).

    A portfolio already generated from the same example with the same N is kept as it is:
    generating it again would remove thousands of files (see :data:`SETTLE_SECONDS`).
    """
    stamp = target / ".generated"
    key = f"{count} {_digest(example)}\n"
    if stamp.exists() and stamp.read_text() == key:
        return sorted((target / "products").glob("*.xml"))
    remove(target.parent, target)
    (target / "products").mkdir(parents=True)
    shutil.copy2(example / "smpc.toml", target / "smpc.toml")
    products = sorted((example / "products").glob("*.xml"))
    catalogs = sorted((example / "locales").glob("*/LC_MESSAGES/*.po")) if (
        example / "locales").is_dir() else []
    templates = sorted((example / "locales" / "templates").glob("*.pot")) if (
        example / "locales" / "templates").is_dir() else []
    width = max(4, len(str(count)))
    written: list[Path] = []
    for index in range(count):
        source = products[index % len(products)]
        stem = source.stem
        new_id = f"{stem}-{index + 1:0{width}d}"
        xml = source.read_text(encoding="utf-8").replace(f'id="{stem}"', f'id="{new_id}"', 1)
        path = target / "products" / f"{new_id}.xml"
        path.write_text(xml, encoding="utf-8")
        written.append(path)
        for catalog in [*catalogs, *templates]:
            if catalog.stem != stem:
                continue
            relative = catalog.relative_to(example)
            copy = target / relative.parent / f"{new_id}{catalog.suffix}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            text = catalog.read_text(encoding="utf-8")
            copy.write_text(text.replace(f"products/{stem}.xml", f"products/{new_id}.xml"),
                            encoding="utf-8")
    stamp.write_text(key)
    return sorted(written)  # as a kept portfolio's: itstool gets its files in one order


def _digest(example: Path) -> str:
    """A digest of every file of ``example``, names and contents."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for p in example.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(example)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------ measuring


@dataclass
class Run:
    """One process, measured."""

    name: str
    seconds: float
    max_rss_kb: int  # the largest single process of the tree
    tree_rss_kb: int  # the whole tree at its fullest (sampled)
    returncode: int
    cpu_seconds: float = 0.0  # user + system, the process and its children
    main_rss_kb: int = 0  # the command's own process (sampled)
    worker_rss_kb: int = 0  # the largest process it started, if any (sampled)

    def line(self) -> str:
        workers = f" (main {self.main_rss_kb / 1024:.1f}, worker {self.worker_rss_kb / 1024:.1f})" \
            if self.worker_rss_kb else ""
        return (f"{self.name:<40} {self.seconds:7.2f} s  cpu {self.cpu_seconds:7.2f} s"
                f"  peak {self.max_rss_kb / 1024:6.1f} MB  tree {self.tree_rss_kb / 1024:6.1f} MB"
                f"{workers}")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> dict[int, tuple[int, int]]:
    """Every process of the tree under ``pid``: its depth (0 for ``pid``) and resident KB."""
    found: dict[int, tuple[int, int]] = {}
    stack = [(pid, 0)]
    while stack:
        current, depth = stack.pop()
        if current in found:
            continue
        found[current] = (depth, _rss_kb(current))
        stack.extend((child, depth + 1) for child in _children(current))
    return found


def measure(name: str, command: list[str], cwd: Path | None = None, quiet: bool = True) -> Run:
    """Run ``command`` once; wall time, peak memory of its largest process and of its tree."""
    report = None
    wrapped = command
    if GNU_TIME.exists():
        handle, name_of_report = tempfile.mkstemp(suffix=".time")
        os.close(handle)
        report = Path(name_of_report)
        wrapped = [str(GNU_TIME), "-v", "-o", str(report), *command]
    peak = 0
    peaks: dict[int, tuple[int, int]] = {}  # pid -> (depth, peak KB)
    started = time.perf_counter()
    process = subprocess.Popen(
        wrapped, cwd=cwd, stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            tree = _tree(process.pid)
            peak = max(peak, sum(rss for _, rss in tree.values()))
            for pid, (depth, rss) in tree.items():
                peaks[pid] = (depth, max(rss, peaks.get(pid, (0, 0))[1]))
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    max_rss = 0
    cpu = 0.0
    if report is not None:
        text = report.read_text()
        report.unlink()
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        max_rss = int(match.group(1)) if match else 0
        cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)",
                                                 text))
        # The wall time stays ours: GNU time gives it in hundredths of a second, too coarse
        # for a ratio near its target (2.67 s against a floor of 0.89 s came out as
        # 3.0000000000000004). Ours includes starting the time wrapper, a few ms against us.
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        print(f"  {name}: exit {process.returncode}\n{tail}", file=sys.stderr)
    # The time wrapper itself is a process of the tree; its few MB are not ours to count.
    tree = peak - (_time_overhead_kb() if report is not None else 0)
    # The command's own process, and the processes it started (a build's workers).
    main_depth = 1 if report is not None else 0
    main_kb = max((kb for depth, kb in peaks.values() if depth == main_depth), default=0)
    worker_kb = max((kb for depth, kb in peaks.values() if depth > main_depth), default=0)
    return Run(name, seconds, max_rss, max(tree, max_rss), process.returncode, cpu,
               main_kb, worker_kb)


_OVERHEAD: list[int] = []


def _time_overhead_kb() -> int:
    if not _OVERHEAD:
        with subprocess.Popen([str(GNU_TIME), "-v", "-o", os.devnull, "sleep", "0.3"]) as proc:
            time.sleep(0.15)
            _OVERHEAD.append(_rss_kb(proc.pid))
    return _OVERHEAD[0]


#: The Python that runs smpc and the floor: a virtual environment's, made by main().
PYTHON = Path(sys.executable)


def smpc_command() -> list[str]:
    """The ``smpc`` script next to that Python, as a user runs it; else ``python -m``."""
    script = PYTHON.parent / "smpc"
    return [str(script)] if script.exists() else [str(PYTHON), "-m", "smpc_manager"]


def installed_python(work: Path) -> Path:
    """A virtual environment in ``work`` with this checkout installed as a user installs it
    (``pip install .``: a wheel, its bytecode compiled, no editable hooks, none of this
    machine's own start-up files); made once, the package reinstalled on every run."""
    venv = work / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], check=True)
    else:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps",
                        "--force-reinstall", str(REPO)], check=True)
    return python


def best_of(name: str, command: list[str], times: int) -> Run:
    """The median run of several (start-up times are short and noisy)."""
    runs = [measure(name, command) for _ in range(times)]
    runs.sort(key=lambda r: r.seconds)
    return runs[len(runs) // 2]


# ------------------------------------------------------------------------ the peer


def itstool_catalog(work: Path, example: Path = EXAMPLE) -> Path:
    """A compiled German catalog for itstool: its own template, filled from our German.

    itstool extracts its own messages (no msgctxt); each gets the German our catalog has for
    the same English, so that itstool merges as much real German as we render. Babel does
    the filling, run by the Python smpc is installed in (the one running this may have no
    Babel: the benchmark needs only Python and pip).
    """
    product = sorted((example / "products").glob("*.xml"))[0]
    pot = work / "itstool.pot"
    subprocess.run(["itstool", "-o", str(pot), str(product)], check=True)
    ours = example / "locales" / "de" / "LC_MESSAGES" / f"{product.stem}.po"
    mo = work / "de.mo"
    subprocess.run([str(PYTHON), "-c", _FILL_CATALOG, str(pot), str(ours), str(mo)], check=True)
    return mo


#: Run by :data:`PYTHON`: fill itstool's template (argv 1) with the German of our catalog
#: (argv 2, if it exists) and compile it (argv 3). A message our catalog lacks (the
#: invented name, codes) is kept as it is.
_FILL_CATALOG = """
import sys
from pathlib import Path
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

pot, ours, mo = (Path(arg) for arg in sys.argv[1:4])
german = {}
if ours.exists():
    with ours.open("rb") as handle:
        for message in read_po(handle):
            if message.id and message.string and not message.fuzzy:
                german[str(message.id)] = str(message.string)
with pot.open("rb") as handle:
    template = read_po(handle)
for message in template:
    if message.id:
        message.string = german.get(str(message.id), str(message.id))
with mo.open("wb") as handle:
    write_mo(handle, template)
"""


# ------------------------------------------------------------------------ the benchmark


def compile_package() -> str:
    """Byte-compile smpc_manager where it is installed (--here), as pip does when it
    installs the wheel: an editable install (or PYTHONDONTWRITEBYTECODE) would otherwise have
    every process compile the package's source anew, some 0.1 s no installed copy pays."""
    import compileall

    import smpc_manager

    folder = Path(smpc_manager.__file__).resolve().parent
    ok = compileall.compile_dir(str(folder), quiet=1)
    return f"compiled ({folder})" if ok else f"compiling {folder} failed"


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "itstool": _version(["itstool", "--version"]),
    }


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) \
        else "unknown"


def build_runs(portfolio: Path, out: Path, count: int, jobs: int | None,
               formats: list[str], *, again: bool = True) -> dict[str, Run]:
    """A cold build into a new folder, then (``again``) the same build again (nothing
    changed)."""
    os.sync()  # what ran before is on disk: its writes are not charged to the build
    command = [*smpc_command(), "build", str(portfolio), "-o", str(out)]
    for fmt in formats:
        command += ["--format", fmt]
    if jobs:
        command += ["--jobs", str(jobs)]
    runs = {"cold": measure(f"smpc build, cold (N={count})", command)}
    if again:
        runs["unchanged"] = measure(f"smpc build, unchanged (N={count})", command)
    return runs


@dataclass
class Round:
    """One round: cold builds, each between two floors (``floors`` has one more), the
    unchanged rebuild after the last cold build, and itstool.

    The targets are read off the medians: the machine's speed changes from moment to moment,
    and a single sample of either side can fall on a slow moment the other did not see.
    Each cold build is also compared with the two floors around it (:meth:`pairs`).
    """

    floors: list[Run]
    colds: list[Run]
    unchanged: Run
    itstool: Run

    def cold(self, cpu: bool = False) -> float:
        return statistics.median(_seconds(r, cpu) for r in self.colds)

    def floor(self, cpu: bool = False) -> float:
        return statistics.median(_seconds(r, cpu) for r in self.floors)

    def pairs(self) -> list[float]:
        """Each cold build against the mean of the floor just before and just after it."""
        return [cold.seconds / statistics.mean((self.floors[i].seconds,
                                                 self.floors[i + 1].seconds))
                for i, cold in enumerate(self.colds)]

    def runs(self) -> list[Run]:
        """In the order they ran."""
        order: list[Run] = []
        for floor, cold in zip(self.floors[:-1], self.colds, strict=True):
            order += [floor, cold]
        return [*order, self.unchanged, self.floors[-1], self.itstool]

    def as_dict(self) -> dict[str, object]:
        return {"floors": [vars(r) for r in self.floors], "colds": [vars(r) for r in self.colds],
                "unchanged": vars(self.unchanged), "itstool": vars(self.itstool)}


def _seconds(run: Run, cpu: bool) -> float:
    return run.cpu_seconds if cpu else run.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="products (default 1000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of: the floor and the cold build in turn (--samples times),"
                             " the rebuild, the floor again, itstool (default 3; the ratios are"
                             " taken within a round)")
    parser.add_argument("--samples", type=int, default=3,
                        help="cold builds per round, each between two floors; a round's ratios"
                             " are taken between medians (default 3; 1: one build between two"
                             " floors)")
    parser.add_argument("--memory-sizes", default="200,2000",
                        help="N for the flat-memory comparison, comma-separated ('' skips)")
    parser.add_argument("--jobs", type=int, default=None, help="passed to smpc build")
    parser.add_argument("--format", dest="formats", action="append", default=None,
                        help="passed to smpc build (repeatable; default: its default)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the generated portfolios (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--no-wait", action="store_true",
                        help=f"measure at once, even within {SETTLE_SECONDS} s of removing files"
                             " (a quick look: the file system then makes the runs' files"
                             " slowly, by chance)")
    parser.add_argument("--here", action="store_true",
                        help="time the smpc of the Python that runs this (byte-compiled first)"
                             " instead of one installed in a virtual environment of its own")
    args = parser.parse_args(argv)
    formats = args.formats or []
    work = args.work or Path(tempfile.mkdtemp(prefix="smpc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if shutil.which("itstool") is None:
        print("itstool is not installed (apt-get install itstool)", file=sys.stderr)
        return 2
    global PYTHON  # noqa: PLW0603 - every command of the run uses the same Python
    if args.here:
        info = machine()
        info["smpc"] = f"this Python's, {compile_package()}"
    else:
        PYTHON = installed_python(work)
        info = machine()
        info["smpc"] = f"installed in {PYTHON.parent.parent}"
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    n = args.n
    sizes_wanted = [int(s) for s in args.memory_sizes.split(",") if s.strip()]
    portfolios = {size: work / f"portfolio-{size}" for size in {n, *sizes_wanted}}
    files = [str(p) for p in generate(portfolios[n], n)]
    for size in sizes_wanted:
        generate(portfolios[size], size)
    mo = itstool_catalog(work)
    # Folders an earlier run left (this one's, and those of earlier versions of it).
    remove(work, *sorted(work.glob("out-*")), work / "floor-out", work / "itstool-out",
           work / "runs")
    if not args.no_wait:
        settle(work)
    scratch = Scratch(work)
    try:
        return _measure_all(args, info, work, portfolios, files, mo, scratch, formats,
                            sizes_wanted)
    finally:
        scratch.remove()


def _measure_all(args: argparse.Namespace, info: dict[str, str], work: Path,
                 portfolios: dict[int, Path], files: list[str], mo: Path, scratch: Scratch,
                 formats: list[str], sizes_wanted: list[int]) -> int:
    n = args.n
    portfolio = portfolios[n]
    # An unmeasured build first: the floor writes files of the sizes the build writes, and
    # both then find the portfolio's files in the page cache alike.
    out = scratch.fresh("warm-up")
    build_runs(portfolio, out, n, args.jobs, formats)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    outputs = {key: record["size"] for key, record in sorted(manifest["outputs"].items())}
    sizes = list(outputs.values())
    sizes_file = work / "sizes.json"
    sizes_file.write_text(json.dumps(outputs))

    def floor_run(label: str) -> Run:
        os.sync()
        return measure(f"floor {label}: parse+XSD+write (N={n})",
                       [str(PYTHON), str(FLOOR), str(portfolio / "products"),
                        str(sizes_file), str(scratch.fresh(f"floor-{label}"))])

    # The machine's speed drifts from minute to minute, its file system's most of all: each
    # round times the floor and the cold build in turn, a floor before and after each build,
    # and compares their medians; the rebuild and itstool follow.
    rounds: list[Round] = []
    samples = max(1, args.samples)
    for number in range(1, max(1, args.rounds) + 1):
        print(f"round {number}:")
        floors: list[Run] = []
        colds: list[Run] = []
        unchanged: Run | None = None
        for sample_number in range(1, samples + 1):
            floors.append(floor_run(f"{number}.{sample_number}"))
            runs = build_runs(portfolio, scratch.fresh("build"), n, args.jobs, formats,
                              again=sample_number == samples)
            colds.append(runs["cold"])
            unchanged = runs.get("unchanged", unchanged)
        floors.append(floor_run(f"{number}.{samples + 1}"))
        its_out = scratch.fresh("itstool")
        its_out.mkdir(parents=True)
        os.sync()
        itstool = measure(f"itstool -m de.mo, batch (N={n})",
                          ["itstool", "-m", str(mo), "-o", f"{its_out}/", *files])
        assert unchanged is not None
        done = Round(floors, colds, unchanged, itstool)
        for run in done.runs():
            print("  " + run.line())
        rounds.append(done)

    sample = files[0]
    help_run = best_of("smpc --help", [*smpc_command(), "--help"], 7)
    validate_run = best_of("smpc validate one file", [*smpc_command(), "validate", sample], 7)

    print()
    print(f"{len(sizes)} outputs from {n} products ({sum(sizes) / 1e6:.1f} MB)")
    for run in (help_run, validate_run):
        print(run.line())
    memory: dict[int, Run] = {}
    for size in sizes_wanted:
        memory[size] = build_runs(portfolios[size], scratch.fresh(f"memory-{size}"), size,
                                  args.jobs, formats)["cold"]
        print(memory[size].line())

    targets: dict[str, tuple[Callable[[Round], float], float]] = {
        "cold / itstool": (lambda r: r.cold() / r.itstool.seconds, 0.5),
        "cold / floor": (lambda r: r.cold() / r.floor(), 3.0),
        "unchanged / cold": (lambda r: r.unchanged.seconds / r.cold(), 0.2),
    }
    ratios = {name: [ratio(r) for r in rounds] for name, (ratio, _) in targets.items()}
    print()
    print(f"ratios of each round's medians ({samples} cold build(s) and {samples + 1} floors"
          " a round):")
    for name, (_, target) in targets.items():
        values = ratios[name]
        met = sum(1 for v in values if v <= target)
        verdict = "ok" if met == len(values) else "MISSED"
        print(f"{name:<18} {' '.join(f'{v:6.3f}' for v in values)}   median"
              f" {statistics.median(values):6.3f}   target <= {target}: met in {met} of"
              f" {len(values)}   {verdict}")
    pairs = [p for r in rounds for p in r.pairs()]
    over = sum(1 for p in pairs if p > targets["cold / floor"][1])
    print(f"{'each cold build / the floors around it':<18}: {min(pairs):.3f}-{max(pairs):.3f},"
          f" median {statistics.median(pairs):.3f}; over {targets['cold / floor'][1]} in {over}"
          f" of {len(pairs)}")
    cpu = [r.cold(cpu=True) / r.floor(cpu=True) for r in rounds if r.floor(cpu=True)]
    if cpu:
        print(f"{'(cpu) cold / floor':<18} {' '.join(f'{v:6.3f}' for v in cpu)}")
    print(f"load average after the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for run in (help_run, validate_run):
        verdict = "ok" if run.seconds < 0.3 else "MISSED"
        print(f"{run.name:<22} {run.seconds:6.3f} s   target < 0.3 s   {verdict}")
    if len(memory) >= 2:
        small, large = min(memory), max(memory)
        growth = (memory[large].max_rss_kb - memory[small].max_rss_kb) / (large - small)
        tree = (memory[large].tree_rss_kb - memory[small].tree_rss_kb) / (large - small)
        verdict = "ok" if growth <= FLAT_KB_PER_PRODUCT else "MISSED"
        print(f"peak memory N={small} -> N={large}: {memory[small].max_rss_kb / 1024:.1f} MB"
              f" -> {memory[large].max_rss_kb / 1024:.1f} MB ({growth:+.1f} KB per product;"
              f" whole tree {tree:+.1f} KB per product)   target flat (<= "
              f"{FLAT_KB_PER_PRODUCT} KB per product)   {verdict}")
        for label, attribute in (("main process", "main_rss_kb"),
                                 ("largest worker", "worker_rss_kb")):
            low, high = getattr(memory[small], attribute), getattr(memory[large], attribute)
            print(f"  {label}: {low / 1024:.1f} MB -> {high / 1024:.1f} MB"
                  f" ({(high - low) / (large - small):+.1f} KB per product)")
    every = [run for r in rounds for run in r.runs()]
    failed = [r.name for r in (*every, help_run, validate_run, *memory.values())
              if r.returncode != 0]
    if args.json:
        args.json.write_text(json.dumps({
            "machine": info, "n": n, "outputs": len(sizes),
            "samples": samples,
            "rounds": [r.as_dict() for r in rounds],
            "pairs": [r.pairs() for r in rounds],
            "startup": {r.name: vars(r) for r in (help_run, validate_run)},
            "memory": {str(size): vars(run) for size, run in memory.items()},
            "ratios": ratios,
        }, indent=2) + "\n")
    if failed:
        print(f"failed: {', '.join(sorted(set(failed)))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
