"""The floor of a build: the work no build of N products can avoid, in one Python process.

Parse each product file with lxml (the same hardened parser settings as the loader) and
validate it against the product XSD, then write, atomically (temporary file, rename), as
many files of the same sizes and paths as the build wrote, and make them durable with one
sync at the end, as the build does. No rendering, no catalogs, no checks: any real build
costs at least this.

    python benchmarks/floor.py PRODUCTS_DIR SIZES_JSON OUT_DIR

SIZES_JSON maps each output's path under OUT_DIR to its size in bytes (from a build's
manifest.json).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schemas" / "product.xsd"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    products, sizes_file, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_blank_text=False)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA), parser))
    invalid = 0
    for path in sorted(products.glob("*.xml")):
        root = etree.fromstring(path.read_bytes(), parser)
        if not schema.validate(root.getroottree()):
            invalid += 1
    outputs: dict[str, int] = json.loads(sizes_file.read_text())
    for key, size in outputs.items():
        write_atomically(out / key, b"x" * size)
    os.sync()
    if invalid:
        print(f"{invalid} invalid product files", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
