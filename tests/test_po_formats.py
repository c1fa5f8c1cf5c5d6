"""Format strings are checked as ``msgfmt --check`` checks them, and kept whole as ``msgcat``
keeps them.

Hand-written cases say what a translator meets (a ``%d`` translated as ``%s``, a PHP
argument left out of a plural form, a KDE singular without its count), with GNU's words and
line. Then, for each language, some hundreds of generated pairs of strings (directives,
their pieces and plain text, seeded so that every run draws the same) are held to
``msgfmt --check`` entry by entry: we refuse exactly the translations it refuses, plural
forms with its relaxed check included. Generated long strings are held to ``msgcat``'s
layout, which never breaks a line inside a directive. Skipped where GNU gettext is not
installed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from smpc_manager.catalogs import format_po, parse_po
from smpc_manager.catalogs.formats import LANGUAGES
from smpc_manager.errors import ProblemsError

MSGFMT, MSGCAT = shutil.which("msgfmt"), shutil.which("msgcat")
pytestmark = pytest.mark.skipif(MSGFMT is None or MSGCAT is None,
                                reason="GNU gettext is not installed")

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n\n')


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t"))


def _entry(flags: str, msgid: str, strings: list[str], plural: str | None = None,
           context: str | None = None) -> str:
    """An entry's text: ``strings`` is its msgstr, or its plural forms."""
    text = f"#, {flags}\n" + (f'msgctxt "{context}"\n' if context is not None else "")
    text += f'msgid "{_escape(msgid)}"\n'
    if plural is None:
        return text + f'msgstr "{_escape(strings[0])}"\n'
    text += f'msgid_plural "{_escape(plural)}"\n'
    return text + "".join(f'msgstr[{i}] "{_escape(s)}"\n' for i, s in enumerate(strings))


def _gnu_errors(text: str) -> dict[int, str]:
    """The lines ``msgfmt --check`` names in its errors (not its warnings), with the first
    message for each."""
    assert MSGFMT is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.po"
        path.write_text(text, encoding="utf-8")
        stderr = subprocess.run([MSGFMT, "--check", "-o", os.devnull, str(path)],
                                capture_output=True, check=False).stderr
    errors: dict[int, str] = {}
    for line in stderr.decode("utf-8", "replace").splitlines():
        found = re.match(re.escape(str(path)) + r":(\d+): (.*)", line)
        if found and not found.group(2).startswith("warning: "):
            errors.setdefault(int(found.group(1)), found.group(2))
    return errors


def _msgcat(text: str, *options: str) -> str:
    assert MSGCAT is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.po"
        path.write_text(text, encoding="utf-8")
        return subprocess.run([MSGCAT, *options, str(path)], capture_output=True,
                              check=True).stdout.decode("utf-8")


# ------------------------------------------------------------------------ by hand


#: (flags, msgid, translation or plural forms, msgid_plural, GNU's error or None).
CASES = [
    ("c-format", "%d files", ["%s Dateien"], None,
     "format specifications in 'msgid' and 'msgstr' for argument 1 are not the same"),
    ("c-format", "%d of %s", ["%2$s: %1$d"], None, None),
    ("c-format", "%d of %s", ["%2$s"], None,
     "'msgstr' is not a valid C format string, unlike 'msgid'. Reason: The string refers to"
     " argument number 2 but ignores argument number 1."),
    ("c-format", "%lu bytes", ["%u Bytes"], None,
     "format specifications in 'msgid' and 'msgstr' for argument 1 are not the same"),
    ("c-format", "%<PRId64> items", ["%<PRId64> Elemente"], None, None),
    ("c-format", "%<PRId64> items", ["%d Elemente"], None,
     "format specifications in 'msgid' and 'msgstr' for argument 1 are not the same"),
    ("c-format", "%d%% done", ["%Id%% fertig"], None, None),  # glibc's I flag, msgstr only
    ("c-format", "%d file", ["eine Datei", "%d Dateien", "%d Dateien"], "%d files", None),
    ("c-format", "%d file", ["eine Datei", "%d Dateien", "viele Dateien"], "%d files",
     "number of format specifications in 'msgid_plural' and 'msgstr[2]' does not match"),
    ("no-c-format", "100% sure", ["100 %s sicher"], None, None),
    ("objc-format", "%@ is %d", ["%@ ist %d"], None, None),
    ("python-format", "%(n)d of %(total)d", ["%(total)d: %(n)s"], None,
     "format specifications in 'msgid' and 'msgstr' for argument 'n' are not the same"),
    ("php-format", "%1$s by %2$s", ["%2$s von %1$s"], None, None),
    ("php-format", "%s by %s", ["%s"], None,
     "a format specification for argument 2 doesn't exist in 'msgstr'"),
    ("java-format", "{0} of {1,number}", ["{1,number} von {0}"], None, None),
    ("java-format", "{0} of {1,number}", ["{1,date} von {0}"], None,
     "format specifications in 'msgid' and 'msgstr' for argument {1} are not the same"),
    ("csharp-format", "{0} of {1}", ["{0}"], None,
     "number of format specifications in 'msgid' and 'msgstr' does not match"),
    ("javascript-format", "%s of %d", ["%s von %d"], None, None),
    ("sh-format", "Hello $USER", ["Hallo ${USER}"], None, None),
    ("sh-format", "Hello $USER", ["Hallo ${USER:-du}"], None,
     "'msgstr' is not a valid Shell format string, unlike 'msgid'. Reason: The string refers"
     " to a shell variable with complex shell brace syntax. This syntax is unsupported here"
     " due to security reasons."),
    ("lua-format", "%d of %s", ["%d von %s"], None, None),
    ("qt-format", "%1 of %2", ["%2 von %1"], None, None),
    ("qt-format", "%1 of %2", ["%1 von %L2"], None,
     "'msgid' is a simple format string, but 'msgstr' is not: it contains an 'L' flag or a"
     " double-digit argument number"),
    ("qt-plural-format", "%n file(s)", ["eine Datei", "%n Dateien", "%n Dateien"],
     "%n files", None),
    ("kde-format", "%1 file in %2", ["eine Datei in %2", "%1 Dateien in %2",
                                     "%1 Dateien in %2"], "%1 files in %2", None),
    ("boost-format", "%1% of %2%", ["%2% von %1%"], None, None),
    ("perl-format", "%s has %d", ["%2$d in %1$s"], None, None),
    ("perl-brace-format", "{name} has {count}", ["{count} bei {name} {extra}"], None, None),
    ("gcc-internal-format", "%qs: %m", ["%qs"], None, "'msgid' uses %m but 'msgstr' doesn't"),
    ("gcc-internal-format", "%qs: %m", ["%qs: %s"], None,
     "a format specification for argument 2, as in 'msgstr', doesn't exist in 'msgid'"),
    ("gfc-internal-format", "%s at %L", ["%L: %s"], None,
     "format specifications in 'msgid' and 'msgstr' for argument 1 are not the same"),
    ("tcl-format", "%s has %d", ["%2$d in %1$s"], None, None),
    ("tcl-format", "%s has %d", ["%1$s hat %d"], None,
     "'msgstr' is not a valid Tcl format string, unlike 'msgid'. Reason: The string refers"
     " to arguments both through absolute argument numbers and through unnumbered argument"
     " specifications."),
    ("ycp-format", "%1 of %2", ["%2 von %1"], None, None),
    ("python-brace-format", "{name} has {count}", ["{count} bei {name}"], None, None),
]


@pytest.mark.parametrize(("flags", "msgid", "strings", "plural", "error"), CASES,
                         ids=[f"{c[0]}:{c[1]}>{c[2][-1]}" for c in CASES])
def test_a_translation_is_refused_where_msgfmt_refuses_it(
        flags: str, msgid: str, strings: list[str], plural: str | None,
        error: str | None) -> None:
    text = HEADER + _entry(flags, msgid, strings, plural)
    line = text.count("\n") - len(strings) + 1  # the first msgstr line
    assert _gnu_errors(text) == ({line: error} if error else {})
    if error is None:
        parse_po(text, "case.po")
        return
    with pytest.raises(ProblemsError) as refused:
        parse_po(text, "case.po")
    problem = refused.value.problems[0]
    assert (problem.location.path, problem.location.line) == ("case.po", line)
    assert problem.message.endswith(error)


def test_fuzzy_and_untranslated_entries_are_not_checked() -> None:
    text = HEADER + _entry("fuzzy, c-format", "%d files", ["%s Dateien"]) + "\n" + \
        _entry("c-format", "%d", [""], context="untranslated")
    assert _gnu_errors(text) == {}
    parse_po(text, "case.po")


def test_possible_format_is_checked_and_a_range_relaxes_a_form() -> None:
    possible = HEADER + _entry("possible-c-format", "%d files", ["%s Dateien"])
    assert _gnu_errors(possible)
    with pytest.raises(ProblemsError):
        parse_po(possible, "case.po")
    # With n only 1..2, form 2 (n >= 3) is never taken: it may leave the number out.
    ranged = HEADER + _entry("c-format, range: 1..2", "%d file",
                             ["eine Datei", "%d Dateien", "Dateien"], "%d files")
    assert _gnu_errors(ranged) == {}
    parse_po(ranged, "case.po")


# ------------------------------------------------------------------------ generated

#: Pieces of strings for each language: its directives, their parts, and plain text.
PIECES = {
    "c": "% %% %% d s 1$ 2$ 3$ 0$ * *2$ . 5 0 - ' I l ll h hh L j z Z t q x u c C S @ m n p"
         " f a <PRId64> <PRIuLEAST8> <PRIxMAX> <PRIu6 < $ é",
    "python": "% % % (a) (b) (a(b)) ( ) s d r * . 0 5 l - %% c f x é { }",
    "python-brace": "{ } { a b 0 1 . [ ] : >10 d {{ }} é _ x.y ! < ^ 9",
    "qt": "% % 1 2 3 0 9 10 L %% n é a",
    "qt-plural": "% % n L Ln %% N é 1",
    "kde": "% % % 1 2 3 4 0 10 %% é a 99 4294967297",
    "boost": "% % % | 1 2 1$ 2$ 1% 2% 0 d s x f T t n p c * *1$ . 5 - h l L %% é _ = ' a",
    "perl": "% % % 1$ 2$ v *v *2$v * *1$ . 5 0 - d s c _ D U O u b x e f g n p h l ll L q V"
            " I I32 I64 %% é # +",
    "perl-brace": "{ } { a b _ 1 é {a} {b} {c_1}",
    "php": "% % % 1$ 2$ 0$ ' 'x 0 - 5 . .2 l b d u o x X e f c s %% é a F",
    "java": "{ } { } 0 1 2 , time date number choice ,short ,integer ,#,##0.0 ,0# ' '' | # <"
            " 1# x é ,number, ,choice,0#a|1#{1} \\u2264 ; E0 .",
    "csharp": "{ } { } 0 1 2 , - 5 : N2 {{ }} é x",
    "sh": "$ $ $ a b _ 1 { } ${a} ${b} - = : + ? é $$ ab",
    "lua": "% % % d s q c f a x 5 . 2 - %% é i",
    "javascript": "% % % 1$ 2$ 0$ d s j f c b o x X 5 . 2 - + I 0 %% é u",
    "awk": "% % % 1$ 2$ 0$ * *1$ . 5 0 - # d i s c u x e f g %% é l",
    "tcl": "% % % 1$ 2$ 0$ * . 5 0 - # d i s c u x e f g h l %% é *5",
    "elisp": "% % % 1$ 2$ 0$ * . 5 0 - # d i s S c x e f g %% é ^",
    "librep": "% % % 1$ 2$ 0$ * . 5 0 - ^ d i s S c x e %% é +",
    "smalltalk": "% % % 1 2 3 9 0 %% é a",
    "gcc-internal": "% % % 1$ 2$ 0$ q l ll w + # c s .3s .*s .*1$s . * d i u x o p H J K D F T"
                    " E A C L O P Q V m < > ' %% é z",
    "gfc-internal": "% % % 1$ 2$ 0$ C L c s d i u l ld lu %% é x",
    "object-pascal": "% % % 0: 1: : *: * - . .2 5 d D u x e f g n m M s S p %% é z",
}
PIECES["objc"] = PIECES["c"]
PIECES["ycp"] = PIECES["smalltalk"]


def _generated(rng: random.Random, pieces: list[str], most: int) -> str:
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, most))) + " "


def test_every_language_read_is_generated() -> None:
    assert set(PIECES) == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(PIECES))
def test_generated_translations_are_refused_exactly_where_msgfmt_refuses_them(
        language: str) -> None:
    rng = random.Random(f"formats-{language}")
    pieces = [*PIECES[language].split(), " "]
    text, lines = HEADER, []
    for number in range(500):
        msgid = _generated(rng, pieces, 6)
        translation = msgid if rng.random() < 0.5 else _generated(rng, pieces, 6)
        translation = "".join(rng.sample(list(translation), len(translation))) \
            if rng.random() < 0.2 else translation.replace(rng.choice(pieces), "", 1)
        plural = strings = None
        if rng.random() < 0.3:  # forms 0 and 1 stand for one n each: relaxed there
            plural = rng.choice([msgid, _generated(rng, pieces, 6)])
            strings = [translation, _generated(rng, pieces, 6), rng.choice([plural, translation])]
        strings = strings or [translation or "-"]
        entry = _entry(f"{language}-format", msgid, strings, plural, context=str(number))
        lines.append(text.count("\n") + entry.count("\n") - len(strings) + 1)
        text += entry + "\n"
    with pytest.raises(ProblemsError) as refused:
        parse_po(text, "generated.po")
    ours = {problem.location.line for problem in refused.value.problems}
    assert all(problem.location.path == "generated.po" for problem in refused.value.problems)
    gnu = _gnu_errors(text)
    assert ours == set(gnu)
    assert ours <= set(lines)
    assert 25 < len(ours) < 475  # both verdicts are well represented


#: Words to pad the generated strings to several lines.
WORDS = ["word", " ", " ", "long-word", "x", "é", "中文", "/", "(", ")", "\t", "\\", '"']


@pytest.mark.parametrize("language", sorted(PIECES))
def test_a_directive_is_never_broken_as_msgcat_never_breaks_it(language: str) -> None:
    rng = random.Random(f"layout-{language}")
    pieces = PIECES[language].split() + WORDS * 2
    text = HEADER
    for number in range(60):
        def long() -> str:
            return "".join(rng.choice(pieces) for _ in range(rng.randint(10, 90)))
        # A fuzzy translation is not checked: its directives are laid out all the same.
        text += _entry(f"fuzzy, {language}-format", long(), [long()], context=str(number))
        text += "\n"
    catalog = parse_po(text, "generated.po")
    assert format_po(catalog) == _msgcat(text)
    assert format_po(catalog, width=40) == _msgcat(text, "--width=40")


@pytest.mark.parametrize("directive", ["% 5d", "%- 10s", "%2$ *1$d", "%+ .3f", "%<PRIu64>"])
def test_a_c_directive_near_the_wrap_column_stays_whole(directive: str) -> None:
    # Each of these has a space inside, where a line could break; one of the lengths puts
    # it at the wrap column.
    text = HEADER + "\n".join(
        _entry("c-format", "x" * length + " " + directive + " files remain", [""],
               context=str(length)) for length in range(60, 80))
    assert format_po(parse_po(text)) == _msgcat(text)
