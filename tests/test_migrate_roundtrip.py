"""Issue 22's acceptance for ``smpc migrate``: a portfolio migrated from schema 1 to schema 2
renders the same outputs, byte for byte, in every market and format, and its catalogs keep
every translation.

Four portfolios of schema 1 files: the example (BESPONSA for AT, DE and IE, with its German
catalog), the GB data, one generated from the example with GB data added (three products in
all four markets), and the file of ``tests/data/migrate`` with comments, a namespace prefix,
two substances, additional monitoring and costs in three markets, for IE and GB. Each is
built with every format before and after ``smpc migrate``. A JSON output lists the sha256
of each file it was made from; migration rewrites the product file and its catalogs, so
for those the recorded hash is compared with the file's hash rather than with the old one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from smpc_manager.builder import BuildOptions, build
from smpc_manager.catalogs import migrate_portfolio, migrated_contexts, read_catalog
from smpc_manager.portfolio import load_portfolio
from tests.conftest import REPO
from tests.migration import MIGRATE, schema_1_portfolio

AS_OF = dt.date(2026, 12, 6)
FORMATS = ("text", "html", "json")
ALL_MARKETS = ("AT", "DE", "IE", "GB")


def _benchmark_portfolios() -> ModuleType:
    """``benchmarks/portfolios.py``, which generates the benchmark's portfolios."""
    spec = importlib.util.spec_from_file_location("portfolios",
                                                  REPO / "benchmarks" / "portfolios.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated(target: Path) -> Path:
    """Three copies of the example's product, with the GB data, for all four markets."""
    portfolios = _benchmark_portfolios()
    four = target.parent / "four-markets"
    shutil.copytree(schema_1_portfolio("example"), four, ignore=shutil.ignore_patterns("*.mo"))
    settings = four / "smpc.toml"
    markets = ", ".join(f'"{m}"' for m in ALL_MARKETS)
    settings.write_text(re.sub(r"(?m)^markets = \[.*\]$", f"markets = [{markets}]",
                               settings.read_text(encoding="utf-8")), encoding="utf-8")
    product = four / "products" / "besponsa.xml"
    gb = (schema_1_portfolio("gb") / "products" / "besponsa.xml").read_text(encoding="utf-8")
    product.write_text(portfolios.with_gb_data(product.read_text(encoding="utf-8"), gb),
                       encoding="utf-8")
    portfolios.generate(target, 3, example=four)
    return target


def commented(target: Path) -> Path:
    """The file with comments, a prefix, two substances and costs in three markets, in a
    portfolio of the markets it has an English text for."""
    (target / "products").mkdir(parents=True)
    shutil.copyfile(MIGRATE / "commented.xml", target / "products" / "commented.xml")
    (target / "smpc.toml").write_text('source-locale = "en"\nmarkets = ["IE", "GB"]\n',
                                      encoding="utf-8")
    return target


def copied(name: str, target: Path) -> Path:
    if name == "generated":
        return generated(target)
    if name == "commented":
        return commented(target)
    shutil.copytree(schema_1_portfolio(name), target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def outputs(root: Path, out: Path) -> dict[str, bytes]:
    """Every output of a build of ``root`` with every format, by its path in ``out``."""
    result = build(load_portfolio(root), BuildOptions(out_dir=out, as_of=AS_OF,
                                                     formats=FORMATS))
    assert result.ok, [str(p) for p in result.problems]
    assert result.failed == 0
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".smpc")}


def masked(outputs: dict[str, bytes], root: Path) -> dict[str, bytes]:
    """The outputs, each JSON one with the hashes of the files migration rewrites (product
    files and catalogs) checked against those files as they are now, and then left out."""
    result = dict(outputs)
    for path, data in outputs.items():
        if not path.endswith(".json"):
            continue
        document = json.loads(data)
        for name, digest in document["inputs"].items():
            if name.startswith(("products/", "locales/")):
                assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name
                document["inputs"][name] = "(the file's own)"
        result[path] = json.dumps(document, indent=2, ensure_ascii=False).encode()
    return result


def translations(root: Path) -> dict[tuple[str, str | None, str], tuple[object, ...]]:
    """Every entry of every catalog: translation, flags and translator comments."""
    return {(po.relative_to(root).as_posix(), m.context, m.id):
            (m.string, sorted(m.flags), m.user_comments)
            for po in sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))
            for m in read_catalog(po) if m.id}


@pytest.mark.parametrize(("name", "count"), [("example", 9), ("gb", 3), ("generated", 36),
                                             ("commented", 6)])
def test_a_migrated_portfolio_renders_the_same_outputs(tmp_path: Path, name: str, count: int
                                                       ) -> None:
    root = copied(name, tmp_path / name)
    before = masked(outputs(root, tmp_path / "before"), root)
    assert len(before) == count
    kept = translations(root)

    done = migrate_portfolio([root])
    assert [p.migration.changed for p in done] == [True] * len(done)
    assert {p.migration.product.schema for p in done} == {2}

    after = masked(outputs(root, tmp_path / "after"), root)
    assert sorted(after) == sorted(before)
    for path, data in before.items():
        assert after[path] == data, path
    # Every entry is there under its schema 2 contexts, as it was. The generated catalogs
    # were made before the GB data was added: the merge adds the GB pack, untranslated as
    # it was missing before.
    carried = translations(root)
    expected = {(po, new, msgid): value for (po, old, msgid), value in kept.items()
                for new in migrated_contexts(old)}
    assert {key: carried[key] for key in expected} == expected
    assert {key[1:]: value for key, value in carried.items() if key not in expected} == (
        {("pack", "pack of 1 vial"): ("", [], [])} if name == "generated" else {})
