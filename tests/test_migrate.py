"""A schema 1 product file rewritten as schema 2 (``products.migrate``): the same product,
every comment and the file's layout kept, bad input refused with the validator's problems."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smpc_manager.errors import ProblemsError, Severity
from smpc_manager.model import SCHEMA_2_LOCATION
from smpc_manager.products import (
    load_product,
    migrate_product,
    migrated_fields,
    validate_file,
    write_migration,
)
from tests.conftest import DATA
from tests.migration import MIGRATE, assert_same_product, schema_1_portfolio

#: The schema 1 files the tests start from: the example's, the GB data's, one with comments.
SCHEMA_1 = ("example", "gb", "commented")
XML_MODEL_LINE = (f'<?xml-model href="{SCHEMA_2_LOCATION}"'
                  ' schematypens="http://www.w3.org/2001/XMLSchema"?>')


def schema_1_file(name: str) -> Path:
    if name == "commented":
        return MIGRATE / "commented.xml"
    return schema_1_portfolio(name) / "products" / "besponsa.xml"


def copy_of(name: str, folder: Path) -> Path:
    target = folder / schema_1_file(name).name
    shutil.copyfile(schema_1_file(name), target)
    return target


def comments(text: str) -> Counter[str]:
    return Counter(re.findall(r"<!--.*?-->", text, re.S))


@pytest.mark.parametrize("name", SCHEMA_1)
def test_a_schema_1_file_becomes_the_same_product_in_schema_2(name: str) -> None:
    path = schema_1_file(name)
    migration = migrate_product(path)
    assert migration.changed
    assert migration.schema == 1
    assert migration.original == path.read_bytes()
    assert migration.text.splitlines()[1] == XML_MODEL_LINE  # after the declaration
    assert_same_product(load_product(path), migration.product)
    assert load_product(path, data=migration.text.encode()) == migration.product
    # Every comment stays, and only the warnings' own are there twice (in label-warnings).
    old, new = comments(migration.original.decode()), comments(migration.text)
    warnings = re.search(r"<(\w+:)?warnings>.*</\1?warnings>", migration.original.decode(),
                         re.S)
    assert new == old + comments(warnings.group(0) if warnings else "")


def test_a_file_with_comments_a_prefix_and_costs_migrates_as_written_by_hand() -> None:
    """Reviewed once: where each piece goes, and what it looks like there."""
    migration = migrate_product(MIGRATE / "commented.xml")
    assert migration.text == (MIGRATE / "expected" / "commented.xml").read_text(encoding="utf-8")


def test_what_schema_2_keeps_in_place_stays_byte_for_byte() -> None:
    """Every line of the file is still there, but for the tags schema 2 renames and the
    namespace: moved elements only move, re-indented."""
    original = schema_1_file("commented").read_text(encoding="utf-8")
    migrated = migrate_product(schema_1_file("commented")).text
    renamed = re.compile(r"(active-substance|warnings|cost|strength|pharmaceutical-form"
                         r"|composition|product:1|product\.xsd)")
    stripped = Counter(line.strip() for line in migrated.splitlines())
    for line in original.splitlines():
        if not renamed.search(line):
            assert stripped[line.strip()] > 0, line


# ------------------------------------------------------------------------ the layout

def _indent(unit: str) -> Callable[[str], str]:
    return lambda text: re.sub(r"(?m)^((?:  )+)", lambda m: unit * (len(m.group(1)) // 2), text)


def _compact(text: str) -> str:
    """Every element of the root on one line: no space between tags inside the root."""
    start = text.index("<product")
    return text[:start] + re.sub(r">\s+<", "><", text[start:].rstrip()) + "\n"


LAYOUTS: dict[str, Callable[[str], str]] = {
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "bom": lambda text: "\ufeff" + text,
    "tabs": _indent("\t"),
    "four-spaces": _indent("    "),
    "compact": _compact,
    "no-declaration": lambda text: text.split("\n", 1)[1],
    "blank-lines": lambda text: text.replace("  <excipients>", "\n\n  <excipients>"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_layout_of_a_file_is_its_migration_s_layout(tmp_path: Path, layout: str) -> None:
    """Migrating a file laid out otherwise gives the migration of the usual file, laid out
    the same way: indentation, line ends, byte-order mark and blank lines carry over."""
    change = LAYOUTS[layout]
    plain = schema_1_file("gb")
    path = tmp_path / "besponsa.xml"
    path.write_bytes(change(plain.read_text(encoding="utf-8")).encode())
    assert migrate_product(path).text == change(migrate_product(plain).text)


# ------------------------------------------------------------------------ files left alone

def test_a_schema_2_file_is_left_as_it_is() -> None:
    path = DATA / "valid-v2" / "capsules-three-strengths.xml"
    migration = migrate_product(path)
    assert not migration.changed
    assert migration.schema == 2
    assert migration.text.encode() == migration.original == path.read_bytes()
    assert not write_migration(migration)
    assert migration.original == path.read_bytes()


@pytest.mark.parametrize("name", ["bad-atc-code", "several-problems", "unclosed-element",
                                  "doctype-external-entity", "not-utf8", "wrong-namespace"])
def test_a_file_that_does_not_validate_is_refused_with_the_validator_s_problems(
        name: str) -> None:
    path = DATA / "invalid" / f"{name}.xml"
    errors = [p for p in validate_file(path) if p.severity is Severity.ERROR]
    with pytest.raises(ProblemsError) as caught:
        migrate_product(path)
    assert list(caught.value.problems) == errors


def test_a_file_schema_2_would_refuse_is_not_migrated(tmp_path: Path) -> None:
    """Schema 1 did not ask that a cost's market be authorised; schema 2 asks it of a price."""
    path = copy_of("gb", tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('<cost market="GB"',
                                                              '<cost market="IE"'))
    assert not [p for p in validate_file(path) if p.severity is Severity.ERROR]
    with pytest.raises(ProblemsError) as caught:
        migrate_product(path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{path}: cannot be migrated: as schema 2 it would be"
                                   " refused: price for market IE")


# ------------------------------------------------------------------------ writing

def test_the_migration_is_written_whole(tmp_path: Path) -> None:
    path = copy_of("example", tmp_path)
    migration = migrate_product(path)
    assert write_migration(migration)
    assert path.read_text(encoding="utf-8") == migration.text
    assert load_product(path).schema == 2
    assert not [p.name for p in tmp_path.iterdir() if p.name != path.name]  # no leftovers


def test_a_file_changed_while_it_was_migrated_is_left_as_saved(tmp_path: Path) -> None:
    path = copy_of("example", tmp_path)
    migration = migrate_product(path)
    saved = path.read_bytes().replace(b"<review-by>2027", b"<review-by>2028")
    path.write_bytes(saved)
    with pytest.raises(ProblemsError, match="changed by someone else"):
        write_migration(migration)
    assert path.read_bytes() == saved


def test_a_link_is_migrated_through(tmp_path: Path) -> None:
    shared = copy_of("example", tmp_path)
    (tmp_path / "products").mkdir()
    link = tmp_path / "products" / "besponsa.xml"
    os.symlink(shared, link)
    write_migration(migrate_product(link))
    assert link.is_symlink()
    assert load_product(shared).schema == 2


# ------------------------------------------------------------------------ contexts

@pytest.mark.parametrize(("field", "fields"), [
    ("warnings", ("precautions", "label-warnings")),
    ("cost/GB", ("pack",)),
    ("cost/IE", ("pack",)),
    ("composition", ("composition",)),
    ("active-substance", ("active-substance",)),
    ("marketing-authorisation-holder/city", ("marketing-authorisation-holder/city",)),
])
def test_the_fields_of_schema_1_messages_in_schema_2(field: str, fields: tuple[str, ...]
                                                     ) -> None:
    assert migrated_fields(field) == fields


# ------------------------------------------------------------------------ generated

#: What may stand between two elements without changing the product.
BETWEEN = ["<!-- a note -->", "\n\n  ", "<!--\n  two lines\n-->", "<?editor fold?>", "\t",
           "<!-- <warnings> in a comment -->"]


@st.composite
def commented(draw: st.DrawFn, text: str) -> str:
    """``text`` with comments, instructions and space put between some of its elements."""
    gaps = [m.end() for m in re.finditer(r">(?=\s*<)", text)]
    chosen = draw(st.lists(st.sampled_from(gaps), min_size=1, max_size=6))
    for at in sorted(chosen, reverse=True):
        text = text[:at] + draw(st.sampled_from(BETWEEN)) + text[at:]
    return text


GB_TEXT = schema_1_file("gb").read_text(encoding="utf-8")


@given(commented(GB_TEXT))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_comments_anywhere_between_elements_are_kept(tmp_path: Path, text: str) -> None:
    path = tmp_path / "besponsa.xml"
    path.write_text(text, encoding="utf-8")
    assume(not [p for p in validate_file(path) if p.severity is Severity.ERROR])
    migration = migrate_product(path)
    assert_same_product(load_product(path), migration.product)
    for piece in ("<!--", "<?editor fold?>"):
        assert migration.text.count(piece) >= text.count(piece)
