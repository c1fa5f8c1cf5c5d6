"""Inline markup inside messages: ``sup``, ``sub`` and ``em`` as tags, ``&amp;`` escapes.

A message keeps the product XML's inline elements as tags (``1.8 mg/m<sup>2</sup>``), the way
itstool writes them, so a translator sees them and a check can compare them. This module
parses such a message (from the XML or from a translator) into segments, and turns the
segments into plain text or HTML. It never evaluates anything else: a tag that is not one of
the three, or an unknown entity, is an :class:`InlineError`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

ALLOWED_TAGS = ("sup", "sub", "em")

_TOKEN = re.compile(r"<(/?)([A-Za-z][\w.-]*)\s*>|<|&(#[0-9]+|#x[0-9a-fA-F]+|[a-z]+);|&|>")
#: Characters XML 1.0 does not allow (a translator's editor may still let them in).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

_SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
#: Messages whose parse, text and HTML are remembered: a product's messages are read for
#: every market and again by the translation checks. Bounded, so memory does not grow with
#: the number of products.
CACHE_SIZE = 2048


class InlineError(ValueError):
    """A message whose markup is not well formed or uses a tag other than sup, sub, em."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text, and the inline element it stands in (None for plain text)."""

    text: str
    tag: str | None = None


def escape(text: str) -> str:
    """Escape text for a message: ``&``, ``<`` and ``>`` only (quotes stay readable)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: What an XML attribute value in double quotes escapes besides what :func:`escape` does:
#: the quote, and the blanks a parser would otherwise turn into spaces.
_IN_ATTRIBUTE = str.maketrans({'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def attribute(value: str) -> str:
    """``value`` as an XML attribute value, in its double quotes: ``"de"``."""
    return f'"{escape(value).translate(_IN_ATTRIBUTE)}"'


def parse(message: str) -> list[Segment]:
    """Split a message into segments; raise InlineError for markup we do not allow.

    >>> parse("1 m<sup>2</sup> &amp; more")
    [Segment(text='1 m', tag=None), Segment(text='2', tag='sup'), Segment(text=' & more', tag=None)]
    """
    return list(_parse(message))


@lru_cache(maxsize=CACHE_SIZE)
def _parse(message: str) -> tuple[Segment, ...]:
    """:func:`parse`, remembered (segments are immutable; an error is not remembered)."""
    segments: list[Segment] = []
    open_tag: str | None = None
    buffer: list[str] = []
    pos = 0

    def flush() -> None:
        if buffer:
            segments.append(Segment("".join(buffer), open_tag))
            buffer.clear()

    bad = _CONTROL.search(message)
    if bad is not None:
        raise InlineError(f"a control character U+{ord(bad.group()):04X} that text may not hold")
    for match in _TOKEN.finditer(message):
        buffer.append(message[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if match.group(2):
            closing, tag = match.group(1) == "/", match.group(2)
            if tag not in ALLOWED_TAGS:
                slash = "/" if closing else ""
                raise InlineError(
                    f"tag <{slash}{tag}> is not allowed (only {', '.join(ALLOWED_TAGS)})"
                )
            if closing:
                if open_tag != tag:
                    raise InlineError(f"</{tag}> closes nothing that is open")
                flush()
                open_tag = None
            else:
                if open_tag is not None:
                    raise InlineError(f"<{tag}> inside <{open_tag}>: inline tags do not nest")
                flush()
                open_tag = tag
        elif match.group(3):
            buffer.append(_entity(match.group(3)))
        elif token == "&":
            raise InlineError("a bare '&' (write &amp;)")
        else:
            raise InlineError(f"a bare '{token}' (write {'&lt;' if token == '<' else '&gt;'})")
    buffer.append(message[pos:])
    if open_tag is not None:
        raise InlineError(f"<{open_tag}> is never closed")
    flush()
    return tuple(s for s in segments if s.text or s.tag)


def _entity(name: str) -> str:
    if name.startswith("#"):
        digits = name[2:] if name.startswith("#x") else name[1:]
        # Bounded first: int() of thousands of digits is slow or refused, chr() of a huge
        # number overflows.
        code = int(digits, 16 if name.startswith("#x") else 10) if len(digits) <= 8 else -1
        if not _xml_char(code):
            raise InlineError(f"&{name}; is not a character XML allows")
        return chr(code)
    if name not in _ENTITIES:
        raise InlineError(f"unknown entity &{name}; (only &amp; &lt; &gt; &quot; &apos;)")
    return _ENTITIES[name]


def _xml_char(code: int) -> bool:
    """Whether a code point is a character of XML 1.0 (its production Char)."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def tags(message: str) -> list[str]:
    """The sequence of inline tags in a message, for comparing source and translation."""
    return [s.tag for s in _parse(message) if s.tag]


@lru_cache(maxsize=CACHE_SIZE)
def plain(message: str) -> str:
    """The text of a message without its markup (``m<sup>2</sup>`` is ``m2``).

    >>> plain("1 m<sup>2</sup> &amp; more")
    '1 m2 & more'
    """
    return "".join(s.text for s in _parse(message))


@lru_cache(maxsize=CACHE_SIZE)
def to_text(message: str) -> str:
    """Plain text for artwork: superscript and subscript digits become Unicode characters.

    >>> to_text("1.8 mg/m<sup>2</sup>")
    '1.8 mg/m²'
    """
    out = []
    for seg in _parse(message):
        if seg.tag == "sup":
            out.append(_script(seg.text, _SUPERSCRIPT, "^"))
        elif seg.tag == "sub":
            out.append(_script(seg.text, _SUBSCRIPT, "_"))
        else:
            out.append(seg.text)
    return "".join(out)


def _script(text: str, table: dict[int, int], marker: str) -> str:
    converted = text.translate(table)
    # Only when every character has a Unicode form; otherwise keep it readable.
    if all(ord(c) in table for c in text):
        return converted
    return f"{marker}({text})" if len(text) > 1 else f"{marker}{text}"


@lru_cache(maxsize=CACHE_SIZE)
def to_html(message: str) -> str:
    """HTML with every character of the text escaped and the inline tags as elements."""
    out = []
    for seg in _parse(message):
        text = html.escape(seg.text, quote=False)
        out.append(f"<{seg.tag}>{text}</{seg.tag}>" if seg.tag else text)
    return "".join(out)
