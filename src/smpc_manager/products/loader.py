"""Read a product file: hardened XML parse, XSD validation, business rules -> :class:`Product`.

This is the only module that imports lxml. The parser loads no DTD, expands no entity, never
touches the network, and a DOCTYPE is refused before the parser sees the file; files above
:data:`MAX_BYTES` are refused unread, files of more than :data:`MAX_ELEMENTS` elements before
the schema. Every problem names ``path:line:column``, what was wrong and what was found, in
words a regulatory editor understands rather than libxml2's, on one line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import re
import stat
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache, lru_cache
from itertools import accumulate, count
from pathlib import Path

from lxml import etree

from smpc_manager import inline
from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.files import read_bytes
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
    Text,
)
from smpc_manager.resources import resource_dir

#: Product files are a few kilobytes; anything this large is refused before it is read.
MAX_BYTES = 2 * 1024 * 1024
#: A file with thousands of errors is reported by its first ones and a count of the rest:
#: nobody reads the rest, and rewriting them all took seconds.
MAX_PROBLEMS = 100
#: A product has a few hundred elements. libxml2's schema validation slows down with the
#: square of the number of bad values (30,000 took 150 s), so more are refused unchecked.
MAX_ELEMENTS = 2000

SCHEMA_FILE = "product.xsd"
_SCHEMA_LOCK = threading.Lock()
_NS = "{" + PRODUCT_NAMESPACE + "}"
_PRODUCT_TAG = _NS + "product"
_XSD = "{http://www.w3.org/2001/XMLSchema}"

_DECLARED_ENCODING = re.compile(
    rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']"
)


# ------------------------------------------------------------------------ public API


def load_product(path: str | Path) -> Product:
    """Load and validate a product file; raise :class:`ProblemsError` listing every error.

    Warnings (an ATC code above level 5, say) do not stop loading; :func:`validate_file`
    returns them.
    """
    product, problems = _load(Path(path))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or product is None:
        raise ProblemsError(errors)
    return product


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of one product file, errors and warnings, in file order."""
    return _load(Path(path))[1]


@cache
def product_schema() -> etree.XMLSchema:
    """The product XSD, parsed once per process."""
    return etree.XMLSchema(_schema_document())


@cache
def field_notes() -> dict[str, str]:
    """Each element's ``xs:documentation`` from the schema, by element name.

    The translator sees these as ``#.`` notes; an XML editor shows them as tooltips.
    """
    notes: dict[str, str] = {}
    for element in _schema_document().iter(f"{_XSD}element"):
        name = element.get("name")
        doc = element.find(f"{_XSD}annotation/{_XSD}documentation")
        if name and doc is not None and doc.text and name not in notes:
            notes[name] = " ".join(doc.text.split())
    return notes


@cache
def _schema_document() -> etree._ElementTree:
    """The XSD file, read once per process with the same hardened settings as a product."""
    schema_path = resource_dir("schemas") / SCHEMA_FILE
    return etree.parse(str(schema_path), _hardened_parser())


def _hardened_parser() -> etree.XMLParser:
    """A new parser that expands no entity, loads no DTD, reaches no network and refuses
    huge trees; new for each file, so that its error log holds that file's errors alone."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        collect_ids=False,
    )


# ------------------------------------------------------------------------ reading


def _load(path: Path) -> tuple[Product | None, list[Problem]]:
    where = SourceLocation(str(path))
    data, problem = _read(path)
    if problem is not None:
        return None, [problem]
    assert data is not None
    problem = _check_bytes(data, where)
    if problem is not None:
        return None, [problem]
    digest = hashlib.sha256(data).hexdigest()
    # XML turns CR LF and a lone CR into LF before anything else; doing it first keeps
    # libxml2's line numbers right for files saved with old Mac line ends.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = data.decode("utf-8-sig")
    root, problem = _parse(data, where)
    if problem is not None:
        return None, [problem]
    assert root is not None
    tags = _StartTags(text, root)

    if getattr(root.getroottree().docinfo, "doctype", ""):  # the prolog scan missed it
        return None, [Problem(where, "a DOCTYPE is not allowed in a product file")]
    problem = _check_root(root, where, tags)
    if problem is not None:
        return None, [problem]
    # Every node below the root starts with a '<' of its own, so a file with no more '<'
    # than the limit needs no count (walking the tree costs as much as the schema check).
    count = sum(1 for _ in root.iter()) if data.count(b"<") > MAX_ELEMENTS else 0
    if count > MAX_ELEMENTS:
        return None, [Problem(where, f"the file holds {count:,} elements, over the limit of"
                                     f" {MAX_ELEMENTS:,} for a product file; refused unchecked")]

    schema = product_schema()
    # The error log lives on the shared schema object: one validation at a time.
    with _SCHEMA_LOCK:
        valid = schema.validate(root.getroottree())
        log = schema.error_log  # a copy, taken while we hold the lock
    if not valid:
        return None, _schema_problems(log, where, root, tags)

    try:
        product = _build(root, path, tags, digest)
    except (ValueError, ArithmeticError) as err:  # the schema should have caught it
        return None, [Problem(where, f"a value the schema let through cannot be read: {err}")]
    problems = [p for rule in BUSINESS_RULES for p in rule(product, path)]
    problems.sort(key=lambda p: (p.location.line, p.location.column))
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], _more(where, len(problems) - MAX_PROBLEMS)]
    return product, problems


def _more(where: SourceLocation, count: int) -> Problem:
    return Problem(where, f"up to {count} more problem(s) in this file not shown (fix the"
                          " ones above and validate again)")


def _read(path: Path) -> tuple[bytes | None, Problem | None]:
    where = SourceLocation(str(path))
    try:
        info = path.stat()
        size = info.st_size
        if stat.S_ISDIR(info.st_mode):
            return None, Problem(where, "is a folder, not a product file")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or a device would block or never end; a product is a plain file.
            return None, Problem(where, "is not a regular file (a device, pipe or socket)")
        if size > MAX_BYTES:
            return None, Problem(
                where,
                f"file is {size:,} bytes, over the limit of {MAX_BYTES:,} bytes for a product"
                " file; refused unread",
            )
        data = read_bytes(path, size=size, limit=MAX_BYTES + 1)
    except FileNotFoundError:
        return None, Problem(where, "no such file")
    except PermissionError:
        return None, Problem(where, "cannot be read: permission denied")
    except OSError as err:
        return None, Problem(where, f"cannot be read: {err.strerror or err}")
    if len(data) > MAX_BYTES:  # grew while we looked
        return None, Problem(where, f"file is over the limit of {MAX_BYTES:,} bytes; refused")
    return data, None


def _check_bytes(data: bytes, where: SourceLocation) -> Problem | None:
    """Refuse what must never reach the parser: nothing, non-UTF-8, a DOCTYPE."""
    first_line = SourceLocation(where.path, 1)
    if not data.strip():
        return Problem(first_line, "the file is empty (expected a <product> document)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(first_line, "the file is UTF-16 (byte-order mark found); product files "
                              "must be UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        # UTF-16 without a byte-order mark decodes as "UTF-8" full of NULs, and libxml2
        # would quietly read it as UTF-16; XML never allows a NUL character.
        line = data[:nul].count(b"\n") + 1
        return Problem(
            SourceLocation(where.path, line),
            "the file holds NUL bytes: it is UTF-16 or binary, not UTF-8 text (save it as"
            " UTF-8)",
        )
    declared = _DECLARED_ENCODING.match(data)
    if declared and declared.group(1).decode("ascii").lower() not in ("utf-8", "utf8"):
        line = data[: declared.start(1)].count(b"\n") + 1
        return Problem(
            SourceLocation(where.path, line),
            f"the XML declaration says encoding '{declared.group(1).decode('ascii')}';"
            " product files must be UTF-8",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return Problem(
            SourceLocation(where.path, line, column),
            f"the file is not valid UTF-8 here: byte 0x{data[err.start]:02X} cannot start or"
            " continue a character (save the file as UTF-8)",
        )
    start = _prolog_doctype(data)
    if start is not None:
        line = data[:start].count(b"\n") + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        return Problem(
            SourceLocation(where.path, line, column),
            "a DOCTYPE is not allowed in a product file (DTDs and entities are never"
            " loaded); remove the <!DOCTYPE ...> declaration",
        )
    return None


def _prolog_doctype(data: bytes) -> int | None:
    """The offset of a ``<!DOCTYPE`` in the prolog, or None.

    A plain scan rather than a regular expression: ``(\\s+|...)*`` backtracks
    exponentially on a run of blank lines that is not followed by a DOCTYPE.
    """
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while pos < len(data):
        if data[pos : pos + 1] in (b" ", b"\t", b"\r", b"\n"):
            pos += 1
        elif data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            if end < 0:
                return None
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            if end < 0:
                return None
            pos = end + 3
        else:
            return pos if data.startswith(b"<!DOCTYPE", pos) else None
    return None


def _parse(data: bytes, where: SourceLocation) -> tuple[etree._Element | None, Problem | None]:
    parser = _hardened_parser()
    try:
        return etree.fromstring(data, parser), None
    except etree.XMLSyntaxError as err:
        # The parser's own log: the exception's error_log also holds the errors of every
        # earlier parse in this thread, so its first entry may belong to another file.
        entries = list(parser.error_log)
        if entries:
            first = entries[0]
            line, column, message = first.line, first.column, first.message
        else:
            line, column = err.lineno or 0, err.offset or 0
            message = re.sub(r", line \d+, column \d+$", "", err.msg or str(err))
        return None, Problem(
            SourceLocation(where.path, line or 0, column or 0),
            f"the XML is not well formed: {_syntax_words(_first_line(message))}",
        )


#: libxml2's well-formedness messages, in words; the first pattern that matches is used.
_SYNTAX_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)$",
         r"<\1> opened on line \2 is closed by </\3>; an end tag is missing or misspelt"),
        (r"^Premature end of data in tag (\S+) line (\d+)$",
         r"the file ends before <\1> (opened on line \2) is closed; is it cut short?"),
        (r"^Start tag expected, '<' not found$",
         "no element where the document should begin; found text (is this an XML file?)"),
        (r"^Document is empty$", "the document holds no element"),
        (r"^xmlParseEntityRef: no name$", "a bare '&' (write &amp; for an ampersand)"),
        (r"^Entity '([^']*)' not defined$",
         r"unknown entity &\1; (only &amp; &lt; &gt; &quot; &apos; and character"
         r" references like &#233; are allowed)"),
        (r"^xmlParseCharRef: invalid xmlChar value (\d+)$",
         r"a character reference to code \1, a character XML does not allow"),
        (r"^PCDATA invalid Char value (\d+)$",
         r"a control character (code \1) that XML does not allow in text"),
        (r"^Char 0x([0-9A-Fa-f]+) out of allowed range$",
         r"a control character (0x\1) that XML does not allow"),
        (r"^Extra content at the end of the document$",
         "more content after the end of the root element (only one <product> per file)"),
        (r"^StartTag: invalid element name$",
         "a '<' that starts no element (write &lt; for a less-than sign)"),
        (r"^Excessive depth in document: (\d+).*$", r"elements nested deeper than \1 levels"),
        (r"^Namespace prefix (\S+) on (\S+) is not defined$",
         r"the prefix \1: of <\1:\2> is not declared (no xmlns:\1=...)"),
        (r"^Attribute (\S+) redefined$", r"the attribute \1 is given twice"),
        (r"^Couldn't find end of Start Tag (\S+) line (\d+)$",
         r"the start tag <\1> on line \2 is not closed with '>'"),
        (r"^AttValue: .* expected$", "an attribute value must be in quotes"),
        (r"^XML declaration allowed only at the start of the document$",
         "the <?xml ...?> declaration must be the very first thing in the file"),
        (r"^Double hyphen within comment.*$", "'--' inside a comment"),
        (r"^Comment not terminated.*$", "a comment '<!--' is never closed with '-->'"),
        (r"^Unescaped '<' not allowed in attributes values$",
         "a '<' inside an attribute value (write &lt;)"),
        (r"^xmlParsePI : no target name$", "a '<?' that starts no processing instruction"),
        (r"^Sequence '\]\]>' not allowed in content$", "']]>' in text (write ]]&gt;)"),
    )
)


def _first_line(message: str) -> str:
    """libxml2's message without the excerpt of the file it sometimes appends."""
    lines = message.strip().splitlines()
    return _shown(lines[0] if lines else "", 200)


def _shown(value: str, limit: int = 60) -> str:
    """A value from the file, fit for one line of a message: no line breaks, not too long."""
    value = " ".join(value.split())
    value = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _syntax_words(message: str) -> str:
    for pattern, words in _SYNTAX_WORDS:
        if pattern.match(message):
            return pattern.sub(words, message)
    return _lower_first(message)


def _check_root(root: etree._Element, where: SourceLocation, tags: _StartTags) -> Problem | None:
    if root.tag == _PRODUCT_TAG:
        return None
    qname = etree.QName(root)
    found = f"<{qname.localname}>" + (
        f' in namespace "{qname.namespace}"' if qname.namespace else " in no namespace"
    )
    return Problem(
        SourceLocation(where.path, *tags.place(root, qname.localname)),
        f'the root element must be <product xmlns="{PRODUCT_NAMESPACE}">; found {found}',
        field=qname.localname,
    )


# ------------------------------------------------------------------------ XSD messages

#: What each simple type should be, in words; used to rewrite libxml2's facet messages.
_TYPE_WORDS = {
    "AtcCode": "is not an ATC code (e.g. L01XC26: a letter, 2 digits, 2 letters, 2 digits)",
    "ProductId": "is not a product id (lower-case letters, digits and hyphens, e.g. besponsa)",
    "CountryCode": "is not an ISO 3166 country code (e.g. AT, DE, BE)",
    "MarketCode": "is not a market (an ISO 3166 country code such as AT, or EU)",
    "MarketList": "is not a list of markets (ISO 3166 country codes such as AT DE, or EU)",
    "Date": "is not a date (expected YYYY-MM-DD, e.g. 2017-06-29)",
    "YearMonth": "is not a month (expected YYYY-MM, e.g. 2022-02)",
    "DateOrYearMonth": "is not a date (expected YYYY-MM or YYYY-MM-DD, e.g. 2022-02)",
    "PrescriptionCode": "is not a prescription code (e.g. NR, Rx, S1A, POM)",
    "CurrencyCode": "is not an ISO 4217 currency code (e.g. GBP, EUR)",
    "AuthorisationType": "is not an authorisation type (standard, conditional, exceptional)",
    "NonEmptyToken": "must not be empty",
    "Decimal": "is not an amount (digits with at most 2 decimals after a full stop, e.g."
               " 6000.00)",
    "Language": "is not a language tag (e.g. en, de, de-AT)",
}
#: The simple type of each element or attribute whose value can be wrong.
_FIELD_TYPES = {
    "atc-code": "AtcCode",
    "id": "ProductId",
    "country": "CountryCode",
    "market": "CountryCode",
    "markets": "MarketList",
    "first-authorisation": "Date",
    "renewal": "Date",
    "valid-until": "Date",
    "from": "Date",
    "until": "Date",
    "review-by": "Date",
    "revision-date": "DateOrYearMonth",
    "prescription-status": "PrescriptionCode",
    "currency": "CurrencyCode",
    "type": "AuthorisationType",
    "amount": "Decimal",
    "xml:lang": "Language",
}

_ELEMENT = re.compile(
    r"^Element '(?:\{(?P<ns>[^}]*)\})?([\w.-]+)'(?:, attribute '(?:\{([^}]*)\})?([\w.-]+)')?: "
)
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_VALUE = re.compile(r"(?:The value '|^')(.*?)' (?:is not|has)")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( (.*?) \)")


def _schema_problems(
    log: etree._ListErrorLog, where: SourceLocation, root: etree._Element, tags: _StartTags
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, str | None]] = set()
    said: set[Problem] = set()
    entries = list(log)
    for index, entry in enumerate(entries):
        # libxml2 may say the same thing twice per value; stop reading after a few hundred.
        if len(problems) == MAX_PROBLEMS or index == 4 * MAX_PROBLEMS:
            return [*problems, _more(where, len(entries) - index)]
        problem = _rewrite(entry.message, entry.line, where, tags, _node_at(root, entry.path))
        key = (problem.location.line, problem.field)
        # libxml2 reports a bad value twice (the facet, then the type); keep the first.
        if key in seen and "value" in entry.message:
            continue
        # It also reports stray text once per piece, which our words put at the same
        # element: one line says it.
        if problem in said:
            continue
        seen.add(key)
        said.add(problem)
        problems.append(problem)
    return problems


def _rewrite(
    message: str,
    line: int,
    where: SourceLocation,
    tags: _StartTags,
    node: etree._Element | None = None,
) -> Problem:
    """Turn one libxml2 schema message into our words, naming the element and the value.

    ``node`` is the element the message is about, where its path could be followed: the
    problem then stands where the model puts that element (or at its attribute).
    """
    match = _ELEMENT.match(message)
    if not match:
        return Problem(SourceLocation(where.path, line), _first_line(message))
    element, attribute = match.group(2), match.group(4)
    if attribute and match.group(3) == _XML_NAMESPACE:
        attribute = f"xml:{attribute}"
    rest = message[match.end() :].strip()
    field = attribute or element
    location = SourceLocation(where.path, *tags.place_problem(node, line, element, attribute))
    subject = f"<{element}> attribute {attribute}" if attribute else element
    value = _VALUE.search(rest)
    if value is not None or "is not a valid value" in rest or "[facet" in rest:
        found = _shown(value.group(1)) if value else ""
        type_name = _FIELD_TYPES.get(field, "")
        words = _TYPE_WORDS.get(type_name)
        if words is None:
            type_match = re.search(r"type '([\w-]+)'", rest)
            words = _TYPE_WORDS.get(type_match.group(1) if type_match else "", "is not valid")
        if found == "" and "length of '0'" in rest:
            empty = subject if attribute else f"<{element}>"
            return Problem(location, f"{empty} is empty; it needs a value", field=field)
        return Problem(location, f"{subject} '{found}' {words}", field=field)
    if "This element is not expected" in rest:
        expected = _expected(rest)
        namespace = match.group("ns")
        if namespace not in (None, PRODUCT_NAMESPACE):
            hint = f"; expected {expected} here" if expected else ""
            return Problem(location, f"<{element}> of namespace {namespace} is not an element"
                           f" of a product file{hint}", field=field)
        if element not in field_notes():
            hint = f"; expected {expected} here" if expected else ""
            return Problem(location, f"<{element}> is not an element of a product file{hint}",
                           field=field)
        if expected:
            return Problem(location, f"expected {expected} before <{element}>: it is missing"
                           " or out of order", field=field)
        return Problem(location, f"<{element}> is not allowed here (nothing more may follow)",
                       field=field)
    if "Missing child element" in rest:
        expected = _expected(rest)
        return Problem(location, f"<{element}> is incomplete: missing {expected}", field=field)
    if "is required but missing" in rest:
        missing = re.search(r"attribute '(?:\{([^}]*)\})?([\w.-]+)'", rest)
        name = missing.group(2) if missing else "an attribute"
        if missing and missing.group(1) == _XML_NAMESPACE:
            name = f"xml:{name}"
        return Problem(location, f"<{element}> needs the attribute {name}", field=name)
    if "is not allowed" in rest and attribute:
        return Problem(location, f"<{element}> has an unknown attribute '{attribute}'",
                       field=field)
    if "Character content other than whitespace" in rest:
        return Problem(location, f"<{element}> holds text, but only child elements are allowed",
                       field=field)
    if "Element content is not allowed" in rest:
        return Problem(location, f"<{element}> holds child elements, but only text is allowed",
                       field=field)
    return Problem(location, f"{subject}: {_lower_first(rest.rstrip('.'))}", field=field)


def _expected(rest: str) -> str:
    match = _EXPECTED.search(rest)
    if not match:
        return ""
    names = [re.sub(r"^\{[^}]*\}", "", n.strip()) for n in match.group(1).split(",")]
    return " or ".join(f"<{n}>" for n in names)


def _column(
    lines: list[str], line: int, prefix: str | None, element: str, attribute: str | None = None
) -> int:
    """The 1-based column of the first ``<element`` (or its attribute) on a line, 0 if none.

    Only a fallback for :class:`_StartTags`: an earlier tag of the same or a longer name on
    the line, or one inside a comment, would be taken for the element.
    """
    if not 0 < line <= len(lines):
        return 0
    text = lines[line - 1]
    tag = f"<{prefix}:{element}" if prefix else f"<{element}"
    start = text.find(tag)
    if start < 0:
        start = text.find(f":{element}")
    if start < 0:
        return 0
    if attribute:
        at = text.find(attribute.split(":")[-1] + "=", start)
        if at >= 0:
            return at + 1
    return start + 1


# ------------------------------------------------------------------------ where elements stand

#: Everything that begins with '<' in a well-formed file without a DOCTYPE (one is refused
#: before the parse). A comment, a CDATA section and a processing instruction (the XML
#: declaration among them) are matched whole, so a '<p' inside one is no tag; an end tag
#: matches nothing; a start tag captures the first character of its name. Text and
#: attribute values cannot hold a '<' (it is written &lt;), so the start tags found are the
#: elements in document order. (Capturing the whole name made the scan a third slower.)
_MARKUP = re.compile(r"<(?:([^/!?])|!--.*?-->|!\[CDATA\[.*?]]>|\?.*?\?>)", re.S)
_NAME_ENDS = frozenset("\t\n\r />")
#: libxml2 keeps an element's line in 16 bits; from this line on it guesses the line from the
#: element's first child or a sibling, which may stand on a later or an earlier line.
_LINE_LIMIT = 65535
#: The rest of a start tag after its name, to the '>' that ends it (which a quoted
#: attribute value may hold too).
_TAG_REST = re.compile(r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
_ATTRIBUTE = re.compile(
    r"""[\t\n\r ]++([^\t\n\r =/>]++)[\t\n\r ]*+=[\t\n\r ]*+(?:"[^"]*+"|'[^']*+')"""
)
#: A libxml2 node path step: ``*[3]`` (a child element in a default namespace, counted among
#: all child elements), ``s:name[2]`` or ``name`` (counted among those of that name).
_STEP = re.compile(r"(?:\*|(?:([^:\[\]]+):)?([^:\[\]]+))(?:\[(\d+)])?")


class _StartTags:
    """Where each element's start tag stands in the decoded text: the line and column of its '<'.

    libxml2 gives an element's ``sourceline``: the line of the '>' ending its start tag, in a
    file of fewer than :data:`_LINE_LIMIT` lines. Where that line holds the element's
    ``<name`` once, with no '>' before it, the column is read off the line (see :meth:`place`).
    Elsewhere one scan of the file's markup finds the start tags, the k-th being the k-th
    element of the tree; it is made at the first such question, so most files are never
    scanned. A scanned tag must have the element's name and reach libxml2's line; where it
    does not, the element keeps that line and the first ``<name`` on it, as before the scan,
    rather than a wrong line.
    """

    __slots__ = ("_after", "_line_starts", "_lines", "_root", "text")

    def __init__(self, text: str, root: etree._Element) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._root = root
        self._after: dict[etree._Element, int] = {}  # the offset of each start tag's name
        self._line_starts: list[int] = []

    @property
    def lines(self) -> list[str]:
        """The file's lines, split when a place is first asked for (a build asks for none).

        Only LF ends a line in XML: str.splitlines() would also split at U+2028, NEL and
        form feeds and shift every column lookup after them."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def place(self, element: etree._Element, name: str) -> tuple[int, int]:
        """(line, column) of ``element``, whose local name ``name`` the caller knows."""
        line: int = element.sourceline or 0  # type: ignore[assignment]
        prefix = element.prefix
        tag = f"<{prefix}:{name}" if prefix else "<" + name
        lines = self.lines
        if 0 < line <= len(lines) < _LINE_LIMIT:
            text = lines[line - 1]
            at = text.find(tag)
            end = at + len(tag)
            # The start tag ends on this line. If it also begins here, it is the line's one
            # "<tag"; if it began on an earlier line, its '>' stands before any tag here.
            if (
                at >= 0
                and text[end : end + 1] in _NAME_ENDS
                and text.find(">", 0, at) < 0
                and text.find(tag, end) < 0
            ):
                return line, at + 1
        start = self._start(element, tag[1:], line)
        if start is None:
            return line, _column(lines, line, prefix, name)
        first, lt = start
        return first, lt - self._line_starts[first - 1] + 1

    def place_problem(
        self, element: etree._Element | None, line: int, name: str, attribute: str | None
    ) -> tuple[int, int]:
        """(line, column) of a schema problem about ``element`` or its ``attribute``.

        ``line`` and ``name`` are libxml2's; without the element (its path could not be
        followed) the problem keeps that line and the first ``<name`` on it.
        """
        if element is None or element.tag.rpartition("}")[2] != name:
            return line, _column(self.lines, line, None, name, attribute)
        prefix = element.prefix
        qualified = f"{prefix}:{name}" if prefix else name
        start = self._start(element, qualified, element.sourceline or 0)  # type: ignore[arg-type]
        if start is None:
            return line, _column(self.lines, line, prefix, name, attribute)
        first, at = start
        if attribute:
            text = self.text
            pos = at + 1 + len(qualified)
            while (found := _ATTRIBUTE.match(text, pos)) is not None:
                if attribute in (found.group(1), found.group(1).rpartition(":")[2]):
                    first += text.count("\n", at, found.start(1))
                    at = found.start(1)
                    break
                pos = found.end()
        return first, at - self._line_starts[first - 1] + 1

    def place_attribute(
        self, element: etree._Element, name: str, attribute: str
    ) -> tuple[int, int]:
        """(line, column) of ``attribute`` in ``element``'s start tag, or of the element
        where the tag does not hold it (which the schema would have refused)."""
        line, column = self.place(element, name)
        text = self.text
        # The '<' of the tag: the element's line starts after the lines above and their LFs.
        at = sum(map(len, self.lines[: line - 1])) + line - 1 + column - 1
        pos = at + 1 + len(name) + (len(element.prefix) + 1 if element.prefix else 0)
        while (found := _ATTRIBUTE.match(text, pos)) is not None:
            if found.group(1) == attribute:
                start = found.start(1)
                newline = text.rfind("\n", at, start)
                if newline < 0:
                    return line, column + start - at
                return line + text.count("\n", at, start), start - newline
            pos = found.end()
        return line, column

    def _scan(self) -> None:
        names = [m.start(1) for m in _MARKUP.finditer(self.text) if m.lastindex]
        try:
            self._after = dict(zip(self._root.iter(etree.Element), names, strict=True))
        except ValueError:  # a scan that does not fit the tree is not used at all
            self._after = {}
        # Line n + 1 starts after n lines and their n line ends.
        lengths = accumulate(map(len, self.lines[:-1]))
        self._line_starts = [0, *map(operator.add, lengths, count(1))]

    def _start(
        self, element: etree._Element, qualified: str, line: int
    ) -> tuple[int, int] | None:
        """The line of ``element``'s '<' and its offset in the text, as the scan finds them.

        None where the tag scanned for the element has another name, or does not reach the
        line libxml2 gives.
        """
        if not self._line_starts:
            self._scan()
        after = self._after.get(element)
        if after is None:
            return None
        text = self.text
        end = after + len(qualified)
        if not text.startswith(qualified, after) or text[end : end + 1] not in _NAME_ENDS:
            return None
        first = bisect_right(self._line_starts, after - 1)  # the line of the '<'
        if first == line or (first >= _LINE_LIMIT and line >= _LINE_LIMIT):
            return first, after - 1  # (that far down, libxml2 knows no more than that)
        if first < line:  # the tag spans lines, and libxml2 gave the line of its '>'
            rest = _TAG_REST.match(text, end)
            if rest is not None and bisect_right(self._line_starts, rest.end() - 1) == line:
                return first, after - 1
        return None


def _node_at(root: etree._Element, path: str | None) -> etree._Element | None:
    """The element at a libxml2 node path (``/*/*[3]``, ``/s:product/s:name[2]``), or None."""
    steps = (path or "").split("/")
    if len(steps) < 2 or steps[0]:
        return None
    node: etree._Element | None = None
    for step in steps[1:]:
        match = _STEP.fullmatch(step)
        if match is None:
            return None
        prefix, name, index = match.groups()
        found = [root] if node is None else [c for c in node if isinstance(c.tag, str)]
        if name is not None:
            found = [c for c in found if c.tag.rpartition("}")[2] == name and c.prefix == prefix
                     and (prefix is not None or "}" not in c.tag)]
        n = int(index or 1)
        if not 0 < n <= len(found):
            return None
        node = found[n - 1]
    return node


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# ------------------------------------------------------------------------ building the model


def _children(parent: etree._Element) -> dict[str, list[etree._Element]]:
    """A parent's child elements by tag, in document order: one walk instead of a find per tag.

    ``children[tag]`` is what ``parent.findall(tag)`` returns (comments and processing
    instructions, whose tag is a function, are left out as findall leaves them out).
    """
    children: dict[str, list[etree._Element]] = {}
    for child in parent:
        tag = child.tag
        if isinstance(tag, str):  # a comment's or a processing instruction's is a function
            found = children.get(tag)
            if found is None:
                children[tag] = [child]
            else:
                found.append(child)
    return children


class _Builder:
    def __init__(self, path: Path, tags: _StartTags) -> None:
        self.path = str(path)
        self.tags = tags
        self.place = tags.place
        self.texts: list[Text] = []
        self.notes = field_notes()

    def loc(self, element: etree._Element, name: str) -> SourceLocation:
        """Where ``element`` (local name ``name``, which the caller looked it up by) starts:
        found when first asked (:class:`_Deferred`)."""
        return _Deferred(self.path, self.tags, element, name)

    def located(self, element: etree._Element, name: str) -> Located[str]:
        return Located(_plain(element), self.loc(element, name))

    def text(self, element: etree._Element, name: str, context: str, note_key: str) -> Text:
        text = Text(context, _markup(element), self.loc(element, name),
                    self.notes.get(note_key, ""))
        self.texts.append(text)
        return text

    def items(
        self, children: dict[str, list[etree._Element]] | None, tag: str, section: str
    ) -> tuple[Text, ...]:
        """Repeated items of a section: context ``section`` for one, ``section/N`` for more."""
        if children is None:
            return ()
        found = children.get(_NS + tag, ())
        note_key = section if tag == "p" else tag
        if len(found) == 1:
            return (self.text(found[0], tag, section, note_key),)
        return tuple(
            self.text(child, tag, f"{section}/{n}", note_key) for n, child in enumerate(found, 1)
        )

    def date(self, element: etree._Element, name: str) -> Located[dt.date]:
        return Located(dt.date.fromisoformat(_plain(element)), self.loc(element, name))

    def date_attribute(
        self, element: etree._Element, name: str, attribute: str
    ) -> Located[dt.date] | None:
        """A date given as an attribute, where it is written; None when it is absent."""
        value = element.get(attribute)
        if value is None:
            return None
        place = self.tags.place_attribute(element, name, attribute)
        return Located(dt.date.fromisoformat(value.strip()), SourceLocation(self.path, *place))


def _key(location: SourceLocation) -> tuple[str, int, int]:
    return location.path, location.line, location.column


_LINE = SourceLocation.__dict__["line"]  # the slots a settled place is kept in
_COLUMN = SourceLocation.__dict__["column"]


class _Deferred(SourceLocation):
    """A :class:`SourceLocation` whose line and column are found when first asked for.

    A product has some thirty located values, and finding where each element's start tag
    stands was a fifth of loading one; a build asks for none of them unless something is
    wrong. It equals, hashes, sorts and pickles as the plain location it stands for (a
    worker sends plain ones). Until asked, it keeps the element (and so its tree) and the
    file's text.
    """

    __slots__ = ("_where",)
    _where: tuple[_StartTags, etree._Element, str] | None

    def __init__(self, path: str, tags: _StartTags, element: etree._Element,
                 name: str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_where", (tags, element, name))

    def _settle(self) -> None:
        where = self._where
        if where is not None:
            line, column = where[0].place(where[1], where[2])
            _LINE.__set__(self, line)
            _COLUMN.__set__(self, column)
            object.__setattr__(self, "_where", None)

    @property
    def line(self) -> int:
        self._settle()
        return int(_LINE.__get__(self))

    @property
    def column(self) -> int:
        self._settle()
        return int(_COLUMN.__get__(self))

    def plain(self) -> SourceLocation:
        return SourceLocation(self.path, self.line, self.column)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceLocation):
            return NotImplemented
        return _key(self) == _key(other)

    def __lt__(self, other: SourceLocation) -> bool:
        return _key(self) < _key(other)

    def __le__(self, other: SourceLocation) -> bool:
        return _key(self) <= _key(other)

    def __gt__(self, other: SourceLocation) -> bool:
        return _key(self) > _key(other)

    def __ge__(self, other: SourceLocation) -> bool:
        return _key(self) >= _key(other)

    def __hash__(self) -> int:
        return hash(_key(self))

    def __repr__(self) -> str:
        return repr(self.plain())

    def __reduce__(self) -> tuple[type[SourceLocation], tuple[str, int, int]]:
        return SourceLocation, _key(self)


def _build(root: etree._Element, path: Path, tags: _StartTags, sha256: str) -> Product:
    b = _Builder(path, tags)
    top = _children(root)

    def one(children: dict[str, list[etree._Element]], tag: str) -> etree._Element:
        found = children.get(_NS + tag)
        assert found, tag  # guaranteed by the schema
        return found[0]

    def section(tag: str) -> dict[str, list[etree._Element]] | None:
        found = top.get(_NS + tag)
        return _children(found[0]) if found else None

    name = b.located(one(top, "name"), "name")
    strength = b.located(one(top, "strength"), "strength")
    form = b.text(one(top, "pharmaceutical-form"), "pharmaceutical-form",
                  "pharmaceutical-form", "pharmaceutical-form")
    composition = _children(one(top, "composition"))
    actives = b.items(composition, "active-substance", "active-substance")
    composition_texts = b.items(composition, "p", "composition")
    excipients = b.items(_children(one(top, "excipients")), "excipient", "excipients")
    sections = {
        tag: b.items(section(tag), "p", tag)
        for tag in ("indications", "posology", "contraindications", "warnings",
                    "undesirable-effects")
    }
    group = b.text(one(top, "pharmacotherapeutic-group"), "pharmacotherapeutic-group",
                   "pharmacotherapeutic-group", "pharmacotherapeutic-group")
    atc = b.located(one(top, "atc-code"), "atc-code")

    holder_el = one(top, "marketing-authorisation-holder")
    holder_parts = _children(holder_el)
    address = _children(one(holder_parts, "address"))
    postal = address.get(_NS + "postal-code")
    holder = Holder(
        name=_plain(one(holder_parts, "name")),
        address=Address(
            street=_plain(one(address, "street")),
            postal_code=_plain(postal[0]) if postal else None,
            city=b.text(one(address, "city"), "city", "marketing-authorisation-holder/city",
                        "city"),
            country=b.located(one(address, "country"), "country"),
        ),
        location=b.loc(holder_el, "marketing-authorisation-holder"),
    )

    authorisations = []
    for ma in top.get(_NS + "marketing-authorisation", ()):
        parts = _children(ma)
        renewal = parts.get(_NS + "renewal")
        valid_until = parts.get(_NS + "valid-until")
        authorisations.append(
            Authorisation(
                markets=tuple((ma.get("markets") or "").split()),
                type=ma.get("type", "standard").strip(),
                numbers=tuple(_plain(n) for n in parts.get(_NS + "number", ())),
                first_authorisation=b.date(one(parts, "first-authorisation"),
                                           "first-authorisation"),
                renewal=b.date(renewal[0], "renewal") if renewal else None,
                valid_until=b.date(valid_until[0], "valid-until") if valid_until else None,
                location=b.loc(ma, "marketing-authorisation"),
            )
        )
    monitoring = tuple(
        AdditionalMonitoring(
            markets=tuple((el.get("markets") or "").split()),
            start=b.date_attribute(el, "additional-monitoring", "from"),
            until=b.date_attribute(el, "additional-monitoring", "until"),
            location=b.loc(el, "additional-monitoring"),
        )
        for el in top.get(_NS + "additional-monitoring", ())
    )
    statuses = tuple(
        MarketCode((el.get("market") or "").strip(), _plain(el), b.loc(el, "prescription-status"))
        for el in top.get(_NS + "prescription-status", ())
    )
    costs = []
    for el in top.get(_NS + "cost", ()):
        market = (el.get("market") or "").strip()
        costs.append(
            Cost(
                market=market,
                currency=(el.get("currency") or "").strip(),
                amount=Decimal((el.get("amount") or "0").strip()),
                pack=b.text(el, "cost", f"cost/{market}", "cost"),
                location=b.loc(el, "cost"),
            )
        )
    revision_el = one(top, "revision-date")
    return Product(
        id=(root.get("id") or "").strip(),
        lang=(root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip(),
        path=str(path),
        location=b.loc(root, "product"),
        name=name,
        strength=strength,
        pharmaceutical_form=form,
        active_substances=actives,
        composition=composition_texts,
        excipients=excipients,
        indications=sections["indications"],
        posology=sections["posology"],
        contraindications=sections["contraindications"],
        warnings=sections["warnings"],
        undesirable_effects=sections["undesirable-effects"],
        pharmacotherapeutic_group=group,
        atc_code=atc,
        holder=holder,
        authorisations=tuple(authorisations),
        prescription_status=statuses,
        costs=tuple(costs),
        revision_date=Located(PartialDate.parse(_plain(revision_el)),
                              b.loc(revision_el, "revision-date")),
        review_by=b.date(one(top, "review-by"), "review-by"),
        additional_monitoring=monitoring,
        texts=tuple(b.texts),
        sha256=sha256,
    )


def _plain(element: etree._Element) -> str:
    if not len(element):  # no children, not even a comment: its text is all there is
        return " ".join((element.text or "").split())
    return " ".join("".join(str(t) for t in element.itertext()).split())


def _markup(element: etree._Element) -> str:
    """The element's content as a message: inline elements as tags, whitespace folded."""
    if not len(element):
        return " ".join(inline.escape(element.text or "").split())
    parts = [inline.escape(element.text or "")]
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            tag = tag[tag.find("}") + 1 :]  # its local name, as etree.QName gives it
            parts.append(f"<{tag}>{inline.escape(child.text or '')}</{tag}>")
        parts.append(inline.escape(child.tail or ""))
    return " ".join("".join(parts).split())


# ------------------------------------------------------------------------ business rules

Rule = Callable[[Product, Path], Iterable[Problem]]


def rule_id_matches_file(product: Product, path: Path) -> Iterable[Problem]:
    if product.id != path.stem:
        yield Problem(
            product.location,
            f"product id '{product.id}' does not match the file name '{path.name}'"
            f" (rename the file to {product.id}.xml or set id=\"{path.stem}\")",
            field="id",
        )


def rule_language_known(product: Product, path: Path) -> Iterable[Problem]:
    if not _known_language(product.lang):
        yield Problem(
            product.location,
            f"xml:lang '{product.lang}' is not a language CLDR knows (e.g. en, de)",
            field="xml:lang",
        )


@lru_cache(maxsize=256)
def _known_language(tag: str) -> bool:
    """Whether CLDR knows the language ``tag``; asked once per tag and process, not per product."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def rule_dates_in_order(product: Product, path: Path) -> Iterable[Problem]:
    revision, review = product.revision_date, product.review_by
    if revision.value.first_day() > review.value:
        yield Problem(
            review.location,
            f"review-by {review.value} is before the revision-date {revision.value}"
            " it is meant to re-verify",
            field="review-by",
        )
    for ma in product.authorisations:
        first = ma.first_authorisation
        for label, later in (("renewal", ma.renewal), ("valid-until", ma.valid_until)):
            if later is not None and later.value < first.value:
                yield Problem(
                    later.location,
                    f"{label} {later.value} is before the first-authorisation {first.value}",
                    field=label,
                )
        if first.value > revision.value.last_day():
            yield Problem(
                first.location,
                f"first-authorisation {first.value} is after the revision-date"
                f" {revision.value} of the text",
                field="first-authorisation",
            )


def rule_one_code_per_market(product: Product, path: Path) -> Iterable[Problem]:
    for kind, entries in (("prescription-status", product.prescription_status),
                          ("cost", product.costs)):
        seen: dict[str, SourceLocation] = {}
        for entry in entries:
            if entry.market in seen:
                yield Problem(
                    entry.location,
                    f"a second {kind} for market {entry.market} (the first is on line"
                    f" {seen[entry.market].line})",
                    field=kind,
                )
            seen.setdefault(entry.market, entry.location)


def rule_atc_level(product: Product, path: Path) -> Iterable[Problem]:
    code = product.atc_code
    if len(code.value) != 7:
        yield Problem(
            code.location,
            f"atc-code '{code.value}' is not at level 5 (a chemical substance, 7 characters"
            " like L01XC26); a product normally carries a level-5 code",
            severity=Severity.WARNING,
            field="atc-code",
        )


def rule_no_empty_text(product: Product, path: Path) -> Iterable[Problem]:
    # An empty message would be msgid "", which gettext reserves for the catalog header.
    for text in product.texts:
        try:
            plain = inline.to_text(text.source)
        except inline.InlineError:
            continue  # rule_inline_markup reports it
        if not plain.strip():
            yield Problem(
                text.location,
                f"{text.context} is empty; write its text or remove the element",
                field=text.context,
            )


def rule_inline_markup(product: Product, path: Path) -> Iterable[Problem]:
    for text in product.texts:
        try:
            inline.parse(text.source)
        except inline.InlineError as err:  # pragma: no cover - the schema allows only these
            yield Problem(text.location, f"{text.context}: {err}", field=text.context)


def rule_additional_monitoring(product: Product, path: Path) -> Iterable[Problem]:
    """An additional-monitoring entry ends on or after it starts, and names only markets the
    product is authorised in (``EU`` where an authorisation names ``EU``)."""
    for entry in product.additional_monitoring:
        start, until = entry.start, entry.until
        if start is not None and until is not None and until.value < start.value:
            yield Problem(
                until.location,
                f"additional-monitoring until {until.value} is before its from {start.value}"
                " (until is the last day listed)",
                field="until",
            )
        for market in dict.fromkeys(entry.markets):
            if market == "EU":
                authorised = any("EU" in a.markets for a in product.authorisations)
            else:
                authorised = bool(product.authorisations_for(market))
            if not authorised:
                covered = " ".join(dict.fromkeys(m for a in product.authorisations
                                                 for m in a.markets))
                yield Problem(
                    entry.location,
                    f"additional-monitoring names market {market}, but no"
                    f" marketing-authorisation of the product covers it (found: {covered})",
                    field="markets",
                )


#: The rules every loaded product must pass, after the schema.
BUSINESS_RULES: tuple[Rule, ...] = (
    rule_id_matches_file,
    rule_language_known,
    rule_dates_in_order,
    rule_additional_monitoring,
    rule_one_code_per_market,
    rule_atc_level,
    rule_no_empty_text,
    rule_inline_markup,
)
