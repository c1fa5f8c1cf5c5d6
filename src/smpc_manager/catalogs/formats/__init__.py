"""Format strings in translations, checked as ``msgfmt --check`` checks them.

An entry flagged ``c-format``, ``python-format``, ``php-format``... is a format string: a
translation that asks for other arguments than its msgid would fail or lie at run time, and
GNU ``msgfmt --check`` refuses the catalog. Each module here is GNU gettext 0.21's parser
and comparison for a family of languages (``format-*.c``), with GNU's messages: ``c`` (C,
Objective C), ``python`` (``%`` and brace formats), ``java``, ``csharp``, ``javascript``,
``elisp`` (Emacs Lisp, librep), ``sh``, ``awk``, ``lua``, ``pascal`` (Object Pascal),
``smalltalk`` (Smalltalk, YCP),
``qt`` (Qt, Qt plural, KDE), ``boost``, ``tcl``, ``perl`` (Perl, Perl brace), ``php`` and
``gcc`` (GCC's and GNU Fortran's diagnostics). The flags GNU knows but these modules do not
read (Java printf, Scheme, Lisp, Ruby, KDE KUIT) are not checked. A msgid
that is no valid format string of its language is not checked either, as GNU does not
check it.

The same parsers tell the writer where GNU never breaks a line: inside a directive of an
entry's first format language (:func:`unbreakable_chars`).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from smpc_manager.catalogs.formats.awk import AWK
from smpc_manager.catalogs.formats.base import FormatError, Language, Scan, unbreakable
from smpc_manager.catalogs.formats.boost import BOOST
from smpc_manager.catalogs.formats.c import OBJC, C
from smpc_manager.catalogs.formats.csharp import CSHARP
from smpc_manager.catalogs.formats.elisp import ELISP, LIBREP
from smpc_manager.catalogs.formats.gcc import GCC_INTERNAL, GFC_INTERNAL
from smpc_manager.catalogs.formats.java import JAVA
from smpc_manager.catalogs.formats.javascript import JAVASCRIPT
from smpc_manager.catalogs.formats.lua import LUA
from smpc_manager.catalogs.formats.pascal import PASCAL
from smpc_manager.catalogs.formats.perl import PERL, PERL_BRACE
from smpc_manager.catalogs.formats.php import PHP
from smpc_manager.catalogs.formats.python import PYTHON, PYTHON_BRACE
from smpc_manager.catalogs.formats.qt import KDE, QT, QT_PLURAL
from smpc_manager.catalogs.formats.sh import SH
from smpc_manager.catalogs.formats.smalltalk import SMALLTALK, YCP
from smpc_manager.catalogs.formats.tcl import TCL
from smpc_manager.catalogs.syntax import FORMAT_LANGUAGES

#: The languages checked, by the name in their flag (``c`` of ``c-format``).
LANGUAGES: dict[str, Language[Any]] = {
    language.name: language for language in (
        C, OBJC, PYTHON, PYTHON_BRACE, JAVA, CSHARP, JAVASCRIPT, ELISP, LIBREP, SH, AWK, LUA,
        PASCAL, SMALLTALK, QT, QT_PLURAL, KDE, BOOST, TCL, PERL, PERL_BRACE, PHP, GCC_INTERNAL,
        GFC_INTERNAL, YCP,
    )
}

__all__ = ["LANGUAGES", "format_problem", "unbreakable_chars"]


def format_problem(name: str, msgid: str, msgstr: str, equality: bool, *,
                   pretty_msgid: str = "msgid", pretty_msgstr: str = "msgstr") -> str | None:
    """Why ``msgstr`` is a wrong translation of the format string ``msgid`` in the language
    ``name`` (``equality``: it must ask for the same arguments; else it may ask for fewer),
    in GNU's words (``pretty_msgid`` and ``pretty_msgstr`` name the two strings); or None:
    it is right, the msgid is no format string, or the language is not checked."""
    language = LANGUAGES.get(name)
    if language is None:
        return None
    try:
        ours = language.parse(Scan.of(msgid, False))
    except FormatError:
        return None
    try:
        theirs = language.parse(Scan.of(msgstr, True))
    except FormatError as err:
        return (f"'{pretty_msgstr}' is not a valid {language.pretty} format string, unlike"
                f" '{pretty_msgid}'. Reason: {err}")
    return language.check(ours, theirs, equality, pretty_msgid, pretty_msgstr)


def unbreakable_chars(flags: Iterable[str], text: str, translated: bool) -> set[int]:
    """The indexes of the characters of ``text`` before which GNU's writer never breaks a
    line: those inside a format directive (save its first), in the language of the first
    format flag among ``flags`` in GNU's order (``translated``: ``text`` is a msgstr)."""
    flagged = set(flags)
    for name in FORMAT_LANGUAGES:
        if f"{name}-format" in flagged:
            language = LANGUAGES.get(name)
            if language is None:
                return set()
            scan = Scan.of(text, translated)
            with suppress(FormatError):  # the directives before the error are marked
                language.parse(scan)
            return unbreakable(scan.marks, text)
    return set()
