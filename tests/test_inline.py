"""Inline markup in messages: parse, tags, plain text and HTML."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smpc_manager import inline
from smpc_manager.inline import InlineError, Segment


def test_parse_splits_text_and_tags() -> None:
    assert inline.parse("1.8 mg/m<sup>2</sup> per cycle") == [
        Segment("1.8 mg/m"), Segment("2", "sup"), Segment(" per cycle"),
    ]
    assert inline.parse("CO<sub>2</sub> and <em>not</em> &amp; &lt;b&gt;") == [
        Segment("CO"), Segment("2", "sub"), Segment(" and "), Segment("not", "em"),
        Segment(" & <b>"),
    ]


def test_character_references() -> None:
    assert inline.to_text("&#233;t&#xE9; &quot;x&quot; &apos;y&apos;") == "été \"x\" 'y'"


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("a <b>bold</b>", "tag <b> is not allowed (only sup, sub, em)"),
        ("<SUP>2</SUP>", "tag <SUP> is not allowed"),
        ("<sup>2", "<sup> is never closed"),
        ("2</sup>", "</sup> closes nothing that is open"),
        ("<sup><em>2</em></sup>", "<em> inside <sup>: inline tags do not nest"),
        ("<sup>2</sub>", "</sub> closes nothing that is open"),
        ("fish & chips", "a bare '&' (write &amp;)"),
        ("1 < 2", "a bare '<' (write &lt;)"),
        ("2 > 1", "a bare '>' (write &gt;)"),
        ("&nbsp;", "unknown entity &nbsp;"),
        ("&#0;", "&#0; is not a character XML allows"),
        ("&#x110000;", "&#x110000; is not a character XML allows"),
        ("&#xD800;", "&#xD800; is not a character XML allows"),
        ("&#" + "9" * 5000 + ";", "is not a character XML allows"),
        ("bell\x07", "a control character U+0007"),
        ("<sup/>", "a bare '<'"),
    ],
)
def test_bad_markup_is_an_inline_error(message: str, words: str) -> None:
    with pytest.raises(InlineError) as caught:
        inline.parse(message)
    assert words in str(caught.value)


def test_tags_in_order() -> None:
    assert inline.tags("m<sup>2</sup> and <em>x</em> m<sup>3</sup>") == ["sup", "em", "sup"]
    assert inline.tags("no markup") == []


def test_to_text_uses_unicode_scripts_where_they_exist() -> None:
    assert inline.to_text("1.8 mg/m<sup>2</sup>") == "1.8 mg/m²"
    assert inline.to_text("H<sub>2</sub>O") == "H₂O"
    assert inline.to_text("10<sup>9</sup>/l") == "10⁹/l"
    # No superscript form for letters other than n: kept readable, not lost.
    assert inline.to_text("x<sup>ab</sup>") == "x^(ab)"
    assert inline.to_text("x<sub>a</sub>") == "x_a"
    assert inline.to_text("<em>Cave</em> &amp; co") == "Cave & co"


def test_to_html_escapes_every_character_of_the_text() -> None:
    message = inline.escape('<script>alert("x")</script> & \'q\'')
    assert inline.to_html(message) == '&lt;script&gt;alert("x")&lt;/script&gt; &amp; \'q\''
    assert inline.to_html("a<sup>&lt;2&gt;</sup>") == "a<sup>&lt;2&gt;</sup>"


# ------------------------------------------------------------------------ properties

PLAIN = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@given(PLAIN)
def test_escape_then_parse_gives_the_text_back(text: str) -> None:
    assert inline.to_text(inline.escape(text)) == text
    assert inline.tags(inline.escape(text)) == []


@given(st.lists(st.tuples(PLAIN, st.sampled_from([None, *inline.ALLOWED_TAGS])), max_size=6))
@settings(max_examples=150)
def test_segments_round_trip_through_markup(parts: list[tuple[str, str | None]]) -> None:
    message = "".join(
        f"<{tag}>{inline.escape(text)}</{tag}>" if tag else inline.escape(text)
        for text, tag in parts
    )
    segments = inline.parse(message)
    assert "".join(s.text for s in segments) == "".join(text for text, _ in parts)
    assert inline.tags(message) == [tag for text, tag in parts if tag]
    # The HTML holds no markup but the allowed tags, and unescapes to the text.
    rendered = inline.to_html(message)
    stripped = rendered
    for tag in inline.ALLOWED_TAGS:
        stripped = stripped.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    assert "<" not in stripped
    assert html.unescape(stripped) == "".join(text for text, _ in parts)
