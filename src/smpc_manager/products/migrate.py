"""Rewrite a schema 1 product file as schema 2, without loss (``smpc migrate``).

The file is rewritten as text, not serialised anew from a tree: whatever schema 2 keeps
where it was stays byte for byte as written (attributes and their quotes, character
references, comments, blank lines, indentation), and what schema 2 holds elsewhere moves,
re-indented to its new depth, with the comments written before it. The mapping is that of
docs/schema.md (Decisions):

- ``strength``, ``pharmaceutical-form`` and ``composition`` (its ``p``) become one
  presentation ``p1`` (the strength as printed, without ``substance``);
- ``composition/active-substance`` becomes ``active-substances/substance``;
- ``warnings`` becomes ``precautions`` where it stood, and a copy of it ``label-warnings``
  (schema 1 used the one field for both);
- each ``cost`` becomes a ``pack`` of ``p1``: its text the ``size``, its amount, currency
  and market a ``price`` (costs with the same text share one pack);
- ``additional-monitoring`` moves up, after the name, where schema 2 has it;
- the namespace becomes ``urn:smpc-manager:product:2``, and an ``<?xml-model?>``
  instruction names the schema for XML editors.

Only a valid schema 1 file is migrated, and the result is loaded as schema 2 before it is
returned: a file either migrates whole or is refused with its problems.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

from smpc_manager import files
from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.inline import attribute, escape
from smpc_manager.model import PRODUCT_NAMESPACE, PRODUCT_NAMESPACE_2, SCHEMA_2_LOCATION, Product
from smpc_manager.products.loader import load_product
from smpc_manager.products.reader import parse, read_source
from smpc_manager.products.schema import schema_documentation
from smpc_manager.products.tree import _plain

#: The ``<?xml-model?>`` instruction by which XML editors find schema 2.
XML_MODEL = (f'<?xml-model href="{SCHEMA_2_LOCATION}"'
             ' schematypens="http://www.w3.org/2001/XMLSchema"?>')
#: The id of the one presentation a schema 1 file becomes.
PRESENTATION_ID = "p1"
#: Schema 1's location, as an ``<?xml-model?>`` or ``xsi:schemaLocation`` may name it.
_SCHEMA_1_LOCATION = SCHEMA_2_LOCATION.replace("product-2.xsd", "product.xsd")

#: The fields of schema 1 whose messages have other contexts in schema 2.
_RENAMED_FIELDS = {"warnings": ("precautions", "label-warnings")}

#: Everything that begins with '<' in a well-formed file without a DOCTYPE: a comment, a
#: CDATA section or a processing instruction whole (a '<p' inside one is no tag), an end
#: tag, or a start tag to its '>' (which a quoted attribute value may hold).
_MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?]]>|<\?.*?\?>"
    r"|</(?P<close>[^\s>]+)\s*>"
    r"""|<(?P<open>[^\s/>]+)(?:[^>"']|"[^"]*"|'[^']*')*?(?P<empty>/?)>""",
    re.S,
)
#: The schema 1 namespace as an attribute's value (``xmlns``) or a list's first item
#: (``xsi:schemaLocation``).
_NAMESPACE_VALUE = re.compile(
    r"""(=\s*["'])""" + re.escape(PRODUCT_NAMESPACE) + r"""(?=["'\s])""")
_XML_MODEL_PI = re.compile(r"<\?xml-model\s.*?\?>", re.S)
_DECLARATION = re.compile(r"\ufeff?<\?xml\s.*?\?>", re.S)


def migrated_fields(field_name: str) -> tuple[str, ...]:
    """The fields a schema 1 message field becomes in schema 2: ``warnings`` both
    ``precautions`` and ``label-warnings``, a cost's pack (``cost/GB``) ``pack``, any other
    field itself. The field is a context without its occurrence count (``warnings`` of
    ``warnings#2``).

    >>> migrated_fields("warnings"), migrated_fields("cost/GB"), migrated_fields("excipients")
    (('precautions', 'label-warnings'), ('pack',), ('excipients',))
    """
    if field_name.startswith("cost/"):
        return ("pack",)
    return _RENAMED_FIELDS.get(field_name, (field_name,))


@dataclass(frozen=True, slots=True)
class Migration:
    """A product file and what it becomes in schema 2.

    ``schema`` is the version the file follows; ``text`` the schema 2 text, which for a file
    already in schema 2 is the file's own (``changed`` is then False). ``product`` is the
    product ``text`` loads as.
    """

    path: Path
    schema: int
    original: bytes
    text: str
    product: Product

    @property
    def changed(self) -> bool:
        return self.schema != 2


def migrate_product(path: str | Path) -> Migration:
    """What the product file at ``path`` becomes in schema 2; nothing is written.

    A file that does not load (malformed, or refused by its schema or the rules) raises
    :class:`ProblemsError` with the problems ``smpc validate`` reports; so does a result
    that would not load as schema 2 (a cost for a market no authorisation covers, which
    schema 2 refuses), naming what schema 2 refuses.
    """
    path = Path(path)
    original = read_source(path)
    product = load_product(path, data=original)
    if product.schema == 2:
        return Migration(path, 2, original, original.decode("utf-8"), product)
    text = migrate_text(original.decode("utf-8"), parse(original, SourceLocation(str(path))))
    try:
        migrated = load_product(path, data=text.encode("utf-8"))
    except ProblemsError as err:
        raise ProblemsError([
            Problem(SourceLocation(str(path)), "cannot be migrated: as schema 2 it would be"
                    f" refused: {p.message} (line {p.location.line} of the migrated text)")
            for p in err.problems
        ]) from None
    _check_messages(product, migrated)
    return Migration(path, 1, original, text, migrated)


def _check_messages(old: Product, new: Product) -> None:
    """Raise :class:`ProblemsError` unless ``new`` has every message of ``old`` under its
    schema 2 contexts, and no other: a catalog carried over then stays translated."""
    def contexts(context: str) -> tuple[str, ...]:
        field_name, mark, count = context.partition("#")
        return tuple(f"{name}{mark}{count}" for name in migrated_fields(field_name))

    expected = {(c, t.source) for t in old.messages() for c in contexts(t.context)}
    found = {(t.context, t.source) for t in new.messages()}
    if expected != found:
        differ = sorted(expected ^ found)
        raise ProblemsError([Problem(
            SourceLocation(new.path),
            f"cannot be migrated: the messages would change ({differ[0][0]}:"
            f" {differ[0][1][:60]!r}); please report this",
        )])


# ------------------------------------------------------------------------ the text


@dataclass(slots=True)
class _Node:
    """An element as it stands in the text: its qualified name as written, the offsets of
    its start tag's '<' and '>' end, of its end tag, and its child elements."""

    name: str
    start: int
    open_end: int
    close_start: int = 0
    end: int = 0
    children: list[_Node] = field(default_factory=list)
    element: etree._Element | None = None

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]


def _nodes(text: str, root: etree._Element) -> _Node:
    """The elements of ``text`` (the document ``root`` was parsed from) as :class:`_Node`s,
    each with its element of the tree."""
    stack: list[_Node] = []
    found: list[_Node] = []
    for match in _MARKUP.finditer(text):
        if match.group("open"):
            node = _Node(match.group("open"), match.start(), match.end())
            if stack:
                stack[-1].children.append(node)
            found.append(node)
            if match.group("empty"):
                node.close_start = node.end = match.end()
            else:
                stack.append(node)
        elif match.group("close"):
            node = stack.pop()
            node.close_start, node.end = match.start(), match.end()
    for node, element in zip(found, root.iter(etree.Element), strict=True):
        assert etree.QName(element).localname == node.local, (node.name, element.tag)
        node.element = element
    return found[0]


@cache
def _schema_2_order() -> dict[str, int]:
    """Where each child of the root stands in schema 2, by element name."""
    names = [key.partition("/")[2] for key in schema_documentation(2)
             if key.startswith("product/")]
    return {name: place for place, name in enumerate(names)}


class _Writer:
    """The schema 2 text of one schema 1 document: the pieces of the root's content."""

    def __init__(self, text: str, root: _Node) -> None:
        self.text = text
        self.root = root
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.prefix = root.name[: -len(root.local)]  # "s:" for <s:product>, else ""
        line_start = text.rfind("\n", 0, root.start) + 1
        root_indent = text[line_start : root.start]
        root_indent = root_indent if not root_indent.strip() else ""
        first = self.lead(root, 0)
        self.sep = self.line_break(first)  # before a child of the root: "\n  "
        indent = self.sep.lstrip("\r\n")
        self.unit = indent.removeprefix(root_indent) if "\n" in self.sep else ""

    # -- pieces of the text

    def lead(self, parent: _Node, index: int) -> str:
        """The text before a child element: the space and comments since the element
        before it (or the parent's start tag)."""
        child = parent.children[index]
        before = parent.children[index - 1].end if index else parent.open_end
        return self.text[before : child.start]

    def line_break(self, lead: str) -> str:
        """The space that ends ``lead``, from its last line break (the comments and blank
        lines before it left out): the break and indentation of a new element."""
        space = lead[len(lead.rstrip()) :]
        cut = space.rfind("\n")
        return space if cut < 0 else self.newline + space[cut + 1 :]

    def body(self, node: _Node) -> str:
        return self.text[node.start : node.end]

    def shift(self, text: str, levels: int) -> str:
        """``text`` indented ``levels`` further: each line after the first that is not
        empty."""
        if not self.unit or not levels:
            return text
        return re.sub(r"\n(?=[^\r\n])", "\n" + self.unit * levels, text)

    def renamed(self, node: _Node, local: str) -> str:
        """The element's text, its start and end tags named ``local`` (prefix kept)."""
        prefix = node.name[: -len(node.local)]
        text = self.text
        start = f"<{prefix}{local}{text[node.start + 1 + len(node.name) : node.open_end]}"
        if node.close_start == node.end:  # an empty element
            return start
        inner = text[node.open_end : node.close_start]
        end = text[node.close_start + 2 + len(node.name) : node.end]  # the space before '>'
        return f"{start}{inner}</{prefix}{local}{end}"

    def tag(self, local: str, attributes: str = "") -> str:
        return f"<{self.prefix}{local}{attributes}>"

    def end(self, local: str) -> str:
        return f"</{self.prefix}{local}>"

    # -- the document

    def content(self) -> str:
        """The root's content in schema 2: each child where schema 2 has it, with its
        comments, and what the root holds after its last child."""
        order = _schema_2_order()
        top = self.root.children
        named: dict[str, list[int]] = {}
        for index, child in enumerate(top):
            named.setdefault(child.local, []).append(index)
        pieces: list[tuple[int, str]] = []
        for index, child in enumerate(top):
            lead, body = self.lead(self.root, index), self.body(child)
            if child.local == "warnings":
                pieces.append((order["precautions"], lead + self.renamed(child, "precautions")))
                pieces.append((order["label-warnings"],
                               self.line_break(lead) + self.renamed(child, "label-warnings")))
            elif child.local not in ("strength", "pharmaceutical-form", "composition", "cost"):
                pieces.append((order[child.local], lead + body))
        composition = top[named["composition"][0]]
        pieces.append((order["active-substances"], self.substances(composition)))
        pieces.append((order["presentations"],
                       self.presentation([top[named[n][0]] for n in
                                          ("strength", "pharmaceutical-form", "composition")],
                                         [top[i] for i in named.get("cost", [])])))
        pieces.sort(key=lambda piece: piece[0])  # stable: repeated elements keep their order
        last = top[-1].end
        return "".join(text for _, text in pieces) + self.text[last : self.root.close_start]

    def substances(self, composition: _Node) -> str:
        """``active-substances``: the composition's active substances, renamed."""
        parts = [self.sep, self.tag("active-substances")]
        for index, child in enumerate(composition.children):
            if child.local == "active-substance":
                parts += [self.lead(composition, index), self.renamed(child, "substance")]
        return "".join([*parts, self.sep, self.end("active-substances")])

    def presentation(self, members: list[_Node], costs: list[_Node]) -> str:
        """``presentations`` with one presentation: the strength, the form and the
        composition (its paragraphs), and a pack for each text the costs give."""
        inner = self.sep + self.unit
        parts = [self.sep, self.tag("presentations"), inner,
                 self.tag("presentation", f' id="{PRESENTATION_ID}"')]
        for member in members:
            index = self.root.children.index(member)
            body = self.without_substances(member) if member.local == "composition" \
                else self.body(member)
            parts.append(self.shift(self.lead(self.root, index) + body, 2))
        parts += self.packs(costs)
        parts += [inner, self.end("presentation"), self.sep, self.end("presentations")]
        return "".join(parts)

    def without_substances(self, composition: _Node) -> str:
        """The composition's text without its active substances (and what stands before
        each)."""
        text, kept, at = self.text, [], composition.start
        for index, child in enumerate(composition.children):
            if child.local == "active-substance":
                before = composition.children[index - 1].end if index else composition.open_end
                kept.append(text[at:before])
                at = child.end
        kept.append(text[at : composition.end])
        return "".join(kept)

    def packs(self, costs: list[_Node]) -> list[str]:
        """A pack per text of the costs (whitespace folded), with a price per cost; the
        comments before each cost go before its pack."""
        groups: dict[str, list[_Node]] = {}
        for cost in costs:
            assert cost.element is not None
            groups.setdefault(_plain(cost.element), []).append(cost)
        pack_sep = self.sep + self.unit * 2
        item_sep = pack_sep + self.unit
        parts: list[str] = []
        for group in groups.values():
            for cost in group:
                lead = self.lead(self.root, self.root.children.index(cost))
                parts.append(self.shift(lead.rstrip(), 2))
            first = group[0]
            parts += [pack_sep, self.tag("pack"), item_sep, self.tag("size"),
                      self.text[first.open_end : first.close_start], self.end("size")]
            for cost in group:
                parts += [item_sep, self.price(cost)]
            parts += [pack_sep, self.end("pack")]
        return parts

    def price(self, cost: _Node) -> str:
        element = cost.element
        assert element is not None
        market, currency, amount = (" ".join((element.get(name) or "").split())
                                    for name in ("market", "currency", "amount"))
        attributes = f" markets={attribute(market)} currency={attribute(currency)}"
        return self.tag("price", attributes) + escape(amount) + self.end("price")


def migrate_text(text: str, root: etree._Element) -> str:
    """The schema 2 text of ``text``, a valid schema 1 document whose parsed root is
    ``root``."""
    node = _nodes(text, root)
    writer = _Writer(text, node)
    migrated = text[: node.open_end] + writer.content() + text[node.close_start :]
    migrated = _MARKUP.sub(_start_tag_2, migrated)
    # The prolog is as it was: the root starts where it started.
    return _with_xml_model(migrated, node.start, writer.newline)


def _start_tag_2(match: re.Match[str]) -> str:
    """A start tag with schema 1's namespace and location as schema 2's; other markup
    as it is."""
    tag = match.group(0)
    if not match.group("open"):
        return tag
    tag = _NAMESPACE_VALUE.sub(lambda m: m.group(1) + PRODUCT_NAMESPACE_2, tag)
    return tag.replace(_SCHEMA_1_LOCATION, SCHEMA_2_LOCATION)


def _with_xml_model(text: str, root_start: int, newline: str) -> str:
    """``text`` with the ``<?xml-model?>`` instruction of schema 2 in its prolog: in place
    of one there, else after the XML declaration, else first."""
    prolog = text[:root_start]
    found = _XML_MODEL_PI.search(prolog)
    if found is not None:
        return text[: found.start()] + XML_MODEL + text[found.end() :]
    declaration = _DECLARATION.match(prolog)
    if declaration is not None:
        at = declaration.end()
        return text[:at] + newline + XML_MODEL + text[at:]
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    return bom + XML_MODEL + newline + text[len(bom) :]



def write_migration(migration: Migration) -> bool:
    """Write the schema 2 text over the file, atomically (never a partial file); False, and
    nothing written, for a file already in schema 2.

    A link is written through, to the file it leads to. The file is replaced only if it
    still holds what was migrated: one saved in the meantime is left as it is, and that is
    a :class:`ProblemsError` asking to migrate again.
    """
    if not migration.changed:
        return False
    target = Path(os.path.realpath(migration.path))

    def unchanged() -> None:
        if files.read_bytes(target) != migration.original:
            raise ProblemsError([Problem(
                SourceLocation(str(migration.path)),
                "was changed by someone else while it was migrated; it is left as they saved"
                " it: run `smpc migrate` again",
            )])

    files.write_bytes(target, migration.text.encode("utf-8"), before_replace=unchanged)
    return True
