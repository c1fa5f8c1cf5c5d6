"""The loaded model against an independent reading of the same file.

The loader builds a :class:`Product` by a fast walk over the tree. Here each product is read
again the slow, obvious way: XPath for every value, the file's own text for every message,
and the standard library's expat parser (not libxml2) for where each start tag stands. The
two must be equal, every field, every text and every ``SourceLocation`` to the column.
"""

from __future__ import annotations

import datetime as dt
import pickle
import random
import re
import xml.parsers.expat
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from smpc_manager.errors import ProblemsError
from smpc_manager.files import TooLargeError, read_bytes
from smpc_manager.model import (
    PRODUCT_NAMESPACE,
    AdditionalMonitoring,
    Address,
    Authorisation,
    Cost,
    Holder,
    Located,
    MarketCode,
    PartialDate,
    Product,
    SourceLocation,
    Text,
)
from smpc_manager.products import load_product, validate_file
from smpc_manager.products.loader import MAX_ELEMENTS
from smpc_manager.products.positions import StartTags
from smpc_manager.products.schema import node_at
from tests.conftest import DATA, REPO
from tests.migration import SCHEMA_1

#: A schema 1 file read independently (schema 2's are in tests/test_schema2_model.py).
BESPONSA = SCHEMA_1 / "example" / "products" / "besponsa.xml"
SOURCE = BESPONSA.read_text(encoding="utf-8")
NS = {"p": PRODUCT_NAMESPACE, "xs": "http://www.w3.org/2001/XMLSchema"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SECTIONS = ("indications", "posology", "contraindications", "warnings", "undesirable-effects")


# ------------------------------------------------------------------------ the slow reading


def fold(text: str) -> str:
    return " ".join(text.split())


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def schema_notes() -> dict[str, str]:
    """Each element's documentation, read from the XSD with XPath (the first declaration)."""
    xsd = etree.parse(str(REPO / "schemas" / "product.xsd"))
    notes: dict[str, str] = {}
    for element in xsd.xpath("//xs:element[@name]", namespaces=NS):
        docs = element.xpath("xs:annotation/xs:documentation/text()", namespaces=NS)
        if docs and element.get("name") not in notes:
            notes[element.get("name")] = fold(docs[0])
    return notes


def start_tags(text: str) -> list[tuple[str, int, int]]:
    """Every start tag of the text in order, as expat reads it: (qualified name, line, column).

    Line and column are 1-based and those of the tag's '<'; expat counts characters, and
    sees no tag inside a comment, a CDATA section, a processing instruction or a value. The
    text is given without its byte-order mark and with LF line ends, as the loader counts.
    """
    parser = xml.parsers.expat.ParserCreate()  # no namespace processing: names as written
    tags: list[tuple[str, int, int]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        tags.append((name, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))

    parser.StartElementHandler = start
    parser.Parse(text.encode("utf-8"), True)
    return tags


def escaped(text: str) -> str:
    """Text as a message writes it: only ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inner_markup(raw: str, element: etree._Element, where: tuple[int, int]) -> str:
    """An element's message from the file's own text: what lies between its tags, folded.

    Valid for files whose text escapes only ``&``, ``<`` and ``>`` (checked by the caller):
    a message keeps exactly those escapes, drops comments and processing instructions, holds
    a CDATA section's text escaped, and names inline tags locally.
    """
    lines = raw.split("\n")
    line, column = where
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    start = raw.index(">", offset) + 1
    end = raw.index(f"</{element.prefix + ':' if element.prefix else ''}{local(element)}>",
                    start)
    inner = re.sub(r"<!\[CDATA\[(.*?)]]>|<!--.*?-->|<\?.*?\?>",
                   lambda m: "" if m.group(1) is None else escaped(m.group(1)), raw[start:end],
                   flags=re.S)
    return fold(re.sub(r"<(/?)[\w.-]+:", r"<\1", inner))


def expected_product(path: Path) -> Product:
    """The product as XPath and the raw text say it is, built without the loader."""
    raw = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    for escape in ("&#", "&quot;", "&apos;"):  # see inner_markup
        assert escape not in raw
    # Parsed after the line ends are made LF, as the loader does: libxml2 counts no lone CR.
    root = etree.fromstring(raw.encode("utf-8"))
    elements = list(root.iter(etree.Element))
    tags = start_tags(raw)
    assert [name for name, _, _ in tags] == [
        f"{e.prefix}:{local(e)}" if e.prefix else local(e) for e in elements
    ]
    place = {e: (line, column) for e, (_, line, column) in zip(elements, tags, strict=True)}
    # libxml2's line is that of the '>' ending a start tag: the same, but where the tag spans
    # lines (the variants below break a tag over at most two more), and from line 65,535 on,
    # where libxml2 takes a neighbour's line.
    assert all(place[e][0] <= e.sourceline <= place[e][0] + 2 or place[e][0] >= 65_535
               for e in elements)
    notes = schema_notes()
    name = str(path)

    def at(element: etree._Element) -> SourceLocation:
        return SourceLocation(name, *place[element])

    def xp(context: etree._Element, query: str) -> list[etree._Element]:
        found: list[etree._Element] = context.xpath(query, namespaces=NS)
        return found

    def value(element: etree._Element) -> str:
        return fold(element.xpath("string()"))

    def located(query: str) -> Located[str]:
        (element,) = xp(root, query)
        return Located(value(element), at(element))

    def day(element: etree._Element) -> Located[dt.date]:
        return Located(dt.date.fromisoformat(value(element)), at(element))

    def attribute_day(element: etree._Element, attribute: str) -> Located[dt.date] | None:
        """A date written as an attribute, placed at the attribute's name in the raw text
        (the start tag runs from its '<' to the first '>', which no value may hold raw)."""
        written = element.get(attribute)
        if written is None:
            return None
        lines = raw.split("\n")
        line, column = place[element]
        start = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
        tag = raw[start:raw.index(">", start)]
        found = re.search(rf"\s({attribute})\s*=", tag)
        assert found is not None
        offset = start + found.start(1)
        name_line = raw.count("\n", 0, offset) + 1
        name_column = offset - (raw.rfind("\n", 0, offset) + 1) + 1
        return Located(dt.date.fromisoformat(written.strip()),
                       SourceLocation(name, name_line, name_column))

    texts: dict[etree._Element, Text] = {}
    # Every message of the product, in document order, with its context and note. The
    # context is the field; the same text again in a field is "field#2", "field#3"...
    seen: dict[tuple[str, str], int] = {}
    query = (
        "p:pharmaceutical-form | p:composition/p:active-substance | p:composition/p:p"
        " | p:excipients/p:excipient | p:pharmacotherapeutic-group"
        " | p:marketing-authorisation-holder/p:address/p:city | p:cost | "
        + " | ".join(f"p:{section}/p:p" for section in SECTIONS)
    )
    for element in xp(root, query):
        tag, parent = local(element), local(element.getparent())
        if tag == "p":
            section = parent
        elif tag in ("active-substance", "excipient"):
            section = "excipients" if tag == "excipient" else tag
        else:
            section = {"city": "marketing-authorisation-holder/city",
                       "cost": f"cost/{element.get('market', '').strip()}"}.get(tag, tag)
        source = inner_markup(raw, element, place[element])
        count = seen[section, source] = seen.get((section, source), 0) + 1
        context = section if count == 1 else f"{section}#{count}"
        note = notes.get(section if tag == "p" else tag, "")
        texts[element] = Text(context, source, at(element), note)

    def messages(query: str) -> tuple[Text, ...]:
        return tuple(texts[e] for e in xp(root, query))

    (holder,) = xp(root, "p:marketing-authorisation-holder")
    (address,) = xp(holder, "p:address")
    postal = xp(address, "p:postal-code")
    revision = xp(root, "p:revision-date")[0]
    return Product(
        id=root.get("id", "").strip(),
        lang=root.get(XML_LANG, "").strip(),
        path=name,
        location=at(root),
        name=located("p:name"),
        strength=located("p:strength"),
        pharmaceutical_form=messages("p:pharmaceutical-form")[0],
        active_substances=messages("p:composition/p:active-substance"),
        composition=messages("p:composition/p:p"),
        excipients=messages("p:excipients/p:excipient"),
        indications=messages("p:indications/p:p"),
        posology=messages("p:posology/p:p"),
        contraindications=messages("p:contraindications/p:p"),
        warnings=messages("p:warnings/p:p"),
        undesirable_effects=messages("p:undesirable-effects/p:p"),
        pharmacotherapeutic_group=messages("p:pharmacotherapeutic-group")[0],
        atc_code=located("p:atc-code"),
        holder=Holder(
            name=value(xp(holder, "p:name")[0]),
            address=Address(
                street=value(xp(address, "p:street")[0]),
                postal_code=value(postal[0]) if postal else None,
                city=texts[xp(address, "p:city")[0]],
                country=located("p:marketing-authorisation-holder/p:address/p:country"),
            ),
            location=at(holder),
        ),
        authorisations=tuple(
            Authorisation(
                markets=tuple(ma.get("markets", "").split()),
                type=ma.get("type", "standard").strip(),
                numbers=tuple(value(n) for n in xp(ma, "p:number")),
                first_authorisation=day(xp(ma, "p:first-authorisation")[0]),
                renewal=next((day(e) for e in xp(ma, "p:renewal")), None),
                valid_until=next((day(e) for e in xp(ma, "p:valid-until")), None),
                location=at(ma),
            )
            for ma in xp(root, "p:marketing-authorisation")
        ),
        additional_monitoring=tuple(
            AdditionalMonitoring(
                markets=tuple(e.get("markets", "").split()),
                start=attribute_day(e, "from"),
                until=attribute_day(e, "until"),
                location=at(e),
            )
            for e in xp(root, "p:additional-monitoring")
        ),
        prescription_status=tuple(
            MarketCode(e.get("market", "").strip(), value(e), at(e))
            for e in xp(root, "p:prescription-status")
        ),
        costs=tuple(
            Cost(e.get("market", "").strip(), e.get("currency", "").strip(),
                 Decimal(e.get("amount", "0").strip()), texts[e], at(e))
            for e in xp(root, "p:cost")
        ),
        revision_date=Located(PartialDate.parse(value(revision)), at(revision)),
        review_by=day(xp(root, "p:review-by")[0]),
        texts=tuple(texts.values()),
    )


# ------------------------------------------------------------------------ the files


def _prefixed(text: str) -> str:
    text = text.replace(f'<product xmlns="{PRODUCT_NAMESPACE}"',
                        f'<s:product xmlns:s="{PRODUCT_NAMESPACE}"')
    return re.sub(r"<(/?)(?!s:)([a-z])", r"<\1s:\2", text)


def _comments(text: str) -> str:
    text = text.replace("<name>BESPONSA</name>", "<name>BES<!-- a <name> -->PONSA</name>")
    text = text.replace("powder for concentrate", "powder <!-- x --> for <?pi y?>concentrate")
    text = text.replace("mg/m<sup>2</sup> per", "mg/m<sup>2</sup><!-- z --> per", 1)
    text = text.replace("<excipient>Sucrose</excipient>",
                        "<!-- c --><excipient>Sucrose</excipient><!-- d -->")
    return text.replace("<number>", "<!-- <number> --><number>")


def _escapes(text: str) -> str:
    return text.replace(
        "Each vial contains 1 mg",
        "Each vial &amp; its <em>box</em> contain &lt; 2 &gt; 0.5 mg\u00a0and 1 mg",
    ).replace("<p>Hypersensitivity", "<p>\n      Hypersensitivity\t")


def _cost(text: str) -> str:
    return text.replace(
        "  <revision-date>",
        '  <cost market="AT" currency="EUR" amount=" 12.5 ">1 vial\n    of powder</cost>\n'
        '  <cost market="DE" currency="EUR" amount="0">1 vial</cost>\n  <revision-date>',
    ).replace('markets="EU"', 'markets=" EU  GB " type="conditional"').replace(
        "</first-authorisation>",
        "</first-authorisation>\n    <renewal>2022-06-29</renewal>\n"
        "    <valid-until>2028-06-29</valid-until>",
    )


def _one_line(text: str) -> str:
    """The whole file on one line: every start tag shares it with every other."""
    return re.sub(r">\n\s*<", "><", text)


def _section_on_one_line(text: str) -> str:
    """<posology><p>..</p><p>..</p></posology> on one line, the rest as it was."""
    start, end = text.index("  <posology>"), text.index("</posology>")
    return text[:start] + _one_line(text[start:end]) + text[end:]


def _decoys_on_the_line(text: str) -> str:
    """A '<p' in a comment, a CDATA section and a processing instruction, and '&lt;p' in text,
    each on the line of a real <p> (or <name>, <excipient>) and before it."""
    text = _section_on_one_line(text)
    text = text.replace("<posology><p>", "<posology><!-- <p> <posology> --><p>")
    text = text.replace("</p><p>The recommended", "</p><?pi <p ?><p>The recommended")
    text = text.replace("inotuzumab ozogamicin</active-substance>\n    <p>",
                        "inotuzumab <![CDATA[<p> & <p>]]>ozogamicin</active-substance><p>")
    text = text.replace("<p>After reconstitution", "<p><![CDATA[<p>]]>After reconstitution")
    text = text.replace("  <name>BESPONSA", "  <!-- <name> --><name>&lt;name&gt; &lt;p BESPONSA")
    return text.replace("    <excipient>Sucrose</excipient>\n    <excipient>",
                        "    <excipient>&lt;p&gt;Sucrose</excipient><excipient>&lt;excipient ")


def _tags_across_lines(text: str) -> str:
    """Start tags broken over lines: libxml2 gives the line of their '>', not of their '<'."""
    text = text.replace(' id="besponsa"', '\n         id="besponsa"')
    text = text.replace("<p>Each vial", "<p\n    >Each vial")
    text = text.replace('<prescription-status market="DE">',
                        '<prescription-status\n    market="DE"\n  >')
    return text.replace("<review-by>", "<review-by\n>")


def _monitoring(text: str) -> str:
    """Two additional-monitoring entries after the authorisations, the second with its
    attributes on lines of their own, 'until' before 'from' and spaces around an '='."""
    return text.replace(
        "</marketing-authorisation>",
        '</marketing-authorisation>\n  <additional-monitoring markets="AT DE" from="2017-06-29"'
        ' until="2027-06-28"/>\n  <additional-monitoring\n      markets="IE"\n'
        '      until="2026-12-31"   from = "2018-01-01"/>', 1)


VARIANTS: dict[str, Callable[[str], str]] = {
    "example": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "old-mac-line-ends": lambda text: text.replace("\n", "\r"),
    "byte-order-mark": lambda text: "\ufeff" + text,
    "tabs": lambda text: text.replace("  ", "\t"),
    "prefixed": _prefixed,
    "comments-and-pis": _comments,
    "escapes-and-whitespace": _escapes,
    "costs-and-dates": _cost,
    "non-ascii-before-tags": lambda text: text.replace("\n    <p>", "\n  <!--ä😀--><p>é"),
    "one-line": _one_line,
    "one-line-after-a-byte-order-mark": lambda text: "\ufeff" + _one_line(text),
    "one-line-prefixed": lambda text: _one_line(_prefixed(text)),
    "section-on-one-line": _section_on_one_line,
    "decoys-on-the-line": _decoys_on_the_line,
    "decoys-on-the-line-prefixed": lambda text: _prefixed(_decoys_on_the_line(text)),
    "decoys-on-the-line-crlf": lambda text: _decoys_on_the_line(text).replace("\n", "\r\n"),
    "tags-across-lines": _tags_across_lines,
    "additional-monitoring": _monitoring,
    "additional-monitoring-one-line": lambda text: _one_line(_monitoring(text)),
    "additional-monitoring-prefixed": lambda text: _prefixed(_monitoring(text)),
    "far-down": lambda text: text.replace("\n  <atc-code>", "\n" * 70_000 + "  <atc-code>"),
}
FILES = [
    SCHEMA_1 / "gb" / "products" / "besponsa.xml",
    DATA / "check" / "conditional-without-valid-until.xml",
    DATA / "check" / "gb-authorisation-ends-leap-day.xml",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_of_the_example_load_as_read_independently(tmp_path: Path, variant: str) -> None:
    path = tmp_path / "besponsa.xml"
    path.write_bytes(VARIANTS[variant](SOURCE).encode("utf-8"))
    product = load_product(path)
    expected = expected_product(path)
    assert product.texts == expected.texts  # first, for a readable difference
    assert product == expected
    assert validate_file(path) == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_other_valid_products_load_as_read_independently(path: Path) -> None:
    assert load_product(path) == expected_product(path)


def located(product: Product) -> list[tuple[str, SourceLocation]]:
    """Every location of a product, with the local name of the element it must point at."""

    def text_tag(text: Text) -> str:
        if text.context == "marketing-authorisation-holder/city":
            return "city"
        section = text.context.split("#")[0].split("/")[0]
        if section in (*SECTIONS, "composition"):
            return "p"
        return {"cost": "cost", "excipients": "excipient"}.get(section, section)

    return [
        ("product", product.location), ("name", product.name.location),
        ("strength", product.strength.location), ("atc-code", product.atc_code.location),
        ("marketing-authorisation-holder", product.holder.location),
        ("country", product.holder.address.country.location),
        ("revision-date", product.revision_date.location),
        ("review-by", product.review_by.location),
        *((text_tag(text), text.location) for text in product.texts),
        *(("marketing-authorisation", ma.location) for ma in product.authorisations),
        *(("first-authorisation", ma.first_authorisation.location)
          for ma in product.authorisations),
        *(("prescription-status", status.location) for status in product.prescription_status),
    ]


def test_places_found_late_behave_as_plain_locations() -> None:
    """The loader finds an element's place when it is first asked for; the location then
    equals, hashes, sorts, prints and pickles as the plain one (a worker sends plain ones)."""
    product = load_product(BESPONSA)
    places = [location for _, location in located(product)]
    plain = [SourceLocation(p.path, p.line, p.column) for p in places]
    assert places == plain
    assert plain == places
    assert [hash(p) for p in places] == [hash(p) for p in plain]
    assert sorted(places) == sorted(plain)
    assert sorted([*places[::2], *plain[1::2]]) == sorted(plain)
    assert [str(p) for p in places] == [str(p) for p in plain]
    assert [repr(p) for p in places] == [repr(p) for p in plain]
    copies = pickle.loads(pickle.dumps(places))
    assert copies == plain
    assert all(type(p) is SourceLocation for p in copies)
    assert product.name.location < product.strength.location <= product.strength.location


@pytest.mark.parametrize(
    "variant", ["example", "one-line", "one-line-prefixed", "section-on-one-line",
                "decoys-on-the-line", "decoys-on-the-line-prefixed", "tags-across-lines"])
def test_every_location_is_its_own_start_tag(tmp_path: Path, variant: str) -> None:
    """Column-exact: the text at each location is '<' and that element's name, and no two
    elements share a place (two <p> on one line once shared the first one's column)."""
    text = VARIANTS[variant](SOURCE)
    path = tmp_path / "besponsa.xml"
    path.write_text(text, encoding="utf-8")
    places = located(load_product(path))
    assert len(places) == 32
    assert len({location for _, location in places}) == 32
    lines = text.split("\n")
    for name, location in places:
        assert location.path == str(path)
        rest = lines[location.line - 1][location.column - 1 :]
        tag = re.match(r"<(?:s:)?([\w.-]+)(?:[\s>/]|$)", rest)
        assert tag is not None, (location, rest)
        assert tag.group(1) == name, (location, rest)


# ------------------------------------------------------------------------ every element's place


def every_place(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where the loader places each element of a text, and where expat finds it, in order."""
    data = text.encode("utf-8")
    root = etree.fromstring(data)
    tags = StartTags(text, root)
    placed = [tags.place(e, local(e)) for e in root.iter(etree.Element)]
    return placed, [(line, column) for _, line, column in start_tags(text)]


def shuffled_layout(text: str, seed: int) -> str:
    """The example laid out at random: elements joined on lines, start tags broken over
    lines, attribute values and text holding '&lt;p' and '>', decoy tags in comments, CDATA
    sections and processing instructions, a prefix on every element for odd seeds."""
    rng = random.Random(seed)
    if seed % 2:
        text = _prefixed(text)
    decoys = ["<!-- <p> <s:p -->", "<![CDATA[<p><s:name>]]>", "<?pi <p ?>", "&lt;p", "a > b"]
    pieces = re.split(r"(<[^>]*>)", text)
    inside = range(3, len(pieces) - 2)  # between the root's start and end tags
    for index, piece in enumerate(pieces):
        if piece.startswith("<") and not piece.startswith(("</", "<?", "<!")):
            body, close = (piece[1:-2], "/>") if piece.endswith("/>") else (piece[1:-1], ">")
            if rng.random() < 0.2 and index in inside:
                body += rng.choice([' data-x="&lt;p > b"', " data-y='&lt;name'"])
            if rng.random() < 0.3:
                name, *attributes = body.split(" ")
                body = name + "".join(rng.choice([" ", "\n  ", "\n\t"]) + a for a in attributes)
                body += rng.choice(["", "\n", "\n  "])
            pieces[index] = "<" + body + close
        elif index in inside and not piece.startswith("<"):
            between = piece if piece.strip() else rng.choice(["", " ", "\n", piece])
            if rng.random() < 0.2:
                between = rng.choice(decoys) + between
            pieces[index] = between
    return "".join(pieces)


@pytest.mark.parametrize("seed", range(24))
def test_every_element_of_a_random_layout_is_placed_at_its_start_tag(seed: int) -> None:
    text = shuffled_layout(SOURCE, seed)
    placed, expected = every_place(text)
    assert len(placed) == 48
    assert placed == expected


def test_attribute_values_and_decoys_do_not_move_a_place() -> None:
    text = (
        '<?pi <p?><a xmlns="urn:x"><p title="&lt;p>" y=\'>\'/><p x=\'&lt;p\'><p>&lt;p</p></p>'
        "<!-- <p> --><p/><![CDATA[<p>]]><p\n y='>'\n/><b:p xmlns:b='urn:y'><p/></b:p><pp/>\n"
        "<p>a > b<p/></p></a>"
    )
    placed, expected = every_place(text)
    assert placed == expected == [(1, 10), (1, 27), (1, 52), (1, 65), (1, 93), (1, 112),
                                  (3, 3), (3, 24), (3, 34), (4, 1), (4, 9)]


def test_a_scan_that_does_not_fit_the_tree_is_not_used() -> None:
    """Handed another file's tree, the loader falls back to libxml2's line and the first
    '<name' on it, never to another element's place."""
    text = "<a>\n<b/><b/>\n</a>"
    other = etree.fromstring(b"<a>\n<b/><b/><b/>\n</a>")
    tags = StartTags(text, other)
    assert [tags.place(e, local(e)) for e in other.iter()] == [(1, 1), (2, 1), (2, 1), (2, 1)]


def test_libxml2_node_paths_are_followed_to_their_element() -> None:
    text = shuffled_layout(SOURCE, 1).replace("<s:cost", "<cost", 1)
    tree = etree.fromstring(text.encode()).getroottree()
    for element in tree.iter(etree.Element):
        assert node_at(tree.getroot(), tree.getpath(element)) is element
    for path in (None, "", "*", "/*/*[99]", "/x", "/*/y", "/*/@markets", "/*/*[0]"):
        assert node_at(tree.getroot(), path) is None


# ------------------------------------------------------------------------ schema problems


def offset_place(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset in a text."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def problem_places(path: Path) -> list[tuple[str | None, int, int]]:
    return [(p.field, p.location.line, p.location.column) for p in validate_file(path)]


@pytest.mark.parametrize("prefixed", [False, True], ids=["plain", "prefixed"])
def test_schema_problems_on_one_line_stand_at_their_tag_or_attribute(
    tmp_path: Path, prefixed: bool
) -> None:
    """A bad value, an unknown attribute on the second <p> of a line, a bad attribute
    value holding '&lt;p': each problem at its own element or attribute, as the model
    places the element."""
    text = _one_line(SOURCE).replace("L01XC26", "L1XC").replace(
        "<p>The recommended", '<p foo="&lt;p">The recommended').replace(
        'markets="EU"', 'markets="&lt;p"').replace('xml:lang="en"', 'xml:lang="e n"')
    text = _prefixed(text) if prefixed else text
    path = write(tmp_path, text)
    tags = start_tags(text)
    (atc,) = [(line, column) for name, line, column in tags if name.endswith("atc-code")]
    assert sorted(problem_places(path)) == sorted([
        ("atc-code", *atc),
        ("foo", *offset_place(text, text.index('foo="'))),
        ("markets", *offset_place(text, text.index('markets="'))),
        ("xml:lang", *offset_place(text, text.index('xml:lang="'))),
    ])


def test_a_schema_problem_on_a_second_line_of_a_tag_stands_at_its_attribute(
    tmp_path: Path,
) -> None:
    text = SOURCE.replace('<marketing-authorisation markets="EU">',
                          '<marketing-authorisation\n      type="standard"\n'
                          '      markets="eu">')
    path = write(tmp_path, text)
    assert problem_places(path) == [("markets", *offset_place(text, text.index('markets="')))]


def test_schema_and_rule_problems_of_one_element_stand_alike(tmp_path: Path) -> None:
    """One element, one place, whether the schema or a business rule finds its problem."""
    one_line = _one_line(SOURCE)
    (review,) = [(line, column) for name, line, column in start_tags(one_line)
                 if name == "review-by"]
    by_rule = write(tmp_path, one_line.replace("2027-12-31", "2020-01-01"))
    assert problem_places(by_rule) == [("review-by", *review)]
    by_schema = write(tmp_path, one_line.replace("2027-12-31", "2027-13-31"))
    assert problem_places(by_schema) == [("review-by", *review)]


def test_a_wrong_root_stands_at_its_own_tag(tmp_path: Path) -> None:
    text = SOURCE.replace("<product ", "<!-- <prodct --><prodct ").replace(
        "</product>", "</prodct>")
    (problem,) = validate_file(write(tmp_path, text))
    assert (problem.field, problem.location.line, problem.location.column) == ("prodct", 2, 17)
    assert problem.message.startswith("the root element must be <product")


# ------------------------------------------------------------------------ the shortcuts


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "besponsa.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("comments", [MAX_ELEMENTS - 48, MAX_ELEMENTS - 47])
def test_the_element_limit_counts_every_node_to_the_last(tmp_path: Path, comments: int) -> None:
    """The example holds 48 nodes; comments are nodes too, and the limit is exact."""
    assert sum(1 for _ in etree.fromstring(SOURCE.encode()).iter()) == 48
    path = write(tmp_path, SOURCE.replace("</product>", "<!---->" * comments + "</product>"))
    problems = validate_file(path)
    if 48 + comments <= MAX_ELEMENTS:
        assert problems == []
    else:
        assert [p.message for p in problems] == [
            f"the file holds {48 + comments:,} elements, over the limit of"
            f" {MAX_ELEMENTS:,} for a product file; refused unchecked"
        ]


def test_many_less_than_signs_in_text_are_counted_not_refused(tmp_path: Path) -> None:
    """More '<' than the limit (in a CDATA section) make the loader count, and it passes."""
    many = "<![CDATA[" + "<" * (MAX_ELEMENTS + 1) + "]]>"
    path = write(tmp_path, SOURCE.replace("<p>Each vial", f"<p>{many}Each vial"))
    product = load_product(path)
    assert product.composition[0].source.startswith("&lt;" * (MAX_ELEMENTS + 1))


def test_reading_stops_at_the_limit(tmp_path: Path) -> None:
    """A file over the limit is refused, one at it or under it read whole. (One that says it
    is smaller than it is, as a /proc file does: tests/test_hostile_inputs.py.)"""
    path = tmp_path / "grown.xml"
    path.write_bytes(b"x" * 300_000)
    with pytest.raises(TooLargeError) as caught:
        read_bytes(path, limit=250_001)
    assert (caught.value.size, caught.value.limit) == (300_000, 250_001)
    assert read_bytes(path, limit=400_000) == b"x" * 300_000
    assert read_bytes(path, limit=300_000) == b"x" * 300_000
    path.write_bytes(b"")
    assert read_bytes(path, limit=10) == b""


def test_an_unknown_language_is_reported_every_time(tmp_path: Path) -> None:
    """The verdict on a language tag is remembered; the problem is still every file's own."""
    for _ in range(2):
        path = write(tmp_path, SOURCE.replace('xml:lang="en"', 'xml:lang="qq"'))
        with pytest.raises(ProblemsError) as caught:
            load_product(path)
        assert [p.field for p in caught.value.problems] == ["xml:lang"]
        assert load_product(write(tmp_path, SOURCE)).lang == "en"
