"""The product schemas (``schemas/product.xsd``, version 1, and ``schemas/product-2.xsd``),
validation against them, and their messages in our words.

libxml2 says ``Element 'atc-code': [facet 'pattern'] The value 'L1XC' is not accepted by the
pattern ...``; an editor reads ``atc-code 'L1XC' is not an ATC code (e.g. L01XC26 ...)`` at the
element's line and column.
"""

from __future__ import annotations

import re
import threading
from functools import cache

from lxml import etree

from smpc_manager.errors import Problem, SourceLocation
from smpc_manager.model import PRODUCT_NAMESPACE, PRODUCT_NAMESPACE_2, SCHEMA_VERSIONS
from smpc_manager.products.identities import NO_VALUE, duplicate_id, identity_problem
from smpc_manager.products.positions import StartTags
from smpc_manager.products.reader import first_line, hardened_parser, lower_first, shown
from smpc_manager.resources import resource_dir

#: A file with thousands of errors is reported by its first ones and a count of the rest:
#: nobody reads past the first screens, and rewriting every message would keep them waiting.
MAX_PROBLEMS = 100

#: The schema file of each version.
SCHEMA_FILES = {1: "product.xsd", 2: "product-2.xsd"}
#: libxml2 keeps a validation's error log on the shared schema object: one at a time.
_SCHEMA_LOCK = threading.Lock()
_XSD = "{http://www.w3.org/2001/XMLSchema}"


def product_schema(version: int = 1) -> etree.XMLSchema:
    """The product XSD of a schema version, parsed once per process."""
    return _product_schema(version)  # cached by the version, however it is passed


@cache
def _product_schema(version: int) -> etree.XMLSchema:
    return etree.XMLSchema(_schema_document(version))


def field_notes(version: int = 1) -> dict[str, str]:
    """Each element's ``xs:documentation`` from the schema, by element name (the first
    element of each name).

    The translator sees these as ``#.`` notes; an XML editor shows them as tooltips.
    """
    return _field_notes(version)


@cache
def _field_notes(version: int) -> dict[str, str]:
    notes: dict[str, str] = {}
    for key, text in schema_documentation(version).items():
        notes.setdefault(key.rpartition("/")[2], text)
    return notes


@cache
def schema_documentation(version: int) -> dict[str, str]:
    """Each element's ``xs:documentation`` by ``owner/name``, in schema order: the owner is
    the element or named type the declaration stands in (``presentation/strength``,
    ``Address/city``), ``product`` for the root's children, and nothing for the root."""
    notes: dict[str, str] = {}
    for element in _schema_document(version).iter(f"{_XSD}element"):
        name = element.get("name")
        doc = element.find(f"{_XSD}annotation/{_XSD}documentation")
        if not name or doc is None or not doc.text:
            continue
        owner = next((a.get("name") for a in element.iterancestors(f"{_XSD}element",
                                                                     f"{_XSD}complexType")
                      if a.get("name")), None)
        notes.setdefault(f"{owner}/{name}" if owner else name, " ".join(doc.text.split()))
    return notes


@cache
def _element_names(version: int) -> frozenset[str]:
    """The names of the elements a schema version declares."""
    return frozenset(key.rpartition("/")[2] for key in schema_documentation(version))


@cache
def _schema_document(version: int) -> etree._ElementTree:
    """The XSD file, read once per process with the same hardened settings as a product."""
    schema_path = resource_dir("schemas") / SCHEMA_FILES[version]
    return etree.parse(str(schema_path), hardened_parser())


def more_problems(where: SourceLocation, count: int) -> Problem:
    """The last problem of a file cut short at :data:`MAX_PROBLEMS`: how many were left out."""
    return Problem(where, f"up to {count} more problem(s) in this file not shown (fix the"
                          " ones above and validate again)")


def schema_problems(root: etree._Element, where: SourceLocation, tags: StartTags,
                    version: int = 1) -> list[Problem]:
    """What the schema of ``version`` finds wrong with the document under ``root``, in file
    order; [] if valid.

    At most :data:`MAX_PROBLEMS` of them, and then one that says how many more there may be.
    """
    schema = product_schema(version)
    with _SCHEMA_LOCK:
        if schema.validate(root.getroottree()):
            return []
        log: etree._ListErrorLog = schema.error_log  # a copy, taken while we hold the lock
    problems: list[Problem] = []
    seen: set[tuple[int, str | None]] = set()
    said: set[Problem] = set()
    entries = list(log)
    more: list[Problem] = []
    for index, entry in enumerate(entries):
        # libxml2 may say the same thing twice per value; stop reading after a few hundred.
        if len(problems) == MAX_PROBLEMS or index == 4 * MAX_PROBLEMS:
            more.append(more_problems(where, len(entries) - index))
            break
        if NO_VALUE in entry.message:  # what libxml2 said of the value just before
            continue
        problem = _rewrite(entry.message, entry.line, where, tags, node_at(root, entry.path),
                           root=root)
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
    if version > 1:
        # libxml2 checks keys and references at the end of the document, and reports them
        # last; the problems are listed in file order all the same.
        problems.sort(key=lambda p: (p.location.line, p.location.column))
    return problems + more


# ------------------------------------------------------------------------ libxml2's messages

#: The product ids the schema refuses, and why: names of the tool's own that a product's
#: catalog or template would share. ``schemas/product.xsd`` spells the same list as a
#: pattern (XSD 1.0 has no negation); a test holds the two equal.
RESERVED_IDS = {
    "smpc": "it is the name of the tool's own gettext domain",
    "templates": "it is the name of the folder of the catalog templates, locales/templates/",
}

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
    "Id": "is not an id (a letter, then letters, digits, hyphens or full stops, e.g. p1)",
    "IdRef": "is not an id (a letter, then letters, digits, hyphens or full stops, e.g. p1)",
    "PresentationList": "is not a list of presentation ids (ids separated by spaces, e.g."
                        " p1 p2)",
    "Amount": "is not an amount (digits with at most 2 decimals after a full stop, e.g."
              " 123.45)",
    "Phone": "is not a telephone number (digits, spaces and + ( ) . / -, e.g. +44 1234"
             " 567890)",
    "Email": "is not an e-mail address (e.g. info@example.com)",
    "WebAddress": "is not a web address (starting with https:// or http://)",
    "MarketCodeValue": "is not a code (letters, digits, + and -, e.g. CD2, RE2)",
    "RelativePath": "is not a path relative to the portfolio (forward slashes, no leading /,"
                    " no drive, e.g. sources/examplex/de.xml)",
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
    "price": "Amount",
    "phone": "Phone",
    "email": "Email",
    "url": "WebAddress",
    "controlled-drug": "MarketCodeValue",
    "reimbursement": "MarketCodeValue",
    "prescribing-information-date": "DateOrYearMonth",
    "presentations": "PresentationList",
    # an attribute of one element: its id, or a reference to an id (schema 2)
    "substance@id": "Id",
    "presentation@id": "Id",
    "pack@id": "Id",
    "indication@id": "Id",
    "strength@substance": "IdRef",
    "dose@indication": "IdRef",
    "smpc-source@lang": "Language",
    "smpc-source@path": "RelativePath",
}
#: Elements that schema 1 has and schema 2 has elsewhere or not at all, and what holds
#: their content in schema 2.
_SCHEMA_1_ONLY = {
    "strength": "each presentation has its strength(s): presentations/presentation/strength",
    "pharmaceutical-form": "each presentation has its form:"
                           " presentations/presentation/pharmaceutical-form",
    "composition": "active-substances/substance names the substances and each presentation"
                   " has its composition: presentations/presentation/composition",
    "active-substance": "active-substances/substance names the substances",
    "warnings": "it has <precautions> (SmPC 4.4, as IE and GB print it) and"
                " <label-warnings> (the warnings required on the pack, DE)",
    "cost": "each pack has its prices: presentations/presentation/pack/price",
}
#: Elements of schema 2 that hold one kind of child or the other, never both.
_EITHER = {"excipients": ("group", "excipient"), "indications": ("indication", "p")}

_ELEMENT = re.compile(
    r"^Element '(?:\{(?P<ns>[^}]*)\})?([\w.-]+)'(?:, attribute '(?:\{([^}]*)\})?([\w.-]+)')?: "
)
_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
_VALUE = re.compile(r"(?:The value '|^')(.*?)' (?:is not|has)")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( (.*?) \)")


def _rewrite(
    message: str,
    line: int,
    where: SourceLocation,
    tags: StartTags,
    node: etree._Element | None = None,
    *,
    root: etree._Element | None = None,
) -> Problem:
    """Turn one libxml2 schema message into our words, naming the element and the value.

    ``node`` is the element the message is about, where its path could be followed: the
    problem then stands where the model puts that element (or at its attribute). ``root``
    is the document's root, where the words name another place in it.
    """
    match = _ELEMENT.match(message)
    if not match:
        return Problem(SourceLocation(where.path, line), first_line(message))
    element, attribute = match.group(2), match.group(4)
    if attribute and match.group(3) == _XML_NAMESPACE:
        attribute = f"xml:{attribute}"
    rest = message[match.end() :].strip()
    if root is not None:
        identity = identity_problem(rest, element, line, node=node, root=root, where=where,
                                    tags=tags)
        if identity is not None:
            return identity
    field = attribute or element
    location = SourceLocation(where.path, *tags.place_problem(node, line, element, attribute))
    subject = f"<{element}> attribute {attribute}" if attribute else element
    value = _VALUE.search(rest)
    if value is not None or "is not a valid value" in rest or "[facet" in rest:
        found = shown(value.group(1)) if value else ""
        type_name = _FIELD_TYPES.get(f"{element}@{attribute}", _FIELD_TYPES.get(field, ""))
        words = _TYPE_WORDS.get(type_name)
        if words is None:
            type_match = re.search(r"type '(?:\{[^}]*\})?([\w-]+)'", rest)
            words = _TYPE_WORDS.get(type_match.group(1) if type_match else "", "is not valid")
        if found == "" and "length of '0'" in rest:
            empty = subject if attribute else f"<{element}>"
            return Problem(location, f"{empty} is empty; it needs a value", field=field)
        if type_name == "ProductId" and found in RESERVED_IDS:
            return Problem(location, f"product id '{found}' is reserved"
                           f" ({RESERVED_IDS[found]}); choose another id", field=field)
        first = duplicate_id(value.group(1), node, root) if (
            type_name == "Id" and value and root is not None) else None
        if first is not None:
            return Problem(location, f"{subject} '{found}' is already the id of <{first[0]}>"
                           f" on line {first[1]}; an id names one element of the file",
                           field=field)
        return Problem(location, f"{subject} '{found}' {words}", field=field)
    if "This element is not expected" in rest:
        return _unexpected(element, match.group("ns"), _expected(rest), location, node)
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
    return Problem(location, f"{subject}: {lower_first(rest.rstrip('.'))}", field=field)


def _unexpected(element: str, namespace: str | None, expected: str, location: SourceLocation,
                node: etree._Element | None) -> Problem:
    """Our words for an element the schema does not expect where it stands."""
    if namespace not in (None, *SCHEMA_VERSIONS):
        hint = f"; expected {expected} here" if expected else ""
        return Problem(location, f"<{element}> of namespace {namespace} is not an element"
                       f" of a product file{hint}", field=element)
    version = SCHEMA_VERSIONS.get(namespace or "", 1)
    parent = node.getparent() if node is not None else None
    top = parent is not None and parent.getparent() is None  # a child of the root
    if (version == 1 and top and element not in _element_names(1)
            and f"product/{element}" in schema_documentation(2)):
        return Problem(location, f"<{element}> is a schema 2 element, but the file declares"
                       f" schema 1 ({PRODUCT_NAMESPACE}); migrate it with `smpc migrate`",
                       field=element)
    if version == 2 and element in _SCHEMA_1_ONLY and (top or element not in
                                                       _element_names(2)):
        return Problem(location, f"<{element}> here is a schema 1 element, but the file"
                       f" declares schema 2 ({PRODUCT_NAMESPACE_2}), where"
                       f" {_SCHEMA_1_ONLY[element]}", field=element)
    either = _EITHER.get(etree.QName(parent).localname) if parent is not None else None
    if version == 2 and either is not None and element in either:
        first, second = either
        return Problem(location, f"<{etree.QName(parent).localname}> holds either <{first}>"
                       f" or <{second}> elements, not both; this <{element}> follows"
                       f" <{second if element == first else first}>", field=element)
    if element not in _element_names(version):
        hint = f"; expected {expected} here" if expected else ""
        return Problem(location, f"<{element}> is not an element of a product file{hint}",
                       field=element)
    if expected:
        return Problem(location, f"expected {expected} before <{element}>: it is missing"
                       " or out of order", field=element)
    return Problem(location, f"<{element}> is not allowed here (nothing more may follow)",
                   field=element)


def _expected(rest: str) -> str:
    match = _EXPECTED.search(rest)
    if not match:
        return ""
    names = [re.sub(r"^\{[^}]*\}", "", n.strip()) for n in match.group(1).split(",")]
    return " or ".join(f"<{n}>" for n in names)


#: A libxml2 node path step: ``*[3]`` (a child element in a default namespace, counted among
#: all child elements), ``s:name[2]`` or ``name`` (counted among those of that name).
_STEP = re.compile(r"(?:\*|(?:([^:\[\]]+):)?([^:\[\]]+))(?:\[(\d+)])?")


def node_at(root: etree._Element, path: str | None) -> etree._Element | None:
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
