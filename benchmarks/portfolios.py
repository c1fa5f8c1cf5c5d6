"""The portfolios the benchmark builds: N copies of the example's product, under new ids.

``generate`` copies a portfolio's products and catalogs N times; ``four_market_example``
makes the example's portfolio with data for every market, GB included, from files already
in the repository.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "portfolio"
#: BESPONSA's GB authorisation, legal category and NHS price, which the example lacks.
GB_PRODUCT = REPO / "tests" / "data" / "gb" / "products" / "besponsa.xml"
ALL_MARKETS = ("AT", "DE", "IE", "GB")


def generate(target: Path, count: int, example: Path = EXAMPLE,
             discard: Callable[[Path], None] = shutil.rmtree, *,
             ids: Collection[str] | None = None, settings: Path | None = None) -> None:
    """Make ``target`` an N-product portfolio: ``example``'s products and catalogs, copied.

    ``ids`` limits the products copied to those (default: every one of the example);
    ``settings`` is the ``smpc.toml`` to use (default: the example's).

    Each copy has its own id (``besponsa-0001``), its own file and its own catalogs (which
    name their product file), so that no two products are byte-identical. Their texts are
    the same: a build's per-message caches hit across copies.

    A portfolio already generated from the same example with the same N is kept; one that
    differs is passed to ``discard`` first.
    """
    stamp = target / ".generated"
    settings = settings or example / "smpc.toml"
    key = (f"{count} {_digest(example)} {sorted(ids) if ids is not None else 'all'}"
           f" {hashlib.sha256(settings.read_bytes()).hexdigest()}\n")
    if stamp.exists() and stamp.read_text() == key:
        return
    if target.exists():
        discard(target)
    (target / "products").mkdir(parents=True)
    shutil.copy2(settings, target / "smpc.toml")
    products = sorted(p for p in (example / "products").glob("*.xml")
                      if ids is None or p.stem in ids)
    catalogs = [*sorted((example / "locales").glob("*/LC_MESSAGES/*.po")),
                *sorted((example / "locales" / "templates").glob("*.pot"))]
    width = max(4, len(str(count)))
    for index in range(count):
        source = products[index % len(products)]
        stem = source.stem
        new_id = f"{stem}-{index + 1:0{width}d}"
        xml = source.read_text(encoding="utf-8").replace(f'id="{stem}"', f'id="{new_id}"', 1)
        (target / "products" / f"{new_id}.xml").write_text(xml, encoding="utf-8")
        for catalog in catalogs:
            if catalog.stem != stem:
                continue
            relative = catalog.relative_to(example)
            copy = target / relative.parent / f"{new_id}{catalog.suffix}"
            copy.parent.mkdir(parents=True, exist_ok=True)
            text = catalog.read_text(encoding="utf-8")
            copy.write_text(text.replace(f"products/{stem}.xml", f"products/{new_id}.xml"),
                            encoding="utf-8")
    stamp.write_text(key)


def _digest(example: Path) -> str:
    """A digest of every file of ``example``, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(p for p in example.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(example)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def four_market_example(target: Path, tree: Path = REPO) -> Path:
    """Make ``target`` the example portfolio of the source tree ``tree`` with GB among its
    markets and GB data in its product, and return it.

    The example's BESPONSA has data for AT, DE and IE only; the GB test product has the same
    product's GB authorisation, legal category and price. Both are read from the repository
    each time, so no further copy of the product's text is kept in it. The example's second
    product, Zeposia, is left out: the portfolio is BESPONSA's alone, the same on every side
    a benchmark compares, whether or not its tree has Zeposia.
    """
    if target.exists():
        shutil.rmtree(target)  # a handful of files: nothing to slow the builds after it
    example = tree / EXAMPLE.relative_to(REPO)
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("zeposia.*"))
    markets = ", ".join(f'"{market}"' for market in ALL_MARKETS)
    settings = target / "smpc.toml"
    text, found = re.subn(r"(?m)^markets = \[.*\]$", f"markets = [{markets}]",
                          settings.read_text(encoding="utf-8"))
    if found != 1:
        raise SystemExit(f"{example / 'smpc.toml'}: no one-line 'markets = [...]' to extend")
    settings.write_text(text, encoding="utf-8")
    gb = (tree / GB_PRODUCT.relative_to(REPO)).read_text(encoding="utf-8")
    for product in (target / "products").glob("*.xml"):
        product.write_text(with_gb_data(product.read_text(encoding="utf-8"), gb),
                           encoding="utf-8")
    return target


def with_gb_data(product: str, gb_product: str) -> str:
    """``product``'s XML with the GB elements of ``gb_product`` added.

    The GB marketing authorisation goes after the product's last one, the GB legal category
    after its last prescription status, and the GB price where the schema has it: in
    schema 1 a cost after the legal category, in schema 2 the pack that carries it after
    the composition of the (one) presentation.
    """
    def element(pattern: str) -> str:
        found = re.search(rf"\n *{pattern}", gb_product, re.DOTALL)
        if found is None:
            raise SystemExit(f"{GB_PRODUCT}: no element matching {pattern!r}")
        return found.group(0)

    def after_last(text: str, end_tag: str, addition: str) -> str:
        at = text.rindex(end_tag) + len(end_tag)
        return text[:at] + addition + text[at:]

    authorisation = element(r'<marketing-authorisation markets="GB">.*?</marketing-authorisation>')
    status = element(r'<prescription-status market="GB">.*?</prescription-status>')
    product = after_last(product, "</marketing-authorisation>", authorisation)
    if "<cost " in gb_product:  # schema 1
        return after_last(product, "</prescription-status>",
                          status + element(r'<cost market="GB".*?</cost>'))
    product = after_last(product, "</prescription-status>", status)
    return after_last(product, "</composition>", element(r"<pack>.*?</pack>"))
