"""The layout of the catalogs we write is GNU gettext's, byte for byte.

Each case is a small catalog in a layout a translator's tools may leave (long strings in
several scripts, escapes, format directives, references, comments, flags, previous strings,
obsolete and plural entries, headers); ``msgcat`` rewrites it, and our reader and writer
must give the same bytes, at the default width, at another ``--width`` and with
``--no-wrap``. Generated strings and generated damage to a catalog are held to ``msgcat``
and to ``msgfmt --check``'s verdict too. Skipped where GNU gettext is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smpc_manager.catalogs import format_po, parse_po
from smpc_manager.catalogs.powriter import WIDTH
from smpc_manager.errors import ProblemsError
from tests.conftest import EXAMPLE

MSGCAT, MSGFMT = shutil.which("msgcat"), shutil.which("msgfmt")
pytestmark = pytest.mark.skipif(MSGCAT is None or MSGFMT is None,
                                reason="GNU gettext is not installed")

HEADER = (
    '# Translators of the test.\n'
    'msgid ""\nmsgstr ""\n"Project-Id-Version: layout\\n"\n"Language: de\\n"\n'
    '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)
LONG = ("The recommended total dose for all patients is 1.8 mg/m2 per cycle for the first"
        " cycle, given as 3 divided doses on Days 1, 8 and 15.")

CASES = {
    "long-latin": f'msgid "{LONG}"\nmsgstr "{LONG.upper()}"\n',
    "line-breaks": 'msgid "one\\ntwo\\n"\nmsgstr "eins\\nzwei\\n"\n\n'
                   'msgid "\\n\\nlead"\nmsgstr "\\n\\nvorne"\n\n'
                   'msgid "trail\\n"\nmsgstr "hinten\\n"\n',
    "escapes": 'msgid "tab\\there \\"quoted\\" back\\\\slash bell\\a feed\\f vt\\v cr\\r'
               ' and a long tail to wrap it somewhere past the width of the page"\n'
               'msgstr "x\\ty\\\\z"\n',
    "no-break-opportunity": f'msgid "{"x" * 120}"\nmsgstr "{"y" * 90} {"z" * 10}"\n',
    "break-after-hyphen-and-slash": 'msgid "' + "self-administered/intravenous-use "
                                    * 5 + '"\nmsgstr ""\n',
    "cjk": 'msgid "' + LONG + '"\nmsgstr "' + "推荐所有患者第一个周期的总剂量为每周期1.8毫克，"
           "分三次给药，分别在第1、8和15天给药。" * 2 + '"\n\n'
           'msgid "Japanese"\nmsgstr "' + "すべての患者に推奨される総用量は、最初のサイクルで"
           "1サイクルあたり1.8mg/m2です。" * 2 + '"\n',
    "hangul-and-thai": 'msgid "Korean"\nmsgstr "' + "모든 환자에게 권장되는 총 용량은 첫 번째"
                       " 주기에 주기당 1.8mg/m2입니다. " * 2 + '"\n\n'
                       'msgid "Thai"\nmsgstr "' + "ขนาดยารวมที่แนะนำสำหรับผู้ป่วยทุกราย " * 4 + '"\n',
    "hebrew-arabic": 'msgid "Hebrew"\nmsgstr "' + "המינון הכולל המומלץ לכל המטופלים-הוא 1.8"
                     " מ״ג למ״ר " * 3 + '"\n\n'
                     'msgid "Arabic"\nmsgstr "' + "الجرعة الإجمالية الموصى بها لجميع المرضى هي "
                     * 3 + '"\n',
    "marks-emoji-flags": 'msgid "marks"\nmsgstr "' + "e\u0301te\u0301 \U0001F1E9\U0001F1EA"
                         "\U0001F1E6\U0001F1F9 \U0001F469\u200D\U0001F52C " * 6 + '"\n',
    "python-format": '#, python-format\nmsgid "%(count)s of %(total)s: %(percent)s%%' + " done"
                     * 12 + '"\nmsgstr "<strong>%(count)s von %(total)s</strong> sind zu '
                     '<strong>%(percent)s%% fertig</strong>' + " und so" * 3 + '"\n',
    "python-brace-format": '#, python-brace-format\nmsgid "The value `{name}\' has type '
                           '`{current.__name__}\', defaults to `{default.__name__}\'."\n'
                           'msgstr "Der Wert `{name}\' hat den Typ `{current.__name__}\', '
                           'voreingestellt `{default.__name__}\'."\n',
    "references": "#: " + " ".join(f"./src/module{i}/a-rather-long-file-name.py:{i * 17}"
                                   for i in range(7)) + " no-line-number.rst\n"
                  'msgid "references"\nmsgstr "Verweise"\n',
    "comments": "# translator comment that is longer than the page and stays on one single"
                " line, always\n#\n#  two spaces\n#. extracted\n#.no space\n"
                'msgid "comments"\nmsgstr "Kommentare"\n',
    "flags": "#, python-format, fuzzy, my-own-flag\n"
             'msgid "flags %s"\nmsgstr "Flaggen %s"\n\n'
             '#, fuzzy, c-format\nmsgid "untranslated %d"\nmsgstr ""\n\n'
             '#, fuzzy\n#, no-wrap\nmsgid "' + LONG + '"\nmsgstr "' + LONG + '"\n',
    "previous": f'#, fuzzy\n#| msgctxt "old context"\n#| msgid "{LONG}"\nmsgctxt "context"\n'
                f'msgid "{LONG} Now."\nmsgstr "{LONG}"\n',
    "plural": 'msgid "one vial"\nmsgid_plural "%d vials"\nmsgstr[0] "eine Durchstechflasche"\n'
              f'msgstr[1] "%d Durchstechflaschen {LONG}"\n',
    "obsolete": f'#, fuzzy\n#~| msgid "older"\n#~ msgctxt "gone"\n#~ msgid "{LONG}"\n'
                f'#~ msgstr "{LONG}"\n\n'
                '#~ msgid "untranslated and gone"\n#~ msgstr ""\n\n'
                '#~ msgid "plural gone"\n#~ msgid_plural "plurals gone"\n'
                '#~ msgstr[0] "weg"\n#~ msgstr[1] "weg"\n',
    "odd-spacing": 'msgid   "spaced"   msgstr "on one line"\n\nmsgctxt\n"ctx"\nmsgid\n"next"\n'
                   'msgstr\n"line"\n',
}


def _gnu(text: str, *options: str) -> str:
    """What ``msgcat`` (with ``options``) writes of ``text``."""
    assert MSGCAT is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.po"
        path.write_text(text, encoding="utf-8")
        return subprocess.run([MSGCAT, *options, str(path)], capture_output=True,
                              check=True).stdout.decode("utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_catalog_is_written_as_msgcat_writes_it(name: str) -> None:
    text = HEADER + CASES[name]
    catalog = parse_po(text, f"{name}.po")
    assert format_po(catalog) == _gnu(text)
    assert format_po(catalog, width=60) == _gnu(text, "--width=60")
    assert format_po(catalog, wrap=False) == _gnu(text, "--no-wrap")


def test_the_default_width_is_gnus() -> None:
    assert WIDTH == 79


def test_a_header_that_fits_stays_on_the_msgstr_line() -> None:
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "a"\nmsgstr "b"\n')
    assert format_po(parse_po(text)) == _gnu(text) == text


def test_the_example_catalogs_are_in_gnu_layout() -> None:
    for path in (EXAMPLE / "locales").rglob("*.po*"):
        text = path.read_text(encoding="utf-8")
        assert _gnu(text) == text, path


# ------------------------------------------------------------------------ generated


_SCRIPTS = st.sampled_from([
    "word ", "long-hyphenated-word ", "path/to/file ", "(parenthesised) ", "1.8 mg/m² ",
    "Prüfung ", "Ελληνικά ", "русский ", "中文字符", "日本語、", "한국어 ", "עברית-", "عربي ",
    "ไทย", "e\u0301", "\U0001F1E9\U0001F1EA", "\U0001F469\u200D\U0001F52C", "\u00a0", "\u200b",
    "\t", '"', "\\", "\n", "  ", "%s ", "%(name)s ", "{field} ", "%%", "…", "«quoted» ",
])
_STRINGS = st.lists(_SCRIPTS, min_size=1, max_size=40).map("".join)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_STRINGS, _STRINGS, st.sampled_from(["", "#, python-format\n",
                                            "#, python-brace-format\n", "#, no-wrap\n"]))
def test_generated_strings_are_wrapped_as_msgcat_wraps_them(source: str, translation: str,
                                                             flags: str) -> None:
    # Where the English begins or ends with a line break, so must the translation.
    core = translation.strip("\n") or "x"
    translation = ("\n" if source.startswith("\n") else "") + core + \
        ("\n" if source.endswith("\n") else "")
    text = (f'{HEADER}{flags}msgid "{_escape(source)}"\nmsgstr "{_escape(translation)}"\n')
    try:
        catalog = parse_po(text, "generated.po")
    except ProblemsError:  # a format string the translation does not fit: not a layout case
        return
    assert format_po(catalog) == _gnu(text)


_DAMAGE = st.sampled_from([
    "\n", " ", '"', "#", "#~ ", "#| ", "#, fuzzy\n", "msgid ", "msgstr ", "msgctxt ",
    "msgid_plural ", "msgstr[0] ", "msgstr[1] ", "[", "]", "0", '"x"', '"\\n"', '"\\q"',
    '"\\x41"', "domain ", "\\", "#: a.c:1\n", 'msgid ""\nmsgstr ""\n', "\x04",
])
GERMAN = (EXAMPLE / "locales" / "de" / "LC_MESSAGES" / "besponsa.po").read_text(encoding="utf-8")


@st.composite
def _damaged(draw: st.DrawFn) -> str:
    text = GERMAN
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(_DAMAGE) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
    return text


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_damaged())
def test_a_damaged_catalog_is_refused_exactly_when_msgfmt_check_refuses_it(text: str) -> None:
    assert MSGFMT is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.po"
        path.write_text(text, encoding="utf-8")
        gnu = subprocess.run([MSGFMT, "--check", "-o", os.devnull, str(path)],
                             capture_output=True, text=True, check=False)
    try:
        catalog = parse_po(text, "damaged.po")
    except ProblemsError as err:
        refused: ProblemsError | None = err
    else:
        refused = None
    if refused is not None:
        # A catalog that no longer declares UTF-8 (or has no header to) is outside: we
        # read UTF-8 catalogs only, where GNU takes a missing charset for ASCII.
        assume(not any("charset=UTF-8" in p.message or "no header entry" in p.message
                       for p in refused.problems))
        assert gnu.returncode != 0, f"msgfmt accepts what we refuse: {refused.problems[0]}"
        return
    assert gnu.returncode == 0, f"msgfmt refuses what we read:\n{gnu.stderr}"
    assert format_po(catalog) == _gnu(text)
