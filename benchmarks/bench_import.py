#!/usr/bin/env python3
"""How long ``smpc import`` takes on real ePIs: every file of a corpus, one after the other.

Each round is a new Python process that imports the smpc package and then each file of the
corpus into an empty portfolio of its own (as ``smpc import FILE --into DIR`` does, in one
process): its first file pays for loading Babel's locale data and the product schema, as a
user's first import does, and no file is read from the cache of an earlier round. The run
prints a markdown table: the whole corpus, the largest file and the slowest, each the median
over the rounds, against the targets (all files < 10 s, the largest < 2 s). It also times
one ``smpc import`` of the largest file as a whole process, start-up included.

    python benchmarks/bench_import.py                  # the corpus beside the repository
    python benchmarks/bench_import.py --corpus DIR --rounds 5

Exit status 1 when a target is missed or a file fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("SMPC_EPI_CORPUS") or REPO.parent / "shared" / "corpus"
                      / "epi-aemps")
TOTAL_TARGET = 10.0
LARGEST_TARGET = 2.0


def one_round(corpus: Path) -> dict[str, float]:
    """Import every file of ``corpus``; the seconds each took (``-1`` for a failure)."""
    started = time.perf_counter()
    from smpc_manager.errors import ProblemsError  # noqa: PLC0415 (timed with the package)
    from smpc_manager.portfolio import Portfolio  # noqa: PLC0415
    from smpc_manager.sources import import_smpc  # noqa: PLC0415
    times = {"(import of the package)": time.perf_counter() - started}
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory() as work:
        for i, path in enumerate(sorted(corpus.glob("*.xml")) + sorted(corpus.glob("*.json"))):
            start = time.perf_counter()
            try:
                import_smpc([path], Portfolio(root=Path(work) / str(i)), now=now)
            except ProblemsError as err:
                print(f"{path.name}: {err.lines()[0]}", file=sys.stderr)
                times[path.name] = -1.0
                continue
            times[path.name] = time.perf_counter() - start
    return times


def whole_process(path: Path) -> float:
    with tempfile.TemporaryDirectory() as work:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "smpc_manager", "-q", "import", str(path),
                        "--into", work], check=True, capture_output=True)
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.round:
        print(json.dumps(one_round(args.corpus)))
        return 0
    files = sorted(args.corpus.glob("*.xml")) + sorted(args.corpus.glob("*.json"))
    if not files:
        print(f"no ePI files in {args.corpus}", file=sys.stderr)
        return 1
    rounds = [json.loads(subprocess.run(
        [sys.executable, __file__, "--round", "--corpus", str(args.corpus)],
        check=True, capture_output=True, text=True).stdout) for _ in range(args.rounds)]
    failed = sorted({name for r in rounds for name, t in r.items() if t < 0})
    per_file = {p.name: statistics.median(r[p.name] for r in rounds) for p in files}
    total = statistics.median(sum(t for name, t in r.items() if not name.startswith("("))
                              for r in rounds)
    largest = max(files, key=lambda p: p.stat().st_size)
    slowest = max(per_file, key=lambda name: per_file[name])
    process = statistics.median(whole_process(largest) for _ in range(args.rounds))
    loading = statistics.median(r["(import of the package)"] for r in rounds)
    rows = [
        (f"all {len(files)} files, one after the other", f"{total:.2f} s",
         f"< {TOTAL_TARGET:.0f} s", total < TOTAL_TARGET),
        (f"the largest, {largest.name} ({largest.stat().st_size / 1e6:.1f} MB)",
         f"{per_file[largest.name]:.2f} s", f"< {LARGEST_TARGET:.0f} s",
         per_file[largest.name] < LARGEST_TARGET),
        (f"the slowest, {slowest}", f"{per_file[slowest]:.2f} s", "", True),
        ("`smpc import` of the largest, a whole process", f"{process:.2f} s",
         f"< {LARGEST_TARGET:.0f} s", process < LARGEST_TARGET),
        ("importing the package before the first file", f"{loading:.2f} s", "", True),
    ]
    print(f"{args.rounds} rounds, medians; {len(files)} files in {args.corpus};"
          f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print("| run | time | target | met |\n|---|---:|---|---|")
    for what, figure, target, met in rows:
        print(f"| {what} | {figure} | {target} | {'yes' if met or not target else '**no**'} |")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed or not all(met for *_, met in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
