"""Where each element and attribute of a product file stands: its line and 1-based column.

libxml2 gives an element's line only, and not always its own (see :class:`StartTags`); a
problem names ``path:line:column``, so the columns are read off the file's text here.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_right
from itertools import accumulate, count

from lxml import etree

from smpc_manager.errors import SourceLocation

#: Everything that begins with '<' in a well-formed file without a DOCTYPE (one is refused
#: before the parse). A comment, a CDATA section and a processing instruction (the XML
#: declaration among them) are matched whole, so a '<p' inside one is no tag; an end tag
#: matches nothing; a start tag captures the first character of its name. Text and
#: attribute values cannot hold a '<' (it is written &lt;), so the start tags found are the
#: elements in document order.
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


class StartTags:
    """Where each element's start tag stands in the decoded text: the line and column of its '<'.

    libxml2 gives an element's ``sourceline``: the line of the '>' ending its start tag, in a
    file of fewer than :data:`_LINE_LIMIT` lines. Where that line holds the element's
    ``<name`` once, with no '>' before it, the column is read off the line (see :meth:`place`).
    Elsewhere one scan of the file's markup finds the start tags, the k-th being the k-th
    element of the tree; it is made at the first such question, so most files are never
    scanned. A scanned tag must have the element's name and reach libxml2's line; where it
    does not, the element keeps libxml2's line and the first ``<name`` on it rather than a
    wrong line.
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


def _column(
    lines: list[str], line: int, prefix: str | None, element: str, attribute: str | None = None
) -> int:
    """The 1-based column of the first ``<element`` (or its attribute) on a line, 0 if none.

    Only a fallback for :class:`StartTags`: an earlier tag of the same or a longer name on
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


def _key(location: SourceLocation) -> tuple[str, int, int]:
    return location.path, location.line, location.column


class DeferredLocation(SourceLocation):
    """A :class:`SourceLocation` whose line and column are found when first asked for.

    Finding where a start tag stands means reading the file's text around it, and a build
    asks for no location unless something is wrong; so each is found once, when first
    asked. Until then it keeps the element (and so its tree) and the file's text. It
    equals, hashes and sorts as the plain location it stands for, and pickles as one: a
    worker process sends its problems to the main process, and the tree cannot be sent.
    """

    __slots__ = ("_place", "_where")
    _place: tuple[int, int] | None
    _where: tuple[StartTags, etree._Element, str] | None

    def __init__(self, path: str, tags: StartTags, element: etree._Element,
                 name: str) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_place", None)
        object.__setattr__(self, "_where", (tags, element, name))

    def _settled(self) -> tuple[int, int]:
        place = self._place
        if place is None:
            assert self._where is not None
            tags, element, name = self._where
            place = tags.place(element, name)
            object.__setattr__(self, "_place", place)
            object.__setattr__(self, "_where", None)
        return place

    @property
    def line(self) -> int:
        return self._settled()[0]

    @property
    def column(self) -> int:
        return self._settled()[1]

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


