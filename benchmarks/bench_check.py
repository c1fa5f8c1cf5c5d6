#!/usr/bin/env python3
"""What holding products to their SmPCs costs ``smpc check``: a portfolio with sources
against the same portfolio without.

Two portfolios of N copies of the example's BESPONSA (``-n``, default 1,000) are generated
from the example (:mod:`portfolios`): one as it is, one where each product keeps its own
English and German SmPCs under ``sources/<id>/`` (the example's, each made a file of its
own by its identifier, so that no two products share a parse). ``smpc check`` of each runs
as a whole process, the two taking turns over the rounds (``--rounds``); the table gives
each one's median and their ratio, against the target: with sources at most 3 times without.
The check with sources must find nothing about them: the work was done, and passed.

    python benchmarks/bench_check.py                   # 1,000 products, 3 rounds
    python benchmarks/bench_check.py -n 200 --rounds 1 # a quick look

Exit status 1 when the target is missed or a check fails.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portfolios import EXAMPLE, generate

TARGET = 3.0
#: The day every check is made as of, so that the figures do not depend on the day run.
AS_OF = "2026-12-06"


def sourced(target: Path, example: Path) -> None:
    """Give each product of the portfolio ``target`` its own copy of ``example``'s SmPCs."""
    sources = sorted((example / "sources" / "besponsa").glob("*.xml"))
    for product in sorted((target / "products").glob("*.xml")):
        folder = target / "sources" / product.stem
        folder.mkdir(parents=True, exist_ok=True)
        for source in sources:
            text = source.read_text(encoding="utf-8")
            (folder / source.name).write_text(
                text.replace("EXAMPLE/besponsa/", f"EXAMPLE/{product.stem}/"), encoding="utf-8")


def check(portfolio: Path) -> tuple[float, dict[str, object]]:
    """One ``smpc check`` of ``portfolio`` as a process: its seconds and its report."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "smpc_manager", "check", str(portfolio),
                           "--as-of", AS_OF, "--format", "json"],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or not done.stdout:
        raise SystemExit(f"smpc check {portfolio} failed: {done.stderr.strip()}")
    report: dict[str, object] = json.loads(done.stdout)
    return seconds, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="products in each portfolio")
    parser.add_argument("--rounds", type=int, default=3, help="checks of each portfolio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        base = Path(work) / "example"
        shutil.copytree(EXAMPLE, base, ignore=shutil.ignore_patterns("zeposia.*", "*.mo"))
        plain, with_sources = Path(work) / "plain", Path(work) / "sourced"
        generate(plain, args.n, example=base)
        generate(with_sources, args.n, example=base)
        sourced(with_sources, base)
        times: dict[str, list[float]] = {"without sources": [], "with sources": []}
        for turn in range(args.rounds):
            order = [(plain, "without sources"), (with_sources, "with sources")]
            for portfolio, label in order if turn % 2 == 0 else reversed(order):
                seconds, report = check(portfolio)
                times[label].append(seconds)
                items = report["items"]
                assert isinstance(items, list)
                drift = [i for i in items if str(i["rule"]).startswith("smpc-")]
                if drift:
                    raise SystemExit(f"the check with sources found: {drift[0]['message']}")
    without = statistics.median(times["without sources"])
    found = statistics.median(times["with sources"])
    ratio = found / without
    print(f"`smpc check` of {args.n} products (AT, DE, IE), median of {args.rounds}\n")
    print("| row | seconds | target | |")
    print("|---|---|---|---|")
    print(f"| without sources | {without:.2f} | | |")
    print(f"| with sources (2 SmPCs a product) | {found:.2f} | | |")
    met = ratio <= TARGET
    print(f"| with / without | {ratio:.2f} | ≤ {TARGET:g} | {'met' if met else 'MISSED'} |")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
