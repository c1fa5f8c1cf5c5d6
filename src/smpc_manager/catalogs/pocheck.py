"""What ``msgfmt --check`` finds wrong in a catalog that reads without a syntax error.

GNU ``msgfmt --check`` looks at the translated entries that are not fuzzy, and at the
header: a translation must begin and end with a line break where its msgid does; one of a
format string (``#, c-format``...) must ask for the msgid's arguments
(:mod:`smpc_manager.catalogs.formats`); the header's ``Plural-Forms`` must be valid, and each
translated plural entry have as many forms as it says (:mod:`smpc_manager.catalogs.plurals`).
Its other findings (a header field missing or left at its template's value) are warnings,
which do not refuse a catalog, here neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.messages.catalog import Message

from smpc_manager.catalogs.entries import PoCatalog
from smpc_manager.catalogs.formats import format_problem
from smpc_manager.catalogs.plurals import PluralError, PluralForms, plural_forms
from smpc_manager.errors import Problem, SourceLocation


def _strings(message: Message) -> list[str]:
    string = message.string
    return [str(s or "") for s in string] if isinstance(string, (list, tuple)) \
        else [str(string or "")]


def _edge(text: str, edge: str) -> bool:
    """Whether ``text`` begins (``edge`` "begin") or ends with a line break."""
    return text.startswith("\n") if edge == "begin" else text.endswith("\n")


def entry_problems(msgid: str, plural: str | None, strings: Sequence[str],
                   flags: Sequence[str], forms: PluralForms | None = None) -> list[str]:
    """What ``msgfmt --check`` finds wrong in one translated entry that is not fuzzy:
    line breaks at the edges, format strings (``forms``: the header's plural forms, which
    tell the forms a translation may leave a number out of)."""
    problems: list[str] = []
    if not msgid:
        return problems
    sources = [("msgid_plural", plural)] if plural is not None else []
    names = [f"msgstr[{i}]" for i in range(len(strings))] if plural is not None \
        else ["msgstr"]
    for edge in ("begin", "end"):
        expected = _edge(msgid, edge)
        for name, text in [*sources, *zip(names, strings, strict=True)]:
            if text is not None and _edge(text, edge) != expected:
                problems.append(f"'msgid' and '{name}' entries do not both {edge} with"
                                " '\\n'")
    languages = [flag.removesuffix("-format") for flag in flags
                 if flag.endswith("-format") and not flag.startswith("no-")]
    source, source_name = (plural, "msgid_plural") if plural is not None else (msgid, "msgid")
    for language in languages:
        for i, (name, text) in enumerate(zip(names, strings, strict=True)):
            # A translation may leave a number out of a form that stands for one n alone
            # ("one file" for n = 1); GNU is strict where the forms do not tell.
            strict = plural is None or len(strings) < 2 or (
                forms is not None and i < len(forms.often) and forms.often[i]
                and not _one_in_range(forms, i, flags))
            problem = format_problem(language, source, text, strict,
                                     pretty_msgid=source_name, pretty_msgstr=name)
            if problem is not None:
                problems.append(f"{language}-format: {problem}")
    return problems


def _one_in_range(forms: PluralForms, form: int, flags: Sequence[str]) -> bool:
    """Whether a ``range: N..M`` flag lets at most one n of the range take ``form``."""
    for flag in flags:
        if flag.startswith("range: "):
            low, _, high = flag.removeprefix("range: ").partition("..")
            return forms.count(form, int(low), int(high)) <= 1
    return False


def _line(message: Message, header_line: int) -> int:
    """The line GNU names for what is wrong with a translation: its msgstr's (see
    :class:`~smpc_manager.catalogs.entries.PoMessage`), else its msgid's."""
    return getattr(message, "string_line", 0) or message.lineno or header_line


def catalog_problems(catalog: PoCatalog, path: str) -> list[Problem]:
    """What ``msgfmt --check`` finds wrong in ``catalog`` (read from ``path``), each at the
    line GNU names: the msgstr of the entry (or the header) it is about."""
    checked = [m for m in catalog if m.id and _strings(m)[0] and not m.fuzzy]
    plurals = [m for m in checked if isinstance(m.id, (list, tuple))]
    header_line = catalog.header_line or 1
    forms: PluralForms | None = None
    problems: list[Problem] = []
    if catalog.header_text:
        try:
            forms = plural_forms(catalog.header_text)
        except PluralError as err:
            return [Problem(SourceLocation(path, header_line),
                            f"header: Plural-Forms: {err}")]
    if plurals and forms is None:
        return [Problem(SourceLocation(path, _line(plurals[0], header_line)),
                        "the catalog has plural translations, but its header has no"
                        " 'Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;'")]
    for message in plurals:
        assert forms is not None
        count = len(_strings(message))
        if count != forms.nplurals:
            problems.append(Problem(SourceLocation(path, _line(message, header_line)),
                                    f"nplurals = {forms.nplurals}, but this entry has"
                                    f" {count} plural forms"))
    for message in checked:
        plural = message.id[1] if isinstance(message.id, (list, tuple)) else None
        msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
        problems += [Problem(SourceLocation(path, _line(message, header_line)), words)
                     for words in entry_problems(msgid, plural, _strings(message),
                                                 sorted(message.flags), forms)]
    return problems
