"""Real translators' catalogs, read and rewritten through the documented catalog API.

The folder named by ``SMPC_CATALOG_CORPUS`` (made by ``scripts/catalog_corpus.sh``: some
2,500 catalogs from the Django, Sphinx, Wagtail and Weblate wheels, and 200 of GNU's C
projects, binutils, gdb and glibc, their entries mostly ``c-format``) is compared, catalog
by catalog, with GNU gettext: a UTF-8 catalog that ``msgfmt --check`` accepts must be read
by :func:`read_catalog`, and :func:`format_po` must give ``msgcat``'s bytes for it; one that
``msgfmt --check`` refuses must be refused with a problem naming the file and a line that
``msgfmt`` names in an error.
Without the variable (or without GNU gettext) the test is skipped.

A catalog that starts with a UTF-8 byte order mark is refused, as GNU refuses it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from smpc_manager.catalogs import format_po, read_catalog
from smpc_manager.errors import Problem, ProblemsError

CORPUS = Path(os.environ.get("SMPC_CATALOG_CORPUS", "/nonexistent"))
MSGFMT, MSGCAT = shutil.which("msgfmt"), shutil.which("msgcat")
CATALOGS = sorted(CORPUS.rglob("*.po")) if CORPUS.is_dir() else []
_CHARSET = re.compile(rb'"Content-Type:[^"\n]*charset=([A-Za-z0-9_.:-]+)')

pytestmark = [
    pytest.mark.skipif(not CATALOGS, reason="SMPC_CATALOG_CORPUS names no folder of catalogs"),
    pytest.mark.skipif(MSGFMT is None or MSGCAT is None, reason="GNU gettext is not installed"),
]


def _is_utf8(data: bytes) -> bool:
    declared = _CHARSET.search(data)
    return declared is not None and declared.group(1).lower().replace(b"-", b"").replace(
        b"_", b"") == b"utf8"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_a_real_catalog_reads_and_writes_as_gnu_gettext_does(path: Path) -> None:
    data = path.read_bytes()
    if not _is_utf8(data):
        pytest.skip("not a UTF-8 catalog")
    assert MSGFMT is not None
    assert MSGCAT is not None
    checked = subprocess.run([MSGFMT, "--check", "-o", os.devnull, str(path)],
                             capture_output=True, text=True, errors="replace", check=False)
    problems: tuple[Problem, ...] = ()
    try:
        catalog = read_catalog(path)
    except ProblemsError as err:
        problems = err.problems
    if problems:
        assert checked.returncode != 0, f"msgfmt accepts what we refuse: {problems[0]}"
        assert problems[0].location.path.endswith(path.name)
        # GNU names ``file:line:`` or ``file:line:column:``
        gnu_lines = {int(line) for line in
                     re.findall(r":(\d+)(?::\d+)?: (?!warning: )", checked.stderr)}
        assert problems[0].location.line in gnu_lines, (problems[0], checked.stderr)
        return
    assert checked.returncode == 0, f"msgfmt refuses what we read:\n{checked.stderr}"
    gnu = subprocess.run([MSGCAT, str(path)], capture_output=True, check=True).stdout
    assert format_po(catalog).encode("utf-8") == gnu
