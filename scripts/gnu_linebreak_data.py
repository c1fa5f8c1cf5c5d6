#!/usr/bin/env python3
"""Write ``src/smpc_manager/catalogs/linebreak.txt``: how GNU gettext breaks and measures text.

GNU ``msgcat``, ``msgmerge`` and ``xgettext`` wrap a PO string where libunistring's line
breaker (Unicode Standard Annex #14, as libunistring implements it) allows a break, counting
columns with libunistring's ``uc_width``. Python's ``unicodedata`` has neither the line
breaking classes nor those widths, so the catalog writer reads them from this data file.

The data are taken from the libunistring that GNU gettext itself runs on (1.0 for gettext
0.21), by asking it, through ``ctypes``, where it allows breaks and how wide each character
is: every code point is probed against a representative of each class, before and after,
with and without a space between, and code points that behave alike in every probe form one
class. The pair table between the classes is probed the same way. What is written is thus
the behaviour of GNU's line breaker, whatever tables and adjustments libunistring made it
from; ``tests/test_po_layout.py`` compares the writer with GNU ``msgcat`` on text of every
script.

Run it on a machine with GNU gettext's libunistring (``libunistring.so.2``)::

    python3 scripts/gnu_linebreak_data.py

and commit the file if it changed (it changes only with another libunistring).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from array import array
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "smpc_manager" / "catalogs" / \
    "linebreak.txt"

PROHIBITED, POSSIBLE, MANDATORY = 1, 2, 3

#: A code point of each class of UAX #14, to start from; the names are UAX #14's. The first
#: name of a class that behaves like an earlier one is dropped (AI, SA, XX behave as AL in a
#: UTF-8 text; CB as ID).
SEEDS: dict[str, int] = {
    "AL": ord("a"), "BK": 0x0A, "SP": 0x20, "ZW": 0x200B, "CM": 0x0300, "ZWJ": 0x200D,
    "WJ": 0x2060, "GL": 0xA0, "B2": 0x2014, "BA": 0x2010, "BB": 0xB4, "HY": ord("-"),
    "CL": ord("}"), "CP": ord(")"), "EX": ord("!"), "IN": 0x2026, "NS": 0x203C,
    "OP": ord("("), "OPW": 0xFF08, "QU": ord('"'), "IS": ord(","), "NU": ord("0"),
    "PO": ord("%"), "PR": ord("$"), "SY": ord("/"), "H2": 0xAC00, "H3": 0xAC01,
    "ID": 0x4E00, "IDE": 0x1F02C, "JL": 0x1100, "JV": 0x1160, "JT": 0x11A8, "HL": 0x05D0,
    "RI": 0x1F1E6, "EB": 0x1F466, "EM": 0x1F3FB,
}
#: Classes the breaking algorithm treats apart from the pair table.
SPECIAL = ("BK", "SP", "ZW", "CM", "ZWJ")
SPACE = 0x20
LINE = 0x0A


def library() -> ctypes.CDLL:
    name = ctypes.util.find_library("unistring") or "libunistring.so.2"
    lib = ctypes.CDLL(name)
    lib.u32_possible_linebreaks.argtypes = [ctypes.c_void_p, ctypes.c_size_t,
                                            ctypes.c_char_p, ctypes.c_void_p]
    lib.uc_width.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    lib.uc_width.restype = ctypes.c_int
    return lib


LIB = library()


def breaks(units: array[int]) -> bytes:
    """libunistring's break before each code point of ``units``."""
    result = ctypes.create_string_buffer(len(units))
    pointer, _ = units.buffer_info()
    LIB.u32_possible_linebreaks(pointer, len(units), b"UTF-8", result)
    return result.raw


def probes(seeds: list[int]) -> list[tuple[list[int | None], list[int]]]:
    """The probes of a code point (None in a probe) and the indexes whose breaks are read."""
    found: list[tuple[list[int | None], list[int]]] = []
    for seed in seeds:
        found += [([seed, None], [1]), ([seed, SPACE, None], [2]),
                  ([None, seed], [1]), ([None, SPACE, seed], [2])]
    found += [([None, None, None], [1, 2]),            # regional indicators pair up
              ([SEEDS["HL"], None, SEEDS["AL"]], [2]),  # Hebrew letter + hyphen
              ([SEEDS["B2"], None, SEEDS["AL"]], [2]),  # after a zero width joiner
              ([SEEDS["AL"], SPACE, None, SEEDS["AL"]], [2, 3])]
    return found


CODE_POINTS = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def signatures(seeds: list[int]) -> list[bytes]:
    """Each code point's breaks in every probe, in the order of :data:`CODE_POINTS`."""
    layout: list[int | None] = []
    read: list[int] = []
    for units, positions in probes(seeds):
        read += [len(layout) + i for i in positions]
        layout += [*units, LINE]
    holes = [i for i, unit in enumerate(layout) if unit is None]
    stride = len(layout)
    result: list[bytes] = []
    chunk = 4096
    for start in range(0, len(CODE_POINTS), chunk):
        points = array("I", CODE_POINTS[start:start + chunk])
        units = array("I", [0 if u is None else u for u in layout]) * len(points)
        for hole in holes:
            units[hole::stride] = points
        found = breaks(units)
        table = bytearray(len(points) * len(read))
        for k, position in enumerate(read):
            table[k::len(read)] = found[position::stride]
        result += [bytes(table[i * len(read):(i + 1) * len(read)])
                   for i in range(len(points))]
    return result


def classes() -> tuple[dict[str, int], list[str]]:
    """A representative of each class, and the class of each code point."""
    seeds = dict(SEEDS)
    while True:
        found = signatures(list(seeds.values()))
        names = {found[CODE_POINTS.index(point)]: name for name, point in
                 reversed(seeds.items())}
        unnamed: dict[bytes, int] = {}
        for point, signature in zip(CODE_POINTS, found, strict=True):
            if signature not in names and signature not in unnamed:
                unnamed[signature] = point
        if not unnamed:
            named = set(names.values())
            return ({name: point for name, point in seeds.items() if name in named},
                    [names[signature] for signature in found])
        for point in unnamed.values():  # a class no seed stood for: probe it too
            seeds[f"U{point:04X}"] = point
        print(f"{len(unnamed)} more classes: probing again", file=sys.stderr)


def pair_table(names: list[str], seeds: dict[str, int]) -> list[str]:
    """Row ``a``, column ``b``: the break between a and b: D without a space, I only after a
    space, P never (UAX #14's pair table, as libunistring's breaker behaves)."""
    rows = []
    for before in names:
        row = ""
        for after in names:
            plain = breaks(array("I", [seeds[before], seeds[after]]))[1]
            spaced = breaks(array("I", [seeds[before], SPACE, seeds[after]]))[2]
            row += "D" if plain == POSSIBLE else "I" if spaced == POSSIBLE else "P"
        rows.append(row)
    return rows


def ranges(values: list[str]) -> list[tuple[int, str]]:
    """(first code point, value) wherever the value changes; surrogates take their
    neighbour's value."""
    out: list[tuple[int, str]] = []
    for point, value in zip(CODE_POINTS, values, strict=True):
        if not out or out[-1][1] != value:
            out.append((point, value))
    return out


def main() -> None:
    seeds, of_point = classes()
    table_names = [name for name in seeds if name not in SPECIAL]
    widths = [str(LIB.uc_width(point, b"UTF-8")) for point in CODE_POINTS]
    version = ctypes.c_int.in_dll(LIB, "_libunistring_version").value
    lines = [
        "# Line breaking classes and column widths as GNU gettext's libunistring"
        f" {version >> 16}.{version >> 8 & 0xFF}.{version & 0xFF} has them.",
        "# Written by scripts/gnu_linebreak_data.py from that library's behaviour:"
        " do not edit.",
        "# classes: the class names; pair: for each class (in that order) the break"
        " before each",
        "# (D direct, I after a space only, P prohibited); class/width: first code point"
        " (hex) and value.",
        "classes " + " ".join(seeds),
        *(f"pair {name} {row}" for name, row in
          zip(table_names, pair_table(table_names, seeds), strict=True)),
        *(f"class {point:X} {name}" for point, name in ranges(of_point)),
        *(f"width {point:X} {width}" for point, width in ranges(widths)),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(seeds)} classes, {len(lines)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
