"""The lookup rendering reads: it answers as the strict reader, fast path or not.

The property is checked on generated catalogs (our writer's output and hand-made layouts
with the odd spacing, escapes, duplicates and headers that decide between the lookup's fast
path and the strict reader), on mutations of the German example catalog, and on every
catalog in the repository: the lookup holds the same entries as the Babel catalog
``parse_po`` builds (string, fuzzy, line, plural), or both raise the same problems.
"""

from __future__ import annotations

import datetime as dt
import gettext
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smpc_manager.catalogs import (
    CatalogLookup,
    LookupEntry,
    PoCatalog,
    format_po,
    load_catalog,
    load_lookup,
    parse_lookup,
    parse_po,
    read_catalog,
    read_lookup,
)
from smpc_manager.catalogs.cache import CACHE_SIZE, FileCache
from smpc_manager.errors import Problem, ProblemsError
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products.loader import load_product
from smpc_manager.render import Renderer
from smpc_manager.rules.translation import translate
from tests.conftest import DATA, EXAMPLE, REPO

DAY = dt.date(2026, 12, 6)

GERMAN = EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po"
GERMAN_TEXT = GERMAN.read_text(encoding="utf-8")
#: The references of the pharmaceutical form's entry and of the last (the holder's city).
FORM_REFERENCE = re.findall(r'(#: .*)\nmsgctxt "pharmaceutical-form"', GERMAN_TEXT)[0]
CITY_REFERENCE = re.findall(r"#: products/besponsa\.xml:\d+", GERMAN_TEXT)[-1]
PATH = "locales/de/LC_MESSAGES/x.po"
#: Every catalog kept in the repository, the broken ones under tests/data included.
REPOSITORY_CATALOGS = sorted(
    p for pattern in ("examples/**/*.po", "locales/**/*.po", "locales/*.pot",
                      "tests/data/**/*.po", "tests/golden/**/*.po", "tests/golden/**/*.pot")
    for p in REPO.glob(pattern)
)
#: SMPC_FUZZ_SCALE=50 multiplies the examples for a longer run by hand.
SCALE = int(os.environ.get("SMPC_FUZZ_SCALE", "1"))

Outcome = dict[tuple[str, str | None], LookupEntry] | tuple[Problem, ...] | str


def strict_outcome(text: str) -> Outcome:
    """What the strict reader makes of ``text``, as Babel's catalog answers ``get``: every
    message's entry, or its problems, or (should it ever happen) another exception."""
    try:
        catalog = parse_po(text, PATH)
    except ProblemsError as err:
        return err.problems
    except Exception as err:  # the fast reader must fail the same way
        return f"{type(err).__name__}: {err}"
    entries: dict[tuple[str, str | None], LookupEntry] = {}
    for message in list(catalog)[1:]:  # Babel yields the header first
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        found = catalog.get(msgid, context=message.context)
        assert found is message
        string = found.string
        plural = isinstance(string, tuple)
        if isinstance(string, tuple):
            string = string[0]
        assert isinstance(string, str)
        assert isinstance(found.lineno, int)
        entries[(msgid, message.context)] = LookupEntry(string, found.fuzzy, found.lineno,
                                                        plural)
    return entries


def lookup_outcome(text: str) -> Outcome:
    try:
        lookup = parse_lookup(text, PATH)
    except ProblemsError as err:
        return err.problems
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return as_dict(lookup)


def as_dict(lookup: CatalogLookup) -> dict[tuple[str, str | None], LookupEntry]:
    entries = {key: lookup.get(*key) for key in lookup}
    assert len(entries) == len(lookup)
    return {key: entry for key, entry in entries.items() if entry is not None}


def assert_same(text: str) -> None:
    """The lookup's outcome is the strict reader's."""
    assert lookup_outcome(text) == strict_outcome(text)


# ------------------------------------------------------------------------ generated catalogs

#: Pieces of a string as written between the quotes: escapes, blanks that ``str.strip``
#: would remove at a line's end, characters that only look like line ends; and the odd
#: ones, which the strict reader refuses.
BODY = ["a", "Ab", "Ä", " ", "  ", "%s", "%(name)s", "<sup>", "\\n", '\\"', "\\\\", "\\t",
        "\\101", "\\1", "\\x41", "\\777", "\t", "\x0c", "\x85", "\u2028", "\x00", "#",
        "msgid ", "0", "7", "41", "f"]
ODD_BODY = ["\\x", "\\q", "\\x110000", '"', "\r"]
#: Where a string goes on to its next line.
BREAK = "\uffff"
KEYS = ["", "a", "Brussels", "a\n"]
CONTEXTS = [None, None, None, "", "c"]
COMMENTS = ["#", "# note", "# note  ", "#. auto", "#: products/x.xml:5 y.xml", "#, fuzzy",
            "#, python-format, fuzzy", "#,fuzzy", "#, fuzzy ,", "#, not-fuzzy",
            '#| msgid "old"', '#| msgid "old"\n#| "more"', '#| msgctxt "c"',
            '#| msgid_plural "olds"', "#.\u2028", "#\x0c|", "#:"]
ODD_COMMENTS = ['#| "more"', '#| msgid "\\q"', '#|msgid "x"', "#~", '#~ msgid "x"',
                '#~| msgid "x"', "#\r", "  # indented", "#| msgid  \"x\" "]
#: How a keyword line is laid out: (before, between keyword and string, after).
LAYOUTS = [("", " ", "")]
ODD_LAYOUTS = [("", "", ""), ("", "  ", ""), ("", "\t", ""), (" ", " ", ""), ("", " ", " "),
               ("", " ", "\r"), ("", " ", "\x85"), ("\u3000", " ", "")]
HEADERS = [
    "Language: de", "Language: xx_YY", "Language: !!", "Language: ", "Language: de-AT",
    "Plural-Forms: nplurals=2; plural=(n != 1);", "Plural-Forms: nplurals=x",
    "POT-Creation-Date: 2026-11-25 10:01+0000", "PO-Revision-Date: 2026-13-45 99:99+9999",
    "POT-Creation-Date: YEAR-MO-DA", "Project-Id-Version: besponsa", ": empty name",
    "Content-Type: text/plain; charset=utf8", "content-type: text/plain; charset = UTF-8 ",
]
ODD_HEADERS = ["Content-Type: text/plain; charset=latin1", "Content-Type: text/plain",
               "no colon here"]
UTF8 = "Content-Type: text/plain; charset=UTF-8"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _lines(draw: st.DrawFn, keyword: str, bodies: list[str], odd: bool) -> list[str]:
    before, gap, after = draw(st.sampled_from(LAYOUTS + ODD_LAYOUTS if odd else LAYOUTS))
    return [f'{before}{keyword}{gap}"{bodies[0]}"{after}', *(f'"{b}"' for b in bodies[1:])]


def _string(draw: st.DrawFn, odd: bool) -> list[str]:
    """A string as the bodies of its quoted lines; lines break between pieces only, as a
    hand would break them."""
    if draw(st.integers(0, 5)) == 0:
        return [_escape(draw(st.sampled_from(KEYS)))]
    pool = BODY + ODD_BODY if odd else BODY
    return "".join(draw(st.lists(st.sampled_from([*pool, BREAK]), max_size=6))).split(BREAK)


def _msgid(draw: st.DrawFn, number: int) -> list[str]:
    """A msgid that no other entry has, unless it is one of :data:`KEYS`."""
    bodies = _string(draw, odd=False)
    if "".join(bodies) in KEYS:
        return bodies if "".join(bodies) else ["m"]
    return [*bodies[:-1], f"{bodies[-1]}{number}"]


@st.composite
def entries(draw: st.DrawFn, number: int) -> list[str]:
    """One entry's lines; about one in five is odd in one way: its comments, its layout,
    its strings or its shape."""
    odd = draw(st.sampled_from(["comments", "layout", "strings", "shape", *[""] * 12]))
    layout, strings = odd == "layout", odd == "strings"
    lines = draw(st.lists(st.sampled_from(COMMENTS + ODD_COMMENTS if odd == "comments"
                                          else COMMENTS), max_size=3))
    context = draw(st.sampled_from(CONTEXTS))
    if context is not None:
        lines += _lines(draw, "msgctxt", [_escape(context)], layout)
    # An empty msgid is the header's (or, with a msgctxt, one Babel takes for a header).
    lines += _lines(draw, "msgid", _string(draw, odd=True) if strings else _msgid(draw, number),
                    layout)
    shape = draw(st.integers(0, 3)) if odd == "shape" else 4
    if shape == 0:  # a plural entry
        lines += _lines(draw, "msgid_plural", ["as"], layout)
        lines += _lines(draw, "msgstr[0]", _string(draw, strings), layout)
        lines += _lines(draw, "msgstr[1]", _string(draw, strings), layout)
    elif shape == 1:  # an obsolete one
        lines += _lines(draw, "msgstr", _string(draw, strings), layout)
        lines = [f"#~ {line}" for line in lines if not line.startswith("#")]
    elif shape == 2:  # a second msgstr
        lines += _lines(draw, "msgstr", ["x"], layout) + _lines(draw, "msgstr", ["y"], layout)
    elif shape == 3:  # no msgstr
        pass
    else:
        lines += _lines(draw, "msgstr", _string(draw, strings), layout)
    return lines


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    odd = draw(st.integers(0, 9)) == 0
    rows = draw(st.lists(st.sampled_from(HEADERS + ODD_HEADERS if odd else HEADERS),
                         max_size=3))
    if not odd or draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), UTF8)
    lines = draw(st.lists(st.sampled_from(["# German translation.", "#, fuzzy", "#"]),
                          max_size=2))
    if odd and draw(st.booleans()):
        lines += ['msgctxt "c"']
    return [*lines, 'msgid ""', 'msgstr ""', *(f'"{_escape(row)}\\n"' for row in rows)]


@st.composite
def po_texts(draw: st.DrawFn) -> str:
    """A catalog: a header (rarely none, or two, or not first) and up to five entries."""
    odd = draw(st.integers(0, 7)) == 0
    blocks = [draw(entries(number)) for number in range(draw(st.integers(0, 5)))]
    count = draw(st.sampled_from([0, 1, 2])) if odd else 1
    for _ in range(count):
        at = draw(st.integers(0, len(blocks))) if odd else 0
        blocks.insert(at, draw(headers()))
    gaps = ["\n", "", "\n\n", " \n", "\r\n"] if odd else ["\n", "\n", "", "\n\n"]
    text = "".join("\n".join(block) + "\n" + draw(st.sampled_from(gaps)) for block in blocks)
    if odd:
        text = draw(st.sampled_from(["", "\n", "\n\n"])) + text
        text += draw(st.sampled_from(["", "# a comment at the end\n", "#, fuzzy\n", '"x"\n']))
        if draw(st.booleans()):
            text = text.rstrip("\n")
    return text


GENERATED = settings(max_examples=200 * SCALE, deadline=None)


@given(po_texts())
@GENERATED
def test_generated_catalogs_read_the_same_as_with_the_strict_reader(text: str) -> None:
    assert_same(text)


# ------------------------------------------------------------------------ mutated catalogs

PO_TOKENS = ['"', "\\", "\\n", "\\x", "\\x110000", "\\777", "\\101", "\\q", "msgid ",
             "msgstr ", "msgctxt ", 'msgctxt "x"\n', "msgstr[0] ", "msgid_plural ", "#~ ",
             "#| msgid ", '#| "x"\n', "#, fuzzy", "#, fuzzy\n", "#,", "\n", "\n\n", " ", "\t",
             "charset=latin1", "<sup>", "\x00", "\ufeff", "\r", "\r\n", "\x0c", "\u2028",
             "#", "# ", 'msgid ""\nmsgstr ""\n']


@st.composite
def mutations(draw: st.DrawFn) -> str:
    """The German catalog with a few characters or whole lines inserted, replaced, deleted,
    repeated or moved: the line edits keep most results readable, so both readers work."""
    lines = GERMAN_TEXT.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["insert", "insert", "delete", "repeat", "move", "line",
                                     "token"]))
        if kind == "insert":
            column = draw(st.integers(0, len(lines[at])))
            piece = draw(st.one_of(st.sampled_from(PO_TOKENS), st.text(max_size=3)))
            lines[at] = lines[at][:column] + piece + lines[at][column:]
        elif kind == "delete":
            del lines[at : at + draw(st.integers(1, 3))]
        elif kind == "repeat":
            lines[at:at] = lines[at : at + draw(st.integers(1, 6))]
        elif kind == "move":
            line = lines.pop(at)
            lines.insert(draw(st.integers(0, len(lines))), line)
        elif kind == "line":
            lines.insert(at, draw(st.sampled_from(
                [*COMMENTS, "", " ", 'msgstr "x"', '"y"', 'msgctxt "z"', 'msgid "Brussels"'])))
        else:
            column = draw(st.integers(0, len(lines[at])))
            piece = draw(st.sampled_from(PO_TOKENS))
            lines[at] = lines[at][:column] + piece + lines[at][column + len(piece):]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@given(mutations())
@settings(max_examples=250 * SCALE, deadline=None)
def test_mutated_catalogs_read_the_same_as_with_the_strict_reader(text: str) -> None:
    assert_same(text)


# ------------------------------------------------------------------------ our writer's catalogs

WRITTEN_TEXT = st.text(st.sampled_from("aZ09 .,:%()s-\"\\\t\n\r\x0cäß€\u2028#~|"),
                       max_size=90)
#: Comments are written as they are: one with a line break or a CR in it is another file.
COMMENT_TEXT = st.text(st.sampled_from("aZ09 .,:%\"\\\täß#~|"), max_size=40)


@st.composite
def written_catalogs(draw: st.DrawFn) -> str:
    catalog = parse_po(GERMAN_TEXT.split("\n\n", 1)[0] + "\n")
    assert isinstance(catalog, PoCatalog)
    for _ in range(draw(st.integers(0, 6))):
        msgid = draw(WRITTEN_TEXT.filter(bool))
        context = draw(st.one_of(st.none(), WRITTEN_TEXT))
        if catalog.get(msgid, context=context) is not None:
            continue
        catalog.add(msgid, draw(WRITTEN_TEXT), context=context,
                    auto_comments=draw(st.lists(COMMENT_TEXT, max_size=2)),
                    user_comments=draw(st.lists(COMMENT_TEXT, max_size=2)),
                    locations=[("products/besponsa.xml", draw(st.integers(1, 999)))],
                    previous_id=draw(st.lists(WRITTEN_TEXT, max_size=1)))
        catalog.get(msgid, context=context).flags = set(
            draw(st.lists(st.sampled_from(["fuzzy", "python-format", "no-wrap"]))))
    return format_po(catalog)


@given(written_catalogs())
@settings(max_examples=100 * SCALE, deadline=None)
def test_what_our_writer_writes_reads_the_same_as_with_the_strict_reader(text: str) -> None:
    assert_same(text)


#: An entry of the German catalog that the cases below change, and what it says.
ENTRY = 'msgctxt "active-substance"\nmsgid "inotuzumab ozogamicin"\n'
TRANSLATED = 'msgstr "Inotuzumab Ozogamicin"\n'
HEADER_END = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
OBSOLETE = '#~ msgctxt "active-substance"\n#~ msgid "inotuzumab ozogamicin"\n#~ msgstr "x"\n'

#: One change to the German catalog at a time, to a layout the lookup's fast path reads or
#: to one it leaves to the strict reader.
CASES = {
    "previous msgid": (ENTRY, f'#| msgid "old"\n#| "er"\n{ENTRY}'),
    "previous msgid with a bad escape": (ENTRY, f'#| msgid "\\q"\n{ENTRY}'),
    "previous string without a previous msgid": (ENTRY, f'#| "er"\n{ENTRY}'),
    "fuzzy": (ENTRY, f"#, fuzzy\n{ENTRY}"),
    "fuzzy among flags": (ENTRY, f"#, no-wrap,fuzzy ,\n{ENTRY}"),
    "a flag that is not fuzzy": (ENTRY, f"#, fuzzy-ish\n{ENTRY}"),
    "empty and odd comments": (ENTRY, f"#\n#\x0c|\n#:\n{ENTRY}"),
    "an octal escape split over two lines": (TRANSLATED, 'msgstr "\\1"\n"23"\n'),
    "a hexadecimal escape split over two lines": (TRANSLATED, 'msgstr "\\x4"\n"1"\n'),
    "escapes": (TRANSLATED, 'msgstr "\\101\\x42\\t\\"\\\\\\n"\n'),
    "a character that is not one": (TRANSLATED, 'msgstr "\\xD800"\n'),
    "no blank lines": ("\n\n", "\n"),
    "blank lines before the header": ("", "\n\n"),
    "no newline at the end": ("", ""),
    "a CR before the newlines": ("\n", "\r\n"),
    "two spaces after msgid": (ENTRY, ENTRY.replace("msgid ", "msgid  ")),
    "a blank after a string": (TRANSLATED, TRANSLATED.replace('"\n', '" \n')),
    "a line separator after a string": (TRANSLATED, TRANSLATED.replace('"\n', '"\u2028\n')),
    "an indented msgid": (ENTRY, ENTRY.replace("msgid", " msgid")),
    "no msgstr": (TRANSLATED, ""),
    "a second msgstr": (TRANSLATED, TRANSLATED * 2),
    "a duplicate entry": (ENTRY, f"{ENTRY}{TRANSLATED}\n{ENTRY}"),
    "an obsolete entry": (ENTRY, f"{OBSOLETE.replace('active', 'passive')}\n{ENTRY}"),
    "an obsolete twin of a live entry": (ENTRY, f"{OBSOLETE}\n{ENTRY}"),
    "a plural entry": (ENTRY, f'msgid "vial"\nmsgid_plural "vials"\nmsgstr[0] "Flasche"\n'
                              f'msgstr[1] "Flaschen"\n\n{ENTRY}'),
    "a msgid \"\" with a msgctxt": (ENTRY, f'msgctxt "x"\nmsgid ""\nmsgstr ""\n\n{ENTRY}'),
    "a second header": (ENTRY, f'msgid ""\nmsgstr ""\n\n{ENTRY}'),
    "a latin1 header": ("charset=UTF-8", "charset=latin1"),
    "no charset": ("; charset=UTF-8", ""),
    "a header row without a colon": (HEADER_END, f'{HEADER_END}"oops\\n"\n'),
    "header fields Babel cannot read": ("Language: de\\n\"\n", 'Language: !!\\n"\n'
                                        '"POT-Creation-Date: YEAR-MO-DA\\n"\n'),
    "a comment at the end": ("", "# the end\n"),
    # Quotes in and around strings.
    "a string continued after an empty one": (TRANSLATED, 'msgstr ""\n"Inotuzumab"\n'),
    "a quote inside a string": (TRANSLATED, 'msgstr "Inotuzumab "Ozogamicin"\n'),
    "a line that is a lone quote": (TRANSLATED, f'{TRANSLATED}"\n'),
    "a string line left open": (TRANSLATED, 'msgstr "Inotuzumab\n"Ozogamicin"\n'),
    "an open line and a lone quote": (TRANSLATED, 'msgstr "Ino"tuzumab"\n"\n'),
    "a quote inside the last string": ('msgstr "Brüssel"', 'msgstr "Brü"ssel"'),
    "an escaped quote in the last string": ('msgstr "Brüssel"', 'msgstr "Brü\\"ssel"'),
    "a flag on the last entry": (f"{CITY_REFERENCE}\n", f"{CITY_REFERENCE}\n#, fuzzy\n"),
}


@pytest.mark.parametrize(("old", "new"), CASES.values(), ids=CASES.keys())
def test_one_change_to_a_catalog(old: str, new: str) -> None:
    if old == "" and new == "":
        text = GERMAN_TEXT.rstrip("\n")
    elif old == "":
        text = new + GERMAN_TEXT if new.startswith("\n") else GERMAN_TEXT + new
    else:
        assert old in GERMAN_TEXT
        text = GERMAN_TEXT.replace(old, new)
    assert_same(text)


def test_the_tool_catalogs_and_the_writers_output_read_the_same() -> None:
    assert_same(GERMAN_TEXT)
    for path in sorted((REPO / "locales").glob("*/LC_MESSAGES/smpc.po")):
        assert_same(path.read_text(encoding="utf-8"))
    # The writer's own output of the German catalog, read back.
    assert_same(format_po(read_catalog(GERMAN)))


@pytest.mark.parametrize("path", REPOSITORY_CATALOGS, ids=lambda p: p.name)
def test_every_catalog_in_the_repository_reads_the_same(path: Path) -> None:
    try:
        expected: object = read_catalog(path)
    except ProblemsError as err:
        expected = err.problems
        with pytest.raises(ProblemsError) as caught:
            read_lookup(path)
        assert caught.value.problems == expected
    else:
        assert as_dict(read_lookup(path)) == strict_outcome(
            path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n"))


def test_the_broken_catalogs_are_refused_with_the_strict_readers_problems() -> None:
    for path in sorted((DATA / "catalogs").glob("*.po")):
        with pytest.raises(ProblemsError) as strict:
            read_catalog(path)
        with pytest.raises(ProblemsError) as fast:
            read_lookup(path)
        assert fast.value.problems == strict.value.problems, path.name


def test_obsolete_entries_and_plurals_are_read() -> None:
    text = GERMAN_TEXT + (
        '\n#, fuzzy\nmsgid "one vial"\nmsgid_plural "%(n)s vials"\n'
        'msgstr[0] "eine Durchstechflasche"\nmsgstr[1] "%(n)s Durchstechflaschen"\n'
        '\n#~ msgctxt "indications"\n#~ msgid "Old English."\n#~ msgstr "Altes Deutsch."\n'
    )
    lookup = parse_lookup(text)
    line = text.split("\n").index('msgid "one vial"') + 1
    assert lookup.get("one vial") == LookupEntry("eine Durchstechflasche", True, line, True)
    assert lookup.get("Old English.", "indications") is None
    assert lookup.get("Brussels", "marketing-authorisation-holder/city") == \
        parse_lookup(GERMAN_TEXT).get("Brussels", "marketing-authorisation-holder/city")
    assert_same(text)


def test_translate_gives_the_same_from_the_lookup_and_the_catalog() -> None:
    product = load_product(EXAMPLE / "products" / "besponsa.xml")
    # One translation marked fuzzy, one emptied, one with a wrong number, one gone.
    text = GERMAN_TEXT.replace(f"{FORM_REFERENCE}\n", f"{FORM_REFERENCE}\n#, fuzzy\n", 1)
    text = text.replace('msgstr "Inotuzumab Ozogamicin"', 'msgstr ""', 1)
    text = text.replace("enthält 1 mg", "enthält 2 mg", 1)
    text = text.replace('msgid "Brussels"', 'msgid "Bruxelles"', 1)
    lookup, catalog = parse_lookup(text), parse_po(text)
    results = [(translate(t, lookup, "de", product.name.value),
                translate(t, catalog, "de", product.name.value)) for t in product.messages()]
    assert len(results) > 10
    assert {mine.status for mine, _ in results} == {"translated", "untranslated", "fuzzy",
                                                    "failed"}
    assert all(mine == theirs for mine, theirs in results)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_gnu_gettext_finds_what_the_lookup_finds(tmp_path: Path) -> None:
    mo = tmp_path / "besponsa.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(GERMAN)], check=True)
    with mo.open("rb") as handle:
        gnu = gettext.GNUTranslations(handle)
    lookup = read_lookup(GERMAN)
    used = 0
    for msgid, context in lookup:
        entry = lookup.get(msgid, context)
        assert entry is not None
        found = gnu.pgettext(context, msgid) if context is not None else gnu.gettext(msgid)
        if entry.string and not entry.fuzzy:
            used += 1
            assert found == entry.string
        else:
            assert found == msgid
    assert used > 10


# ------------------------------------------------------------------------ the caches


def _replace_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    """An atomic save: a new file (a new inode) of the same size, with the old mtime."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.replace(fresh, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ino != before.st_ino


def test_a_file_cache_keeps_what_was_read_while_the_file_is_unchanged(tmp_path: Path) -> None:
    cache = FileCache(lambda path: [path.read_text(encoding="utf-8")])
    path = tmp_path / "de.po"
    shutil.copy(GERMAN, path)
    first = cache.get(path)
    assert cache.get(path) is first
    assert cache.get(tmp_path / "." / "de.po") is first  # the same file, named otherwise
    _replace_keeping_size_and_mtime(path, 'msgstr "Brüssel"', 'msgstr "Brüssal"')
    second = cache.get(path)
    assert second is not first
    assert 'msgstr "Brüssal"' in second[0]


def test_a_file_cache_keeps_only_the_newest_files(tmp_path: Path) -> None:
    cache = FileCache(lambda path: [path.name])
    paths = []
    for number in range(CACHE_SIZE + 1):
        path = tmp_path / f"{number}.po"
        path.touch()
        paths.append(path)
    first = cache.get(paths[0])
    for path in paths[1:]:
        cache.get(path)
    assert cache.get(paths[-1]) is cache.get(paths[-1])
    assert cache.get(paths[0]) is not first  # the oldest was dropped


@pytest.mark.parametrize("load", [load_lookup, load_catalog], ids=["lookup", "catalog"])
def test_a_file_replaced_with_the_same_size_and_mtime_is_read_again(
        tmp_path: Path, load: Callable[[Path], CatalogLookup | PoCatalog]) -> None:
    path = tmp_path / "de.po"
    shutil.copy(GERMAN, path)
    first = load(path).get("Brussels", "marketing-authorisation-holder/city")
    assert first is not None
    assert first.string == "Brüssel"
    _replace_keeping_size_and_mtime(path, 'msgstr "Brüssel"', 'msgstr "Brüssal"')
    second = load(path).get("Brussels", "marketing-authorisation-holder/city")
    assert second is not None
    assert second.string == "Brüssal"


def test_a_catalog_that_cannot_be_read_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ProblemsError, match="no such catalog"):
        load_lookup(tmp_path / "missing.po")
    crlf = tmp_path / "crlf.po"
    crlf.write_bytes(GERMAN.read_bytes().replace(b"\n", b"\r\n"))
    assert as_dict(load_lookup(crlf)) == as_dict(read_lookup(GERMAN))
    bom = tmp_path / "bom.po"
    bom.write_bytes(b"\xef\xbb\xbf" + GERMAN.read_bytes())
    with pytest.raises(ProblemsError, match=r"bom\.po:1:1: starts with a byte order mark"):
        load_lookup(bom)
    with pytest.raises(ProblemsError, match=r"bom\.po:1:1: starts with a byte order mark"):
        read_catalog(bom)


def test_a_plural_entry_is_no_label_for_rendering(portfolio: Path) -> None:
    """As before lookups: a plural entry in the portfolio's smpc.po is passed over, and the
    tool's own catalog gives the label."""
    own = portfolio / "locales" / "de" / "LC_MESSAGES" / "smpc.po"
    own.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Contraindications"\nmsgid_plural "Contraindications"\n'
        'msgstr[0] "Mehrzahl"\nmsgstr[1] "Mehrzahlen"\n\n'
        'msgid "Last revised"\nmsgstr "Stand der Information"\n', encoding="utf-8")
    lookup = read_lookup(own)
    assert lookup.get("Contraindications") == LookupEntry("Mehrzahl", False, 6, True)
    product = load_product(portfolio / "products" / "besponsa.xml")
    text = Renderer(load_portfolio(portfolio)).render(product, "DE", as_of=DAY).content
    assert "Stand der Information: " in text  # the portfolio's catalog is read
    assert "Mehrzahl" not in text
    assert "Gegenanzeigen: " in text


# ------------------------------------------------------------------------ finding a catalog


def test_the_catalog_file_is_what_a_file_is_to_the_system(portfolio: Path,
                                                         tmp_path: Path) -> None:
    """A folder of the catalog's name is passed over, a link to a file is followed (the
    portfolio's one rule of which catalog a product is rendered from); a link to nothing is
    an error naming it, and a file outside the portfolio is read only from a folder its
    settings allow."""
    settings = load_portfolio(portfolio)
    german = str(portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES" / "besponsa.po"
    assert settings.catalog_file("besponsa", "de_AT") == german
    austrian.mkdir(parents=True)  # a folder in the way
    assert settings.catalog_file("besponsa", "de_AT") == german
    austrian.rmdir()
    austrian.symlink_to(tmp_path / "nowhere.po")
    with pytest.raises(ProblemsError, match=r"is a symbolic link to .*nowhere\.po, which does"
                                            r" not exist"):
        settings.catalog_file("besponsa", "de_AT")
    austrian.unlink()
    elsewhere = tmp_path / "elsewhere.po"
    elsewhere.write_text(GERMAN_TEXT.replace("Jede Durchstechflasche", "Eine Flasche"),
                         encoding="utf-8")
    austrian.symlink_to(elsewhere)
    with pytest.raises(ProblemsError, match="outside the portfolio"):
        settings.catalog_file("besponsa", "de_AT")
    config = portfolio / "smpc.toml"
    config.write_text(config.read_text() + '\n[inputs]\nallow = [".."]\n')
    settings = load_portfolio(portfolio)
    assert settings.catalog_file("besponsa", "de_AT") == str(austrian)
    found = load_lookup(austrian)
    assert "Eine Flasche" in str(found.get(
        "Each vial contains 1 mg inotuzumab ozogamicin.", "composition"))
    assert settings.catalog_file("besponsa", "fr") is None


def test_a_catalog_folder_made_later_is_seen_with_a_new_memory(portfolio: Path) -> None:
    """A caller that keeps the folders it found missing (a renderer, a build's plan) sees a
    folder made later only when it starts anew, as the next build does."""
    settings = load_portfolio(portfolio)
    memory = settings.boundary()
    german = str(portfolio / "locales" / "de" / "LC_MESSAGES" / "besponsa.po")
    assert settings.catalog_file("besponsa", "de_AT", memory) == german
    austrian = portfolio / "locales" / "de_AT" / "LC_MESSAGES"
    assert memory.missing == {str(austrian)}
    austrian.mkdir(parents=True)
    (austrian / "besponsa.po").write_text(GERMAN_TEXT, encoding="utf-8")
    assert settings.catalog_file("besponsa", "de_AT", memory) == german
    assert settings.catalog_file("besponsa", "de_AT", settings.boundary()) == \
        str(austrian / "besponsa.po")
