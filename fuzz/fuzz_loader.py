"""Coverage-guided fuzzing of the product loader, the catalog reader and inline markup
(atheris).

Each input is written as a product file and validated; the contract is the one the
Hypothesis tests check in a few seconds (tests/test_fuzz.py): a list of one-line
problems located in that file, or ProblemsError from load_product, never another
exception. Inputs start from the bundled example and the defect files in tests/data.

    pip install atheris
    python fuzz/fuzz_loader.py -max_total_time=120 -max_len=65536 fuzz/corpus

(fuzz/corpus is created and seeded on first use; crashes are written as crash-* files.)
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from smpc_manager import inline
    from smpc_manager.catalogs import read_catalog
    from smpc_manager.errors import ProblemsError, Severity
    from smpc_manager.products import load_product, validate_file

REPO = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="smpc-fuzz-"))
TARGET = WORK / "besponsa.xml"
CATALOG = WORK / "besponsa.po"


def check_product(data: bytes) -> None:
    TARGET.write_bytes(data)
    problems = validate_file(TARGET)
    for problem in problems:
        line = str(problem)
        if "\n" in line or problem.location.path != str(TARGET):
            raise AssertionError(f"not one line in this file: {line!r}")
    errors = tuple(p for p in problems if p.severity is Severity.ERROR)
    try:
        load_product(TARGET)
    except ProblemsError as err:
        if err.problems != errors:
            raise AssertionError("load_product and validate_file disagree") from err
    else:
        if errors:
            raise AssertionError("load_product accepted a file with errors")


def check_inline(data: bytes) -> None:
    message = data.decode("utf-8", "replace")
    try:
        inline.parse(message)
    except inline.InlineError:
        return
    inline.to_html(message)
    inline.to_text(message)


def check_catalog(data: bytes) -> None:
    CATALOG.write_bytes(data)
    try:
        read_catalog(CATALOG)
    except ProblemsError as err:
        for problem in err.problems:
            if "\n" in str(problem):
                raise AssertionError(f"not one line: {problem}") from err


def test_one_input(data: bytes) -> None:
    # The first byte picks the target, so one corpus serves all three.
    if data[:1] == b"\x00":
        check_inline(data[1:])
    elif data[:1] == b"\x01":
        check_catalog(data[1:])
    else:
        check_product(data)


def seed(corpus: Path) -> None:
    if corpus.exists() and any(corpus.iterdir()):
        return
    corpus.mkdir(parents=True, exist_ok=True)
    sources = [REPO / "examples" / "portfolio" / "products" / "besponsa.xml",
               *sorted((REPO / "tests" / "data").glob("*/*.xml"))]
    for n, source in enumerate(sources):
        shutil.copyfile(source, corpus / f"seed-{n:03d}")
    (corpus / "seed-inline").write_bytes(b"\x001.8 mg/m<sup>2</sup> &amp; <em>x</em>")
    po = REPO / "examples" / "portfolio" / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
    (corpus / "seed-catalog").write_bytes(b"\x01" + po.read_bytes())


def main() -> None:
    corpora = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    for corpus in corpora:
        seed(corpus)
    atexit.register(shutil.rmtree, WORK, ignore_errors=True)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
