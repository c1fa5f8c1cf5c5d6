"""Read a product file's bytes safely and parse them with a hardened parser.

The parser loads no DTD, expands no entity and never touches the network; a DOCTYPE is
refused before the parser sees the file, and files above :data:`MAX_BYTES` are refused
unread. Each refusal raises :class:`ProblemsError` with one problem that names where, what
was wrong and what was found, in words a regulatory editor understands rather than
libxml2's.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from smpc_manager.errors import Problem, ProblemsError, SourceLocation
from smpc_manager.files import NotAFileError, TooLargeError, dangling_link, read_bytes

#: Product files are a few kilobytes; anything this large is refused before it is read.
MAX_BYTES = 2 * 1024 * 1024

_DECLARED_ENCODING = re.compile(
    rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']"
)


def hardened_parser() -> etree.XMLParser:
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


def read_source(path: Path, *, limit: int = MAX_BYTES, noun: str = "product file",
                document: str | None = "product") -> bytes:
    """The bytes of the product file at ``path``, fit to be parsed.

    Raises :class:`ProblemsError` for what is not a readable regular file within ``limit``
    bytes, and for bytes that must never reach the parser (see :func:`check_bytes`). Another
    XML input is read the same way, its messages naming it ``noun`` and the element it
    should hold ``document``; with ``document`` None, the bytes of a file that is not XML
    are read unchecked.
    """
    where = SourceLocation(str(path))
    data = _read(path, where, limit, noun)
    if document is not None:
        check_bytes(data, where, noun=noun, document=document)
    return data


def _read(path: Path, where: SourceLocation, limit: int, noun: str) -> bytes:
    try:
        return read_bytes(path, limit=limit)
    except IsADirectoryError:
        raise ProblemsError([Problem(where, f"is a folder, not a {noun}")]) from None
    except NotAFileError:
        # A FIFO or a device would block or never end; a product is a plain file.
        raise ProblemsError([Problem(where, "is not a regular file (a device, pipe or socket)")]
                            ) from None
    except TooLargeError as err:
        if err.size is None:  # grew while it was read, or never ends
            raise ProblemsError(
                [Problem(where, f"file is over the limit of {limit:,} bytes; refused")]
            ) from None
        raise ProblemsError([Problem(
            where,
            f"file is {err.size:,} bytes, over the limit of {limit:,} bytes for a {noun};"
            " refused unread",
        )]) from None
    except OSError as err:
        raise _unreadable(path, where, err) from None


def _unreadable(path: Path, where: SourceLocation, err: OSError) -> ProblemsError:
    if isinstance(err, FileNotFoundError):
        return ProblemsError([Problem(where, dangling_link(path) or "no such file")])
    if isinstance(err, PermissionError):
        return ProblemsError([Problem(where, "cannot be read: permission denied")])
    return ProblemsError([Problem(where, f"cannot be read: {err.strerror or err}")])


def check_bytes(data: bytes, where: SourceLocation, *, noun: str = "product file",
                document: str = "product") -> None:
    """Refuse what must never reach the parser: nothing, non-UTF-8, a DOCTYPE."""
    problem = _bytes_problem(data, where, noun, document)
    if problem is not None:
        raise ProblemsError([problem])


def _bytes_problem(data: bytes, where: SourceLocation, noun: str, document: str
                   ) -> Problem | None:
    first_line = SourceLocation(where.path, 1)
    if not data.strip():
        return Problem(first_line, f"the file is empty (expected a <{document}> document)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(first_line, f"the file is UTF-16 (byte-order mark found); {noun}s "
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
            f" {noun}s must be UTF-8",
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
            f"a DOCTYPE is not allowed in a {noun} (DTDs and entities are never"
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


def parse(data: bytes, where: SourceLocation, *, noun: str = "product file",
          document: str = "product") -> etree._Element:
    """The root element of ``data`` (checked by :func:`check_bytes`), parsed hardened.

    Raises :class:`ProblemsError` naming the first well-formedness error, in our words
    (``noun`` names the kind of file, ``document`` the element it holds one of).
    """
    parser = hardened_parser()
    try:
        root = etree.fromstring(data, parser)
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
        raise ProblemsError([Problem(
            SourceLocation(where.path, line or 0, column or 0),
            f"the XML is not well formed:"
            f" {_syntax_words(first_line(message)).replace('<product>', f'<{document}>')}",
        )]) from err
    if getattr(root.getroottree().docinfo, "doctype", ""):  # the prolog scan missed it
        raise ProblemsError([Problem(where, f"a DOCTYPE is not allowed in a {noun}")])
    return root


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


def _syntax_words(message: str) -> str:
    for pattern, words in _SYNTAX_WORDS:
        if pattern.match(message):
            return pattern.sub(words, message)
    return lower_first(message)


# ------------------------------------------------------------------------ libxml2's words


def first_line(message: str) -> str:
    """libxml2's message without the excerpt of the file it sometimes appends."""
    lines = message.strip().splitlines()
    return shown(lines[0] if lines else "", 200)


def shown(value: str, limit: int = 60) -> str:
    """A value from the file, fit for one line of a message: no line breaks, not too long."""
    value = " ".join(value.split())
    value = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def lower_first(text: str) -> str:
    """libxml2's sentence as the rest of ours: its first letter lower case, unless it starts
    an abbreviation (``XML``)."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
